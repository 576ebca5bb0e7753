"""The mixed-precision lab's verdicts, each decided on a 95% interval or an exact value.

What a format does to a given number is exact arithmetic (``torch.finfo``, a cast): those
claims use :func:`~llmiq.labs.uncertainty.exact`. What happens to a training run's gradients
and to random values varies with the seed: those intervals resample the seeds and, within
each, the measured steps (every ``measure_every``-th step) or the blocks of values
(:func:`~llmiq.labs.uncertainty.nested_interval`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import exact, nested_interval

#: "every case": a share of 1, up to float rounding
EVERY = 1 - 1e-9


def range_claim(
    table: dict[str, dict[str, float]], probes: dict[str, dict[str, str]], seeds: Sequence[int]
) -> Claim:
    """Supported when some value overflows to inf in fp16 but is normal in bf16, some value
    underflows (0 or subnormal) in fp16 but is normal in bf16, and bf16 overflows or flushes
    no value that fp32 keeps (it has fp32's range). Casts are exact: the interval of the
    count of probe values fp16 loses and bf16 keeps is that count."""
    fp16_only_inf = [
        v for v, row in probes.items() if row["fp16"] == "inf" and row["bf16"] == "normal"
    ]
    fp16_only_small = [
        v
        for v, row in probes.items()
        if row["fp16"] in ("0", "subnormal") and row["bf16"] == "normal"
    ]
    bf16_loses = [
        v
        for v, row in probes.items()
        if row["bf16"] in ("inf", "0") and row["fp32"] not in ("inf", "0")
    ]
    both_kinds = bool(fp16_only_inf) and bool(fp16_only_small)
    t = table
    return Claim.on_interval(
        "bf16 has fp32's range (8 exponent bits); fp16 overflows past 65504 and underflows "
        "below 6e-5 where bf16 does not",
        exact(len(fp16_only_inf) + len(fp16_only_small), "exact: casts of fixed probe values"),
        measure="probe values (1e-40 to 1e39) lost by fp16 (inf, 0 or subnormal) and kept "
        "normal by bf16",
        seeds=seeds,
        above=0,
        also=both_kinds and not bf16_loses,
        evidence=f"torch.finfo max / smallest normal: fp32 {t['fp32']['max']:.3g} / "
        f"{t['fp32']['tiny']:.3g}, fp16 {t['fp16']['max']:.6g} / {t['fp16']['tiny']:.3g}, bf16 "
        f"{t['bf16']['max']:.3g} / {t['bf16']['tiny']:.3g} ({t['fp32']['decades_of_range']:g}, "
        f"{t['fp16']['decades_of_range']:g} and {t['bf16']['decades_of_range']:g} decades). "
        f"Cast: {', '.join(fp16_only_inf) or 'none'} -> inf in fp16, normal in bf16; "
        f"{', '.join(fp16_only_small) or 'none'} -> 0 or subnormal in fp16, normal in bf16; "
        f"lost by bf16 but kept by fp32: {', '.join(bf16_loses) or 'none'} (exact casts, "
        "the same on every seed).",
    )


def _pct(x: float) -> str:
    return f"{x:.2%}"


def _steps(rows: Sequence[Sequence[dict[str, float]]], key: str) -> list[np.ndarray]:
    """One array per seed of ``key`` over its measured steps."""
    return [np.array([r[key] for r in seed_rows]) for seed_rows in rows]


def _over(groups: Sequence[np.ndarray], items: str) -> str:
    return f"{len(groups)} seeds x {len(groups[0])} {items}"


def gradient_claim(
    shares: dict[str, dict[str, float]],
    rows: dict[str, list[list[dict[str, float]]]],
    min_share: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when the 95% interval of the share of nonzero gradient values that underflow
    (to 0 or to a subnormal) when cast to fp16 lies above ``min_share``, and no value of any
    measured step of any seed underflows in bf16. ``shares``: the means; ``rows``: per
    format, per seed, one dict of shares per measured step."""
    fp16, bf16 = shares["fp16"], shares["bf16"]
    groups = _steps(rows["fp16"], "all_underflow")
    interval = nested_interval(groups, over=_over(groups, "measured steps"))
    worst_bf16 = max(r["all_underflow"] for seed_rows in rows["bf16"] for r in seed_rows)
    safe = worst_bf16 == 0.0
    lossy = interval.above(min_share)
    return Claim.on_interval(
        "Cast to fp16, a measured share of training gradients underflows (to zero or "
        "subnormal); cast to bf16, none does",
        interval,
        measure="share of nonzero gradient values (weights and activations) that underflow in fp16",
        seeds=seeds,
        above=min_share,
        also=safe,
        evidence=f"nonzero gradients of the training runs cast to fp16: weights "
        f"{_pct(fp16['weights_zero'])} to 0 and {_pct(fp16['weights_subnormal'])} subnormal; "
        f"activations {_pct(fp16['activations_zero'])} to 0 and "
        f"{_pct(fp16['activations_subnormal'])} subnormal; all "
        f"{interval.format('.2%')} (95% interval over {interval.over}; "
        f"{'above' if lossy else 'NOT above'} {min_share:.0%}). In bf16: "
        f"{_pct(bf16['all_underflow'])} underflow, at most {_pct(worst_bf16)} in any step.",
    )


def scaling_claim(
    shares: dict[str, dict[str, float]],
    rows: dict[str, list[list[dict[str, float]]]],
    scaler: dict[str, Any],
    rescued_fraction: float,
    vs_torch: dict[str, Any],
    seeds: Sequence[int],
) -> Claim:
    """Supported when the 95% interval of the share of fp16-underflowing gradients that the
    loss scale keeps in range (1 - scaled share / unscaled share, per measured step that was
    applied) lies above ``rescued_fraction``, the weights of every seed stay finite (no
    overflowed step was applied), and, where torch's GradScaler replayed the first seed, it
    chose the same scales and skipped the same steps."""
    before, after = shares["fp16"]["all_underflow"], shares["fp16_scaled"].get("all_underflow")
    groups = [
        np.array([1 - r["scaled"] / r["unscaled"] if r["unscaled"] else 1.0 for r in seed_rows])
        for seed_rows in rows["rescued"]
    ]
    if all(len(g) for g in groups):
        interval = nested_interval(groups, over=_over(groups, "applied measured steps"))
    else:  # every measured step overflowed and was skipped: nothing was rescued
        interval = exact(0.0, "no measured step was applied")
    rescued = interval.above(rescued_fraction)
    finite = scaler["weights_finite"]
    agrees = not vs_torch or (vs_torch["same_scales"] and vs_torch["same_skipped_steps"])
    torch_text = (
        f"torch.amp.GradScaler replaying the first seed: same scales {vs_torch['same_scales']}, "
        f"same skipped steps {vs_torch['same_skipped_steps']}, largest weight difference "
        f"{vs_torch['max_abs_weight_diff']:.1e}"
        if vs_torch
        else "not compared with torch.amp.GradScaler (a static scale, or the check is off)"
    )
    after_text = _pct(after) if after is not None else "n/a (no step applied)"
    return Claim.on_interval(
        "Dynamic loss scaling rescues the fp16 gradients: scaled by S before the cast, they "
        "stay in range, and overflowing steps are skipped",
        interval,
        measure="share of the fp16-underflowing gradient values the loss scale keeps in range",
        seeds=seeds,
        above=rescued_fraction,
        also=finite and agrees,
        evidence=f"loss scale {scaler['init_scale']:g} at the start, "
        f"{'dynamic' if scaler['dynamic'] else 'static'}, {scaler['final_scale']:g} at the end "
        f"of the first seed ({scaler['overflow_steps']} overflowing steps skipped over every "
        f"seed; weights {'all finite' if finite else 'NOT finite'}); fp16 underflow "
        f"{_pct(before)} unscaled -> {after_text} scaled: {interval.format('.2%')} of it "
        f"rescued (95% interval over {interval.over}; "
        f"{'above' if rescued else 'NOT above'} {rescued_fraction:.0%}); {torch_text}.",
    )


def overflow_claim(
    by_seed: Sequence[dict[str, dict[str, dict[str, Any]]]],
    thresholds: dict[str, float],
    seeds: Sequence[int],
) -> Claim:
    """Supported when every example activation of every seed (its own random hidden vector)
    is inf/NaN in fp16 and finite in bf16. Each case is computed, not sampled from a larger
    population: the share of such cases is exact, and must be all of them."""
    cases = [
        not fp16[k]["finite"] and bf16[k]["finite"]
        for fp16, bf16 in ((e["fp16"], e["bf16"]) for e in by_seed)
        for k in fp16
    ]
    share = sum(cases) / len(cases)
    fp16, bf16 = by_seed[0]["fp16"], by_seed[0]["bf16"]
    rows = "; ".join(
        f"{k}: fp32 {fp16[k]['fp32']:.6g}, fp16 {fp16[k]['value']}, bf16 {bf16[k]['value']}"
        for k in fp16
    )
    return Claim.on_interval(
        "An activation that overflows in fp16 (an exp, a sum of squares, a large dot "
        "product) is finite in bf16",
        exact(
            share,
            f"exact: {len(cases)} cases computed ({len(fp16)} kinds x {len(seeds)} "
            "seeds' hidden vectors)",
        ),
        measure="share of the example activations that are inf in fp16 and finite in bf16",
        seeds=seeds,
        above=EVERY,
        evidence=f"first seed: {rows}. Inf in fp16 and finite in bf16: {sum(cases)} of "
        f"{len(cases)} cases ({'all' if share == 1 else 'NOT all'}; exact). exp(x) overflows "
        f"above x = {thresholds['fp16']:.2f} in fp16, {thresholds['bf16']:.2f} in bf16 "
        f"({thresholds['fp32']:.2f} in fp32).",
    )


def precision_claim(
    rounding: dict[str, float],
    blocks: Sequence[np.ndarray],
    accumulation: dict[str, float],
    seeds: Sequence[int],
) -> Claim:
    """Supported when the 95% interval of bf16's mean relative rounding error minus fp16's,
    on the same in-range values (``blocks``: per seed, the difference averaged over each
    block of values), lies above 0."""
    fp16, bf16 = rounding["fp16_mean_relative_error"], rounding["bf16_mean_relative_error"]
    interval = nested_interval(blocks, over=_over(blocks, "blocks of values"))
    return Claim.on_interval(
        "bf16 pays for its range with precision: on values both formats hold, its rounding "
        "error is larger than fp16's",
        interval,
        measure="mean relative rounding error, bf16 - fp16, on the same values",
        seeds=seeds,
        above=0,
        evidence=f"mean relative rounding error of values in [1e-3, 1e3]: fp16 {fp16:.2e}, bf16 "
        f"{bf16:.2e}, difference {interval.format('.2e')} (95% interval over {interval.over}) "
        f"({bf16 / fp16 if fp16 else float('nan'):.1f}x; 3 fewer mantissa bits "
        f"would make it 8x). 1 + 0.001 added 1000 times, every partial sum in the format: fp32 "
        f"{accumulation['fp32']:.4f}, fp16 {accumulation['fp16']:.4f}, bf16 "
        f"{accumulation['bf16']:.4f} (exact 2): why bf16 training accumulates in fp32.",
    )
