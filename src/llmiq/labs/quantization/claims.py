"""The quantization lab's verdicts, each computed from a measurement.

The bars of "close to fp32" were fixed before the first measurement: a mean KL divergence
of the next-token distribution of at most 0.02 nats, at least 95% of positions keeping their
most likely token, and at most 27% of the fp32 bytes (a quarter, plus room for the scales).
"""

from __future__ import annotations

import math

from llmiq.labs.quantization.measurements import SchemeResult
from llmiq.labs.report import Claim

MAX_KL_NATS = 0.02
MIN_TOP1 = 0.95
MAX_SIZE_RATIO = 0.27


def _standard_error(share: float, count: int) -> float:
    return math.sqrt(share * (1 - share) / count) if count else math.nan


def _perplexity_changes(result: SchemeResult, reference: dict[str, float]) -> str:
    return ", ".join(
        f"{k} {reference[k]:.2f} -> {v:.2f} ({v / reference[k] - 1:+.1%})"
        for k, v in result.perplexity.items()
    )


def int8_claim(
    int8: SchemeResult, fp32_bytes: float, reference_perplexity: dict[str, float], positions: int
) -> Claim:
    """Supported when the int8 weights diverge by at most ``MAX_KL_NATS``, keep the top-1
    token at ``MIN_TOP1`` of the ``positions`` or more, and take at most ``MAX_SIZE_RATIO``
    of the fp32 bytes."""
    ratio = int8.linear_bytes / fp32_bytes
    small_kl = int8.kl_nats <= MAX_KL_NATS
    high_top1 = int8.top1_agreement >= MIN_TOP1
    quarter = ratio <= MAX_SIZE_RATIO
    by_language = ", ".join(
        f"{k} {int8.kl_by_language[k]:.4f} nats / {v:.1%}" for k, v in int8.top1_by_language.items()
    )
    margin = (
        f"; where the top-1 token changed, fp32's top two tokens were a median "
        f"{int8.flipped_margin_median:.3f} apart in probability"
        if int8.flipped_margin_median is not None
        else ""
    )
    failed = [
        text
        for ok, text in (
            (small_kl, f"KL above {MAX_KL_NATS}"),
            (high_top1, f"top-1 agreement below {MIN_TOP1:.0%}"),
            (quarter, f"size above {MAX_SIZE_RATIO:.0%} of fp32"),
        )
        if not ok
    ]
    return Claim(
        text=f"{int8.scheme} weights keep the next-token distribution close to fp32 "
        f"(mean KL <= {MAX_KL_NATS} nats, top-1 agreement >= {MIN_TOP1:.0%}) at about a "
        "quarter of the bytes",
        supported=small_kl and high_top1 and quarter,
        evidence=f"{int8.bits_per_weight:.2f} bits per weight, {ratio:.1%} of the fp32 bytes; "
        f"mean KL {int8.kl_nats:.4f} nats, top-1 agreement {int8.top1_agreement:.1%} "
        f"(± {_standard_error(int8.top1_agreement, positions):.1%} s.e., {positions} positions) "
        f"— by language {by_language}; perplexity "
        f"{_perplexity_changes(int8, reference_perplexity)}{margin}"
        + (f"; NOT met: {', '.join(failed)}." if failed else "."),
    )


def int4_claim(int4: SchemeResult, int8: SchemeResult, source_note: str = "") -> Claim:
    """Supported when the int4 weights are stored in fewer bytes than int8 and move the
    next-token distribution further from fp32 (a larger mean KL)."""
    ratio = int4.kl_nats / int8.kl_nats if int8.kl_nats > 0 else math.inf
    smaller = int4.linear_bytes < int8.linear_bytes
    further = int4.kl_nats > int8.kl_nats
    verdict = []
    if not smaller:
        verdict.append(f"{int4.scheme} is NOT smaller than {int8.scheme}")
    if not further:
        verdict.append(f"{int4.scheme} does NOT drift further than {int8.scheme}")
    return Claim(
        text=f"{int4.scheme} weights, smaller still, drift further from fp32 than {int8.scheme}",
        supported=smaller and further,
        evidence=f"{int4.scheme}: {int4.bits_per_weight:.2f} bits per weight, mean KL "
        f"{int4.kl_nats:.4f} nats ({ratio:.3g}x {int8.scheme}'s {int8.kl_nats:.4f}), top-1 "
        f"agreement {int4.top1_agreement:.1%} vs {int8.top1_agreement:.1%}, weight error "
        f"{int4.weight_relative_error:.2%} vs {int8.weight_relative_error:.2%}"
        + (f"; {'; '.join(verdict)}" if verdict else "")
        + (f". {source_note}" if source_note else "."),
    )


def per_channel_claim(
    per_tensor: SchemeResult, per_channel: SchemeResult, levels_median: float
) -> Claim:
    """Supported when one scale per matrix gives both a larger weight error and a larger mean
    KL than one scale per output channel at the same bit width."""
    worse_weights = per_tensor.weight_relative_error > per_channel.weight_relative_error
    worse_kl = per_tensor.kl_nats > per_channel.kl_nats
    ratio = per_tensor.kl_nats / per_channel.kl_nats if per_channel.kl_nats > 0 else math.inf
    return Claim(
        text=f"One scale per matrix ({per_tensor.scheme}) is worse than one per output channel "
        f"({per_channel.scheme}): a few large weights set the scale and the other rows lose "
        "their levels",
        supported=worse_weights and worse_kl,
        evidence=f"weight error {per_tensor.weight_relative_error:.2%} vs "
        f"{per_channel.weight_relative_error:.2%}; mean KL {per_tensor.kl_nats:.4f} vs "
        f"{per_channel.kl_nats:.4f} nats ({ratio:.3g}x); top-1 agreement "
        f"{per_tensor.top1_agreement:.1%} vs {per_channel.top1_agreement:.1%}. With one scale "
        f"per matrix the median row reaches only {levels_median:.0f} of the 127 positive int8 "
        "levels"
        + ("" if worse_weights and worse_kl else "; per-tensor is NOT worse on both counts")
        + ".",
    )


def library_claim(differences: dict[str, float], group_size: int) -> Claim:
    """Supported when our int8 scales equal PyTorch's observer's (relative 1e-6), our codes
    differ from ``quantize_per_channel``'s by at most one and only at rounding ties, and the
    same holds for our int4 groups against PyTorch's fake quantization."""
    key = f"int4_g{group_size}_values_differing"
    agree = (
        differences["int8_scale_max_rel_diff"] <= 1e-6
        and differences["int8_code_max_diff"] <= 1
        and differences["int8_codes_differing_not_at_ties"] == 0
        and differences[f"{key}_not_at_ties"] == 0
    )
    return Claim(
        text="The from-scratch quantizers equal PyTorch's: int8 per-channel scales and codes "
        "(PerChannelMinMaxObserver + quantize_per_channel) and int4 per-group values "
        "(fake_quantize_per_channel_affine)",
        supported=agree,
        evidence=f"over {differences['weights_compared']:,} weights: int8 scales max relative "
        f"difference {differences['int8_scale_max_rel_diff']:.1e}; "
        f"{differences['int8_codes_differing']} codes differ (by at most "
        f"{differences['int8_code_max_diff']}), {differences['int8_codes_differing_not_at_ties']}"
        f" of them off a rounding tie; int4/g{group_size}: {differences[key]} values differ, "
        f"{differences[f'{key}_not_at_ties']} off a tie.",
    )
