"""The KV-cache lab's verdicts, each decided on an interval or an exact count.

Cache sizes are exact: the formula either gives the bytes the tensors hold or it does not, so
the size and sharing claims count mismatches over every step of every seed (``exact``).
Speed is a timing and varies from run to run: it is decided on the 95% interval of the
geometric-mean speed-up, resampling seeds and the timed repeats (or decoding steps) within
them, and supported when the whole interval lies above 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, exact


def _mib(n: float) -> str:
    return f"{n / 2**20:.2f} MiB"


def _seeds_of(count: int) -> str:
    """ "1 seed's" or "3 seeds'" """
    return f"{count} seed's" if count == 1 else f"{count} seeds'"


def speedup_interval(log_groups: Sequence[Sequence[float]], over: str) -> Interval:
    """The interval of the geometric-mean speed-up from log speed-ups grouped by seed: a
    nested bootstrap on the log scale, exponentiated."""
    from llmiq.labs.uncertainty import nested_interval

    iv = nested_interval(log_groups, over=over)
    return Interval(math.exp(iv.estimate), math.exp(iv.low), math.exp(iv.high), iv.over)


def size_claim(
    *,
    model: str,
    formula: str,
    measured: Sequence[int],
    predicted: Sequence[int],
    steps_checked: int,
    steps_matching: int,
    bf16_measured: int,
    bf16_predicted: int,
    scratch_measured: Sequence[int],
    scratch_predicted: Sequence[int],
    tokens: int,
    batch: int,
    at_max_context: tuple[int, int, int],
    seeds: Sequence[int],
) -> Claim:
    """Supported when the formula gives exactly the bytes the cache tensors hold at every
    step of the real model's generation for every seed (fp32), for its bf16 cache, and for
    the from-scratch cache of every seed: no mismatch at all, an exact count."""
    scratch_wrong = sum(m != p for m, p in zip(scratch_measured, scratch_predicted, strict=True))
    mismatches = (
        (steps_checked - steps_matching) + (bf16_measured != bf16_predicted) + scratch_wrong
    )
    checked = steps_checked + 1 + len(scratch_measured)
    context, max_bytes, mha_bytes = at_max_context
    return Claim.on_interval(
        "The KV cache holds 2 x layers x kv_heads x head_dim x tokens x bytes-per-value "
        "(x batch) bytes",
        exact(mismatches, over=f"exact: {checked} cache measurements"),
        measure="cache measurements whose bytes differ from the formula (count)",
        evidence=f"{model}, formula {formula}: after {tokens} cached tokens x batch {batch} the "
        f"DynamicCache tensors hold {measured[-1]:,} bytes (fp32), the formula says "
        f"{predicted[-1]:,}; {steps_matching} of {steps_checked} generation steps "
        f"({_seeds_of(len(seeds))} prompts) match exactly. bf16: {bf16_measured:,} measured vs "
        f"{bf16_predicted:,}. "
        f"From-scratch cache of the tiny GPT: {scratch_measured[0]:,} vs {scratch_predicted[0]:,}"
        f" ({len(scratch_measured) - scratch_wrong} of {len(scratch_measured)} seeds exact). An "
        f"exact count, {mismatches} mismatches in {checked}. At the model's {context:,}-token "
        f"context in bf16 the formula gives {_mib(max_bytes)} per sequence ({_mib(mha_bytes)} "
        "with one key/value head per query head).",
        seeds=seeds,
        below=0.5,
    )


def speed_claim(
    *,
    scratch: Interval,
    real: Interval,
    same_tokens: bool,
    first_mismatch: int,
    new_tokens: int,
    max_logit_diff: float,
    real_same_tokens: bool,
    real_tokens: int,
    seconds: tuple[float, float, float, float],
    seeds: Sequence[int],
    tol: float = 1e-4,
) -> Claim:
    """Supported when, for every seed, the from-scratch cached decoder picks exactly the
    uncached decoder's greedy tokens (logits within ``tol``) and transformers' cached and
    uncached decoding of the real model agree, and the whole interval of each speed-up (the
    tiny GPT's whole decodings, the real model's decoding steps) is above 1: the claim is
    decided on the weaker of the two, the one whose interval reaches lowest."""
    agree = same_tokens and max_logit_diff <= tol and real_same_tokens
    name, weaker = min((("tiny GPT", scratch), ("real model", real)), key=lambda x: x[1].low)
    where = (
        "all the same"
        if same_tokens
        else f"first different token at step {first_mismatch + 1} of {new_tokens}"
    )
    uncached, cached, real_uncached, real_cached = seconds
    return Claim.on_interval(
        "Cached generation produces the same greedy tokens as recomputing the whole prefix "
        "at every step, and is faster",
        weaker,
        measure=f"speed-up, uncached / cached time ({name}; geometric mean; the weaker of the "
        "tiny GPT's and the real model's)",
        evidence=f"tiny GPT, from-scratch cache, {new_tokens} new tokens: {where}; largest logit "
        f"difference {max_logit_diff:.1e}; {uncached:.3f} s uncached vs {cached:.3f} s cached "
        f"(mean decoding), speed-up {scratch.format('.2f', 'x')} over {scratch.over}. Real "
        f"model with transformers' cache, {real_tokens} tokens: tokens "
        f"{'identical' if real_same_tokens else 'DIFFER'}, {real_uncached:.2f} s vs "
        f"{real_cached:.2f} s, per-step speed-up {real.format('.2f', 'x')} over {real.over} (the "
        "gain grows with the prefix: each uncached step re-reads it).",
        seeds=seeds,
        above=1.0,
        also=agree,
    )


def sharing_claim(
    *,
    heads: int,
    kv_heads: Sequence[int],
    layer_bytes: Sequence[int],
    model_bytes: Sequence[int],
    real_bytes: int,
    real_kv_heads: int,
    layer_vs_torch: float,
    model: str,
    seeds: Sequence[int],
    tol: float = 1e-4,
) -> Claim:
    """Supported when, for the from-scratch layer and for the real model's geometry in
    transformers, MHA's cache over each variant's is exactly heads / kv_heads (the largest
    deviation is exactly 0), the real model's cache is its variant's, and the from-scratch
    layer computes torch's attention."""
    if heads not in kv_heads:
        raise ValueError("the variants must include multi-head attention (kv_heads = heads)")
    mha = kv_heads.index(heads)
    expected = [heads / k for k in kv_heads]
    layer_ratios = [layer_bytes[mha] / b for b in layer_bytes]
    model_ratios = [model_bytes[mha] / b for b in model_bytes]
    deviation = max(
        abs(r - e) for r, e in zip([*layer_ratios, *model_ratios], expected * 2, strict=True)
    )
    real_index = kv_heads.index(real_kv_heads) if real_kv_heads in kv_heads else None
    real_matches = real_index is not None and model_bytes[real_index] == real_bytes
    real_ratio = model_bytes[mha] / real_bytes
    ratios = ", ".join(
        f"{k} kv heads: {lr:g}x (model {mr:g}x)"
        for k, lr, mr in zip(kv_heads, layer_ratios, model_ratios, strict=True)
    )
    return Claim.on_interval(
        "Multi-query and grouped-query attention shrink the cache by n_heads / n_kv_heads",
        exact(deviation, over=f"exact: {2 * len(kv_heads)} cache ratios"),
        measure="largest |measured MHA/variant cache ratio - n_heads/n_kv_heads|",
        evidence=f"{heads} query heads; measured MHA cache / variant cache: {ratios} (expected "
        f"{', '.join(f'{e:g}' for e in expected)}; exact byte counts). {model} uses GQA with "
        f"{real_kv_heads} key/value heads: its real cache ({real_bytes:,} bytes) is "
        f"{'exactly' if real_matches else 'NOT'} its geometry's, {real_ratio:g}x smaller than "
        f"MHA's. The from-scratch layer's output vs torch's sdpa (enable_gqa): max |diff| "
        f"{layer_vs_torch:.1e} over {_seeds_of(len(seeds))} inputs.",
        seeds=seeds,
        below=1e-9,
        also=real_matches and layer_vs_torch <= tol,
    )
