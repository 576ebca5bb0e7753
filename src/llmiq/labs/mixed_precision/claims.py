"""The mixed-precision lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from typing import Any

from llmiq.labs.report import Claim


def range_claim(table: dict[str, dict[str, float]], probes: dict[str, dict[str, str]]) -> Claim:
    """Supported when some value overflows to inf in fp16 but is normal in bf16, some value
    underflows (0 or subnormal) in fp16 but is normal in bf16, and bf16 overflows or flushes
    no value that fp32 keeps (it has fp32's range)."""
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
    ok = bool(fp16_only_inf) and bool(fp16_only_small) and not bf16_loses
    t = table
    return Claim(
        text="bf16 has fp32's range (8 exponent bits); fp16 overflows past 65504 and underflows "
        "below 6e-5 where bf16 does not",
        supported=ok,
        evidence=f"torch.finfo max / smallest normal: fp32 {t['fp32']['max']:.3g} / "
        f"{t['fp32']['tiny']:.3g}, fp16 {t['fp16']['max']:.6g} / {t['fp16']['tiny']:.3g}, bf16 "
        f"{t['bf16']['max']:.3g} / {t['bf16']['tiny']:.3g} ({t['fp32']['decades_of_range']:g}, "
        f"{t['fp16']['decades_of_range']:g} and {t['bf16']['decades_of_range']:g} decades). "
        f"Cast: {', '.join(fp16_only_inf) or 'none'} -> inf in fp16, normal in bf16; "
        f"{', '.join(fp16_only_small) or 'none'} -> 0 or subnormal in fp16, normal in bf16; "
        f"lost by bf16 but kept by fp32: {', '.join(bf16_loses) or 'none'}.",
    )


def _pct(x: float) -> str:
    return f"{x:.2%}"


def gradient_claim(shares: dict[str, dict[str, float]], min_share: float) -> Claim:
    """Supported when at least ``min_share`` of the nonzero gradient values underflow (to 0 or
    to a subnormal) when cast to fp16, and none do in bf16."""
    fp16, bf16 = shares["fp16"], shares["bf16"]
    lossy = fp16["all_underflow"] >= min_share
    safe = bf16["all_underflow"] == 0.0
    return Claim(
        text="Cast to fp16, a measured share of training gradients underflows (to zero or "
        "subnormal); cast to bf16, none does",
        supported=lossy and safe,
        evidence=f"nonzero gradients of the training run cast to fp16: weights "
        f"{_pct(fp16['weights_zero'])} to 0 and {_pct(fp16['weights_subnormal'])} subnormal; "
        f"activations {_pct(fp16['activations_zero'])} to 0 and "
        f"{_pct(fp16['activations_subnormal'])} subnormal; all {_pct(fp16['all_underflow'])} "
        f"({'>=' if lossy else '<'} {min_share:.0%}). In bf16: {_pct(bf16['all_underflow'])} "
        f"underflow ({_pct(bf16['all_zero'])} to 0).",
    )


def scaling_claim(
    shares: dict[str, dict[str, float]],
    scaler: dict[str, Any],
    rescued_fraction: float,
    vs_torch: dict[str, Any],
) -> Claim:
    """Supported when, with the loss scale, the fp16 underflow share falls to at most
    (1 - ``rescued_fraction``) of the unscaled share, the weights stay finite (no overflowed
    step was applied), and, where
    torch's GradScaler ran the same schedule, it chose the same scales and skipped the same
    steps."""
    before, after = shares["fp16"]["all_underflow"], shares["fp16_scaled"]["all_underflow"]
    rescued = before > 0 and after <= (1 - rescued_fraction) * before
    finite = scaler["weights_finite"]
    agrees = not vs_torch or (vs_torch["same_scales"] and vs_torch["same_skipped_steps"])
    torch_text = (
        f"torch.amp.GradScaler on the same run: same scales {vs_torch['same_scales']}, same "
        f"skipped steps {vs_torch['same_skipped_steps']}, largest weight difference "
        f"{vs_torch['max_abs_weight_diff']:.1e}"
        if vs_torch
        else "static scale: not compared with torch.amp.GradScaler"
    )
    return Claim(
        text="Dynamic loss scaling rescues the fp16 gradients: scaled by S before the cast, they "
        "stay in range, and overflowing steps are skipped",
        supported=rescued and finite and agrees,
        evidence=f"loss scale {scaler['init_scale']:g} at the start, "
        f"{'dynamic' if scaler['dynamic'] else 'static'}, {scaler['final_scale']:g} at the end "
        f"({scaler['overflow_steps']} overflowing steps skipped; weights "
        f"{'all finite' if finite else 'NOT finite'}); "
        f"fp16 underflow {_pct(before)} unscaled -> {_pct(after)} scaled "
        f"({'<=' if rescued else '>'} {1 - rescued_fraction:.0%} of it); {torch_text}.",
    )


def overflow_claim(
    examples: dict[str, dict[str, dict[str, Any]]], thresholds: dict[str, float]
) -> Claim:
    """Supported when every example activation is inf/NaN in fp16 and finite in bf16."""
    fp16, bf16 = examples["fp16"], examples["bf16"]
    ok = all(not fp16[k]["finite"] and bf16[k]["finite"] for k in fp16)
    rows = "; ".join(
        f"{k}: fp32 {fp16[k]['fp32']:.6g}, fp16 {fp16[k]['value']}, bf16 {bf16[k]['value']}"
        for k in fp16
    )
    return Claim(
        text="An activation that overflows in fp16 (an exp, a sum of squares, a large dot "
        "product) is finite in bf16",
        supported=ok,
        evidence=f"{rows}. exp(x) overflows above x = {thresholds['fp16']:.2f} in fp16, "
        f"{thresholds['bf16']:.2f} in bf16 ({thresholds['fp32']:.2f} in fp32).",
    )


def precision_claim(rounding: dict[str, float], accumulation: dict[str, float]) -> Claim:
    """Supported when bf16's mean relative rounding error on in-range values exceeds fp16's."""
    fp16, bf16 = rounding["fp16_mean_relative_error"], rounding["bf16_mean_relative_error"]
    coarser = bf16 > fp16
    return Claim(
        text="bf16 pays for its range with precision: on values both formats hold, its rounding "
        "error is larger than fp16's",
        supported=coarser,
        evidence=f"mean relative rounding error of values in [1e-3, 1e3]: fp16 {fp16:.2e}, bf16 "
        f"{bf16:.2e} ({bf16 / fp16 if fp16 else float('nan'):.1f}x; 3 fewer mantissa bits "
        f"would make it 8x). 1 + 0.001 added 1000 times, every partial sum in the format: fp32 "
        f"{accumulation['fp32']:.4f}, fp16 {accumulation['fp16']:.4f}, bf16 "
        f"{accumulation['bf16']:.4f} (exact 2): why bf16 training accumulates in fp32.",
    )
