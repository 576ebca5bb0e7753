"""The KV-cache lab's run: load the real model once, then per seed measure its cache on the
seed's prompts, decode with and without a from-scratch cache, build MHA/GQA/MQA; judge on
exact counts and intervals; what it measured, as ``KVCacheMetrics``."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.kv_cache.claims import sharing_claim, size_claim, speed_claim, speedup_interval
from llmiq.labs.kv_cache.config import Config
from llmiq.labs.kv_cache.figures import plot_kv_cache
from llmiq.labs.kv_cache.real_model import (
    Geometry,
    bank_prompt_ids,
    formula_bytes,
    generate_cached,
    load_model,
    variant_cache_bytes,
)
from llmiq.labs.kv_cache.replicates import SeedRun, log_speedups, measure_seed
from llmiq.labs.report import LabResult
from llmiq.labs.uncertainty import Interval

FORMULA = "2 x layers x kv_heads x head_dim x tokens x bytes x batch"


@dataclass
class KVCacheMetrics:
    """What the lab measured, as report.json's ``metrics``. Lists marked "per seed" follow
    the run's seeds; the step-by-step cache sizes are the first seed's (every seed's prompts
    have the same length, so their sizes are the same)."""

    model: str
    geometry: dict[str, int]  # layers, heads, kv_heads, head_dim of the real model
    batch: int
    kv_factor: int  # 2 in the formula (keys and values); 1 when broken on purpose
    real_cached_tokens: list[int]  # after each generation step
    real_cache_bytes: list[int]  # bytes the DynamicCache tensors hold, fp32
    real_formula_bytes: list[int]
    real_steps_checked: int  # generation steps x seeds
    real_steps_matching: int  # of those, where the bytes equal the formula exactly
    bf16_cached_tokens: int
    bf16_cache_bytes: int
    bf16_formula_bytes: int
    max_context: int  # the model's max_position_embeddings
    bytes_at_max_context_bf16: int  # formula, one sequence
    mha_bytes_at_max_context_bf16: int  # the same with kv_heads = heads
    real_same_tokens: bool  # transformers: cached vs uncached greedy tokens, every seed
    real_compared_tokens: int
    real_cached_seconds: list[float]  # per seed, over the compared tokens
    real_uncached_seconds: list[float]
    real_step_speedup: list[float]  # geometric mean per step after the prefill: est, low, high
    real_sample: str  # the first seed's first continuation
    scratch_params: int
    scratch_block_size: int
    scratch_final_train_loss: list[float]  # per seed
    scratch_new_tokens: int
    forget_newest: bool
    scratch_same_tokens: bool  # every seed
    scratch_first_mismatch: int  # step of the first differing token, -1 when none
    scratch_max_logit_diff: float  # over the steps up to the first mismatch, every seed
    scratch_min_top2_margin: float  # smallest greedy margin: how close a tie came
    scratch_cached_seconds: list[float]  # mean over the repeats, per seed
    scratch_uncached_seconds: list[float]
    scratch_speedups: list[list[float]]  # per seed, per repeat
    scratch_speedup: list[float]  # geometric mean: estimate, low, high
    scratch_ms_per_step_first_last: dict[str, list[float]]  # cached / uncached, fastest
    scratch_cache_bytes: list[int]  # per seed
    scratch_formula_bytes: int
    scratch_sample: str
    layer_heads: int
    layer_kv_heads: list[int]
    layer_tokens: int
    repeat_before_caching: bool
    layer_cache_bytes: list[int]  # one from-scratch layer, per kv_heads
    layer_ratios: list[float]  # MHA bytes / variant bytes
    model_geometry_cache_bytes: list[int]  # transformers, the real model's geometry
    layer_vs_torch_max_abs: float  # every seed's input
    model_load_seconds: float
    torch_threads_used: int


Metrics = KVCacheMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[KVCacheMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[KVCacheMetrics]:
    seeds = list(context.seeds)
    with context.progress(1, "kv-cache: loading the real model") as advance:
        loaded = load_model(config.model)
        advance(1)
    model, tokenizer = loaded.model, loaded.tokenizer
    geometry = Geometry.of(model.config)
    if geometry.heads != config.layer_heads:
        raise ValueError(f"layer_heads must be {config.model}'s {geometry.heads} heads")
    train_text, held_text = split_held_out(stdlib_corpus(config.corpus_chars))
    text = (torch.tensor(tinylm.encode(train_text)), torch.tensor(tinylm.encode(held_text)))
    runs: list[SeedRun] = [  # each seed shows its own progress bar (training)
        measure_seed(seed, config, context, model, tokenizer, text) for seed in context.replicate()
    ]
    first = runs[0]
    tokens = first.real.cached_tokens[-1]
    model_bytes = [  # the cache does not depend on the weights: the same for every seed
        variant_cache_bytes(model.config, k, tokens, config.batch) for k in config.layer_kv_heads
    ]
    max_context = int(getattr(model.config, "max_position_embeddings", 0) or 0)
    model_card, load_seconds = loaded.card(), loaded.seconds
    model.to(torch.bfloat16)  # last: the bf16 cache of a prefill
    ids = bank_prompt_ids(tokenizer, config.batch, config.prompt_tokens, seeds[0])
    bf16 = generate_cached(model, ids, 1)
    del model, loaded

    def formula(g: Geometry, tokens: int, bytes_per_value: int, batch: int) -> int:
        return formula_bytes(g, tokens, bytes_per_value, batch, kv_factor=config.kv_factor)

    fp32 = first.real.bytes_per_value
    predicted = [formula(geometry, t, fp32, config.batch) for t in first.real.cached_tokens]
    matching = sum(
        m == formula(geometry, t, fp32, config.batch)
        for run in runs
        for m, t in zip(run.real.cache_bytes, run.real.cached_tokens, strict=True)
    )
    steps_checked = sum(len(run.real.cache_bytes) for run in runs)
    mha = Geometry(geometry.layers, geometry.heads, geometry.heads, geometry.head_dim)
    layers, heads, head_dim = first.scratch.geometry
    scratch_geometry = Geometry(layers, heads, heads, head_dim)
    scratch_tokens = config.scratch_prompt_tokens + config.scratch_new_tokens - 1
    scratch_predicted = formula(scratch_geometry, scratch_tokens, 4, 2)
    scratch_measured = [run.scratch.first["cached"].cache_bytes[-1] for run in runs]
    mha_index = config.layer_kv_heads.index(config.layer_heads)
    layer_bytes = first.layer_bytes
    if any(run.layer_bytes != layer_bytes for run in runs):
        raise RuntimeError("the layer's cache size changed with the seed's input")
    layer_ratios = [layer_bytes[mha_index] / b for b in layer_bytes]
    layer_error = max(run.layer_error for run in runs)
    bf16_predicted = formula(geometry, bf16.cached_tokens[0], 2, config.batch)
    at_max = formula(geometry, max_context, 2, 1)
    mha_at_max = formula(mha, max_context, 2, 1)

    repeats = config.timing_repeats
    scratch_speedup = speedup_interval(
        [log_speedups(run.scratch.speedups) for run in runs],
        over=f"{len(runs)} seed{'s' * (len(runs) > 1)} x {repeats} timed repeats",
    )
    real_speedup = speedup_interval(
        [log_speedups(run.real_step_speedups) for run in runs],
        over=f"{len(runs)} seed{'s' * (len(runs) > 1)} x {len(first.real_step_speedups)} "
        "decoding steps",
    )
    same = all(run.scratch.same_tokens for run in runs)
    mismatches = [run.scratch.first_mismatch for run in runs if run.scratch.first_mismatch >= 0]
    logit_diff = max(run.scratch.max_logit_diff for run in runs)
    real_same = all(run.real_same_tokens for run in runs)
    compared = min(config.uncached_tokens, config.real_new_tokens)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    claims = [
        size_claim(
            model=config.model,
            formula=FORMULA.replace("2 x ", f"{config.kv_factor} x ", 1),
            measured=first.real.cache_bytes,
            predicted=predicted,
            steps_checked=steps_checked,
            steps_matching=matching,
            bf16_measured=bf16.cache_bytes[0],
            bf16_predicted=bf16_predicted,
            scratch_measured=scratch_measured,
            scratch_predicted=[scratch_predicted] * len(runs),
            tokens=tokens,
            batch=config.batch,
            at_max_context=(max_context, at_max, mha_at_max),
            seeds=seeds,
        ),
        speed_claim(
            scratch=scratch_speedup,
            real=real_speedup,
            same_tokens=same,
            first_mismatch=min(mismatches) if mismatches else -1,
            new_tokens=config.scratch_new_tokens,
            max_logit_diff=logit_diff,
            real_same_tokens=real_same,
            real_tokens=compared,
            seconds=(
                mean([s for run in runs for s in run.scratch.uncached_seconds]),
                mean([s for run in runs for s in run.scratch.cached_seconds]),
                mean([run.real_uncached_seconds for run in runs]),
                mean([run.real_cached_seconds for run in runs]),
            ),
            seeds=seeds,
        ),
        sharing_claim(
            heads=geometry.heads,
            kv_heads=config.layer_kv_heads,
            layer_bytes=layer_bytes,
            model_bytes=model_bytes,
            real_bytes=first.real.cache_bytes[-1],
            real_kv_heads=geometry.kv_heads,
            layer_vs_torch=layer_error,
            model=config.model,
            seeds=seeds,
        ),
    ]
    minima = {
        name: [
            min(step) for step in zip(*(run.scratch.step_minima[name] for run in runs), strict=True)
        ]
        for name in ("cached", "uncached")
    }
    figure = plot_kv_cache(
        context,
        model=config.model,
        tokens=first.real.cached_tokens,
        measured=first.real.cache_bytes,
        per_token={
            "fp32": formula(geometry, 1, fp32, config.batch),
            "mha": formula(mha, 1, fp32, config.batch),
            "bf16": formula(geometry, 1, 2, config.batch),
        },
        bf16_point=(bf16.cached_tokens[0], bf16.cache_bytes[0]),
        step_positions=[config.scratch_prompt_tokens + i for i in range(config.scratch_new_tokens)],
        uncached_ms=[s * 1e3 for s in minima["uncached"]],
        cached_ms=[s * 1e3 for s in minima["cached"]],
        kv_heads=config.layer_kv_heads,
        layer_bytes=layer_bytes,
        heads=config.layer_heads,
        speedups={"tiny GPT": scratch_speedup, "real model, per step": real_speedup},
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
        real_cached_tokens=first.real.cached_tokens,
        real_cache_bytes=first.real.cache_bytes,
        real_formula_bytes=predicted,
        real_steps_checked=steps_checked,
        real_steps_matching=matching,
        bf16_cached_tokens=bf16.cached_tokens[0],
        bf16_cache_bytes=bf16.cache_bytes[0],
        bf16_formula_bytes=bf16_predicted,
        max_context=max_context,
        bytes_at_max_context_bf16=at_max,
        mha_bytes_at_max_context_bf16=mha_at_max,
        real_same_tokens=real_same,
        real_compared_tokens=compared,
        real_cached_seconds=[round(run.real_cached_seconds, 4) for run in runs],
        real_uncached_seconds=[round(run.real_uncached_seconds, 4) for run in runs],
        real_step_speedup=_triple(real_speedup),
        real_sample=first.real_sample,
        scratch_params=first.scratch.params,
        scratch_block_size=first.scratch.block_size,
        scratch_final_train_loss=[round(run.scratch.final_loss, 4) for run in runs],
        scratch_new_tokens=config.scratch_new_tokens,
        forget_newest=config.forget_newest,
        scratch_same_tokens=same,
        scratch_first_mismatch=min(mismatches) if mismatches else -1,
        scratch_max_logit_diff=logit_diff,
        scratch_min_top2_margin=round(min(run.scratch.min_top2_margin for run in runs), 6),
        scratch_cached_seconds=[round(mean(run.scratch.cached_seconds), 4) for run in runs],
        scratch_uncached_seconds=[round(mean(run.scratch.uncached_seconds), 4) for run in runs],
        scratch_speedups=[[round(v, 3) for v in run.scratch.speedups] for run in runs],
        scratch_speedup=_triple(scratch_speedup),
        scratch_ms_per_step_first_last={
            name: [round(minima[name][i] * 1e3, 3) for i in (0, -1)]
            for name in ("cached", "uncached")
        },
        scratch_cache_bytes=scratch_measured,
        scratch_formula_bytes=scratch_predicted,
        scratch_sample=tinylm.decode(first.scratch.first["cached"].tokens[0].tolist()),
        layer_heads=config.layer_heads,
        layer_kv_heads=list(config.layer_kv_heads),
        layer_tokens=config.layer_tokens,
        repeat_before_caching=config.repeat_before_caching,
        layer_cache_bytes=layer_bytes,
        layer_ratios=layer_ratios,
        model_geometry_cache_bytes=model_bytes,
        layer_vs_torch_max_abs=layer_error,
        model_load_seconds=round(load_seconds, 2),
        torch_threads_used=torch.get_num_threads(),
    )
    real_ratio = model_bytes[mha_index] / first.real.cache_bytes[-1]
    key_figure = (
        f"cache = formula to the byte ({first.real.cache_bytes[-1] / 2**20:.1f} MiB); cached "
        f"decoding {scratch_speedup.format('.1f', 'x')} faster, same tokens; GQA cache "
        f"{real_ratio:g}x smaller"
    )
    return LabResult(
        title=f"The KV cache of {config.model} and of a from-scratch tiny GPT: size, speed, "
        "MQA/GQA",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[figure],
        models=[model_card],
    )


def _triple(interval: Interval) -> list[float]:
    return [round(interval.estimate, 3), round(interval.low, 3), round(interval.high, 3)]
