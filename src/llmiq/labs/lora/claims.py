"""The LoRA lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from llmiq.labs.lora.adapter import lora_formula
from llmiq.labs.report import Claim


def name(r: int) -> str:
    return f"r={r}"


def fraction_claim(
    ranks: Sequence[int],
    counted: dict[str, int],
    formula: dict[str, int],
    total: int,
    small_fraction: float,
    width: int,
) -> Claim:
    """Supported when the counted trainable parameters equal r (d_in + d_out) summed over the
    adapted matrices at every rank, and the smallest rank trains under ``small_fraction``."""
    exact = all(counted[name(r)] == formula[name(r)] for r in ranks)
    smallest = min(ranks)
    share = counted[name(smallest)] / total
    rows = "; ".join(
        f"r={r}: counted {counted[name(r)]:,}, formula {formula[name(r)]:,} "
        f"({counted[name(r)] / total:.2%})"
        for r in ranks
    )
    wide = lora_formula([(4096, 4096)], 16)
    return Claim(
        text="LoRA trains r (d_in + d_out) parameters per adapted matrix: a small fraction of "
        "the model",
        supported=exact and share < small_fraction,
        evidence=f"{rows}; full fine-tuning trains {counted['full']:,} "
        f"(100%). Counted {'==' if exact else '!='} formula at every rank; the smallest rank "
        f"trains {share:.2%} ({'<' if share < small_fraction else '>='} {small_fraction:.0%}). "
        f"The share grows linearly with r / d: this model has {total:,} parameters and width "
        f"d = {width}, so r = {max(ranks)} is {max(ranks) / width:.0%} of d; one 4096 x 4096 "
        f"matrix at r=16 would train {wide:,} of {4096 * 4096:,} ({wide / 4096**2:.2%}).",
    )


def approach_claim(
    ranks: Sequence[int],
    val_loss: dict[str, float],
    base_loss: float,
    prose_loss: dict[str, float] | None = None,
) -> Claim:
    """Supported when every LoRA run improves on the base, and the gap to full fine-tuning
    (validation loss, nats/byte) shrinks strictly as r grows. The gap is reported with its
    sign: LoRA may also end below full fine-tuning after the same steps. ``prose_loss`` (the
    base domain's held-out loss per method, and "base") is reported, not judged: what each
    method forgot."""
    ordered = sorted(ranks)
    gaps = [val_loss[name(r)] - val_loss["full"] for r in ordered]
    learnt = all(val_loss[name(r)] < base_loss for r in ordered)
    shrinking = len(gaps) >= 2 and all(b < a for a, b in pairwise(gaps))
    rows = ", ".join(f"r={r}: {g:+.3f}" for r, g in zip(ordered, gaps, strict=True))
    losses = ", ".join(f"r={r} {val_loss[name(r)]:.3f}" for r in ordered)
    return Claim(
        text="LoRA's validation loss approaches full fine-tuning as the rank r grows",
        supported=learnt and shrinking,
        evidence=f"validation loss on held-out code after the same steps: base {base_loss:.3f}, "
        f"{losses}, full {val_loss['full']:.3f} nats/byte; gap to full {rows} "
        f"({'shrinks strictly' if shrinking else 'does NOT shrink strictly'} with r); every "
        f"LoRA run {'improves' if learnt else 'does NOT improve'} on the base."
        + (
            f" Held-out prose (what was forgotten): base {prose_loss['base']:.3f}, "
            + ", ".join(f"r={r} {prose_loss[name(r)]:.3f}" for r in ordered)
            + f", full {prose_loss['full']:.3f} nats/byte."
            if prose_loss
            else ""
        ),
    )


def start_claim(start_diffs: dict[str, float], init_b: str) -> Claim:
    """Supported when the adapted model's logits before any update equal the base's exactly."""
    exact = all(d == 0.0 for d in start_diffs.values())
    rows = ", ".join(f"{k}: {d:.1e}" for k, d in start_diffs.items())
    return Claim(
        text="With B initialised to zero the adapted model starts exactly at the base model",
        supported=exact,
        evidence=f"B initialised as {init_b!r}; largest |logit difference| to the base before "
        f"the first step: {rows} ({'all exactly 0' if exact else 'NOT all 0'}).",
    )


def merge_claim(merge_diffs: dict[str, float], scaled: bool, tol: float = 1e-5) -> Claim:
    """Supported when folding W + (alpha / r) B A into one matrix changes no output by more
    than ``tol`` (float rounding)."""
    worst = max(merge_diffs.values())
    rows = ", ".join(f"{k}: {d:.1e}" for k, d in merge_diffs.items())
    return Claim(
        text="The trained adapter merges into the weights (W + (alpha/r) B A): the same outputs "
        "with no extra inference cost",
        supported=worst <= tol,
        evidence=f"merged {'with' if scaled else 'WITHOUT'} alpha/r; largest |logit difference| "
        f"merged vs adapter: {rows} ({'<=' if worst <= tol else '>'} {tol:.0e}).",
    )
