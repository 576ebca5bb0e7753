"""The KV-cache lab's configuration: the full run, and the seconds-long ``fast()`` one.

Every setting was fixed a priori: nothing was chosen by looking at a verdict. The sizes were
cut (from one seed's 32 cached and 10 uncached real-model tokens and 300 training steps) so
that three seeds fit the time budget; the claims do not hang on how well the tiny GPT
predicts, only on its cache giving the same tokens, faster.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    # (a) the cache of a real model, SmolLM2-135M-Instruct (llmiq.exam.local_models)
    model: str = "smollm2-135m-instruct"  # built-in model whose DynamicCache is measured
    batch: int = 2  # prompts generated side by side (the formula's batch factor)
    prompt_tokens: int = 48  # tokens of each prompt: a window of the bank's text per seed
    real_new_tokens: int = 16  # greedy tokens the real model generates with its cache
    uncached_tokens: int = 8  # of those, generated again with no cache (full recompute)
    kv_factor: int = 2  # keys and values; 1 is a broken formula that forgets the values
    # (b) a cache written from scratch for tinylm's GPT, trained here on stdlib docstrings
    corpus_chars: int = 200_000  # characters of training text
    n_layer: int = 2  # transformer blocks of the tiny GPT
    n_head: int = 4  # its attention heads
    n_embd: int = 64  # its width
    scratch_prompt_tokens: int = 32  # bytes of prompt before decoding
    scratch_new_tokens: int = 224  # greedy tokens decoded (prompt + new = the GPT's block size)
    train_steps: int = 100  # AdamW steps on windows of the full block size, per seed
    train_batch: int = 8  # windows per step
    timing_repeats: int = 3  # per seed, each decoder timed this often (interleaved)
    forget_newest: bool = False  # True: a broken cache that drops the newest key and value
    # (c) one attention layer built as MHA, GQA and MQA (SmolLM2's geometry: 9 heads of 64)
    layer_heads: int = 9  # query heads
    layer_head_dim: int = 64  # dimension per head
    layer_kv_heads: tuple[int, ...] = (9, 3, 1)  # MHA, GQA (SmolLM2's 3), MQA
    layer_tokens: int = 256  # tokens cached by each variant
    repeat_before_caching: bool = False  # True: caches K/V already repeated per query head

    @classmethod
    def fast(cls) -> Config:
        return cls(
            prompt_tokens=32,
            real_new_tokens=8,
            uncached_tokens=5,
            corpus_chars=100_000,
            scratch_new_tokens=96,
            train_steps=40,
            layer_tokens=64,
        )
