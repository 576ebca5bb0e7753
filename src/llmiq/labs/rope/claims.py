"""The RoPE lab's verdicts, each decided on a 95% interval or an exact worst case.

The model-based claims compare losses on the same held-out windows (paired), per seed: the
intervals resample the seeds and the windows within each (``uncertainty.nested_interval``),
and a difference is established when its whole interval lies above zero. The relative
property and the library check are worst cases over every sampled pair (a largest
round-off is not an average: it is reported as it is, ``exact``), and the decay bound is a
closed form.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, exact


def relative_claim(
    *,
    rope_spread: float,
    rope_spread_fp32: float,
    sinusoidal: Interval,
    learned: Interval,
    key_position_scale: float,
    max_position: int,
    pairs: str,
    seeds: Sequence[int],
    tol: float = 1e-6,
    gap: float = 1e-2,
) -> Claim:
    """Supported when the RoPE score of every sampled pair moves by at most ``tol``
    (relative to |q| |k|) over all its placements — the largest movement, a worst case —
    while the whole interval of the mean movement under both absolute encodings is at least
    ``gap``."""
    broken = (
        ""
        if key_position_scale == 1
        else f" (keys rotated at {key_position_scale:g} x their position: a broken RoPE)"
    )
    absolute = sinusoidal.above(gap) and learned.above(gap)
    return Claim.on_interval(
        "With RoPE the query-key score depends only on the relative position m - n; with "
        "absolute positions added to the input it does not",
        exact(rope_spread, over=f"exact: the largest over {pairs}, a worst case"),
        measure="largest movement of a RoPE score over its absolute placements, / |q||k|",
        evidence=f"the same (q, k) pairs placed at absolute positions up to {max_position:,}: "
        f"the RoPE score moves by at most {rope_spread:.1e} of |q||k| in float64 "
        f"({rope_spread_fp32:.1e} in float32) over {pairs}{broken}; with sinusoidal positions "
        f"added to the input a pair's score moves by {sinusoidal.format('.2f')} on average, "
        f"with a random (learned-like) position table by {learned.format('.2f')} (95% "
        f"intervals over {sinusoidal.over}).",
        seeds=seeds,
        below=tol,
        also=absolute,
    )


def library_claim(
    same_rounding: float,
    float64_angles: float,
    tokens: int,
    offset: int,
    seeds: Sequence[int],
    tol: float = 1e-5,
) -> Claim:
    """Supported when the from-scratch rotation, rounding its angles as transformers does
    (float32), equals ``apply_rotary_pos_emb`` to ``tol`` on every seed's q and k: the
    largest difference, a worst case."""
    return Claim.on_interval(
        "A from-scratch RoPE equals the rotary embedding of transformers' Llama "
        "(apply_rotary_pos_emb) to float tolerance",
        exact(same_rounding, over=f"exact: the largest over {len(seeds)} seeds' q and k"),
        measure="largest |from-scratch - transformers| of the rotated q and k",
        evidence=f"q, k of 9 heads x 64 at positions 0-{tokens - 1} and {offset}-"
        f"{offset + tokens - 1}, rope_theta 100000 (SmolLM2-135M's), random per seed: max "
        f"|difference| {same_rounding:.1e} with float32 angles like the library's; with exact "
        f"(float64) angles {float64_angles:.1e}, which is the library's own round-off of "
        "position x theta, growing with the position.",
        seeds=seeds,
        below=tol,
    )


def extrapolation_claim(
    train_length: int,
    factors: Sequence[int],
    within: Sequence[float],
    beyond: Sequence[float | None],
    rises: Sequence[Interval | None],
    seeds: Sequence[int],
) -> Claim:
    """Supported when, at the longest evaluated length (> L), the whole interval of the
    paired rise — loss at positions >= L minus loss at positions < L of the same windows —
    is above zero. Shorter lengths are reported, not judged: just past L the slowest
    rotations have barely left the range seen in training, and the rise there is small."""
    longer = [i for i, f in enumerate(factors) if f > 1]
    if not longer:
        raise ValueError("no evaluated length past the trained one")
    farthest = max(longer, key=lambda i: factors[i])
    rise = rises[farthest]
    if rise is None:
        raise ValueError("no rise measured at the longest length")
    parts = "; ".join(
        f"{factors[i] * train_length} tokens: {within[i]:.3f} before L, {beyond[i]:.3f} past "
        f"it (paired rise {rises[i].format('+.3f') if rises[i] else '-'})"
        for i in longer
    )
    return Claim.on_interval(
        "Plain RoPE does not extrapolate: past the trained length L the loss rises",
        rise,
        measure=f"next-byte loss at positions >= L minus < L, {factors[farthest] * train_length}"
        "-token windows (nats, paired per window)",
        evidence=f"byte-level RoPE GPT trained on L = {train_length}; mean next-byte loss "
        f"(nats) in held-out windows, {parts}; 95% intervals over {rise.over}; judged at the "
        "longest length.",
        seeds=seeds,
        above=0.0,
    )


def interpolation_claim(
    factors: Sequence[int],
    train_length: int,
    plain: Sequence[float],
    interpolated: Sequence[float],
    gains: Sequence[Interval],
    seeds: Sequence[int],
) -> Claim:
    """Supported when the whole interval of position interpolation's gain (plain loss minus
    interpolated loss on the same windows) is above zero at every length past L, without
    fine-tuning: decided on the length whose interval reaches lowest."""
    longer = [i for i, f in enumerate(factors) if f > 1]
    if not longer:
        raise ValueError("no evaluated length past the trained one")
    weakest = min(longer, key=lambda i: gains[i].low)
    gain = gains[weakest]
    parts = "; ".join(
        f"{factors[i] * train_length} tokens: plain {plain[i]:.3f}, interpolated "
        f"{interpolated[i]:.3f} (gain {gains[i].format('+.3f')})"
        for i in longer
    )
    supported = gain.above(0)
    return Claim.on_interval(
        "Position interpolation (positions x L/L', Chen et al. 2023) lowers the loss past "
        "the trained length without fine-tuning",
        gain,
        measure=f"loss of plain RoPE minus interpolated, {factors[weakest] * train_length}-token "
        "windows (nats, paired per window; the length whose interval reaches lowest)",
        evidence=f"mean loss over whole windows: {parts}; 95% intervals over {gain.over}."
        + (
            ""
            if supported
            else " A likely reason: scaling puts neighbouring bytes a fraction of a position "
            "apart, a spacing this small model never saw and its fastest rotations resolve."
        ),
        seeds=seeds,
        above=0.0,
    )


def finetuned_claim(
    length: int,
    steps: int,
    before: tuple[float, float],
    after: tuple[float, float],
    gain: Interval,
    seeds: Sequence[int],
) -> Claim:
    """Supported when, after the same fine-tuning at ``length``, the whole interval of the
    interpolated model's gain over the plain one (on the same windows) is above zero."""
    return Claim.on_interval(
        "After the same short fine-tuning at the longer length, the interpolated model "
        "beats plain RoPE (Chen et al. fine-tune for about 1000 steps)",
        gain,
        measure=f"loss of plain RoPE minus interpolated after fine-tuning, {length}-token "
        "windows (nats, paired per window)",
        evidence=f"{steps} AdamW steps at {length} tokens for each, on the same batches: plain "
        f"{before[0]:.3f} -> {after[0]:.3f}, interpolated {before[1]:.3f} -> {after[1]:.3f} "
        f"(gain of interpolation {gain.format('+.3f')} over {gain.over}).",
        seeds=seeds,
        above=0.0,
    )


def falls(values: Sequence[float]) -> bool:
    """Each bin below the one before, and the last at most half the first.

    >>> falls([1.0, 0.7, 0.4]), falls([1.0, 1.1, 0.4]), falls([1.0, 0.9, 0.8])
    (True, False, False)
    """
    return all(b < a for a, b in pairwise(values)) and values[-1] <= 0.5 * values[0]


def decay_claim(
    edges: Sequence[int],
    bound: Sequence[float],
    matched: Sequence[float],
    single: bool,
    ratio: Interval,
    seeds: Sequence[int],
) -> Claim:
    """Supported when Su et al.'s bound (mean per distance bin, exact) and the envelope of
    the matched-key score (largest |score| per bin) both fall from bin to bin, and the whole
    interval of the envelope's last bin over its first is at most a half."""
    bins = [f"{lo}-{hi - 1}" for lo, hi in pairwise(edges)]
    note = " (every pair at one frequency: a broken RoPE)" if single else ""
    return Claim.on_interval(
        "RoPE scores decay with the relative distance (Su et al.'s long-term decay)",
        ratio,
        measure=f"largest |score| of a key matching the query, distances {bins[-1]} over {bins[0]}",
        evidence=f"distance bins {', '.join(bins)}{note}: relative upper bound "
        f"{', '.join(f'{b:.1f}' for b in bound)} (closed form); largest |score| of a key "
        f"matching the query {', '.join(f'{m:.3f}' for m in matched)}; last bin over first "
        f"{ratio.format('.3f')} over {ratio.over} (at most 0.5 to count as a decay).",
        seeds=seeds,
        below=0.5,
        also=falls(bound) and all(b < a for a, b in pairwise(matched)),
    )
