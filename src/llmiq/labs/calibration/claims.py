"""The tiny model's verdicts (the explained mechanism), each decided on a 95% interval over
demonstration sets and seeds, against thresholds fixed before measuring."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmiq.labs.calibration.config import PriorMode
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import bootstrap_interval, nested_interval

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
MIN_BIAS = 0.05  # biased: the majority label gets > 0.5 + this share of a balanced set

Groups = Sequence[Sequence[float] | np.ndarray]  # one array of per-prompt values per seed


def _over(groups: Groups, seeds: Sequence[int]) -> str:
    return f"{len(groups[0])} demonstration sets x {len(seeds)} seeds"


def bias_claim(
    shares: Groups, last_shares: Groups, seeds: Sequence[int], k: int, majority: int
) -> Claim:
    """Supported when the whole interval of the majority-label share is above 0.5 + MIN_BIAS."""
    interval = nested_interval(shares, over=_over(shares, seeds))
    last = float(np.mean(np.concatenate([np.asarray(g) for g in last_shares])))
    return Claim.on_interval(
        f"A few-shot prompt with a {majority}-of-{k} label majority biases the model towards "
        "that label on a balanced test set",
        interval,
        measure="share of a balanced test set given the prompt's majority label (0.5 unbiased)",
        evidence=(
            f"the tiny model gave the majority label to {interval.format('.3f')} of a balanced "
            f"set ({interval.over}; biased means above {0.5 + MIN_BIAS:.2f}); the last "
            f"demonstration's label got {last:.3f}"
        ),
        seeds=seeds,
        above=0.5 + MIN_BIAS,
    )


def calibration_claim(
    raw_f1: Groups,
    calibrated_f1: Groups,
    raw_shares: Groups,
    calibrated_shares: Groups,
    seeds: Sequence[int],
    mode: PriorMode = "estimated",
) -> Claim:
    """Supported when the interval of the macro-F1 gain is above 0 and the interval of the
    balance gain (|raw share - 0.5| - |calibrated share - 0.5|) is above 0 too."""
    over = _over(raw_f1, seeds)
    gain = nested_interval(
        [np.subtract(c, r) for c, r in zip(calibrated_f1, raw_f1, strict=True)], over=over
    )
    balance = nested_interval(
        [
            np.abs(np.subtract(r, 0.5)) - np.abs(np.subtract(c, 0.5))
            for r, c in zip(raw_shares, calibrated_shares, strict=True)
        ],
        over=over,
    )
    prior = {
        "estimated": "p_cf from the content-free inputs",
        "flipped": "a FLIPPED p_cf (broken on purpose)",
        "uniform": "a uniform p_cf (broken on purpose)",
    }[mode]
    before = np.mean(np.concatenate([np.asarray(g) for g in raw_shares]))
    after = np.mean(np.concatenate([np.asarray(g) for g in calibrated_shares]))
    return Claim.on_interval(
        "Contextual calibration (option C) mitigates the prompt's bias with no training and "
        "no labels",
        gain,
        measure="macro-F1 gain, calibrated - raw",
        evidence=(
            f"with {prior}, macro-F1 gain {gain.format('.3f')} and balance gain "
            f"{balance.format('.3f')} (majority-label share {before:.3f} -> {after:.3f}; "
            f"{over}); both intervals must lie above 0; cost: 3 extra forward passes per "
            "prompt, 0 labels, 0 gradient steps"
        ),
        seeds=seeds,
        above=0.0,
        also=balance.above(0.0),
    )


def finetune_claim(
    needed: Sequence[float], reached: Sequence[bool], seeds: Sequence[int], biased: bool
) -> Claim:
    """Option A: the labelled reviews fine-tuning needed, per seed, to bring the majority
    share as close to 0.5 as calibration did (a seed that never got there counts at the
    budget it used up); supported if the interval is above 0 and the model was biased."""
    interval = bootstrap_interval(needed, over=f"{len(seeds)} seeds")
    missed = sum(not r for r in reached)
    censored = (
        f"; {missed} seed(s) did not get there within the budget and count at it" if missed else ""
    )
    return Claim.on_interval(
        "Fine-tuning (option A) can unlearn the bias only by retraining: it needs labelled "
        "data and gradient steps that calibration does not",
        interval,
        measure="labelled reviews fine-tuning needed to match calibration's balance",
        evidence=(
            f"fine-tuning on prompts with shuffled labels needed {interval.format('.0f')} "
            f"labelled reviews to balance the predictions as well as calibration did "
            f"(per seed: {', '.join(f'{n:.0f}' for n in needed)}){censored}; calibration: 0 "
            "labels, 0 steps"
        ),
        seeds=seeds,
        above=0.0,
        also=biased,
    )


def augmentation_claim(augmented: Groups, raw: Groups, seeds: Sequence[int]) -> Claim:
    interval = nested_interval(augmented, over=_over(augmented, seeds))
    original = np.mean(np.concatenate([np.asarray(g) for g in raw]))
    return Claim.on_interval(
        "Data augmentation (option B) does not remove the bias: paraphrased demonstrations "
        "keep their labels",
        interval,
        measure="majority-label share with paraphrased demonstrations",
        evidence=(
            f"with every demonstration paraphrased (synonym adjective, new noun, same label) "
            f"the majority label still got {interval.format('.3f')} of the predictions "
            f"(original demonstrations: {original:.3f}; biased means above {0.5 + MIN_BIAS:.2f})"
        ),
        seeds=seeds,
        above=0.5 + MIN_BIAS,
    )


def clipping_claim(
    clipped: Groups,
    clipped_calibrated: Groups,
    raw: Groups,
    clipped_fractions: Sequence[float],
    clip_norm: float,
    seeds: Sequence[int],
) -> Claim:
    """Option D: supported if clipping acted on some steps in every seed and the clipped
    model is still biased by the same test as the unclipped one."""
    interval = nested_interval(clipped, over=_over(clipped, seeds))
    acted = min(clipped_fractions) > 0
    unclipped = np.mean(np.concatenate([np.asarray(g) for g in raw]))
    calibrated = np.mean(np.concatenate([np.asarray(g) for g in clipped_calibrated]))
    return Claim.on_interval(
        "Gradient clipping (option D) leaves the prompt-induced bias in place",
        interval,
        measure="majority-label share of the model trained with clipped gradients",
        evidence=(
            f"the same model trained with clip_grad_norm_ at {clip_norm:g} (same start, same "
            f"batches; clipping acted on {min(clipped_fractions):.0%}-"
            f"{max(clipped_fractions):.0%} of the steps) gave the majority label to "
            f"{interval.format('.3f')} of the balanced set (without clipping: {unclipped:.3f}; "
            f"calibrating the clipped model: {calibrated:.3f})"
        ),
        seeds=seeds,
        above=0.5 + MIN_BIAS,
        also=acted,
    )
