"""The cache of a real model: SmolLM2-135M-Instruct (a Llama-architecture decoder with
grouped-query attention: 30 layers, 9 query heads, 3 key/value heads of 64), loaded from the
exam's built-in models, generating greedily with transformers' ``DynamicCache``; the bytes
its tensors hold, step by step, against the formula; and the same attention geometry built
with every number of key/value heads."""

from __future__ import annotations

import inspect
import os
import time
from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs.kv_cache.scratch import storage_bytes
from llmiq.labs.pretrained import LoadedModel, bank_texts, load_pretrained

PROMPTS = (
    "The key-value cache of a transformer stores, for every layer and every token so far,",
    "During autoregressive decoding a language model produces one token at a time, and",
    "Grouped-query attention lets several query heads share a single key and value head,",
    "Long prompts make inference memory grow because the attention keys and values of",
)


@dataclass(frozen=True)
class Geometry:
    """What the cache formula needs from a model config."""

    layers: int
    heads: int  # query heads
    kv_heads: int  # key/value heads
    head_dim: int

    @classmethod
    def of(cls, config: Any) -> Geometry:
        heads = config.num_attention_heads
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
        kv_heads = getattr(config, "num_key_value_heads", None) or heads
        return cls(config.num_hidden_layers, heads, kv_heads, head_dim)


def formula_bytes(
    geometry: Geometry, tokens: int, bytes_per_value: int, batch: int = 1, kv_factor: int = 2
) -> int:
    """2 (keys and values) x layers x kv_heads x head_dim x tokens x bytes x batch.

    >>> formula_bytes(Geometry(30, 9, 3, 64), tokens=8192, bytes_per_value=2)  # bf16, 8k
    188743680
    """
    g = geometry
    return kv_factor * g.layers * g.kv_heads * g.head_dim * tokens * bytes_per_value * batch


def dynamic_cache_bytes(cache: Any) -> int:
    """Bytes held by the key and value tensors of a transformers cache, all layers."""
    tensors = [t for layer in cache.layers for t in (layer.keys, layer.values) if t is not None]
    return storage_bytes(tensors)


def load_model(name: str) -> LoadedModel:
    """A built-in model of ``llmiq.exam.local_models`` in fp32, offline, with the card a
    report names it by (``LoadedModel.card()``). The first use converts its GGUF file once
    (about a minute); later loads read the converted safetensors folder."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # set before transformers reads it: never fetch
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    return load_pretrained(name, "kv-cache")


def prompt_ids(tokenizer: Any, batch: int, tokens: int) -> torch.Tensor:
    """(batch, tokens) ids: the first ``tokens`` tokens of ``batch`` different prompts, so the
    rows need no padding."""
    rows = []
    for i in range(batch):
        text = " ".join([PROMPTS[i % len(PROMPTS)]] * (1 + tokens // 8))  # >= 8 tokens each
        ids = tokenizer(text)["input_ids"][:tokens]
        rows.append(ids)
    return torch.tensor(rows)


def bank_prompt_ids(tokenizer: Any, batch: int, tokens: int, seed: int) -> torch.Tensor:
    """(batch, tokens) ids: windows of the seed bank's explanations (English rows and Chinese
    rows in turn) from starts drawn with ``seed``; what a seed changes is which text the
    model continues."""
    import numpy as np

    rng = np.random.default_rng(seed)
    texts = {lang: tokenizer("\n\n".join(bank_texts(lang)))["input_ids"] for lang in ("en", "zh")}
    rows = []
    for i in range(batch):
        ids = texts["en" if i % 2 == 0 else "zh"]
        start = int(rng.integers(0, len(ids) - tokens))
        rows.append(ids[start : start + tokens])
    return torch.tensor(rows)


def _cache_keyword(model: Any) -> str:
    """transformers 5 names the forward's cache argument ``cache`` (``past_key_values``
    before it, now deprecated)."""
    params = inspect.signature(model.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


@dataclass
class RealGeneration:
    tokens: torch.Tensor  # (B, N) greedy tokens
    cached_tokens: list[int]  # tokens in the cache after each step
    cache_bytes: list[int]  # bytes its tensors hold after each step
    step_seconds: list[float]
    bytes_per_value: int

    @property
    def seconds(self) -> float:
        return sum(self.step_seconds)


@torch.no_grad()
def generate_cached(model: Any, ids: torch.Tensor, new_tokens: int) -> RealGeneration:
    """Greedy decoding with transformers' DynamicCache: the prompt once, then one token a
    step, reading the cache's size after every step."""
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    keyword = _cache_keyword(model)
    tokens, lengths, sizes, seconds = [], [], [], []
    step_input = ids  # (B, P), then (B, 1)
    for _ in range(new_tokens):
        started = time.perf_counter()
        out = model(input_ids=step_input, use_cache=True, logits_to_keep=1, **{keyword: cache})
        step_input = out.logits[:, -1].argmax(-1, keepdim=True)  # (B, 1)
        seconds.append(time.perf_counter() - started)
        tokens.append(step_input)
        lengths.append(cache.get_seq_length())
        sizes.append(dynamic_cache_bytes(cache))
    value_bytes = next(iter(model.parameters())).element_size()
    return RealGeneration(torch.cat(tokens, 1), lengths, sizes, seconds, value_bytes)


@torch.no_grad()
def generate_uncached(
    model: Any, ids: torch.Tensor, new_tokens: int
) -> tuple[torch.Tensor, list[float]]:
    """Greedy decoding with no cache: the whole sequence again at every step; (tokens (B, N),
    each step's seconds)."""
    seq, seconds = ids, []
    for _ in range(new_tokens):
        started = time.perf_counter()
        logits = model(input_ids=seq, use_cache=False, logits_to_keep=1).logits[:, -1]
        seq = torch.cat([seq, logits.argmax(-1, keepdim=True)], dim=1)
        seconds.append(time.perf_counter() - started)
    return seq[:, ids.shape[1] :], seconds


@torch.no_grad()
def variant_cache_bytes(config: Any, kv_heads: int, tokens: int, batch: int) -> int:
    """Bytes of the DynamicCache after a ``tokens``-long forward of a model with the
    attention geometry of ``config`` (layers, query heads, head size) but ``kv_heads``
    key/value heads. Random weights, a 64-token vocabulary and a 1-unit MLP: neither the
    weights, the vocabulary nor the MLP touches the cache, and the copy builds in a second."""
    from transformers import AutoModelForCausalLM, DynamicCache

    small = config.to_dict() | {
        "num_key_value_heads": kv_heads,
        "intermediate_size": 1,
        "vocab_size": 64,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "pad_token_id": 2,
    }
    variant_config = type(config).from_dict(small)
    model = AutoModelForCausalLM.from_config(variant_config, dtype=torch.float32).eval()
    cache = DynamicCache(config=variant_config)
    ids = torch.randint(3, 64, (batch, tokens))
    model(input_ids=ids, use_cache=True, logits_to_keep=1, **{_cache_keyword(model): cache})
    return dynamic_cache_bytes(cache)
