"""The KV-cache lab's run: measure the real model's cache, decode with and without a
from-scratch cache, build MHA/GQA/MQA, and judge; what it measured, as ``KVCacheMetrics``."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.kv_cache.claims import sharing_claim, size_claim, speed_claim
from llmiq.labs.kv_cache.config import Config
from llmiq.labs.kv_cache.figures import plot_kv_cache
from llmiq.labs.kv_cache.real_model import (
    Geometry,
    formula_bytes,
    generate_cached,
    generate_uncached,
    load_model,
    prompt_ids,
    variant_cache_bytes,
)
from llmiq.labs.kv_cache.scratch import (
    Decoding,
    GroupedQueryAttention,
    greedy_cached,
    greedy_uncached,
    layer_cache_bytes,
    layer_vs_torch,
)
from llmiq.labs.report import LabResult

FORMULA = "2 x layers x kv_heads x head_dim x tokens x bytes x batch"


@dataclass
class KVCacheMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    model: str
    geometry: dict[str, int]  # layers, heads, kv_heads, head_dim of the real model
    batch: int
    kv_factor: int  # 2 in the formula (keys and values); 1 when broken on purpose
    real_cached_tokens: list[int]  # after each generation step
    real_cache_bytes: list[int]  # bytes the DynamicCache tensors hold, fp32
    real_formula_bytes: list[int]
    bf16_cached_tokens: int
    bf16_cache_bytes: int
    bf16_formula_bytes: int
    max_context: int  # the model's max_position_embeddings
    bytes_at_max_context_bf16: int  # formula, one sequence
    mha_bytes_at_max_context_bf16: int  # the same with kv_heads = heads
    real_same_tokens: bool  # transformers: cached vs uncached greedy tokens
    real_compared_tokens: int
    real_cached_seconds: float
    real_uncached_seconds: float
    real_speedup: float
    real_sample: str
    scratch_params: int
    scratch_block_size: int
    scratch_final_train_loss: float
    scratch_new_tokens: int
    forget_newest: bool
    scratch_same_tokens: bool
    scratch_first_mismatch: int  # step of the first differing token, -1 when none
    scratch_max_logit_diff: float  # over the steps up to the first mismatch
    scratch_min_top2_margin: float  # smallest greedy margin: how close a tie came
    scratch_cached_seconds: float  # fastest of the timing repeats
    scratch_uncached_seconds: float
    scratch_speedup: float
    scratch_ms_per_step_first_last: dict[str, list[float]]  # cached / uncached
    scratch_cache_bytes: int
    scratch_formula_bytes: int
    scratch_sample: str
    layer_heads: int
    layer_kv_heads: list[int]
    layer_tokens: int
    repeat_before_caching: bool
    layer_cache_bytes: list[int]  # one from-scratch layer, per kv_heads
    layer_ratios: list[float]  # MHA bytes / variant bytes
    model_geometry_cache_bytes: list[int]  # transformers, the real model's geometry
    layer_vs_torch_max_abs: float
    torch_threads_used: int


Metrics = KVCacheMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[KVCacheMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[KVCacheMetrics]:
    torch.manual_seed(context.seed)
    with context.progress(4, "kv-cache: the real model's cache") as advance:
        model, tokenizer, _ = load_model(config.model)
        advance(1)
        geometry = Geometry.of(model.config)
        if geometry.heads != config.layer_heads:
            raise ValueError(f"layer_heads must be {config.model}'s {geometry.heads} heads")
        ids = prompt_ids(tokenizer, config.batch, config.prompt_tokens)
        real = generate_cached(model, ids, config.real_new_tokens)
        advance(1)
        compared = min(config.uncached_tokens, config.real_new_tokens)
        uncached_tokens, real_uncached_seconds = generate_uncached(model, ids, compared)
        real_same = torch.equal(uncached_tokens, real.tokens[:, :compared])
        real_cached_seconds = sum(real.step_seconds[:compared])
        model_bytes = [
            variant_cache_bytes(model.config, k, real.cached_tokens[-1], config.batch)
            for k in config.layer_kv_heads
        ]
        advance(1)
        sample = tokenizer.decode(real.tokens[0], skip_special_tokens=True)
        max_context = int(getattr(model.config, "max_position_embeddings", 0) or 0)
        model.to(torch.bfloat16)  # last: the bf16 cache of a prefill
        bf16 = generate_cached(model, ids, 1)
        advance(1)
    del model

    def formula(g: Geometry, tokens: int, bytes_per_value: int, batch: int) -> int:
        return formula_bytes(g, tokens, bytes_per_value, batch, kv_factor=config.kv_factor)

    fp32 = real.bytes_per_value
    predicted = [formula(geometry, t, fp32, config.batch) for t in real.cached_tokens]
    mha = Geometry(geometry.layers, geometry.heads, geometry.heads, geometry.head_dim)

    best, step_minima, scratch_model, loss = _scratch_decoding(config, context)
    uncached, cached = best["uncached"], best["cached"]
    same = torch.equal(uncached.tokens, cached.tokens)
    mismatch = _first_mismatch(uncached.tokens, cached.tokens)
    upto = uncached.tokens.shape[1] if mismatch < 0 else mismatch + 1
    logit_diff = (uncached.logits[:, :upto] - cached.logits[:, :upto]).abs().max().item()
    top2 = uncached.logits.topk(2, dim=-1).values
    margin = (top2[..., 0] - top2[..., 1]).min().item()
    gpt = scratch_model.config
    scratch_geometry = Geometry(gpt.n_layer, gpt.n_head, gpt.n_head, gpt.n_embd // gpt.n_head)
    batch = uncached.tokens.shape[0]
    scratch_tokens = config.scratch_prompt_tokens + config.scratch_new_tokens - 1
    scratch_predicted = formula(scratch_geometry, scratch_tokens, 4, batch)

    layer_bytes, layer_error = _layer_variants(config)
    mha_index = config.layer_kv_heads.index(config.layer_heads)
    layer_ratios = [layer_bytes[mha_index] / b for b in layer_bytes]
    bf16_predicted = formula(geometry, bf16.cached_tokens[0], 2, config.batch)
    at_max = formula(geometry, max_context, 2, 1)
    mha_at_max = formula(mha, max_context, 2, 1)

    claims = [
        size_claim(
            model=config.model,
            formula=FORMULA.replace("2 x ", f"{config.kv_factor} x ", 1),
            measured=real.cache_bytes,
            predicted=predicted,
            bf16_measured=bf16.cache_bytes[0],
            bf16_predicted=bf16_predicted,
            scratch_measured=cached.cache_bytes[-1],
            scratch_predicted=scratch_predicted,
            tokens=real.cached_tokens[-1],
            batch=config.batch,
            at_max_context=(max_context, at_max, mha_at_max),
        ),
        speed_claim(
            same_tokens=same,
            first_mismatch=mismatch,
            new_tokens=config.scratch_new_tokens,
            max_logit_diff=logit_diff,
            cached_seconds=cached.seconds,
            uncached_seconds=uncached.seconds,
            real_same_tokens=real_same,
            real_tokens=compared,
            real_cached_seconds=real_cached_seconds,
            real_uncached_seconds=real_uncached_seconds,
        ),
        sharing_claim(
            heads=geometry.heads,
            kv_heads=config.layer_kv_heads,
            layer_bytes=layer_bytes,
            model_bytes=model_bytes,
            real_bytes=real.cache_bytes[-1],
            real_kv_heads=geometry.kv_heads,
            layer_vs_torch=layer_error,
            model=config.model,
        ),
    ]
    figure = plot_kv_cache(
        context,
        model=config.model,
        tokens=real.cached_tokens,
        measured=real.cache_bytes,
        per_token={
            "fp32": formula(geometry, 1, fp32, config.batch),
            "mha": formula(mha, 1, fp32, config.batch),
            "bf16": formula(geometry, 1, 2, config.batch),
        },
        bf16_point=(bf16.cached_tokens[0], bf16.cache_bytes[0]),
        step_positions=[config.scratch_prompt_tokens + i for i in range(config.scratch_new_tokens)],
        uncached_ms=[s * 1e3 for s in step_minima["uncached"]],
        cached_ms=[s * 1e3 for s in step_minima["cached"]],
        kv_heads=config.layer_kv_heads,
        layer_bytes=layer_bytes,
        heads=config.layer_heads,
    )
    metrics = KVCacheMetrics(
        model=config.model,
        geometry={
            "layers": geometry.layers,
            "heads": geometry.heads,
            "kv_heads": geometry.kv_heads,
            "head_dim": geometry.head_dim,
        },
        batch=config.batch,
        kv_factor=config.kv_factor,
        real_cached_tokens=real.cached_tokens,
        real_cache_bytes=real.cache_bytes,
        real_formula_bytes=predicted,
        bf16_cached_tokens=bf16.cached_tokens[0],
        bf16_cache_bytes=bf16.cache_bytes[0],
        bf16_formula_bytes=bf16_predicted,
        max_context=max_context,
        bytes_at_max_context_bf16=at_max,
        mha_bytes_at_max_context_bf16=mha_at_max,
        real_same_tokens=real_same,
        real_compared_tokens=compared,
        real_cached_seconds=round(real_cached_seconds, 4),
        real_uncached_seconds=round(real_uncached_seconds, 4),
        real_speedup=round(real_uncached_seconds / real_cached_seconds, 3),
        real_sample=sample,
        scratch_params=scratch_model.num_params(),
        scratch_block_size=gpt.block_size,
        scratch_final_train_loss=round(loss, 4),
        scratch_new_tokens=config.scratch_new_tokens,
        forget_newest=config.forget_newest,
        scratch_same_tokens=same,
        scratch_first_mismatch=mismatch,
        scratch_max_logit_diff=logit_diff,
        scratch_min_top2_margin=round(margin, 6),
        scratch_cached_seconds=round(cached.seconds, 4),
        scratch_uncached_seconds=round(uncached.seconds, 4),
        scratch_speedup=round(uncached.seconds / cached.seconds, 3),
        scratch_ms_per_step_first_last={
            "cached": [round(cached.step_seconds[i] * 1e3, 3) for i in (0, -1)],
            "uncached": [round(uncached.step_seconds[i] * 1e3, 3) for i in (0, -1)],
        },
        scratch_cache_bytes=cached.cache_bytes[-1],
        scratch_formula_bytes=scratch_predicted,
        scratch_sample=tinylm.decode(cached.tokens[0].tolist()),
        layer_heads=config.layer_heads,
        layer_kv_heads=list(config.layer_kv_heads),
        layer_tokens=config.layer_tokens,
        repeat_before_caching=config.repeat_before_caching,
        layer_cache_bytes=layer_bytes,
        layer_ratios=layer_ratios,
        model_geometry_cache_bytes=model_bytes,
        layer_vs_torch_max_abs=layer_error,
        torch_threads_used=torch.get_num_threads(),
    )
    real_ratio = model_bytes[mha_index] / real.cache_bytes[-1]
    key_figure = (
        f"cache = formula to the byte ({real.cache_bytes[-1] / 2**20:.1f} MiB); cached decoding "
        f"{metrics.scratch_speedup:.1f}x faster, same tokens; GQA cache {real_ratio:g}x smaller"
    )
    return LabResult(
        title=f"The KV cache of {config.model} and of a from-scratch tiny GPT: size, speed, "
        "MQA/GQA",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[figure],
    )


def _first_mismatch(a: torch.Tensor, b: torch.Tensor) -> int:
    """The first step (column) where any row differs, -1 when none does."""
    differs = (a != b).any(dim=0).nonzero()
    return int(differs[0]) if len(differs) else -1


def _scratch_decoding(
    config: Config, context: LabContext
) -> tuple[dict[str, Decoding], dict[str, list[float]], tinylm.GPT, float]:
    """Train the tiny GPT, then decode greedily without and with the from-scratch cache,
    ``timing_repeats`` times each (interleaved). Returns the fastest run of each ("cached",
    "uncached"), each step's fastest time over the repeats (for the figure: other jobs on
    the machine add spikes), the model and its final training loss."""
    text = stdlib_corpus(config.corpus_chars)
    train_text, held_text = split_held_out(text)
    data = torch.tensor(tinylm.encode(train_text))
    held = torch.tensor(tinylm.encode(held_text))
    P, N = config.scratch_prompt_tokens, config.scratch_new_tokens
    gpt_config = tinylm.GPTConfig(
        block_size=P + N, n_layer=config.n_layer, n_head=config.n_head, n_embd=config.n_embd
    )
    model = tinylm.GPT(gpt_config)
    generator = torch.Generator().manual_seed(context.seed)
    with context.progress(config.train_steps, "kv-cache: training a tiny GPT") as advance:
        losses = tinylm.train(
            model,
            data,
            steps=config.train_steps,
            batch_size=config.train_batch,
            generator=generator,
            on_step=advance,
        )
    prompts = torch.stack([held[:P], held[len(held) // 2 : len(held) // 2 + P]])  # (2, P)
    best: dict[str, Decoding] = {}
    minima: dict[str, list[float]] = {}
    with context.progress(config.timing_repeats, "kv-cache: timing the decoders") as advance:
        for _ in range(config.timing_repeats):
            runs = {
                "uncached": greedy_uncached(model, prompts, N),
                "cached": greedy_cached(model, prompts, N, forget_newest=config.forget_newest),
            }
            for name, decoding in runs.items():
                if name not in best or decoding.seconds < best[name].seconds:
                    best[name] = decoding
                pairs = zip(
                    minima.get(name, decoding.step_seconds), decoding.step_seconds, strict=True
                )
                minima[name] = [min(a, b) for a, b in pairs]
            advance(1)
    tail = losses[-20:]
    return best, minima, model, sum(tail) / len(tail)


def _layer_variants(config: Config) -> tuple[list[int], float]:
    """Bytes one from-scratch attention layer caches for each number of key/value heads
    (prefill, then one decoding step: ``layer_tokens`` tokens), and the largest difference
    of any variant's output from torch's attention."""
    d_model = config.layer_heads * config.layer_head_dim
    x = torch.randn(2, config.layer_tokens - 1, d_model)
    sizes, errors = [], []
    for kv in config.layer_kv_heads:
        layer = GroupedQueryAttention(
            d_model,
            config.layer_heads,
            kv,
            head_dim=config.layer_head_dim,
            repeat_before_caching=config.repeat_before_caching,
        ).eval()
        sizes.append(layer_cache_bytes(layer, x, decode_steps=1))
        errors.append(layer_vs_torch(layer, x[:, :32]))
    return sizes, max(errors)
