"""Greedy search, beam search and nucleus sampling from scratch over a causal LM's logits,
with the model's key/value cache (each step feeds only the newest token), and the
no-repeat-n-gram ban.

Every row of a batch is one prompt of the same length, so nothing is padded. The
end-of-sequence token is suppressed (as ``min_new_tokens`` does in transformers): every
continuation is exactly ``new_tokens`` long, so likelihood and repetition compare like with
like. Each chosen token's log-probability is recorded under the model's own distribution
(temperature 1, nothing truncated): that is the likelihood the lab compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs.sampling.knobs import next_token_distribution, sample_from


@dataclass
class Decoded:
    """Continuations of a batch of prompts."""

    tokens: torch.Tensor  # (B, N) the new tokens
    logprobs: torch.Tensor  # (B, N) log p(token | everything before it), the model's own p

    def mean_logprob(self) -> torch.Tensor:
        """Per row, the mean log-probability per token (nats), (B,)."""
        return self.logprobs.mean(-1)


def _forward(model: Any, ids: torch.Tensor, cache: Any) -> torch.Tensor:
    """Log-softmax of the last position's logits, (B, V), appending to ``cache``. The output
    layer runs on the last position only (``logits_to_keep=1``, as ``generate`` does): on a
    prompt it would otherwise cost a 49,152-wide matmul per prompt token."""
    logits = model(input_ids=ids, cache=cache, use_cache=True, logits_to_keep=1).logits[:, -1]
    return torch.log_softmax(logits.float(), dim=-1)


def _new_cache() -> Any:
    from transformers import DynamicCache

    return DynamicCache()


def banned_by_ngrams(sequence: list[int], n: int) -> set[int]:
    """Tokens that would repeat an n-gram of ``sequence`` (prompt included): those that
    followed an earlier occurrence of its last n - 1 tokens (Paulus et al. 2017, "A Deep
    Reinforced Model for Abstractive Summarization"; transformers' ``no_repeat_ngram_size``).

    >>> sorted(banned_by_ngrams([5, 6, 7, 5, 6], 3))  # "5 6" was followed by 7
    [7]
    >>> banned_by_ngrams([5, 6, 7, 5, 6], 0)
    set()
    """
    if n < 1 or len(sequence) + 1 < n:
        return set()
    if n == 1:
        return set(sequence)
    tail = tuple(sequence[len(sequence) - n + 1 :])
    return {
        sequence[i + n - 1]
        for i in range(len(sequence) - n + 1)
        if tuple(sequence[i : i + n - 1]) == tail
    }


@torch.inference_mode()
def greedy_search(
    model: Any, prompts: torch.Tensor, new_tokens: int, eos: int, no_repeat_ngram: int = 0
) -> Decoded:
    """At each step the most probable token (after the bans), for every prompt at once.
    ``prompts``: (B, L) token ids."""
    cache = _new_cache()
    logprobs = _forward(model, prompts, cache)  # (B, V)
    history = prompts.tolist()
    chosen, scores = [], []
    for step in range(new_tokens):
        allowed = logprobs.clone()
        allowed[:, eos] = -torch.inf
        for row, sequence in enumerate(history):
            banned = banned_by_ngrams(sequence, no_repeat_ngram)
            if banned:
                allowed[row, list(banned)] = -torch.inf
        token = allowed.argmax(-1)  # (B,)
        chosen.append(token)
        scores.append(logprobs.gather(-1, token[:, None])[:, 0])
        for row, t in enumerate(token.tolist()):
            history[row].append(t)
        if step + 1 < new_tokens:
            logprobs = _forward(model, token[:, None], cache)
    return Decoded(torch.stack(chosen, 1), torch.stack(scores, 1))


@torch.inference_mode()
def beam_search(
    model: Any, prompts: torch.Tensor, new_tokens: int, eos: int, beams: int = 4, keep: str = "best"
) -> Decoded:
    """Beam search (e.g. Graves 2012; Sutskever et al. 2014): keep the ``beams`` partial
    continuations of highest total log-probability; at each step extend each by every token
    and keep the best ``beams`` of the beams x V candidates; return the best at the end.

    All beams of a prompt start as the prompt itself, and only the first may extend at the
    first step (the others start at -1e9), so they do not all pick the same token — as in
    transformers. ``keep="worst"`` keeps the lowest-scoring candidates instead: a broken
    beam search, for the tests.
    """
    if keep not in ("best", "worst"):
        raise ValueError(f"keep must be 'best' or 'worst', not {keep!r}")
    P, K = prompts.shape[0], beams
    cache = _new_cache()
    logprobs = _forward(model, prompts.repeat_interleave(K, dim=0), cache)  # (P*K, V)
    V = logprobs.shape[-1]
    totals = torch.zeros(P, K)
    totals[:, 1:] = -1e9
    tokens = torch.zeros(P, K, 0, dtype=torch.long)
    steps = torch.zeros(P, K, 0)
    for step in range(new_tokens):
        scored = logprobs.clone()
        scored[:, eos] = -torch.inf
        candidates = (scored.view(P, K, V) + totals[:, :, None]).view(P, K * V)
        if keep == "best":
            totals, index = candidates.topk(K, dim=-1)  # (P, K), sorted best first
        else:
            finite = candidates.masked_fill(candidates == -torch.inf, torch.inf)
            totals, index = finite.topk(K, dim=-1, largest=False)
        source, token = index // V, index % V  # which beam it extends, with which token
        picked = logprobs.view(P, K, V).gather(1, source[:, :, None].expand(-1, -1, V))
        step_logprob = picked.gather(-1, token[:, :, None])  # (P, K, 1)
        keep_index = source[:, :, None]
        tokens = torch.cat([tokens.gather(1, keep_index.expand_as(tokens)), token[:, :, None]], 2)
        steps = torch.cat([steps.gather(1, keep_index.expand_as(steps)), step_logprob], 2)
        if step + 1 < new_tokens:
            flat_source = (source + torch.arange(P)[:, None] * K).view(-1)  # rows of the cache
            cache.reorder_cache(flat_source)
            logprobs = _forward(model, token.view(-1, 1), cache)
    return Decoded(tokens[:, 0], steps[:, 0])  # the first kept beam: the best (or worst)


def row_generator(key: Sequence[int]) -> torch.Generator:
    """A torch generator seeded from a tuple of ints (numpy's ``SeedSequence`` mixes them), so
    that a row's draws depend on its key alone, not on where it sits in the batch.

    >>> a, b = row_generator((0, 1)), row_generator((0, 1))
    >>> bool(torch.rand(1, generator=a) == torch.rand(1, generator=b))
    True
    """
    import numpy as np

    state = np.random.SeedSequence([int(k) for k in key]).generate_state(1, dtype=np.uint64)
    return torch.Generator().manual_seed(int(state[0]) & (2**63 - 1))


@torch.inference_mode()
def sample_rows(
    model: Any,
    prompts: torch.Tensor,
    new_tokens: int,
    eos: int,
    keys: Sequence[Sequence[int]],
    temperature: float = 1.0,
    top_p: float = 1.0,
) -> Decoded:
    """Ancestral sampling with temperature and a nucleus (top-p, Holtzman et al. 2020): one
    continuation per row of ``prompts`` (B, L), row i drawing its uniforms from its own
    generator seeded with ``keys[i]`` (``row_generator``)."""
    if len(keys) != prompts.shape[0]:
        raise ValueError(f"{len(keys)} keys for {prompts.shape[0]} rows")
    generators = [row_generator(key) for key in keys]
    cache = _new_cache()
    logprobs = _forward(model, prompts, cache)  # (B, V)
    chosen, scores = [], []
    for step in range(new_tokens):
        logits = logprobs.clone()
        logits[:, eos] = -torch.inf
        probs = next_token_distribution(logits, temperature=temperature, top_p=top_p)
        uniform = torch.cat([torch.rand(1, generator=g) for g in generators])  # (B,)
        token = sample_from(probs, uniform)  # (B,)
        chosen.append(token)
        scores.append(logprobs.gather(-1, token[:, None])[:, 0])
        if step + 1 < new_tokens:
            logprobs = _forward(model, token[:, None], cache)
    return Decoded(torch.stack(chosen, 1), torch.stack(scores, 1))


def sample(
    model: Any,
    prompts: torch.Tensor,
    new_tokens: int,
    eos: int,
    seeds: list[int],
    temperature: float = 1.0,
    top_p: float = 1.0,
) -> Decoded:
    """One sampled continuation per prompt and seed, rows ordered seed-major ((seed 0, every
    prompt), (seed 1, ...)); the row of prompt p and seed s draws with the key (s, p), so a
    sample depends only on its seed and prompt."""
    P = prompts.shape[0]
    keys = [(s, p) for s in seeds for p in range(P)]
    return sample_rows(
        model, prompts.repeat(len(seeds), 1), new_tokens, eos, keys, temperature, top_p
    )
