"""The sampling knobs from scratch over a vector of logits: temperature, top-k, top-p,
sampling with a given uniform draw, entropy and distinct-n."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import torch
import torch.nn.functional as F


def softmax_with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``softmax(logits / T)`` over the last axis; ``T == 0`` is the one-hot argmax (greedy).

    >>> softmax_with_temperature(torch.tensor([2.0, 1.0, 0.0]), 1.0).round(decimals=3)
    tensor([0.6650, 0.2450, 0.0900])
    >>> softmax_with_temperature(torch.tensor([2.0, 1.0, 0.0]), 0.5).round(decimals=3)
    tensor([0.8670, 0.1170, 0.0160])
    >>> softmax_with_temperature(torch.tensor([2.0, 1.0, 0.0]), 0.0)
    tensor([1., 0., 0.])

    T = 0.5 squares every probability ratio (0.665/0.245 = e^1 becomes e^2); T = 2 takes its
    square root. The ranking never changes.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype)
    scaled = logits / temperature
    scaled = scaled - scaled.max(-1, keepdim=True).values  # exp never overflows
    weights = scaled.exp()
    return weights / weights.sum(-1, keepdim=True)


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Logits with all but the ``k`` largest of each row set to -inf (exactly k kept).

    >>> top_k_filter(torch.tensor([2.0, 1.0, 0.0, 3.0]), 2)
    tensor([2., -inf, -inf, 3.])

    The softmax of the result renormalises the kept probabilities by their total mass, so
    their ranking and their ratios are those of the full distribution.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    k = min(k, logits.shape[-1])
    kept = logits.topk(k, dim=-1).indices  # (..., k)
    mask = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, kept, True)
    return logits.masked_fill(~mask, -math.inf)


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Logits outside the nucleus set to -inf: the smallest prefix of the tokens sorted by
    probability whose total mass is >= p (always at least one token).

    >>> top_p_filter(torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05])), 0.75).exp()
    tensor([0.5000, 0.3000, 0.0000, 0.0000])

    0.5 < 0.75 <= 0.5 + 0.3, so two tokens are kept; with p = 0.85 it would be three.
    """
    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1], got {p}")
    probs = softmax_with_temperature(logits, 1.0)
    sorted_probs, order = probs.sort(-1, descending=True)  # (..., V)
    # keep a token while the mass of the strictly more probable ones is < p, written as "the
    # mass from it down to the least probable is > 1 - p": summing the small probabilities
    # first keeps float round-off from dropping the tail (at p = 1 every token is kept)
    tail_mass = sorted_probs.flip(-1).cumsum(-1).flip(-1)  # (..., V)
    keep_sorted = tail_mass > 1 - p
    keep_sorted[..., 0] = True  # the most probable token, whatever p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return logits.masked_fill(~keep, -math.inf)


def next_token_distribution(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """The distribution a sampler draws from, in the order ``transformers`` applies the
    knobs: temperature, then top-k, then top-p (on the tempered probabilities).

    >>> next_token_distribution(torch.tensor([2.0, 1.0, 0.0]), top_k=2).round(decimals=3)
    tensor([0.7310, 0.2690, 0.0000])
    """
    if temperature == 0:
        return softmax_with_temperature(logits, 0.0)
    logits = logits / temperature
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    return softmax_with_temperature(logits, 1.0)


def sample_from(probs: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """Inverse-CDF sampling: the first token whose cumulative probability exceeds ``u``.

    One uniform number per draw, so a seeded generator gives the same choices however many
    steps follow; a token of probability 0 is never chosen.

    >>> sample_from(torch.tensor([[0.2, 0.0, 0.5, 0.3]]), torch.tensor([0.1, 0.2, 0.69, 0.71]))
    tensor([0, 2, 2, 3])
    """
    cdf = probs.cumsum(-1)  # (B, V) or (V,)
    if cdf.dim() == 1 or cdf.shape[0] == 1:
        cdf = cdf.reshape(1, -1).expand(uniform.shape[0], -1)
    index = torch.searchsorted(cdf.contiguous(), uniform.reshape(-1, 1), right=True)
    return index.squeeze(-1).clamp_max(probs.shape[-1] - 1)  # float round-off at the top


def entropy_bits(probs: torch.Tensor) -> torch.Tensor:
    """Shannon entropy in bits over the last axis, with 0 log 0 = 0.

    >>> entropy_bits(torch.tensor([0.5, 0.25, 0.25, 0.0]))
    tensor(1.5000)
    """
    return torch.special.entr(probs).sum(-1) / math.log(2)


def distinct_n(sequences: Sequence[Sequence[Any]], n: int) -> float:
    """Distinct n-grams over all n-grams, counted inside each sequence and pooled.

    >>> distinct_n(["abab"], 2)  # ab, ba, ab: 2 distinct of 3
    0.6666666666666666
    """
    grams = [tuple(s[i : i + n]) for s in sequences for i in range(len(s) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def is_strictly_increasing(values: Sequence[float]) -> bool:
    """Each value larger than the one before (ties fail).

    >>> is_strictly_increasing([0.1, 0.5, 0.9]), is_strictly_increasing([0.1, 0.1])
    (True, False)
    """
    return all(b > a for a, b in pairwise(values))
