"""One replicate of the KV-cache lab, run once per seed: the real model's cache on the prompts
the seed draws, a tiny GPT trained with the seed decoded with and without the from-scratch
cache (timed in interleaved repeats), and the MHA/GQA/MQA layer on a random input. The
model load, the training text and everything that does not depend on the seed are shared
(``experiment``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext
from llmiq.labs.kv_cache.config import Config
from llmiq.labs.kv_cache.real_model import (
    RealGeneration,
    bank_prompt_ids,
    generate_cached,
    generate_uncached,
)
from llmiq.labs.kv_cache.scratch import (
    Decoding,
    GroupedQueryAttention,
    greedy_cached,
    greedy_uncached,
    layer_cache_bytes,
    layer_vs_torch,
)


@dataclass
class ScratchRun:
    """The tiny GPT of one seed, decoded ``timing_repeats`` times with and without the cache."""

    first: dict[str, Decoding]  # "cached", "uncached": the first repeat (tokens and logits)
    speedups: list[float]  # per repeat: uncached seconds / cached seconds
    step_minima: dict[str, list[float]]  # each step's fastest time over the repeats
    cached_seconds: list[float]  # per repeat
    uncached_seconds: list[float]
    final_loss: float  # mean of the last 20 training steps
    params: int
    block_size: int
    geometry: tuple[int, int, int]  # layers, heads, head_dim

    @property
    def same_tokens(self) -> bool:
        return torch.equal(self.first["uncached"].tokens, self.first["cached"].tokens)

    @property
    def first_mismatch(self) -> int:
        """The first step (column) where any row differs, -1 when none does."""
        a, b = self.first["uncached"].tokens, self.first["cached"].tokens
        differs = (a != b).any(dim=0).nonzero()
        return int(differs[0]) if len(differs) else -1

    @property
    def max_logit_diff(self) -> float:
        """Largest |logit difference| over the steps up to the first differing token."""
        uncached, cached = self.first["uncached"], self.first["cached"]
        mismatch = self.first_mismatch
        upto = uncached.tokens.shape[1] if mismatch < 0 else mismatch + 1
        return (uncached.logits[:, :upto] - cached.logits[:, :upto]).abs().max().item()

    @property
    def min_top2_margin(self) -> float:
        top2 = self.first["uncached"].logits.topk(2, dim=-1).values
        return (top2[..., 0] - top2[..., 1]).min().item()


@dataclass
class SeedRun:
    """Everything one seed measured."""

    seed: int
    real: RealGeneration  # cached greedy decoding of the real model: tokens, bytes, times
    real_same_tokens: bool  # the uncached decoding picked the same tokens
    real_cached_seconds: float  # over the compared tokens
    real_uncached_seconds: float
    real_step_speedups: list[float]  # per decoding step after the prefill: uncached / cached
    real_sample: str
    scratch: ScratchRun
    layer_bytes: list[int]  # the from-scratch layer's cache, per number of kv heads
    layer_error: float  # its largest difference from torch's attention


def measure_seed(
    seed: int,
    config: Config,
    context: LabContext,
    model: Any,
    tokenizer: Any,
    text: tuple[torch.Tensor, torch.Tensor],
) -> SeedRun:
    """One replicate; Python, NumPy and torch are already seeded with ``seed``."""
    ids = bank_prompt_ids(tokenizer, config.batch, config.prompt_tokens, seed)
    real = generate_cached(model, ids, config.real_new_tokens)
    compared = min(config.uncached_tokens, config.real_new_tokens)
    uncached_tokens, uncached_steps = generate_uncached(model, ids, compared)
    cached_steps = real.step_seconds[:compared]
    speedups = [u / c for u, c in zip(uncached_steps[1:], cached_steps[1:], strict=True)]
    scratch = scratch_decoding(config, context, seed, *text)
    layer_bytes, layer_error = layer_variants(config)
    return SeedRun(
        seed=seed,
        real=real,
        real_same_tokens=torch.equal(uncached_tokens, real.tokens[:, :compared]),
        real_cached_seconds=sum(cached_steps),
        real_uncached_seconds=sum(uncached_steps),
        real_step_speedups=speedups,
        real_sample=tokenizer.decode(real.tokens[0], skip_special_tokens=True),
        scratch=scratch,
        layer_bytes=layer_bytes,
        layer_error=layer_error,
    )


def scratch_decoding(
    config: Config, context: LabContext, seed: int, data: torch.Tensor, held: torch.Tensor
) -> ScratchRun:
    """Train the tiny GPT with ``seed``, then decode two held-out prompts (at starts drawn with
    the seed) greedily without and with the from-scratch cache, ``timing_repeats`` times
    each, interleaved so that a busy spell of the machine hits both."""
    P, N = config.scratch_prompt_tokens, config.scratch_new_tokens
    gpt_config = tinylm.GPTConfig(
        block_size=P + N, n_layer=config.n_layer, n_head=config.n_head, n_embd=config.n_embd
    )
    model = tinylm.GPT(gpt_config)
    generator = torch.Generator().manual_seed(seed)
    with context.progress(config.train_steps, f"kv-cache: a tiny GPT, seed {seed}") as advance:
        losses = tinylm.train(
            model,
            data,
            steps=config.train_steps,
            batch_size=config.train_batch,
            generator=generator,
            on_step=advance,
        )
    starts = torch.randint(0, len(held) - P, (2,), generator=generator).tolist()
    prompts = torch.stack([held[s : s + P] for s in starts])  # (2, P)
    first: dict[str, Decoding] = {}
    minima: dict[str, list[float]] = {}
    seconds: dict[str, list[float]] = {"cached": [], "uncached": []}
    for _ in range(config.timing_repeats):
        runs = {
            "uncached": greedy_uncached(model, prompts, N),
            "cached": greedy_cached(model, prompts, N, forget_newest=config.forget_newest),
        }
        for name, decoding in runs.items():
            first.setdefault(name, decoding)
            seconds[name].append(decoding.seconds)
            pairs = zip(minima.get(name, decoding.step_seconds), decoding.step_seconds, strict=True)
            minima[name] = [min(a, b) for a, b in pairs]
    tail = losses[-20:]
    return ScratchRun(
        first=first,
        speedups=[u / c for u, c in zip(seconds["uncached"], seconds["cached"], strict=True)],
        step_minima=minima,
        cached_seconds=seconds["cached"],
        uncached_seconds=seconds["uncached"],
        final_loss=sum(tail) / len(tail),
        params=model.num_params(),
        block_size=gpt_config.block_size,
        geometry=(gpt_config.n_layer, gpt_config.n_head, gpt_config.n_embd // gpt_config.n_head),
    )


def layer_variants(config: Config) -> tuple[list[int], float]:
    """Bytes one from-scratch attention layer caches for each number of key/value heads
    (prefill, then one decoding step: ``layer_tokens`` tokens), and the largest difference
    of any variant's output from torch's attention, on a random input of this seed."""
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


def log_speedups(values: list[float]) -> list[float]:
    """Speed-ups on a log scale, where a ratio's interval is symmetric in "faster" and
    "slower" (its mean is the log of the geometric mean).

    >>> log_speedups([1.0, math.e])
    [0.0, 1.0]
    """
    return [math.log(v) for v in values]
