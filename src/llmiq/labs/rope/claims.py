"""The RoPE lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from llmiq.labs.report import Claim


@dataclass(frozen=True)
class Paired:
    """A mean difference over held-out windows and its standard error."""

    mean: float
    se: float

    @property
    def significant(self) -> bool:
        """Above zero by more than two standard errors."""
        return self.mean > 2 * self.se

    def __str__(self) -> str:
        return f"{self.mean:+.3f} +- {self.se:.3f}"


def relative_claim(
    *,
    rope_spread: float,
    rope_spread_fp32: float,
    sinusoidal_spread: float,
    learned_spread: float,
    key_position_scale: float,
    max_position: int,
    tol: float = 1e-6,
    gap: float = 1e-2,
) -> Claim:
    """Supported when the RoPE score of each pair moves by at most ``tol`` (relative to
    |q| |k|) over all its placements, while both absolute encodings move it by >= ``gap``."""
    relative = rope_spread <= tol
    absolute = sinusoidal_spread >= gap and learned_spread >= gap
    broken = (
        ""
        if key_position_scale == 1
        else (f" (keys rotated at {key_position_scale:g} x their position: a broken RoPE)")
    )
    return Claim(
        text="With RoPE the query-key score depends only on the relative position m - n; with "
        "absolute positions added to the input it does not",
        supported=relative and absolute,
        evidence=f"the same (q, k) pairs placed at absolute positions up to {max_position:,}: "
        f"the RoPE score moves by at most {rope_spread:.1e} of |q||k| in float64 "
        f"({rope_spread_fp32:.1e} in float32){broken}; with sinusoidal positions added to the "
        f"input by {sinusoidal_spread:.2f}, with a random (learned-like) position table by "
        f"{learned_spread:.2f}.",
    )


def library_claim(
    same_rounding: float, float64_angles: float, tokens: int, offset: int, tol: float = 1e-5
) -> Claim:
    """Supported when the from-scratch rotation, rounding its angles as transformers does
    (float32), equals ``apply_rotary_pos_emb`` to ``tol``."""
    return Claim(
        text="A from-scratch RoPE equals the rotary embedding of transformers' Llama "
        "(apply_rotary_pos_emb) to float tolerance",
        supported=same_rounding <= tol,
        evidence=f"q, k of 9 heads x 64 at positions 0-{tokens - 1} and {offset}-"
        f"{offset + tokens - 1}, rope_theta 100000 (SmolLM2-135M's): max |difference| "
        f"{same_rounding:.1e} with float32 angles like the library's; with exact (float64) "
        f"angles {float64_angles:.1e}, which is the library's own round-off of position x "
        "theta, growing with the position.",
    )


def extrapolation_claim(
    train_length: int,
    factors: Sequence[int],
    within: Sequence[float],
    beyond: Sequence[float | None],
    rises: Sequence[Paired | None],
) -> Claim:
    """Supported when, at the longest evaluated length (> L), the loss at positions >= L
    exceeds the loss at positions < L of the same windows by more than two standard errors.
    Shorter lengths are reported, not judged: just past L the slowest rotations have barely
    left the range seen in training, and the rise there is small."""
    longer = [i for i, f in enumerate(factors) if f > 1]
    farthest = max(longer, key=lambda i: factors[i]) if longer else None
    rise = rises[farthest] if farthest is not None else None
    supported = rise is not None and rise.significant
    parts = "; ".join(
        f"{factors[i] * train_length} tokens: {within[i]:.3f} before L, {beyond[i]:.3f} past "
        f"it (paired rise {rises[i]})"
        for i in longer
    )
    return Claim(
        text="Plain RoPE does not extrapolate: past the trained length L the loss rises",
        supported=supported,
        evidence=f"byte-level RoPE GPT trained on L = {train_length}; mean next-byte loss "
        f"(nats) in held-out windows, {parts or 'no length past L measured'}; judged at the "
        "longest length.",
    )


def interpolation_claim(
    factors: Sequence[int],
    train_length: int,
    plain: Sequence[float],
    interpolated: Sequence[float],
    gains: Sequence[Paired],
) -> Claim:
    """Supported when position interpolation's loss is below plain extrapolation's by more
    than two standard errors at every length past L (no fine-tuning)."""
    longer = [i for i, f in enumerate(factors) if f > 1]
    supported = bool(longer) and all(gains[i].significant for i in longer)
    parts = "; ".join(
        f"{factors[i] * train_length} tokens: plain {plain[i]:.3f}, interpolated "
        f"{interpolated[i]:.3f} (gain {gains[i]})"
        for i in longer
    )
    return Claim(
        text="Position interpolation (positions x L/L', Chen et al. 2023) lowers the loss past "
        "the trained length without fine-tuning",
        supported=supported,
        evidence=f"mean loss over whole windows: {parts or 'no length past L measured'}."
        + (
            ""
            if supported
            else " A likely reason: scaling puts neighbouring bytes a fraction of a position "
            "apart, a spacing this small model never saw and its fastest rotations resolve."
        ),
    )


def finetuned_claim(
    length: int,
    steps: int,
    before: tuple[float, float],
    after: tuple[float, float],
    gain: Paired,
) -> Claim:
    """Supported when, after the same fine-tuning at ``length``, the interpolated model's loss
    is below the plain one's by more than two standard errors."""
    return Claim(
        text="After the same short fine-tuning at the longer length, the interpolated model "
        "beats plain RoPE (Chen et al. fine-tune for about 1000 steps)",
        supported=gain.significant,
        evidence=f"{steps} AdamW steps at {length} tokens for each: plain {before[0]:.3f} -> "
        f"{after[0]:.3f}, interpolated {before[1]:.3f} -> {after[1]:.3f} (gain of "
        f"interpolation {gain}).",
    )


def decay_claim(
    edges: Sequence[int], bound: Sequence[float], matched: Sequence[float], single: bool
) -> Claim:
    """Supported when Su et al.'s bound (mean per distance bin) and the envelope of the
    matched-key score (largest |score| per bin) both fall from bin to bin, to at most half
    of the first bin's by the last."""

    def falls(values: Sequence[float]) -> bool:
        return all(b < a for a, b in pairwise(values)) and values[-1] <= 0.5 * values[0]

    bins = [f"{lo}-{hi - 1}" for lo, hi in pairwise(edges)]
    note = " (every pair at one frequency: a broken RoPE)" if single else ""
    return Claim(
        text="RoPE scores decay with the relative distance (Su et al.'s long-term decay)",
        supported=falls(bound) and falls(matched),
        evidence=f"distance bins {', '.join(bins)}{note}: relative upper bound "
        f"{', '.join(f'{b:.1f}' for b in bound)}; largest |score| of a key matching the query "
        f"{', '.join(f'{m:.3f}' for m in matched)}.",
    )
