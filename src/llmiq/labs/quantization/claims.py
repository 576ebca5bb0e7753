"""The quantization lab's verdicts, each decided on a 95% interval.

The bars of "close to fp32" were fixed before the first measurement: a mean KL divergence
of the next-token distribution of at most 0.02 nats, at least 95% of positions keeping their
most likely token, and at most 27% of the fp32 bytes (a quarter, plus room for the scales).
A bar is met when the whole interval is on its side. Intervals resample the seeds and the
windows of text within each seed (``SchemeResult.kl_interval`` and friends); storage bytes,
weight errors and the comparison with PyTorch are exact counts over every weight.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmiq.labs.quantization.measurements import SchemeResult
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import exact

MAX_KL_NATS = 0.02
MIN_TOP1 = 0.95
MAX_SIZE_RATIO = 0.27


def _perplexity_changes(result: SchemeResult, reference: dict[str, float]) -> str:
    return ", ".join(
        f"{k} {reference[k]:.2f} -> {v:.2f} ({v / reference[k] - 1:+.1%})"
        for k, v in result.perplexity.items()
    )


def int8_claim(
    int8: SchemeResult,
    fp32_bytes: float,
    reference_perplexity: dict[str, float],
    seeds: Sequence[int],
) -> Claim:
    """Supported when the whole interval of the int8 weights' top-1 agreement is at or above
    ``MIN_TOP1``, the whole interval of their mean KL below ``MAX_KL_NATS``, and they take at
    most ``MAX_SIZE_RATIO`` of the fp32 bytes (exact)."""
    ratio = int8.linear_bytes / fp32_bytes
    kl, top1 = int8.kl_interval, int8.top1_interval
    small_kl = kl.below(MAX_KL_NATS)
    high_top1 = top1.above(MIN_TOP1)
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
            (small_kl, f"KL interval not all below {MAX_KL_NATS}"),
            (high_top1, f"top-1 interval not all above {MIN_TOP1:.0%}"),
            (quarter, f"size above {MAX_SIZE_RATIO:.0%} of fp32"),
        )
        if not ok
    ]
    positions = len(int8.windows) * (int8.windows.tokens.shape[1] - 1)
    return Claim.on_interval(
        f"{int8.scheme} weights keep the next-token distribution close to fp32 "
        f"(mean KL <= {MAX_KL_NATS} nats, top-1 agreement >= {MIN_TOP1:.0%}) at about a "
        "quarter of the bytes",
        top1,
        measure=f"top-1 agreement of {int8.scheme} with fp32 (share of positions)",
        evidence=f"{int8.bits_per_weight:.2f} bits per weight, {ratio:.1%} of the fp32 bytes "
        f"(exact); top-1 agreement {top1.format('.3f')}, mean KL {kl.format('.4f')} nats (95% "
        f"intervals over {top1.over}, {positions} positions) — by language {by_language}; "
        f"perplexity {_perplexity_changes(int8, reference_perplexity)}{margin}"
        + (f"; NOT met: {', '.join(failed)}." if failed else "."),
        seeds=seeds,
        above=MIN_TOP1,
        also=small_kl and quarter,
    )


def int4_claim(
    int4: SchemeResult, int8: SchemeResult, seeds: Sequence[int], source_note: str = ""
) -> Claim:
    """Supported when the int4 weights are stored in fewer bytes than int8 (exact) and the
    whole interval of the paired KL difference, int4 minus int8 on the same windows, is
    above zero."""
    gain = int4.kl_gain_over(int8)
    smaller = int4.linear_bytes < int8.linear_bytes
    ratio = int4.kl_nats / int8.kl_nats if int8.kl_nats > 0 else float("inf")
    verdict = []
    if not smaller:
        verdict.append(f"{int4.scheme} is NOT smaller than {int8.scheme}")
    if not gain.above(0):
        verdict.append(f"{int4.scheme} does NOT drift further than {int8.scheme}")
    return Claim.on_interval(
        f"{int4.scheme} weights, smaller still, drift further from fp32 than {int8.scheme}",
        gain,
        measure=f"mean KL from fp32, {int4.scheme} minus {int8.scheme} (nats, paired windows)",
        evidence=f"{int4.scheme}: {int4.bits_per_weight:.2f} bits per weight vs "
        f"{int8.bits_per_weight:.2f}; mean KL {int4.kl_interval.format('.4f')} nats vs "
        f"{int8.kl_interval.format('.4f')} ({ratio:.3g}x), difference {gain.format('.4f')} "
        f"over {gain.over}; top-1 agreement {int4.top1_agreement:.1%} vs "
        f"{int8.top1_agreement:.1%}, weight error {int4.weight_relative_error:.2%} vs "
        f"{int8.weight_relative_error:.2%}"
        + (f"; {'; '.join(verdict)}" if verdict else "")
        + (f". {source_note}" if source_note else "."),
        seeds=seeds,
        above=0.0,
        also=smaller,
    )


def per_channel_claim(
    per_tensor: SchemeResult,
    per_channel: SchemeResult,
    levels_median: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when one scale per matrix gives a larger weight error (exact) and the whole
    interval of the paired KL difference, per tensor minus per channel, is above zero."""
    worse_weights = per_tensor.weight_relative_error > per_channel.weight_relative_error
    gain = per_tensor.kl_gain_over(per_channel)
    worse_kl = gain.above(0)
    ratio = per_tensor.kl_nats / per_channel.kl_nats if per_channel.kl_nats > 0 else float("inf")
    return Claim.on_interval(
        f"One scale per matrix ({per_tensor.scheme}) is worse than one per output channel "
        f"({per_channel.scheme}): a few large weights set the scale and the other rows lose "
        "their levels",
        gain,
        measure=f"mean KL from fp32, {per_tensor.scheme} minus {per_channel.scheme} (nats, "
        "paired windows)",
        evidence=f"weight error {per_tensor.weight_relative_error:.2%} vs "
        f"{per_channel.weight_relative_error:.2%} (exact, every weight); mean KL "
        f"{per_tensor.kl_interval.format('.4f')} vs {per_channel.kl_interval.format('.4f')} "
        f"nats ({ratio:.3g}x), difference {gain.format('.4f')} over {gain.over}; top-1 "
        f"agreement {per_tensor.top1_agreement:.1%} vs {per_channel.top1_agreement:.1%}. With "
        f"one scale per matrix the median row reaches only {levels_median:.0f} of the 127 "
        "positive int8 levels"
        + ("" if worse_weights and worse_kl else "; per-tensor is NOT worse on both counts")
        + ".",
        seeds=seeds,
        above=0.0,
        also=worse_weights,
    )


def library_claim(differences: dict, group_size: int, seeds: Sequence[int]) -> Claim:
    """Supported when our int8 scales equal PyTorch's observer's (relative 1e-6), our codes
    differ from ``quantize_per_channel``'s by at most one, and no int8 code or int4 value
    differs off a rounding tie: an exact count over every compared weight."""
    key = f"int4_g{group_size}_values_differing"
    off_ties = differences["int8_codes_differing_not_at_ties"] + differences[f"{key}_not_at_ties"]
    scales_and_steps = (
        differences["int8_scale_max_rel_diff"] <= 1e-6 and differences["int8_code_max_diff"] <= 1
    )
    return Claim.on_interval(
        "The from-scratch quantizers equal PyTorch's: int8 per-channel scales and codes "
        "(PerChannelMinMaxObserver + quantize_per_channel) and int4 per-group values "
        "(fake_quantize_per_channel_affine)",
        exact(off_ties, over="exact: every weight of the compared layers"),
        measure="int8 codes and int4 values that differ from PyTorch's off a rounding tie (count)",
        evidence=f"exact count over {differences['weights_compared']:,} weights (the weights do "
        f"not depend on the seed): int8 scales max relative difference "
        f"{differences['int8_scale_max_rel_diff']:.1e}; {differences['int8_codes_differing']} "
        f"codes differ (by at most {differences['int8_code_max_diff']}), "
        f"{differences['int8_codes_differing_not_at_ties']} of them off a rounding tie; "
        f"int4/g{group_size}: {differences[key]} values differ, "
        f"{differences[f'{key}_not_at_ties']} off a tie.",
        seeds=seeds,
        below=0.5,
        also=scales_and_steps,
    )
