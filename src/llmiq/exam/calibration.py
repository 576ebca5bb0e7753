"""Prompt calibration: remove the bias a prompt puts on a model's label or option scores,
with no training and no labels. NumPy only (no torch), so the exam mode and the calibration
lab share it.

Two methods:

1. Contextual calibration (Zhao, Wallace, Feng, Klein, Singh, "Calibrate Before Use:
   Improving Few-Shot Performance of Language Models", ICML 2021, arXiv:2102.09690).
   Put a content-free input ("N/A", "", "[MASK]") in place of the real input, keep the
   rest of the prompt (instructions, demonstrations), and read the model's probabilities of
   the label words. A fair model would give every label the same probability; what it gives
   instead, averaged over the content-free inputs, is its bias ``p_cf``. The affine
   correction ``q = W p + b`` with ``W = diag(p_cf)^-1`` and ``b = 0``, renormalised,
   divides that bias out of every real prediction made with the same prompt.

2. A permutation prior for multiple-choice options (Zheng, Zhou, Meng, Zhou, Huang, "Large
   Language Models Are Not Robust Multiple Choice Selectors", ICLR 2024, arXiv:2309.03882,
   "PriDe"). The probability a model gives option position (ID) ``i`` factorises as
   ``P_obs(i) ∝ P_prior(i) · P_debiased(option shown at i)``. Under the n cyclic
   permutations of the options, every option sits in every position exactly once, so the
   mean over permutations of ``log P_obs(i)`` is ``log P_prior(i)`` plus a constant: the
   softmax of that mean is the position prior of the question. PriDe estimates it on a few
   questions, averages it, and divides it out of the others (one forward pass each).
   The simpler and costlier "permutation debiasing" (PriDe's *Cyclic Permutation* baseline)
   averages each option's probability over the positions it was shown in.

Conventions: probabilities are over the *label set* (renormalised; see
``label_probabilities``), the last axis is the label/option axis, and a permutation
``perm`` lists, for each position, the index of the option shown there (``perm[i] = j``:
position ``i`` shows option ``j``).

Left out: the full affine calibration Zhao et al. also try (W learnt from labelled data),
PriDe's choice of which questions to permute (any subset works here), and generation-based
scoring (these functions take probabilities, however they were obtained).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
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
]

#: The content-free inputs of Zhao et al. (2021), Section 5: each replaces the real input
#: in the prompt; their label probabilities are averaged into ``p_cf``.
CONTENT_FREE_INPUTS: tuple[str, ...] = ("N/A", "", "[MASK]")


def _normalise(probs: np.ndarray) -> np.ndarray:
    total = probs.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("every row of probabilities needs a positive sum")
    return probs / total


def _as_probabilities(probs: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(probs, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] < 2:
        raise ValueError(f"{name} needs a last axis of at least 2 labels, got {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return array


def label_probabilities(logprobs: ArrayLike) -> np.ndarray:
    """Probabilities over the label set from the log-probabilities of the label words
    (softmax over the last axis): the model's choice among the labels only.

    >>> label_probabilities([np.log(0.3), np.log(0.1)]).round(3)
    array([0.75, 0.25])

    A language model spreads mass over its whole vocabulary; calibration works on the
    share each *label* gets, so the two label words' 0.3 and 0.1 become 0.75 and 0.25.
    """
    logits = np.asarray(logprobs, dtype=np.float64)
    if logits.ndim == 0 or logits.shape[-1] < 2:
        raise ValueError(f"need a last axis of at least 2 labels, got {logits.shape}")
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def content_free_prior(content_free_probs: ArrayLike) -> np.ndarray:
    """``p_cf``: the mean of the (renormalised) label probabilities the model gives the
    content-free inputs, shape (n_inputs, n_labels) -> (n_labels,).

    >>> content_free_prior([[0.6, 0.2], [0.5, 0.5]])
    array([0.625, 0.375])

    ("N/A" gave 0.6 and 0.2, renormalised to 0.75/0.25; "" gave 0.5/0.5; their mean is
    0.625/0.375: this prompt leans to the first label whatever the input.)
    """
    probs = _as_probabilities(content_free_probs, "content_free_probs")
    if probs.ndim == 1:
        probs = probs[None, :]
    return _normalise(_normalise(probs).mean(axis=0))


def calibration_matrix(p_cf: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(W, b)`` of contextual calibration: ``W = diag(p_cf)^-1``, ``b = 0``.

    >>> W, b = calibration_matrix([0.8, 0.2])
    >>> W
    array([[1.25, 0.  ],
           [0.  , 5.  ]])
    >>> b
    array([0., 0.])
    """
    prior = _as_probabilities(p_cf, "p_cf")
    if prior.ndim != 1:
        raise ValueError(f"p_cf must be one probability vector, got shape {prior.shape}")
    if np.any(prior <= 0):
        raise ValueError("p_cf must be positive for every label (it is inverted)")
    return np.diag(1.0 / prior), np.zeros_like(prior)


def contextual_calibration(probs: ArrayLike, p_cf: ArrayLike) -> np.ndarray:
    """Calibrated label probabilities ``normalise(W p + b)`` for ``probs`` of shape
    (..., n_labels) made with the prompt whose content-free prior is ``p_cf``.

    >>> contextual_calibration([0.7, 0.3], [0.8, 0.2]).round(3)
    array([0.368, 0.632])

    The prompt alone pushes 80/20 to the first label, so a 70/30 answer is in fact a lean to
    the second one (0.7/0.8 = 0.875 against 0.3/0.2 = 1.5). With ``p_cf`` uniform nothing
    changes; with ``p_cf = probs`` the answer becomes uniform.
    """
    scores = _as_probabilities(probs, "probs")
    W, b = calibration_matrix(p_cf)
    if scores.shape[-1] != len(b):
        raise ValueError(f"probs have {scores.shape[-1]} labels but p_cf has {len(b)}")
    scores = _normalise(scores)
    return _normalise(scores @ W.T + b)


def cyclic_permutations(n_options: int) -> list[tuple[int, ...]]:
    """The n cyclic shifts of n options; shift ``s`` shows option ``(i + s) % n`` at
    position ``i``, so every option visits every position exactly once.

    >>> cyclic_permutations(3)
    [(0, 1, 2), (1, 2, 0), (2, 0, 1)]
    """
    if n_options < 2:
        raise ValueError(f"need at least 2 options, got {n_options}")
    return [tuple((i + s) % n_options for i in range(n_options)) for s in range(n_options)]


def _check_permutations(permutations: Sequence[Sequence[int]], n: int) -> np.ndarray:
    perms = np.asarray(permutations, dtype=np.int64)
    if perms.ndim != 2 or perms.shape[1] != n:
        raise ValueError(f"need permutations of {n} options, got shape {perms.shape}")
    if any(sorted(row) != list(range(n)) for row in perms.tolist()):
        raise ValueError("each permutation must list every option index exactly once")
    return perms


def option_probabilities(position_probs: ArrayLike, permutation: Sequence[int]) -> np.ndarray:
    """Probabilities per *option* from probabilities per *position*, for one presentation.

    >>> option_probabilities([0.5, 0.3, 0.2], (2, 0, 1))
    array([0.3, 0.2, 0.5])

    (Position 0 showed option 2, so option 2 gets 0.5; and so on.)
    """
    probs = _normalise(_as_probabilities(position_probs, "position_probs"))
    perm = _check_permutations([permutation], probs.shape[-1])[0]
    out = np.empty_like(probs)
    out[..., perm] = probs
    return out


def position_prior(
    position_probs: ArrayLike, permutations: Sequence[Sequence[int]] | None = None
) -> np.ndarray:
    """PriDe's prior over positions for one question, from its position probabilities under
    every cyclic permutation, shape (n_permutations, n_positions): softmax of the mean
    log-probability of each position.

    >>> prior = np.array([0.5, 0.3, 0.2])             # the model likes position 0
    >>> truth = np.array([0.1, 0.6, 0.3])             # what it thinks of the options
    >>> observed = [prior * truth[list(p)] for p in cyclic_permutations(3)]
    >>> position_prior(observed).round(3)
    array([0.5, 0.3, 0.2])

    Exact here because ``observed`` follows PriDe's factorisation; with a real model it is
    an estimate. ``permutations`` (default: the cyclic ones) may be any set in which every
    option visits every position equally often (all n! orders, say): that is what makes the
    options' term the same constant for every position.
    """
    probs = _normalise(_as_probabilities(position_probs, "position_probs"))
    if probs.ndim != 2:
        raise ValueError(f"need (n_permutations, n_positions), got shape {probs.shape}")
    n = probs.shape[1]
    if permutations is None:
        permutations = cyclic_permutations(n)
    perms = _check_permutations(permutations, n)
    if len(perms) != len(probs):
        raise ValueError(f"{len(probs)} rows of probabilities but {len(perms)} permutations")
    counts = np.stack([np.bincount(column, minlength=n) for column in perms.T])  # (pos, opt)
    if np.any(counts != counts[0, 0]):
        raise ValueError("every option must visit every position equally often")
    if np.any(probs <= 0):
        raise ValueError("position probabilities must be positive (their logs are averaged)")
    return label_probabilities(np.log(probs).mean(axis=0))


def estimate_position_prior(per_question: Sequence[ArrayLike]) -> np.ndarray:
    """The global position prior: the mean of ``position_prior`` over a few questions, each
    given as its (n_permutations, n_positions) cyclic-permutation probabilities.

    >>> q1 = [[0.6, 0.4], [0.6, 0.4]]                  # prior (0.6, 0.4), options tie
    >>> q2 = [[0.8, 0.2], [0.36, 0.64]]                # same prior, option 0 is better
    >>> estimate_position_prior([q1, q2]).round(3)
    array([0.6, 0.4])
    """
    priors = [position_prior(question) for question in per_question]
    if not priors:
        raise ValueError("need at least one question to estimate the prior")
    return _normalise(np.mean(priors, axis=0))


def debias_with_prior(position_probs: ArrayLike, prior: ArrayLike) -> np.ndarray:
    """PriDe's debiased prediction: ``normalise(P_obs / P_prior)`` over positions, for any
    number of questions (..., n_positions) shown in one order; map to options with
    ``option_probabilities`` when the order was permuted.

    >>> debias_with_prior([0.5, 0.3, 0.2], [0.5, 0.3, 0.2]).round(3)
    array([0.333, 0.333, 0.333])

    The same division as contextual calibration, with the prior measured by permuting the
    options instead of blanking the input.
    """
    return contextual_calibration(position_probs, prior)


def permutation_debiasing(
    position_probs: ArrayLike, permutations: Sequence[Sequence[int]] | None = None
) -> np.ndarray:
    """Each option's probability averaged over the positions it was shown in (PriDe's
    "Cyclic Permutation" baseline): shape (n_permutations, n_positions) -> (n_options,).

    >>> observed = [[0.7, 0.3], [0.9, 0.1]]            # option 0 first, then option 1 first
    >>> permutation_debiasing(observed).round(3)
    array([0.4, 0.6])

    Option 0 got 0.7 in position 0 and 0.1 in position 1, option 1 got 0.3 and 0.9: the
    model always prefers position 0, and averaged over positions option 1 wins. It costs n
    forward passes per question; PriDe pays that on a few questions only.
    """
    probs = _normalise(_as_probabilities(position_probs, "position_probs"))
    if probs.ndim != 2:
        raise ValueError(f"need (n_permutations, n_positions), got shape {probs.shape}")
    n = probs.shape[1]
    perms = _check_permutations(cyclic_permutations(n) if permutations is None else permutations, n)
    if len(perms) != len(probs):
        raise ValueError(f"{len(probs)} rows of probabilities but {len(perms)} permutations")
    per_option = [option_probabilities(row, perm) for row, perm in zip(probs, perms, strict=True)]
    return _normalise(np.mean(per_option, axis=0))
