"""The calibration lab: its data and helpers, its claims in fast mode, and broken set-ups
(a wrong content-free prior, an unbiased model, clipping that never acts) that flip them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from llmiq.exam.calibration import CONTENT_FREE_INPUTS
from llmiq.labs import calibration
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabReport
from llmiq.labs.tinylm import GPT, GPTConfig, sequence_logprob

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

FAST = calibration.Config.fast()
#: the headline measurement only (no options A, B, D): one model, ~2 s
CORE = replace(FAST, compare_options=False)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("calibration")


@pytest.fixture(scope="module")
def small_model() -> GPT:
    torch.manual_seed(0)
    block = calibration.block_size(FAST)
    config = GPTConfig(vocab_size=len(calibration.VOCAB), block_size=block, n_layer=1,
                       n_head=2, n_embd=16)  # fmt: skip
    return GPT(config).eval()


# --- data ----------------------------------------------------------------------------------


def test_reviews_tokenize_and_round_trip() -> None:
    text = calibration.format_example("great food", 1)
    assert text == "Review: great food\nSentiment: positive\n"
    ids = calibration.tokenize(text)
    assert len(ids) == 7
    assert calibration.detokenize(ids) == text
    assert calibration.tokenize(calibration.format_example("", None)) == [
        calibration.TOKEN_ID["Review:"],
        calibration.TOKEN_ID["\n"],
        calibration.TOKEN_ID["Sentiment:"],
    ]


def test_training_prompts_fit_the_block_and_end_with_a_label() -> None:
    rng = random.Random(0)
    config = replace(FAST, content_free_rate=0.3)
    data = calibration.training_tensor(rng, config, 200, config.agreement)
    assert data.shape == (200, calibration.block_size(config) + 1)
    labels = (data == calibration.LABEL_IDS[0]) | (data == calibration.LABEL_IDS[1])
    assert torch.equal(labels.sum(1), torch.full((200,), config.demonstrations + 1))


def test_labels_of_one_product_agree_as_configured() -> None:
    def agreement_of(p: float) -> float:
        rng, same = random.Random(1), []
        for _ in range(3000):
            text = calibration.training_prompt(rng, FAST, p)
            labels = [line.split()[-1] for line in text.splitlines() if line.startswith("Sent")]
            same.append(labels[-1] == labels[-2])
        return float(np.mean(same))

    # two labels agree if both follow the product or both do not: p^2 + (1 - p)^2
    assert agreement_of(0.9) == pytest.approx(0.82, abs=0.03)
    assert agreement_of(0.5) == pytest.approx(0.5, abs=0.03)


def test_test_set_is_balanced_and_prompts_have_the_majority() -> None:
    test = calibration.balanced_test_set(random.Random(0), 200)
    assert sum(label for _, label in test) == 100
    prompts = calibration.make_prompts(random.Random(0), FAST)
    assert len(prompts) == FAST.prompts
    assert [p.majority for p in prompts] == [1, 0] * (FAST.prompts // 2)
    for prompt in prompts:
        labels = [label for _, label in prompt.demonstrations]
        assert labels.count(prompt.majority) == FAST.majority
        assert len(labels) == FAST.demonstrations


def test_paraphrase_keeps_labels_and_strength() -> None:
    prompt = calibration.make_prompts(random.Random(3), FAST)[0]
    augmented = calibration.paraphrase(prompt, random.Random(0))
    assert augmented.majority == prompt.majority
    for (old, old_label), (new, new_label) in zip(
        prompt.demonstrations, augmented.demonstrations, strict=True
    ):
        assert old_label == new_label
        assert old.split()[0] != new.split()[0]
        assert calibration.ADJECTIVES[old.split()[0]] == calibration.ADJECTIVES[new.split()[0]]


def test_bayes_accuracy_by_hand() -> None:
    assert calibration.bayes_accuracy(["superb tea", "okay bed"]) == pytest.approx(0.725)


# --- from scratch vs library ---------------------------------------------------------------


def test_macro_f1_matches_sklearn() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 300)
    for predicted in (rng.integers(0, 2, 300), np.zeros(300, dtype=int), truth.copy()):
        ours = calibration.macro_f1(predicted, truth)
        theirs = f1_score(truth, predicted, average="macro", labels=[0, 1], zero_division=0)
        assert ours == pytest.approx(theirs)


def test_batched_label_scores_equal_tinylm_sequence_logprob(small_model: GPT) -> None:
    prompt = calibration.make_prompts(random.Random(0), FAST)[0]
    texts = ["great food", "meh tea", "great food", *CONTENT_FREE_INPUTS]
    with torch_threads(1):
        batched = calibration.label_logprobs(small_model, prompt.prefix(), texts)
        for row, text in zip(batched, texts, strict=True):
            ids = calibration.tokenize(prompt.prefix() + calibration.format_example(text))
            for column, label in enumerate(calibration.LABEL_IDS):
                assert row[column] == pytest.approx(
                    sequence_logprob(small_model, ids, [label]), abs=1e-5
                )


def test_clipping_that_never_acts_changes_nothing(small_model: GPT) -> None:
    data = calibration.training_tensor(random.Random(0), FAST, 64, FAST.agreement)
    runs = []
    with torch_threads(1):
        for clip in (None, 1e9, 1e-3):
            model = GPT(small_model.config)
            model.load_state_dict(small_model.state_dict())
            stats = calibration.train_on_prompts(
                model, data, steps=5, batch_size=8, lr=3e-3, label_weight=3.0,
                generator=torch.Generator().manual_seed(0), clip_norm=clip,
            )  # fmt: skip
            runs.append((stats, model.head.weight.detach().clone()))
    (plain, w_plain), (loose, w_loose), (tight, w_tight) = runs
    assert plain["losses"] == loose["losses"]
    assert torch.equal(w_plain, w_loose)
    assert loose["clipped_steps"] == 0
    assert tight["clipped_steps"] == 5
    assert not torch.equal(w_plain, w_tight)


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 5
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.supported
    assert report.lab == "calibration"
    assert report.question == "prompt-calibration"


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    raw, calibrated = m.raw, m.calibrated
    assert 0.6 < raw["majority_share"] <= 1.0  # a real bias, not noise
    assert abs(calibrated["majority_share"] - 0.5) < abs(raw["majority_share"] - 0.5)
    assert calibrated["macro_f1"] > raw["macro_f1"]
    assert 0.7 < m.bayes_accuracy < 0.85
    assert calibrated["accuracy"] <= m.bayes_accuracy + 0.05  # nothing beats Bayes by much
    assert m.zero_shot["macro_f1"] > 0.65  # the model reads the review itself
    assert m.calibration_vs_torch_max_abs < 1e-12
    assert len(m.per_prompt) == FAST.prompts
    for row in m.per_prompt:
        positive_majority = row["demonstration_labels"].count("positive") > 2
        assert (row["p_cf_positive"] > 0.5) == positive_majority  # p_cf points at the bias
    assert m.clipped_fraction > 0.5
    curve = m.finetune_curve
    assert curve[0]["labelled_reviews"] == 0
    assert curve[0]["majority_share"] == raw["majority_share"]
    assert curve[-1]["steps"] == FAST.finetune_steps
    assert curve[-1]["labelled_reviews"] == FAST.finetune_steps * FAST.batch_size * 5
    assert m.augmented_demonstrations["majority_share"] > 0.55
    assert m.parameters < 50_000


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- broken set-ups flip the verdicts -------------------------------------------------------


@pytest.mark.parametrize("prior", ["flipped", "uniform"])
def test_a_wrong_content_free_prior_does_not_calibrate(tmp_path: Path, prior: str) -> None:
    config = replace(CORE, content_free_prior=prior)
    broken = calibration.run(config, LabContext(tmp_path, show_progress=False))
    bias, calibrated = broken.claims
    assert bias.supported  # the same model, the same bias
    assert not calibrated.supported, calibrated.evidence
    assert "does NOT" in calibrated.evidence
    if prior == "flipped":  # pointing the wrong way makes the bias worse, not better
        raw, after = broken.metrics.raw, broken.metrics.calibrated
        assert after["majority_share"] > raw["majority_share"]
        assert after["macro_f1"] < raw["macro_f1"]


def test_calibration_claim_needs_both_balance_and_gain() -> None:
    raw = {"majority_share": 0.75, "positive_share": 0.5, "macro_f1": 0.65,
           "macro_f1_std": 0.05, "accuracy": 0.66}  # fmt: skip
    good = raw | {"majority_share": 0.52, "macro_f1": 0.75, "accuracy": 0.75}
    assert calibration.calibration_claim(raw, good).supported
    balanced_but_worse = good | {"macro_f1": 0.6}
    assert not calibration.calibration_claim(raw, balanced_but_worse).supported
    better_but_overshooting = good | {"majority_share": 0.2}
    assert not calibration.calibration_claim(raw, better_but_overshooting).supported


def test_an_unbiased_model_supports_neither_bias_nor_fine_tuning_cost() -> None:
    unbiased = {"majority_share": 0.51, "majority_share_std": 0.02, "last_label_share": 0.5,
                "macro_f1": 0.77, "macro_f1_std": 0.01}  # fmt: skip
    assert not calibration.bias_claim(unbiased, 6, 4, 3).supported
    start = {"steps": 0, "labelled_reviews": 0, "majority_share": 0.51, "macro_f1": 0.77}
    curve = [start, start | {"steps": 2, "labelled_reviews": 320, "majority_share": 0.5}]
    assert not calibration.finetune_claim(curve, target=0.52, biased=False).supported
    biased_curve = [curve[0] | {"majority_share": 0.8}, *curve[1:]]
    assert calibration.finetune_claim(biased_curve, target=0.52, biased=True).supported


def test_clipping_claim_needs_clipping_to_act_and_the_bias_to_stay() -> None:
    raw = {"majority_share": 0.75, "macro_f1": 0.65}
    clipped = {"majority_share": 0.74, "majority_share_std": 0.03, "macro_f1": 0.66}
    calibrated = {"majority_share": 0.5}
    assert calibration.clipping_claim(raw, clipped, calibrated, 0.9, 1.0).supported
    assert not calibration.clipping_claim(raw, clipped, calibrated, 0.0, 1.0).supported
    debiased = clipped | {"majority_share": 0.5}
    assert not calibration.clipping_claim(raw, debiased, calibrated, 0.9, 1.0).supported
    augmented = {"majority_share": 0.5, "majority_share_std": 0.02}
    assert not calibration.augmentation_claim(raw, augmented).supported
