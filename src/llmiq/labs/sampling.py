"""Sampling lab (seed question 9, "output-randomness", answer C: temperature).

Which decoding knob sets the randomness of the output? This lab writes the four usual
knobs from scratch over a vector of logits and measures what each does on a small
character-level language model trained here in seconds on the shipped corpus
(``llmiq.labs.corpus``, docstrings of Python's standard library):

- temperature T divides the logits before the softmax, ``p = softmax(z / T)``
  (Ackley, Hinton & Sejnowski 1985, the Boltzmann distribution; Hinton et al. 2015):
  T = 1 is the model's own distribution, T -> 0 is greedy (argmax) decoding, and the entropy
  of the next-token distribution rises monotonically with T;
- top-k keeps the k most probable tokens and renormalises (Fan et al. 2018, "Hierarchical
  Neural Story Generation"): it caps the support at k but keeps the ranking and the ratios
  of the kept probabilities (it truncates, it does not rescale; a small k does lower the
  entropy, k = 1 being greedy, and the lab reports by how much);
- top-p / nucleus keeps the smallest prefix of the sorted distribution whose mass is >= p
  (Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration");
- max_new_tokens only stops the loop: with the same seed and prefix the shorter sample is a
  prefix of the longer one and every step's distribution is unchanged.

Diversity of the samples is distinct-n (Li et al. 2016, "A Diversity-Promoting Objective
Function for Neural Conversation Models"): distinct n-grams / all n-grams.

The model is a Bengio et al. (2003) MLP language model over characters (an embedding of
the last ``context`` characters, one tanh hidden layer, logits over the characters).
The from-scratch filters are checked against their definitions and against Hugging Face
``transformers``' logits warpers.

Left out: beam search, repetition/presence penalties, min-p and typical sampling, stop
tokens (our model has no end-of-sequence token, so every sample is exactly max_new_tokens
long; with one, max_new_tokens is only an upper bound) and any KV cache.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import Claim, LabResult


@dataclass
class Config:
    corpus_chars: int = 500_000  # characters of stdlib docstrings to train and evaluate on
    context: int = 8  # characters the model sees before predicting the next one
    embed_dim: int = 24  # size of each character embedding
    hidden: int = 256  # width of the tanh hidden layer
    train_steps: int = 3000  # AdamW steps
    batch_size: int = 256  # windows per step
    learning_rate: float = 3e-3  # AdamW learning rate (cosine-decayed to 10%)
    eval_positions: int = 3000  # held-out positions whose next-token entropy is measured
    temperatures: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # swept T
    samples: int = 48  # sequences sampled per temperature (distinct-n)
    sample_length: int = 200  # max_new_tokens of each of those sequences
    distinct_n: int = 3  # n of distinct-n
    top_ks: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 50)  # swept k (plus the whole vocabulary)
    top_ps: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99)  # swept p (reported)
    short_tokens: int = 50  # max_new_tokens of the short run
    long_tokens: int = 200  # max_new_tokens of the long run (same seed and prefix)
    temperature_applied: bool = True  # False ignores T when sampling (a broken sampler)

    @classmethod
    def fast(cls) -> Config:
        return cls(
            corpus_chars=100_000,
            train_steps=300,
            eval_positions=1500,
            samples=24,
            sample_length=150,
            short_tokens=30,
            long_tokens=120,
        )


# --- the sampling knobs, from scratch ------------------------------------------------------


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


# --- the model ------------------------------------------------------------------------------


class CharMLP(nn.Module):
    """Bengio et al. (2003): embed the last ``context`` characters, one tanh layer, logits."""

    def __init__(self, vocab_size: int, context: int, embed_dim: int, hidden: int):
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.hidden = nn.Linear(context * embed_dim, hidden)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids).flatten(1)  # (B, C) -> (B, C * E)
        return self.out(torch.tanh(self.hidden(x)))  # (B, V)


@dataclass
class CharVocab:
    chars: str  # index 0 is "?": any character outside printable ASCII

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        kept = sorted({c for c in text if c == "\n" or (c.isascii() and c.isprintable())})
        return cls("?" + "".join(c for c in kept if c != "?"))

    def encode(self, text: str) -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.chars)}
        return torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)


def train_model(
    ids: torch.Tensor, vocab_size: int, config: Config, advance: Callable[[int], None]
) -> tuple[CharMLP, list[float]]:
    """AdamW on random windows of ``ids``; returns the model and the loss per step."""
    model = CharMLP(vocab_size, config.context, config.embed_dim, config.hidden)
    windows = ids.unfold(0, config.context + 1, 1)  # (N, C + 1), a view
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=config.train_steps, eta_min=config.learning_rate / 10
    )
    losses = []
    for _ in range(config.train_steps):
        batch = windows[torch.randint(0, windows.shape[0], (config.batch_size,))]  # (B, C + 1)
        loss = F.cross_entropy(model(batch[:, :-1]), batch[:, -1])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        advance(1)
    return model.eval(), losses


@torch.no_grad()
def generate(
    model: nn.Module,
    prefix: torch.Tensor,
    max_new_tokens: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample ``max_new_tokens`` tokens after each prefix row; returns (tokens (B, N), the
    entropy in bits of each step's sampling distribution (B, N)).

    Step t uses the t-th uniform draw of a generator seeded with ``seed``, so the same seed
    and prefix give the same first tokens whatever ``max_new_tokens`` is.
    """
    generator = torch.Generator().manual_seed(seed)
    window = prefix.clone()  # (B, C)
    tokens, entropies = [], []
    for _ in range(max_new_tokens):
        probs = next_token_distribution(model(window), temperature, top_k, top_p)  # (B, V)
        uniform = torch.rand(window.shape[0], generator=generator)  # (B,)
        token = sample_from(probs, uniform)  # (B,)
        tokens.append(token)
        entropies.append(entropy_bits(probs))
        window = torch.cat([window[:, 1:], token[:, None]], dim=1)
    if not tokens:
        empty = torch.empty(prefix.shape[0], 0)
        return empty.long(), empty
    return torch.stack(tokens, 1), torch.stack(entropies, 1)


# --- measurements and verdicts -------------------------------------------------------------


def entropy_by_temperature(logits: torch.Tensor, temperatures: Sequence[float]) -> list[float]:
    """Mean entropy (bits) of ``softmax(logits / T)`` over the rows, for each T in order."""
    return [entropy_bits(softmax_with_temperature(logits, t)).mean().item() for t in temperatures]


def temperature_claim(
    temperatures: Sequence[float], entropies: Sequence[float], diversities: Sequence[float], n: int
) -> Claim:
    """Supported when entropy and distinct-n both rise strictly with T (T given in the order
    measured; a sweep that is not increasing in T cannot support a monotone rise)."""
    ordered = is_strictly_increasing(temperatures)
    rising_entropy = is_strictly_increasing(entropies)
    rising_diversity = is_strictly_increasing(diversities)
    temps = ", ".join(f"{t:g}" for t in temperatures)
    ent = ", ".join(f"{e:.2f}" for e in entropies)
    div = ", ".join(f"{d:.3f}" for d in diversities)
    verdict = []
    if not ordered:
        verdict.append("the temperatures were not swept in increasing order")
    verdict.append("entropy " + ("rises strictly" if rising_entropy else "does NOT rise strictly"))
    verdict.append(
        f"distinct-{n} " + ("rises strictly" if rising_diversity else "does NOT rise strictly")
    )
    return Claim(
        text="Temperature controls randomness: raising T raises the entropy of the next-token "
        f"distribution and the diversity (distinct-{n}) of samples, monotonically",
        supported=ordered and rising_entropy and rising_diversity,
        evidence=f"T = {temps}: mean next-token entropy {ent} bits; distinct-{n} of samples "
        f"{div}; {'; '.join(verdict)}.",
    )


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


def top_k_claim(
    ks: Sequence[int], measured: dict[str, list[float]], full_entropy: float, tol: float = 1e-4
) -> Claim:
    """Supported when every support is <= k, the kept tokens are the top k in order and no
    kept ratio moves by more than ``tol``. The evidence also says how much a small k lowers
    the entropy: truncation reduces randomness too, it just does not rescale."""
    capped = all(s <= k for s, k in zip(measured["max_support"], ks, strict=True))
    ranked = all(r == 1.0 for r in measured["ranking_kept"])
    worst = max(measured["max_ratio_change"])
    unscaled = worst <= tol
    pairs = ", ".join(
        f"k={k}: {s:g}" for k, s in zip(ks, measured["max_support"], strict=True) if k <= 50
    )
    ents = ", ".join(
        f"k={k}: {e:.2f}" for k, e in zip(ks, measured["entropy_bits"], strict=True) if k <= 20
    )
    return Claim(
        text="Top-k caps the support at k and keeps the ranking and the ratios of the kept "
        "tokens: it truncates the distribution, it does not rescale it like temperature",
        supported=capped and ranked and unscaled,
        evidence=f"largest support {pairs} ({'all' if capped else 'NOT all'} <= k); kept tokens "
        f"{'are' if ranked else 'are NOT'} the top k in the original order; largest change of "
        f"a kept probability ratio {worst:.1e}. A small k does reduce randomness: mean entropy "
        f"{ents} bits vs {full_entropy:.2f} untruncated (k = 1 is greedy).",
    )


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


def max_new_tokens_claim(
    short_tokens: int, long_tokens: int, measured: dict[str, float], n: int = 3
) -> Claim:
    """Supported when the lengths are the two max_new_tokens, every short sample is a prefix
    of its long sample and the per-step entropies of the shared steps are equal."""
    lengths = measured["short_length"] == short_tokens and measured["long_length"] == long_tokens
    prefix = measured["prefix_fraction"] == 1.0
    same_entropy = measured["max_entropy_difference"] <= 1e-6
    return Claim(
        text="max_new_tokens changes only the length: with the same seed and prefix the shorter "
        "sample is a prefix of the longer one and every step's distribution is unchanged",
        supported=lengths and prefix and same_entropy,
        evidence=f"lengths {measured['short_length']:g} and {measured['long_length']:g} tokens; "
        f"{measured['prefix_fraction']:.0%} of short samples are prefixes of the long ones; "
        f"per-step entropy over the shared steps differs by at most "
        f"{measured['max_entropy_difference']:.1e} bits (mean {measured['mean_entropy_short']:.3f}"
        f" vs {measured['mean_entropy_long_same_steps']:.3f}). Distinct-{n} is "
        f"{measured['distinct_short']:.3f} (short) vs {measured['distinct_long']:.3f} (long) "
        "only because distinct-n falls with text length, not with randomness.",
    )


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


def definitions_claim(checks: dict, library: dict[str, float], tol: float = 1e-5) -> Claim:
    exact = (
        checks["t1_vs_softmax_max_abs"] <= tol
        and all(b >= a for a, b in pairwise(checks["mean_argmax_mass_by_small_t"]))
        and checks["mean_argmax_mass_by_small_t"][-1] >= 0.999
        and checks["t0_is_argmax"]
        and checks["top_k_exact_k"]
        and checks["top_p_smallest_prefix"]
    )
    worst_library = max(library.values())
    return Claim(
        text="The from-scratch knobs follow the definitions: T = 1 is the softmax, T -> 0 is "
        "argmax, top-k keeps exactly k tokens, top-p keeps the smallest prefix with mass >= p",
        supported=exact and worst_library <= tol,
        evidence=f"T = 1 vs softmax max |diff| {checks['t1_vs_softmax_max_abs']:.1e}; at "
        f"T = {', '.join(f'{t:g}' for t in checks['small_temperatures'])} the argmax holds "
        f"{', '.join(f'{m:.4f}' for m in checks['mean_argmax_mass_by_small_t'])} of the mass "
        f"on average (T = 0 is exactly argmax: {checks['t0_is_argmax']}); "
        f"exactly k kept: {checks['top_k_exact_k']}; smallest nucleus: "
        f"{checks['top_p_smallest_prefix']}; vs "
        f"transformers' warpers max |diff| temperature {library['temperature']:.1e}, top-k "
        f"{library['top_k']:.1e}, top-p {library['top_p']:.1e}.",
    )


# --- the lab --------------------------------------------------------------------------------


@dataclass
class SamplingMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    vocab_size: int
    train_chars: int
    final_train_loss: float
    held_out_loss_nats: float
    temperatures: list[float]
    temperature_applied: bool
    entropy_bits_by_temperature: list[float]
    distinct_by_temperature: list[float]  # distinct-n of the samples per temperature
    samples_by_temperature: dict[str, str]
    top_k: list[int]
    top_k_max_support: list[float]
    top_k_mean_support: list[float]
    top_k_entropy_bits: list[float]
    top_k_max_ratio_change: float
    untruncated_entropy_bits: float
    top_p: list[float]
    top_p_mean_support: list[float]
    max_new_tokens: dict[str, float]
    definition_checks: dict[str, Any]
    vs_transformers_max_abs: dict[str, float]
    torch_threads_used: int
    distinct_n: int  # the n of distinct-n (report.json names the key after it)

    def to_dict(self) -> dict[str, Any]:
        """report.json's layout: ``distinct_<n>_by_temperature``, and no ``distinct_n``."""
        data = asdict(self)
        n = data.pop("distinct_n")
        return {
            (f"distinct_{n}_by_temperature" if k == "distinct_by_temperature" else k): v
            for k, v in data.items()
        }


Metrics = SamplingMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[SamplingMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[SamplingMetrics]:
    torch.manual_seed(context.seed)
    text = stdlib_corpus(config.corpus_chars)
    train_text, held_text = split_held_out(text)
    vocab = CharVocab.from_text(train_text)
    train_ids, held_ids = vocab.encode(train_text), vocab.encode(held_text)
    V = len(vocab.chars)

    with context.progress(config.train_steps, "sampling: training a character MLP") as advance:
        model, losses = train_model(train_ids, V, config, advance)

    # held-out contexts, evenly spread: the next-token distributions we measure
    windows = held_ids.unfold(0, config.context + 1, 1)  # (M, C + 1)
    picks = torch.linspace(0, windows.shape[0] - 1, config.eval_positions).long()
    with torch.no_grad():
        held = windows[picks]
        logits = model(held[:, :-1])  # (N, V)
        held_loss = F.cross_entropy(logits, held[:, -1]).item()
    probs = torch.softmax(logits, -1)
    prefixes = held[torch.linspace(0, len(held) - 1, config.samples).long(), :-1]  # (S, C)

    # temperature: entropy of the next-token distribution and distinct-n of samples
    temps = list(config.temperatures)
    applied = temps if config.temperature_applied else [1.0] * len(temps)
    entropies = entropy_by_temperature(logits, applied)
    diversities, examples = [], {}
    with context.progress(len(temps), "sampling: generating at each temperature") as advance:
        for t, used in zip(temps, applied, strict=True):
            tokens, _ = generate(
                model, prefixes, config.sample_length, temperature=used, seed=context.seed
            )
            diversities.append(distinct_n(tokens.tolist(), config.distinct_n))
            examples[f"{t:g}"] = vocab.decode(prefixes[0].tolist() + tokens[0, :60].tolist())
            advance(1)

    # top-k: support, ranking, ratios and entropy, at T = 1
    ks = [*config.top_ks, V]
    top_k = top_k_measurements(probs, ks)
    full_entropy = entropy_bits(probs).mean().item()
    top_p_support = [
        (softmax_with_temperature(top_p_filter(logits, p), 1.0) > 0).sum(-1).float().mean().item()
        for p in config.top_ps
    ]

    # max_new_tokens: same seed and prefixes, two lengths
    lengths = max_new_tokens_measurements(
        model,
        prefixes,
        config.short_tokens,
        config.long_tokens,
        seed_short=context.seed,
        seed_long=context.seed,
        n=config.distinct_n,
    )

    checks = definition_checks(logits, config.top_ps, ks)
    library = library_differences(logits, temps, ks, config.top_ps)
    claims = [
        temperature_claim(temps, entropies, diversities, config.distinct_n),
        definitions_claim(checks, library),
        top_k_claim(ks, top_k, full_entropy),
        max_new_tokens_claim(config.short_tokens, config.long_tokens, lengths, config.distinct_n),
    ]

    figures = [
        _plot_temperature(context, temps, entropies, diversities, config.distinct_n, V),
        _plot_top_k(context, ks, top_k, full_entropy),
    ]
    n = config.distinct_n
    key_figure = (
        f"T {temps[0]:g}->{temps[-1]:g}: entropy {entropies[0]:.2f}->{entropies[-1]:.2f} bits, "
        f"distinct-{n} {diversities[0]:.2f}->{diversities[-1]:.2f}; top-k support <= k"
    )
    metrics = SamplingMetrics(
        vocab_size=V,
        train_chars=len(train_ids),
        final_train_loss=round(sum(losses[-50:]) / len(losses[-50:]), 4),
        held_out_loss_nats=round(held_loss, 4),
        temperatures=temps,
        temperature_applied=config.temperature_applied,
        entropy_bits_by_temperature=[round(e, 4) for e in entropies],
        distinct_by_temperature=[round(d, 4) for d in diversities],
        samples_by_temperature=examples,
        top_k=ks,
        top_k_max_support=top_k["max_support"],
        top_k_mean_support=top_k["mean_support"],
        top_k_entropy_bits=[round(e, 4) for e in top_k["entropy_bits"]],
        top_k_max_ratio_change=max(top_k["max_ratio_change"]),
        untruncated_entropy_bits=round(full_entropy, 4),
        top_p=list(config.top_ps),
        top_p_mean_support=[round(s, 2) for s in top_p_support],
        max_new_tokens={k: round(v, 6) for k, v in lengths.items()},
        definition_checks=checks,
        vs_transformers_max_abs=library,
        torch_threads_used=torch.get_num_threads(),
        distinct_n=n,
    )
    return LabResult(
        title="Temperature, top-k, top-p and max_new_tokens on a character language model",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )


def _plot_temperature(
    context: LabContext,
    temps: list[float],
    entropies: list[float],
    diversities: list[float],
    n: int,
    vocab_size: int,
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(temps, entropies, "o-")
    left.axhline(math.log2(vocab_size), color="grey", ls="--", lw=1, label="uniform (log2 V)")
    left.set(xlabel="temperature T", ylabel="next-token entropy (bits)", title="Entropy vs T")
    left.legend(loc="lower right")
    right.plot(temps, diversities, "o-", color="tab:orange")
    right.set(xlabel="temperature T", ylabel=f"distinct-{n}", title=f"Distinct-{n} of samples vs T")
    right.set_ylim(0, 1.02)
    fig.tight_layout()
    return context.save_figure(fig, "temperature")


def _plot_top_k(
    context: LabContext, ks: list[int], measured: dict[str, list[float]], full_entropy: float
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(ks, ks, color="grey", ls="--", lw=1, label="support = k")
    left.plot(ks, measured["max_support"], "o-", label="largest support")
    left.plot(ks, measured["mean_support"], "x", label="mean support")
    left.set(xscale="log", yscale="log", xlabel="k", ylabel="tokens with p > 0")
    left.set_title("Top-k: support size vs k")
    left.legend(loc="upper left")
    right.plot(ks, measured["entropy_bits"], "o-", color="tab:green", label="top-k, T = 1")
    right.axhline(full_entropy, color="grey", ls="--", lw=1, label="untruncated")
    right.set(xscale="log", xlabel="k", ylabel="mean entropy (bits)")
    right.set_title("A small k lowers entropy too")
    right.legend(loc="lower right")
    fig.tight_layout()
    return context.save_figure(fig, "top_k")
