"""The calibration lab's verdicts, against thresholds fixed before measuring."""

from __future__ import annotations

from collections.abc import Sequence

from llmiq.labs.calibration.config import PriorMode
from llmiq.labs.report import Claim

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
MIN_BIAS = 0.05  # a prompt is biased if > 0.5 + this share of a balanced set follows its majority


def bias_claim(raw: dict[str, float], n_prompts: int, k: int, majority: int) -> Claim:
    share = raw["majority_share"]
    return Claim(
        f"A few-shot prompt with a {majority}-of-{k} label majority biases the model towards "
        "that label on a balanced test set",
        supported=share > 0.5 + MIN_BIAS,
        evidence=(
            f"over {n_prompts} demonstration sets the model gave the majority label to "
            f"{share:.1%} ± {raw['majority_share_std']:.1%} of a balanced set (0.5 is "
            f"unbiased; the last demonstration's label got {raw['last_label_share']:.1%}); "
            f"macro-F1 {raw['macro_f1']:.3f} ± {raw['macro_f1_std']:.3f}"
        ),
    )


def calibration_claim(
    raw: dict[str, float], calibrated: dict[str, float], mode: PriorMode = "estimated"
) -> Claim:
    """Supported if calibration moves the majority-label share towards 0.5 and raises the
    mean macro-F1 (both, on the mean over prompts)."""
    before, after = raw["majority_share"], calibrated["majority_share"]
    f1_before, f1_after = raw["macro_f1"], calibrated["macro_f1"]
    balanced = abs(after - 0.5) < abs(before - 0.5)
    better = f1_after > f1_before
    prior = {
        "estimated": "p_cf from the content-free inputs",
        "flipped": "a FLIPPED p_cf (broken on purpose)",
        "uniform": "a uniform p_cf (broken on purpose)",
    }[mode]
    verdict = "balances" if balanced else "does NOT balance"
    gain = "raises" if better else "does NOT raise"
    return Claim(
        "Contextual calibration (option C) mitigates the prompt's bias with no training and "
        "no labels",
        supported=balanced and better,
        evidence=(
            f"with {prior}, calibration {verdict} the predictions (majority-label share "
            f"{before:.1%} -> {after:.1%}, positive share {raw['positive_share']:.1%} -> "
            f"{calibrated['positive_share']:.1%}) and {gain} macro-F1 ({f1_before:.3f} ± "
            f"{raw['macro_f1_std']:.3f} -> {f1_after:.3f} ± {calibrated['macro_f1_std']:.3f}; "
            f"accuracy {raw['accuracy']:.3f} -> {calibrated['accuracy']:.3f}); cost: 3 extra "
            "forward passes per prompt, 0 labels, 0 gradient steps"
        ),
    )


def finetune_claim(curve: Sequence[dict[str, float]], target: float, biased: bool) -> Claim:
    """Option A: labelled reviews and steps fine-tuning needed to bring the majority share
    as close to 0.5 as ``target`` (the calibrated share); supported if it needed any (the
    model was biased and calibration got there with none)."""
    reached = next((p for p in curve if abs(p["majority_share"] - 0.5) <= abs(target - 0.5)), None)
    needed = reached is None or reached["steps"] > 0
    last = curve[-1]
    if reached is None:
        found = (
            f"did not get there within {last['steps']} steps and "
            f"{last['labelled_reviews']} labelled reviews (it reached "
            f"{last['majority_share']:.1%})"
        )
    else:
        found = (
            f"needed {reached['steps']} gradient steps on "
            f"{reached['labelled_reviews']} labelled reviews (macro-F1 then "
            f"{reached['macro_f1']:.3f})"
        )
    return Claim(
        "Fine-tuning (option A) can unlearn the bias only by retraining: it needs labelled "
        "data and gradient steps that calibration does not",
        supported=biased and needed,
        evidence=(
            f"to bring the majority-label share from {curve[0]['majority_share']:.1%} as close "
            f"to 50% as calibration does ({target:.1%}), fine-tuning on prompts with shuffled "
            f"labels {found}; calibration: 0 labels, 0 steps"
        ),
    )


def augmentation_claim(raw: dict[str, float], augmented: dict[str, float]) -> Claim:
    share = augmented["majority_share"]
    return Claim(
        "Data augmentation (option B) does not remove the bias: paraphrased demonstrations "
        "keep their labels",
        supported=share > 0.5 + MIN_BIAS,
        evidence=(
            f"with every demonstration paraphrased (synonym adjective, new noun, same label) "
            f"the majority label still got {share:.1%} ± {augmented['majority_share_std']:.1%} "
            f"of the predictions (original demonstrations: {raw['majority_share']:.1%})"
        ),
    )


def clipping_claim(
    raw: dict[str, float],
    clipped: dict[str, float],
    clipped_calibrated: dict[str, float],
    clipped_fraction: float,
    clip_norm: float,
) -> Claim:
    """Option D: supported if clipping acted on some steps and the clipped model is still
    biased by the same test as the unclipped one."""
    share = clipped["majority_share"]
    acted = clipped_fraction > 0
    return Claim(
        "Gradient clipping (option D) leaves the prompt-induced bias in place",
        supported=acted and share > 0.5 + MIN_BIAS,
        evidence=(
            f"the same model trained with clip_grad_norm_ at {clip_norm:g} (same start, same "
            f"batches; clipping acted on {clipped_fraction:.0%} of the steps) gave the "
            f"majority label to {share:.1%} ± {clipped['majority_share_std']:.1%} of the "
            f"balanced set (without clipping: {raw['majority_share']:.1%}; calibrating the "
            f"clipped model: {clipped_calibrated['majority_share']:.1%}); macro-F1 "
            f"{clipped['macro_f1']:.3f} vs {raw['macro_f1']:.3f}"
        ),
    )
