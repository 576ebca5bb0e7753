"""KV-cache lab (question "kv-cache-memory", bank ``inference``).

How much memory does the key/value cache of a decoder take, why keep it, and what do
multi-query and grouped-query attention change? The usual answer makes three claims, each
measured here:

1. **Size.** For every layer and every token so far the cache keeps one key and one value
   vector per key/value head: 2 x layers x kv_heads x head_dim x tokens x bytes-per-value
   (x batch) bytes (Pope et al. 2022, "Efficiently Scaling Transformer Inference", where a
   500B+ model with multi-head attention at batch 512 and context 2048 needs a 3 TB cache,
   three times its weights). Measured on a real model, SmolLM2-135M-Instruct
   (the exam's built-in model, via ``llmiq.labs.pretrained``; Llama architecture, 30
   layers, 9 query heads, 3 key/value heads of 64): it generates greedily with
   transformers' ``DynamicCache`` on windows of the seed bank's text and, after every step,
   the bytes held by the storages of the cache's key and value tensors are compared with
   the formula, in fp32 and (after a cast) in bf16. The from-scratch cache of part 2 is
   checked against the same formula.
2. **Speed.** A cache written from scratch for tinylm's GPT (``scratch.KVCache``,
   ``forward_cached``): the prompt's keys and values once, then one token per step against
   the cached past, versus recomputing the whole prefix at every step. Greedy tokens must be
   identical and every step's logits equal to float round-off (1e-4); the time over N new
   tokens is measured in a few interleaved repeats. The same comparison runs on the real
   model with transformers (cache vs ``use_cache=False``), timed step by step. The
   GPT is trained here for seconds on the shipped corpus; so small a model mostly predicts
   from the current byte, and its greedy text repeats, which is why the logits are compared
   too: a broken cache changes them by orders of magnitude more than round-off even where
   the greedy tokens happen to coincide.
3. **Sharing heads.** One attention layer with SmolLM2's geometry built as multi-head (9
   key/value heads), grouped-query (3; Ainslie et al. 2023, "GQA: Training Generalized
   Multi-Query Transformer Models from Multi-Head Checkpoints") and multi-query attention
   (1; Shazeer 2019, "Fast Transformer Decoding: One Write-Head is All You Need"), its
   output checked against torch's ``scaled_dot_product_attention(enable_gqa=True)``; the
   bytes it caches are measured for each, and transformers' Llama model with SmolLM2's
   attention geometry is built with 9, 3 and 1 key/value heads. The real model's cache must
   be exactly its 3-head variant's: a third of what multi-head attention would keep.

Uncertainty: the full run repeats the experiment for 3 seeds, sharing the model load and
the training text. A seed draws the real model's prompts, trains its own tiny GPT (100
steps) and draws its held-out prompts and the layer's input. Sizes are exact: the size and
sharing claims count mismatches with the formula over every step of every seed
(``uncertainty.exact``). Speed is a timing: it is decided on the 95% interval of the
geometric-mean speed-up, resampling the seeds and, within each, the timed repeats (tiny
GPT) or the decoding steps after the prefill (real model), and the weaker of the two must
lie wholly above 1.

Deliberately broken set-ups flip each verdict (the tests run them): ``kv_factor=1`` (a
formula that forgets the values), ``forget_newest=True`` (a cache that drops the newest key
and value at each step: the tokens differ), ``repeat_before_caching=True`` (GQA that caches
the key/value heads after repeating them for every query head: no saving).

Left out: paged or quantized caches (vLLM's PagedAttention, int8 KV), sliding-window and
cross-layer sharing, prefix caching across requests, the memory of activations and of the
weights, and batching with padding (the batch's prompts are cut to one length).

One idea per module: ``scratch`` (the cache, cached decoding, the MQA/GQA layer),
``real_model`` (SmolLM2's DynamicCache and the formula), ``replicates`` (what one seed
measures), ``claims``, ``figures``, ``config`` and ``experiment`` (the run and its metrics).
"""

from llmiq.labs.kv_cache.claims import sharing_claim, size_claim, speed_claim, speedup_interval
from llmiq.labs.kv_cache.config import Config
from llmiq.labs.kv_cache.experiment import KVCacheMetrics, Metrics, run
from llmiq.labs.kv_cache.real_model import (
    Geometry,
    bank_prompt_ids,
    dynamic_cache_bytes,
    formula_bytes,
    generate_cached,
    generate_uncached,
    load_model,
    prompt_ids,
    variant_cache_bytes,
)
from llmiq.labs.kv_cache.replicates import SeedRun, measure_seed, scratch_decoding
from llmiq.labs.kv_cache.scratch import (
    Decoding,
    GroupedQueryAttention,
    KVCache,
    forward_cached,
    greedy_cached,
    greedy_uncached,
    layer_cache_bytes,
    layer_vs_torch,
    storage_bytes,
)

__all__ = [
    "Config",
    "Decoding",
    "Geometry",
    "GroupedQueryAttention",
    "KVCache",
    "KVCacheMetrics",
    "Metrics",
    "SeedRun",
    "bank_prompt_ids",
    "dynamic_cache_bytes",
    "formula_bytes",
    "forward_cached",
    "generate_cached",
    "generate_uncached",
    "greedy_cached",
    "greedy_uncached",
    "layer_cache_bytes",
    "layer_vs_torch",
    "load_model",
    "measure_seed",
    "prompt_ids",
    "run",
    "scratch_decoding",
    "sharing_claim",
    "size_claim",
    "speed_claim",
    "speedup_interval",
    "storage_bytes",
    "variant_cache_bytes",
]
