"""A KV cache written from scratch: the cache itself, cached greedy decoding for tinylm's GPT
against recomputing the whole prefix at every step, and one attention layer with n_kv_heads
key/value heads (MHA, GQA, MQA) whose cache is measured."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from llmiq.labs.tinylm import GPT


def storage_bytes(tensors: list[torch.Tensor]) -> int:
    """Bytes of memory the tensors hold: the size of each distinct underlying storage (a view
    holds its whole storage; two views of one storage count once).

    >>> storage_bytes([torch.zeros(2, 3), torch.zeros(5, dtype=torch.bfloat16)])
    34
    """
    seen: dict[int, int] = {}
    for t in tensors:
        storage = t.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
    return sum(seen.values())


class KVCache:
    """Per layer, the keys and values of every token seen so far, each (B, kv_heads, T, hd).

    ``append`` adds the new tokens' keys and values and returns everything the new queries
    attend to. ``forget_newest`` is a deliberately broken cache: at a one-token decoding step
    it returns the past without the token's own key and value (attending before appending)."""

    def __init__(self, n_layer: int, *, forget_newest: bool = False) -> None:
        self.keys: list[torch.Tensor | None] = [None] * n_layer
        self.values: list[torch.Tensor | None] = [None] * n_layer
        self.forget_newest = forget_newest

    @property
    def length(self) -> int:
        """Tokens cached (those of layer 0)."""
        return 0 if self.keys[0] is None else self.keys[0].shape[2]

    def append(
        self, layer: int, k: torch.Tensor, v: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        past_k, past_v = self.keys[layer], self.values[layer]
        if past_k is None or past_v is None:
            # a copy: k and v may be views into the (B, T, 3C) projection, which must not be
            # kept alive (or counted) as part of the cache
            self.keys[layer], self.values[layer] = k.clone(), v.clone()
            return k, v
        keys = torch.cat([past_k, k], dim=2)  # (B, kv_heads, T_past + T_new, hd)
        values = torch.cat([past_v, v], dim=2)
        self.keys[layer], self.values[layer] = keys, values
        if self.forget_newest and k.shape[2] == 1:
            return past_k, past_v
        return keys, values

    def nbytes(self) -> int:
        return storage_bytes([t for t in (*self.keys, *self.values) if t is not None])


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Causal attention of T_new queries, the last T_new positions of the S keys."""
    t_new, s = q.shape[2], k.shape[2]
    if t_new == 1:
        return F.scaled_dot_product_attention(q, k, v)  # the newest token sees everything
    mask = torch.ones(t_new, s, dtype=torch.bool).tril(diagonal=s - t_new)  # (T_new, S)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


@torch.no_grad()
def forward_cached(model: GPT, idx: torch.Tensor, cache: KVCache) -> torch.Tensor:
    """Logits (B, T_new, vocab) of the new tokens ``idx`` (B, T_new), whose keys and values
    are appended to ``cache``: the same weights as ``model.forward``, with the past read from
    the cache instead of recomputed."""
    B, T = idx.shape
    start = cache.length
    if start + T > model.config.block_size:
        raise ValueError(f"{start + T} tokens > block_size {model.config.block_size}")
    x = model.tok(idx) + model.pos(torch.arange(start, start + T))  # (B, T, C)
    C = x.shape[-1]
    for i, block in enumerate(model.blocks):
        attn = block.attn
        q, k, v = attn.qkv(block.ln1(x)).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2) for t in (q, k, v))
        keys, values = cache.append(i, k, v)  # (B, nh, S, hs)
        y = _attend(q, keys, values).transpose(1, 2).reshape(B, T, C)
        x = x + attn.proj(y)
        x = x + block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))


@dataclass
class Decoding:
    """A greedy decoding run: the tokens, each step's logits and wall time, cache sizes."""

    tokens: torch.Tensor  # (B, N)
    logits: torch.Tensor  # (B, N, vocab): the distribution each token was chosen from
    step_seconds: list[float]
    cache_bytes: list[int] = field(default_factory=list)  # after each step (cached only)

    @property
    def seconds(self) -> float:
        return sum(self.step_seconds)


@torch.no_grad()
def greedy_uncached(model: GPT, prompt: torch.Tensor, new_tokens: int) -> Decoding:
    """Greedy decoding the slow way: every step runs the whole sequence so far again."""
    ids = prompt.clone()  # (B, P)
    tokens, logits, seconds = [], [], []
    for _ in range(new_tokens):
        started = time.perf_counter()
        last = model(ids)[:, -1]  # (B, vocab): full forward over P + t tokens
        token = last.argmax(-1, keepdim=True)  # (B, 1)
        ids = torch.cat([ids, token], dim=1)
        seconds.append(time.perf_counter() - started)
        tokens.append(token)
        logits.append(last)
    return Decoding(torch.cat(tokens, 1), torch.stack(logits, 1), seconds)


@torch.no_grad()
def greedy_cached(
    model: GPT, prompt: torch.Tensor, new_tokens: int, *, forget_newest: bool = False
) -> Decoding:
    """Greedy decoding with the from-scratch cache: the prompt once, then one token a step."""
    cache = KVCache(len(model.blocks), forget_newest=forget_newest)
    tokens, logits, seconds, sizes = [], [], [], []
    step_input = prompt  # (B, P), then (B, 1)
    for _ in range(new_tokens):
        started = time.perf_counter()
        last = forward_cached(model, step_input, cache)[:, -1]  # (B, vocab)
        step_input = last.argmax(-1, keepdim=True)  # (B, 1)
        seconds.append(time.perf_counter() - started)
        tokens.append(step_input)
        logits.append(last)
        sizes.append(cache.nbytes())
    return Decoding(torch.cat(tokens, 1), torch.stack(logits, 1), seconds, sizes)


class GroupedQueryAttention(nn.Module):
    """Causal self-attention with ``n_head`` query heads sharing ``n_kv_head`` key/value heads
    (Ainslie et al. 2023): n_kv_head = n_head is multi-head attention, 1 is multi-query
    attention (Shazeer 2019). Only the n_kv_head heads are cached; each is repeated to its
    group of n_head / n_kv_head query heads after the cache. ``repeat_before_caching`` is a
    deliberately broken variant that caches the repeated copies (the cache of MHA)."""

    def __init__(
        self,
        d_model: int,
        n_head: int,
        n_kv_head: int,
        *,
        head_dim: int | None = None,
        repeat_before_caching: bool = False,
    ) -> None:
        super().__init__()
        if n_head % n_kv_head:
            raise ValueError(f"{n_head} query heads do not split into {n_kv_head} groups")
        self.n_head, self.n_kv_head = n_head, n_kv_head
        self.head_dim = head_dim or d_model // n_head
        self.q = nn.Linear(d_model, n_head * self.head_dim, bias=False)
        self.kv = nn.Linear(d_model, 2 * n_kv_head * self.head_dim, bias=False)
        self.out = nn.Linear(n_head * self.head_dim, d_model, bias=False)
        self.repeat_before_caching = repeat_before_caching

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        B, T, _ = x.shape
        group = self.n_head // self.n_kv_head
        q = self.q(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, H, T, hd)
        k, v = self.kv(x).view(B, T, 2, self.n_kv_head, self.head_dim).unbind(2)
        k, v = k.transpose(1, 2), v.transpose(1, 2)  # (B, H_kv, T, hd)
        if self.repeat_before_caching:
            k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        if cache is not None:
            k, v = cache.append(0, k, v)  # (B, H_kv, S, hd)
        if not self.repeat_before_caching:
            k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        y = _attend(q, k, v)  # (B, H, T, hd)
        return self.out(y.transpose(1, 2).reshape(B, T, self.n_head * self.head_dim))


@torch.no_grad()
def layer_cache_bytes(layer: GroupedQueryAttention, x: torch.Tensor, decode_steps: int = 1) -> int:
    """Bytes the layer's cache holds after a prefill of ``x`` (B, T, d) and ``decode_steps``
    one-token steps (their inputs are the last prefill row again)."""
    cache = KVCache(1)
    with torch.no_grad():
        layer(x, cache)
        for _ in range(decode_steps):
            layer(x[:, -1:], cache)
    return cache.nbytes()


@torch.no_grad()
def layer_vs_torch(layer: GroupedQueryAttention, x: torch.Tensor, decode_steps: int = 4) -> float:
    """Largest |difference| between the layer's outputs and torch's: the whole sequence at
    once against ``F.scaled_dot_product_attention(..., is_causal=True, enable_gqa=True)`` on
    the same projections, and a cached prefill plus one-token steps against the whole."""
    B, T, _ = x.shape
    H, H_kv, hd = layer.n_head, layer.n_kv_head, layer.head_dim
    q = layer.q(x).view(B, T, H, hd).transpose(1, 2)  # (B, H, T, hd)
    k, v = layer.kv(x).view(B, T, 2, H_kv, hd).unbind(2)
    y = F.scaled_dot_product_attention(
        q, k.transpose(1, 2), v.transpose(1, 2), is_causal=True, enable_gqa=True
    )
    reference = layer.out(y.transpose(1, 2).reshape(B, T, H * hd))  # (B, T, d)
    whole = layer(x)
    cache = KVCache(1)
    split = T - decode_steps
    pieces = [layer(x[:, :split], cache)]
    pieces += [layer(x[:, t : t + 1], cache) for t in range(split, T)]
    stepwise = torch.cat(pieces, dim=1)
    return max((whole - reference).abs().max().item(), (stepwise - whole).abs().max().item())
