"""What each knob does to the model's next-token distributions and samples, and the
from-scratch filters against their definitions and against ``transformers``' warpers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn as nn

from llmiq.labs.sampling.knobs import (
    distinct_n,
    entropy_bits,
    next_token_distribution,
    softmax_with_temperature,
    top_k_filter,
    top_p_filter,
)
from llmiq.labs.sampling.model import generate


def entropy_by_temperature(logits: torch.Tensor, temperatures: Sequence[float]) -> list[float]:
    """Mean entropy (bits) of ``softmax(logits / T)`` over the rows, for each T in order."""
    return [entropy_bits(softmax_with_temperature(logits, t)).mean().item() for t in temperatures]


def top_k_measurements(
    probs: torch.Tensor,
    ks: Sequence[int],
    truncate: Callable[[torch.Tensor, int], torch.Tensor] = top_k_filter,
) -> dict[str, list[float]]:
    """For each k, apply ``truncate`` to ``log(probs)`` (rows of full distributions) and
    measure: support size (max and mean), whether the kept tokens are the k most probable in
    the same order, the largest relative change of a kept ratio p_i / p_j, and the entropy."""
    logits = probs.clamp_min(1e-30).log()  # (N, V)
    out: dict[str, list[float]] = {
        "max_support": [],
        "mean_support": [],
        "ranking_kept": [],
        "max_ratio_change": [],
        "entropy_bits": [],
    }
    for k in ks:
        kept = softmax_with_temperature(truncate(logits, k), 1.0)  # (N, V)
        support = (kept > 0).sum(-1)  # (N,)
        expected = probs.topk(min(k, probs.shape[-1]), dim=-1).indices  # (N, k) by rank
        by_rank = kept.gather(-1, expected)  # kept probabilities, in the original ranking
        same_set = bool((by_rank > 0).all()) and bool((support == expected.shape[-1]).all())
        same_order = bool((by_rank[:, :-1] >= by_rank[:, 1:]).all())
        # renormalising divides every kept probability by one number: p'_i / p_i is constant
        scale = by_rank / probs.gather(-1, expected)  # (N, k)
        change = (scale / scale[:, :1] - 1).abs().max().item()
        out["max_support"].append(float(support.max().item()))
        out["mean_support"].append(float(support.float().mean().item()))
        out["ranking_kept"].append(float(same_set and same_order))
        out["max_ratio_change"].append(change)
        out["entropy_bits"].append(entropy_bits(kept).mean().item())
    return out


def max_new_tokens_measurements(
    model: nn.Module,
    prefix: torch.Tensor,
    short_tokens: int,
    long_tokens: int,
    *,
    temperature: float = 1.0,
    seed_short: int = 0,
    seed_long: int = 0,
    n: int = 3,
) -> dict[str, float]:
    """Sample the same prefixes with two max_new_tokens (and, normally, one seed) and compare:
    is the short sample a prefix of the long one, are the per-step entropies equal?"""
    short, short_entropy = generate(
        model, prefix, short_tokens, temperature=temperature, seed=seed_short
    )
    long, long_entropy = generate(
        model, prefix, long_tokens, temperature=temperature, seed=seed_long
    )
    shared = min(short_tokens, long_tokens)
    return {
        "short_length": float(short.shape[1]),
        "long_length": float(long.shape[1]),
        "prefix_fraction": (short[:, :shared] == long[:, :shared]).all(1).float().mean().item(),
        "max_entropy_difference": (short_entropy[:, :shared] - long_entropy[:, :shared])
        .abs()
        .max()
        .item(),
        "mean_entropy_short": short_entropy.mean().item(),
        "mean_entropy_long_same_steps": long_entropy[:, :shared].mean().item(),
        "mean_entropy_long": long_entropy.mean().item(),
        "distinct_short": distinct_n(short.tolist(), n),
        "distinct_long": distinct_n(long.tolist(), n),
    }


def definition_checks(logits: torch.Tensor, ps: Sequence[float], ks: Sequence[int]) -> dict:
    """From-scratch knobs vs their definitions on real model logits (N, V)."""
    probs = torch.softmax(logits, -1)  # (N, V)
    argmax = logits.argmax(-1)
    # as T -> 0 the mass on the argmax rises to 1 (near-ties are the last to converge)
    small_ts = (0.1, 0.01, 0.001, 0.0001)
    argmax_mass = [
        softmax_with_temperature(logits, t).gather(-1, argmax[:, None]).mean().item()
        for t in small_ts
    ]
    sorted_probs, order = probs.sort(-1, descending=True)  # (N, V) by rank
    mass = sorted_probs.cumsum(-1)  # mass of the top 1, 2, ... tokens
    rank = torch.arange(logits.shape[-1])  # (V,)
    nucleus_ok = True
    for p in ps:
        kept = softmax_with_temperature(top_p_filter(logits, p), 1.0) > 0  # (N, V)
        size = kept.sum(-1, keepdim=True)  # (N, 1)
        # kept tokens are the top `size` by rank, their mass is >= p, one fewer would be < p
        is_prefix = bool((kept.gather(-1, order) == (rank < size)).all())
        mass_kept = mass.gather(-1, size - 1)
        mass_one_less = mass.gather(-1, (size - 2).clamp_min(0)).masked_fill(size == 1, 0.0)
        nucleus_ok &= is_prefix and bool((mass_kept >= p - 1e-6).all())
        nucleus_ok &= bool((mass_one_less < p + 1e-6).all())  # float round-off
    return {
        "t1_vs_softmax_max_abs": (softmax_with_temperature(logits, 1.0) - probs).abs().max().item(),
        "small_temperatures": list(small_ts),
        "mean_argmax_mass_by_small_t": argmax_mass,
        "t0_is_argmax": bool((softmax_with_temperature(logits, 0.0).argmax(-1) == argmax).all()),
        "top_k_exact_k": all(
            bool(((top_k_filter(logits, k) > -math.inf).sum(-1) == min(k, logits.shape[-1])).all())
            for k in ks
        ),
        "top_p_smallest_prefix": nucleus_ok,
    }


def library_differences(
    logits: torch.Tensor, temperatures: Sequence[float], ks: Sequence[int], ps: Sequence[float]
) -> dict[str, float]:
    """Largest |difference| of probabilities between the from-scratch knobs and
    ``transformers``' TemperatureLogitsWarper / TopKLogitsWarper / TopPLogitsWarper."""
    from transformers.generation.logits_process import (
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    ids = torch.zeros(logits.shape[0], 1, dtype=torch.long)  # unused by these warpers

    def gap(ours: torch.Tensor, theirs: torch.Tensor) -> float:
        return (ours - torch.softmax(theirs, -1)).abs().max().item()

    return {
        "temperature": max(
            gap(softmax_with_temperature(logits, t), TemperatureLogitsWarper(t)(ids, logits))
            for t in temperatures
        ),
        "top_k": max(
            gap(next_token_distribution(logits, top_k=k), TopKLogitsWarper(k)(ids, logits))
            for k in ks
        ),
        "top_p": max(
            gap(next_token_distribution(logits, top_p=p), TopPLogitsWarper(p)(ids, logits))
            for p in ps
        ),
    }
