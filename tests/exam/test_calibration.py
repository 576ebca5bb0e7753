"""Prompt calibration maths for the exam mode: the public surface, no torch, the worked
examples, invariants, and a simulated biased multiple-choice model that PriDe and
permutation debiasing must recover."""

from __future__ import annotations

import doctest
import itertools
import subprocess
import sys

import numpy as np
import pytest

from llmiq.exam import calibration as cal

PUBLIC = {
    "CONTENT_FREE_INPUTS",
    "calibration_matrix",
    "content_free_prior",
    "contextual_calibration",
    "cyclic_permutations",
    "debias_with_prior",
    "estimate_position_prior",
    "label_probabilities",
    "option_probabilities",
    "permutation_debiasing",
    "position_prior",
}


def test_public_surface_is_all_and_exists() -> None:
    assert set(cal.__all__) == PUBLIC
    for name in cal.__all__:
        assert hasattr(cal, name)
        if callable(getattr(cal, name)):
            assert getattr(cal, name).__doc__, f"{name} has no docstring"


def test_importing_it_does_not_import_torch() -> None:
    code = "import sys, llmiq.exam.calibration; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_worked_examples_in_docstrings_hold() -> None:
    result = doctest.testmod(cal)
    assert result.attempted >= 15
    assert result.failed == 0


def test_content_free_inputs_are_zhao_et_al() -> None:
    assert cal.CONTENT_FREE_INPUTS == ("N/A", "", "[MASK]")


# --- contextual calibration -----------------------------------------------------------------


def test_contextual_calibration_by_hand() -> None:
    # p_cf = (0.7, 0.3); an answer of (0.6, 0.4) is a lean to label 1 once the prompt's lean
    # is divided out: (0.6 / 0.7, 0.4 / 0.3) = (0.857, 1.333), normalised (0.391, 0.609)
    calibrated = cal.contextual_calibration([0.6, 0.4], [0.7, 0.3])
    np.testing.assert_allclose(calibrated, [0.6 / 0.7, 0.4 / 0.3] / np.sum([6 / 7, 4 / 3]))
    assert calibrated.argmax() == 1


def test_calibration_equals_the_affine_map_w_p_plus_b() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=50)  # (n, labels)
    p_cf = rng.dirichlet(np.ones(4))
    W, b = cal.calibration_matrix(p_cf)
    np.testing.assert_allclose(W, np.linalg.inv(np.diag(p_cf)))
    assert not b.any()
    expected = np.stack([W @ p + b for p in probs])
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(cal.contextual_calibration(probs, p_cf), expected)


def test_calibration_invariants() -> None:
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(3), size=20)
    p_cf = rng.dirichlet(np.ones(3))
    out = cal.contextual_calibration(probs, p_cf)
    np.testing.assert_allclose(out.sum(1), 1.0)
    # a uniform prior changes nothing; the prior's scale does not matter
    np.testing.assert_allclose(cal.contextual_calibration(probs, np.full(3, 1 / 3)), probs)
    np.testing.assert_allclose(cal.contextual_calibration(probs, 5 * p_cf), out)
    # unnormalised scores (e.g. exp of log-probs of the label words) give the same answer
    np.testing.assert_allclose(cal.contextual_calibration(probs * 0.01, p_cf), out)
    # the content-free answer itself becomes uniform
    np.testing.assert_allclose(cal.contextual_calibration(p_cf, p_cf), np.full(3, 1 / 3))


def test_calibration_removes_a_simulated_prompt_bias() -> None:
    # a balanced 2-label task; the prompt multiplies label 0's odds by 4 for every input
    rng = np.random.default_rng(2)
    truth = np.repeat([0, 1], 500)
    evidence = np.where(truth == 1, 1.0, -1.0) + rng.normal(0, 1.2, truth.size)  # log-odds
    fair = np.stack([1 / (1 + np.exp(evidence)), 1 / (1 + np.exp(-evidence))], axis=1)
    biased = fair * [4.0, 1.0]
    biased /= biased.sum(1, keepdims=True)
    p_cf = cal.content_free_prior([[0.8, 0.2], [0.8, 0.2], [0.8, 0.2]])  # a neutral input
    calibrated = cal.contextual_calibration(biased, p_cf)
    assert np.mean(biased.argmax(1) == 0) > 0.65  # most answers say label 0
    np.testing.assert_allclose(calibrated, fair)
    assert np.mean(calibrated.argmax(1) == truth) > np.mean(biased.argmax(1) == truth) + 0.1
    # the broken set-up: a prior pointing the wrong way makes it worse
    wrong = cal.contextual_calibration(biased, p_cf[::-1])
    assert np.mean(wrong.argmax(1) == truth) < np.mean(biased.argmax(1) == truth)


def test_content_free_prior_renormalises_each_input_first() -> None:
    # "N/A" gives the labels 0.3 and 0.1 of the vocabulary's mass: it counts as 0.75/0.25
    np.testing.assert_allclose(cal.content_free_prior([[0.3, 0.1], [0.5, 0.5]]), [0.625, 0.375])
    np.testing.assert_allclose(cal.content_free_prior([0.2, 0.6]), [0.25, 0.75])


def test_label_probabilities_is_a_softmax() -> None:
    logprobs = np.log([[0.2, 0.05, 0.05], [0.01, 0.01, 0.02]])
    np.testing.assert_allclose(cal.label_probabilities(logprobs), [[2 / 3, 1 / 6, 1 / 6],
                                                                   [0.25, 0.25, 0.5]])  # fmt: skip
    # large log-prob magnitudes do not overflow
    np.testing.assert_allclose(cal.label_probabilities([-1000.0, -1000.0]), [0.5, 0.5])


@pytest.mark.parametrize(
    ("probs", "p_cf", "message"),
    [
        ([0.5, 0.5], [1.0, 0.0], "positive"),
        ([0.5, 0.5, 0.0], [0.5, 0.5], "labels"),
        ([0.5, -0.1], [0.5, 0.5], "non-negative"),
        ([0.0, 0.0], [0.5, 0.5], "positive sum"),
        ([1.0], [1.0], "at least 2"),
    ],
)
def test_calibration_rejects_bad_input(probs: list, p_cf: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cal.contextual_calibration(probs, p_cf)


# --- permutation prior (PriDe) and permutation debiasing -----------------------------------


def test_cyclic_permutations_put_every_option_in_every_position() -> None:
    for n in (2, 3, 4, 5):
        perms = np.array(cal.cyclic_permutations(n))
        assert perms.shape == (n, n)
        for column in perms.T:
            assert sorted(column) == list(range(n))
        assert tuple(perms[0]) == tuple(range(n))


def test_option_probabilities_undo_the_permutation() -> None:
    probs = np.array([0.4, 0.3, 0.2, 0.1])
    perm = (2, 0, 3, 1)
    options = cal.option_probabilities(probs, perm)
    for position, option in enumerate(perm):
        assert options[option] == pytest.approx(probs[position])


def _simulated_exam(n_questions: int, prior: np.ndarray, seed: int):
    """A model whose position probabilities follow PriDe's factorisation exactly:
    P_obs(position i) ∝ prior[i] * belief[option shown at i]."""
    rng = np.random.default_rng(seed)
    n = len(prior)
    answers = rng.integers(0, n, n_questions)
    beliefs = rng.dirichlet(np.ones(n), size=n_questions) + 0.6 * np.eye(n)[answers]
    beliefs /= beliefs.sum(1, keepdims=True)  # the model's (fair) belief per option
    perms = cal.cyclic_permutations(n)
    observed = np.array([[prior * b[list(p)] for p in perms] for b in beliefs])
    observed /= observed.sum(-1, keepdims=True)  # (questions, permutations, positions)
    return answers, beliefs, observed


def test_pride_recovers_the_prior_and_the_beliefs() -> None:
    prior = np.array([0.55, 0.2, 0.15, 0.1])  # "A" is favoured whatever it says
    answers, beliefs, observed = _simulated_exam(60, prior, seed=0)
    for question in observed[:5]:
        np.testing.assert_allclose(cal.position_prior(question), prior)
    estimated = cal.estimate_position_prior(observed[:6])  # PriDe: a few questions only
    np.testing.assert_allclose(estimated, prior)
    shown = observed[6:, 0]  # the rest, in their original order (permutation 0)
    debiased = cal.debias_with_prior(shown, estimated)
    np.testing.assert_allclose(debiased, beliefs[6:])
    raw_accuracy = np.mean(shown.argmax(1) == answers[6:])
    assert np.mean(debiased.argmax(1) == answers[6:]) > raw_accuracy + 0.1
    assert np.mean(shown.argmax(1) == 0) > 0.5  # the bias: mostly "A"


def test_permutation_debiasing_averages_out_the_position_bias() -> None:
    prior = np.array([0.6, 0.25, 0.15])
    answers, _, observed = _simulated_exam(80, prior, seed=1)
    averaged = np.array([cal.permutation_debiasing(q) for q in observed])
    np.testing.assert_allclose(averaged.sum(1), 1.0)
    raw = observed[:, 0]
    assert np.mean(averaged.argmax(1) == answers) > np.mean(raw.argmax(1) == answers)
    # with no position bias, it returns the beliefs themselves
    _, fair_beliefs, fair = _simulated_exam(10, np.full(3, 1 / 3), seed=2)
    for question, belief in zip(fair, fair_beliefs, strict=True):
        np.testing.assert_allclose(cal.permutation_debiasing(question), belief)


def test_position_prior_by_hand_for_two_options() -> None:
    # option 0 first: (0.7, 0.3); option 1 first: (0.9, 0.1) -> geometric means of each
    # position: sqrt(0.63) and sqrt(0.03); normalised
    prior = cal.position_prior([[0.7, 0.3], [0.9, 0.1]])
    expected = np.sqrt([0.63, 0.03]) / np.sqrt([0.63, 0.03]).sum()
    np.testing.assert_allclose(prior, expected)


def test_permutations_must_cover_every_position() -> None:
    with pytest.raises(ValueError, match="every position"):
        cal.position_prior([[0.5, 0.5], [0.6, 0.4]], permutations=[(0, 1), (0, 1)])
    with pytest.raises(ValueError, match="exactly once"):
        cal.option_probabilities([0.5, 0.5], (0, 0))
    with pytest.raises(ValueError, match="permutations"):
        cal.permutation_debiasing([[0.5, 0.5], [0.6, 0.4]], permutations=[(0, 1)])
    with pytest.raises(ValueError, match="at least one"):
        cal.estimate_position_prior([])


def test_position_prior_accepts_all_orders_not_just_cyclic_ones() -> None:
    prior = np.array([0.5, 0.3, 0.2])
    belief = np.array([0.2, 0.7, 0.1])
    perms = list(itertools.permutations(range(3)))
    observed = [prior * belief[list(p)] for p in perms]
    np.testing.assert_allclose(cal.position_prior(observed, perms), prior)
    np.testing.assert_allclose(cal.permutation_debiasing(observed, perms).argmax(), 1)
