"""The LoRA lab's verdicts, each decided on a 95% interval (or an exact count).

Losses are per held-out window, grouped by seed (``{method: [array per seed]}``, the same
windows for every method of a seed): a difference between two methods is paired window by
window, and :func:`~llmiq.labs.uncertainty.nested_interval` resamples the seeds and the
windows within them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from llmiq.labs.lora.adapter import lora_formula
from llmiq.labs.lora.finetuning import name
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, exact, nested_interval

#: per-window losses: method ("base", "full", "r=<rank>") -> one array per seed
WindowLosses = dict[str, list[np.ndarray]]


def difference(losses: WindowLosses, first: str, second: str) -> Interval:
    """95% interval of the mean loss of ``first`` minus ``second``, paired by window."""
    groups = [a - b for a, b in zip(losses[first], losses[second], strict=True)]
    return nested_interval(groups, over=_over(groups))


def _over(groups: Sequence[np.ndarray]) -> str:
    return f"{len(groups)} seeds x {len(groups[0])} held-out windows"


def fraction_claim(
    ranks: Sequence[int],
    counted: dict[str, int],
    formula: dict[str, int],
    total: int,
    small_fraction: float,
    width: int,
    seeds: Sequence[int],
) -> Claim:
    """Supported when the counted trainable parameters equal r (d_in + d_out) summed over the
    adapted matrices at every rank, and the smallest rank trains under ``small_fraction``.
    A count has no sampling error: its interval is the exact value."""
    exact_count = all(counted[name(r)] == formula[name(r)] for r in ranks)
    smallest = min(ranks)
    share = counted[name(smallest)] / total
    rows = "; ".join(
        f"r={r}: counted {counted[name(r)]:,}, formula {formula[name(r)]:,} "
        f"({counted[name(r)] / total:.2%})"
        for r in ranks
    )
    wide = lora_formula([(4096, 4096)], 16)
    return Claim.on_interval(
        "LoRA trains r (d_in + d_out) parameters per adapted matrix: a small fraction of the model",
        exact(share, "exact: a parameter count, the same on every seed"),
        measure=f"share of the model's parameters trained at the smallest rank r={smallest}",
        evidence=f"{rows}; full fine-tuning trains {counted['full']:,} (100%). Counted "
        f"{'==' if exact_count else '!='} formula at every rank; the smallest rank trains "
        f"{share:.2%} ({'<' if share < small_fraction else '>='} {small_fraction:.0%}; exact, "
        f"a count). The share grows linearly with r / d: this model has {total:,} parameters "
        f"and width d = {width}, so r = {max(ranks)} is {max(ranks) / width:.0%} of d; one "
        f"4096 x 4096 matrix at r=16 would train {wide:,} of {4096 * 4096:,} "
        f"({wide / 4096**2:.2%}).",
        seeds=seeds,
        below=small_fraction,
        also=exact_count,
    )


def approach_claim(ranks: Sequence[int], losses: WindowLosses, seeds: Sequence[int]) -> Claim:
    """Supported when the gap to full fine-tuning shrinks at every step up in rank (the 95%
    interval of loss(smaller r) - loss(larger r) above 0 for each pair of neighbouring
    ranks) and every LoRA run improves on the base (the interval of loss(base) - loss(r)
    above 0). The decisive interval is the weakest step. The gap to full is reported with
    its sign and interval: LoRA may also end below full fine-tuning. ``losses`` may hold
    "prose" entries (``prose:base``, ``prose:full``, ...): what each method forgot,
    reported, not judged."""
    ordered = sorted(ranks)
    text = "LoRA's validation loss approaches full fine-tuning as the rank r grows"
    gaps = {r: difference(losses, name(r), "full") for r in ordered}
    gains = {r: difference(losses, "base", name(r)) for r in ordered}
    steps = {(a, b): difference(losses, name(a), name(b)) for a, b in pairwise(ordered)}
    learnt = all(g.above(0) for g in gains.values())
    measure = "drop in held-out code loss from one rank to the next (nats/byte), weakest step"
    if not steps:
        only = gaps[ordered[0]]
        return Claim.on_interval(
            text,
            only,
            measure="gap to full fine-tuning at the only rank (nats/byte)",
            evidence=f"one rank only (r={ordered[0]}, gap to full {only.format('+.3f')}): "
            "nothing to approach with.",
            seeds=seeds,
            above=0,
            also=False,
        )
    weakest = min(steps.values(), key=lambda i: i.low)
    shrinking = all(s.above(0) for s in steps.values())

    def mean(method: str) -> float:
        return float(np.concatenate(losses[method]).mean())

    step_rows = ", ".join(f"r={a}->{b}: {s.format('+.3f')}" for (a, b), s in steps.items())
    gap_rows = ", ".join(f"r={r}: {g.format('+.3f')}" for r, g in gaps.items())
    rows = ", ".join(f"r={r} {mean(name(r)):.3f}" for r in ordered)
    forgotten = ""
    if "prose:base" in losses:
        forgotten = (
            f" Held-out prose (what was forgotten): base {mean('prose:base'):.3f}, "
            + ", ".join(f"r={r} {mean('prose:' + name(r)):.3f}" for r in ordered)
            + f", full {mean('prose:full'):.3f} nats/byte."
        )
    return Claim.on_interval(
        text,
        weakest,
        measure=measure,
        evidence=f"held-out code loss after the same steps: base {mean('base'):.3f}, {rows}, "
        f"full {mean('full'):.3f} nats/byte ({weakest.over}). Drop from rank to rank (95% "
        f"interval) {step_rows}: "
        f"{'every step above 0' if shrinking else 'NOT every step above 0'}. Gap to full "
        f"{gap_rows}. Every LoRA run "
        f"{'improves' if learnt else 'does NOT improve'} on the base (smallest gain "
        f"{min(gains.values(), key=lambda i: i.low).format('+.3f')}).{forgotten}",
        seeds=seeds,
        above=0,
        also=learnt,
    )


def start_claim(start_diffs: dict[str, float], init_b: str, seeds: Sequence[int]) -> Claim:
    """Supported when the adapted model's logits before any update equal the base's exactly
    (the largest difference over the probe windows of every seed is 0: below the smallest
    positive float). Exact arithmetic: no sampling error."""
    worst = max(start_diffs.values())
    rows = ", ".join(f"{k}: {d:.1e}" for k, d in start_diffs.items())
    zero = worst == 0.0
    return Claim.on_interval(
        "With B initialised to zero the adapted model starts exactly at the base model",
        exact(worst, "exact: the largest difference over every seed's probe windows"),
        measure="largest |logit difference| to the base before the first step",
        evidence=f"B initialised as {init_b!r}; largest |logit difference| to the base before "
        f"the first step, over {len(seeds)} seed(s): {rows} "
        f"({'all exactly 0' if zero else 'NOT all 0'}; exact arithmetic, no sampling).",
        seeds=seeds,
        below=math.ulp(0.0),
    )


def merge_claim(
    merge_diffs: dict[str, float], scaled: bool, seeds: Sequence[int], tol: float = 1e-5
) -> Claim:
    """Supported when folding W + (alpha / r) B A into one matrix changes no output by more
    than ``tol`` (float rounding; strictly less) on any seed's trained adapters."""
    worst = max(merge_diffs.values())
    rows = ", ".join(f"{k}: {d:.1e}" for k, d in merge_diffs.items())
    return Claim.on_interval(
        "The trained adapter merges into the weights (W + (alpha/r) B A): the same outputs "
        "with no extra inference cost",
        exact(worst, "exact: the largest difference over every seed's probe windows"),
        measure="largest |logit difference|, merged weights vs adapter",
        evidence=f"merged {'with' if scaled else 'WITHOUT'} alpha/r; largest |logit "
        f"difference| merged vs adapter over {len(seeds)} seed(s): {rows} "
        f"({'<' if worst < tol else '>='} {tol:.0e}; exact arithmetic, no sampling).",
        seeds=seeds,
        below=tol,
    )
