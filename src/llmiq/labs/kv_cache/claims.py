"""The KV-cache lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from collections.abc import Sequence

from llmiq.labs.report import Claim


def _mib(n: float) -> str:
    return f"{n / 2**20:.2f} MiB"


def size_claim(
    *,
    model: str,
    formula: str,
    measured: Sequence[int],
    predicted: Sequence[int],
    bf16_measured: int,
    bf16_predicted: int,
    scratch_measured: int,
    scratch_predicted: int,
    tokens: int,
    batch: int,
    at_max_context: tuple[int, int, int],
) -> Claim:
    """Supported when the formula gives exactly the bytes the cache tensors hold at every
    step of the real model's generation (fp32), for its bf16 cache, and for the from-scratch
    cache."""
    steps_match = list(measured) == list(predicted) and len(measured) > 0
    exact = (
        steps_match and bf16_measured == bf16_predicted and scratch_measured == scratch_predicted
    )
    wrong = sum(m != p for m, p in zip(measured, predicted, strict=True))
    context, max_bytes, mha_bytes = at_max_context
    return Claim(
        text="The KV cache holds 2 x layers x kv_heads x head_dim x tokens x bytes-per-value "
        "(x batch) bytes",
        supported=exact,
        evidence=f"{model}, formula {formula}: after {tokens} cached tokens x batch {batch} the "
        f"DynamicCache tensors hold {measured[-1]:,} bytes (fp32), the formula says "
        f"{predicted[-1]:,}; {len(measured) - wrong} of {len(measured)} generation steps match "
        f"exactly. bf16: {bf16_measured:,} measured vs {bf16_predicted:,}. From-scratch cache of "
        f"the tiny GPT: {scratch_measured:,} vs {scratch_predicted:,}. At the model's "
        f"{context:,}-token context in bf16 the formula gives {_mib(max_bytes)} per sequence "
        f"({_mib(mha_bytes)} with one key/value head per query head).",
    )


def speed_claim(
    *,
    same_tokens: bool,
    first_mismatch: int,
    new_tokens: int,
    max_logit_diff: float,
    cached_seconds: float,
    uncached_seconds: float,
    real_same_tokens: bool,
    real_tokens: int,
    real_cached_seconds: float,
    real_uncached_seconds: float,
    tol: float = 1e-4,
) -> Claim:
    """Supported when the from-scratch cached decoder picks exactly the uncached decoder's
    greedy tokens (logits within ``tol``) and is faster, and transformers' cached and
    uncached decoding of the real model agree and the cached one is faster too."""
    speedup = uncached_seconds / cached_seconds
    real_speedup = real_uncached_seconds / real_cached_seconds
    agree = same_tokens and max_logit_diff <= tol and real_same_tokens
    faster = speedup > 1 and real_speedup > 1
    where = (
        "all the same"
        if same_tokens
        else f"first different token at step {first_mismatch + 1} of {new_tokens}"
    )
    return Claim(
        text="Cached generation produces the same greedy tokens as recomputing the whole prefix "
        "at every step, and is faster",
        supported=agree and faster,
        evidence=f"tiny GPT, from-scratch cache, {new_tokens} new tokens: {where}; largest logit "
        f"difference {max_logit_diff:.1e}; {uncached_seconds:.3f} s uncached vs "
        f"{cached_seconds:.3f} s cached ({speedup:.1f}x). Real model with transformers' cache, "
        f"{real_tokens} tokens: tokens {'identical' if real_same_tokens else 'DIFFER'}, "
        f"{real_uncached_seconds:.2f} s vs {real_cached_seconds:.2f} s ({real_speedup:.1f}x; "
        "the gain grows with the prefix, each uncached step re-reads it).",
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
    tol: float = 1e-4,
) -> Claim:
    """Supported when, for the from-scratch layer and for the real model's geometry in
    transformers, MHA's cache over each variant's is exactly heads / kv_heads, the real
    model's cache is its variant's, and the from-scratch layer computes torch's attention."""
    if heads not in kv_heads:
        raise ValueError("the variants must include multi-head attention (kv_heads = heads)")
    mha = kv_heads.index(heads)
    expected = [heads / k for k in kv_heads]
    layer_ratios = [layer_bytes[mha] / b for b in layer_bytes]
    model_ratios = [model_bytes[mha] / b for b in model_bytes]
    exact = layer_ratios == expected and model_ratios == expected
    real_index = kv_heads.index(real_kv_heads) if real_kv_heads in kv_heads else None
    real_matches = real_index is not None and model_bytes[real_index] == real_bytes
    real_ratio = model_bytes[mha] / real_bytes
    ratios = ", ".join(
        f"{k} kv heads: {lr:g}x (model {mr:g}x)"
        for k, lr, mr in zip(kv_heads, layer_ratios, model_ratios, strict=True)
    )
    return Claim(
        text="Multi-query and grouped-query attention shrink the cache by n_heads / n_kv_heads",
        supported=exact and real_matches and layer_vs_torch <= tol,
        evidence=f"{heads} query heads; measured MHA cache / variant cache: {ratios} (expected "
        f"{', '.join(f'{e:g}' for e in expected)}). {model} uses GQA with {real_kv_heads} "
        f"key/value heads: its real cache ({real_bytes:,} bytes) is "
        f"{'exactly' if real_matches else 'NOT'} its geometry's, {real_ratio:g}x smaller than "
        f"MHA's. The from-scratch layer's output vs torch's sdpa (enable_gqa): max |diff| "
        f"{layer_vs_torch:.1e}.",
    )
