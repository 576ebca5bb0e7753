"""The policy: a tinylm GPT over the world's words, its episodes (prompt + response) as
batches, the log-probabilities and KL divergences the objectives need, and sampling with a
KV cache (a sampled token costs one position, not the whole sequence again)."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from llmiq.labs.preference.world import Tokens
from llmiq.labs.tinylm import GPT, GPTConfig


def policy_config(vocab_size: int, block_size: int, n_layer: int, n_embd: int) -> GPTConfig:
    """A tinylm GPT over the world's words (one head per 16 dimensions)."""
    return GPTConfig(
        vocab_size=vocab_size,
        block_size=block_size,
        n_layer=n_layer,
        n_head=max(1, n_embd // 16),
        n_embd=n_embd,
    )


def policy_from(reference: GPT) -> GPT:
    """A trainable copy of the (frozen) reference: where every training method starts."""
    policy = copy.deepcopy(reference)
    for parameter in policy.parameters():
        parameter.requires_grad_(True)
    return policy


# --- batches and log-probabilities -------------------------------------------------------------


def episode_batch(
    prompts: Sequence[Tokens], responses: Sequence[Tokens]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(inputs (B, T-1), targets (B, T-1), response mask (B, T-1)) for next-token prediction of
    the response tokens only. Episodes are right-padded; padding sits after every response
    token, so under causal attention it changes nothing that is scored.

    >>> _, targets, mask = episode_batch([[5, 6]], [[7, 0]])
    >>> targets.tolist(), mask.tolist()
    ([[6, 7, 0]], [[False, True, True]])
    """
    ids = pad_episodes(prompts, responses)  # (B, T)
    mask = torch.zeros(ids.shape[0], ids.shape[1] - 1, dtype=torch.bool)  # (B, T-1)
    for row, (p, r) in enumerate(zip(prompts, responses, strict=True)):
        mask[row, len(p) - 1 : len(p) + len(r) - 1] = True  # position t predicts token t+1
    return ids[:, :-1], ids[:, 1:], mask


def pad_episodes(prompts: Sequence[Tokens], responses: Sequence[Tokens]) -> torch.Tensor:
    """Prompt + response token ids, right-padded with 0: (B, T).

    >>> pad_episodes([[5, 6], [5]], [[7], [8]]).tolist()
    [[5, 6, 7], [5, 8, 0]]
    """
    lengths = [len(p) + len(r) for p, r in zip(prompts, responses, strict=True)]
    ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
    for row, (p, r) in enumerate(zip(prompts, responses, strict=True)):
        ids[row, : len(p) + len(r)] = torch.tensor([*p, *r])
    return ids


def token_logprobs(
    model: GPT, inputs: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """log p(target_t | inputs_<=t) at the masked positions, 0 elsewhere: (B, T-1)."""
    logp = F.log_softmax(model(inputs), dim=-1)  # (B, T-1, V)
    return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask


def response_logprobs(
    model: GPT, prompts: Sequence[Tokens], responses: Sequence[Tokens]
) -> torch.Tensor:
    """log pi(response | prompt), summed over the response tokens: (B,). Differentiable."""
    inputs, targets, mask = episode_batch(prompts, responses)
    return token_logprobs(model, inputs, targets, mask).sum(-1)


def response_kl(
    policy: GPT, reference: GPT, prompts: Sequence[Tokens], responses: Sequence[Tokens]
) -> torch.Tensor:
    """Per response, sum over its positions of KL(pi(.|ctx) || pi_ref(.|ctx)) in nats: (B,).

    On responses sampled from the policy its mean estimates the sequence-level
    KL(pi || pi_ref) = E_y~pi[log pi(y|x) - log pi_ref(y|x)] without bias, with the full
    next-token distributions in place of the single sampled token (lower variance, never < 0).
    """
    inputs, _, mask = episode_batch(prompts, responses)
    logp = F.log_softmax(policy(inputs), dim=-1)  # (B, T-1, V)
    logq = F.log_softmax(reference(inputs), dim=-1)
    per_position = (logp.exp() * (logp - logq)).sum(-1)  # (B, T-1)
    return (per_position * mask).sum(-1)


KVCache = list[tuple[torch.Tensor, torch.Tensor]]  # per block: keys, values (B, nh, t, hs)


def forward_cached(
    model: GPT, idx: torch.Tensor, cache: KVCache | None
) -> tuple[torch.Tensor, KVCache]:
    """``model(idx)`` for the tokens that follow the ones already in ``cache``: logits
    (B, T, V) and the cache extended by them. With ``cache=None`` it is the plain causal
    forward of a prompt; afterwards one token at a time attends to every cached key, so a
    sampled token costs one position instead of the whole sequence again. Built from the
    GPT's own modules (tinylm has no cache); the tests check it against ``model(ids)``."""
    B, T = idx.shape
    start = 0 if cache is None else cache[0][0].shape[2]
    if start + T > model.config.block_size:
        raise ValueError(f"{start + T} tokens > block_size {model.config.block_size}")
    x = model.tok(idx) + model.pos(torch.arange(start, start + T))  # (B, T, C)
    C = x.shape[2]
    extended = []
    for layer, block in enumerate(model.blocks):
        attn = block.attn
        q, k, v = attn.qkv(block.ln1(x)).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            k = torch.cat([cache[layer][0], k], dim=2)  # (B, nh, start + T, hs)
            v = torch.cat([cache[layer][1], v], dim=2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=cache is None)  # (B, nh, T, hs)
        x = x + attn.proj(y.transpose(1, 2).contiguous().view(B, T, C))
        x = x + block.mlp(block.ln2(x))
        extended.append((k, v))
    return model.head(model.ln_f(x)), extended


@torch.no_grad()
def sample_responses(
    model: GPT,
    prompts: Sequence[Tokens],
    *,
    end: int,
    max_new_tokens: int,
    generator: torch.Generator,
    temperature: float = 1.0,
) -> list[Tokens]:
    """One sampled response per prompt, cut after its first ``end`` token (or at
    ``max_new_tokens`` without one). Prompts of equal length are sampled as one batch."""
    model.eval()
    by_length: dict[int, list[int]] = defaultdict(list)
    for row, prompt in enumerate(prompts):
        by_length[len(prompt)].append(row)
    responses: list[Tokens] = [[] for _ in prompts]
    for rows in by_length.values():
        logits, cache = forward_cached(model, torch.tensor([prompts[r] for r in rows]), None)
        tokens = []
        done = torch.zeros(len(rows), dtype=torch.bool)  # (b,)
        for step in range(max_new_tokens):
            probs = F.softmax(logits[:, -1] / temperature, dim=-1)  # (b, V)
            token = torch.multinomial(probs, 1, generator=generator)  # (b, 1)
            tokens.append(token)
            done |= token.squeeze(1) == end
            if bool(done.all()) or step == max_new_tokens - 1:
                break
            logits, cache = forward_cached(model, token, cache)
        sampled_rows = torch.cat(tokens, dim=1).tolist()  # (b, n)
        for row, sampled in zip(rows, sampled_rows, strict=True):
            responses[row] = sampled[: sampled.index(end) + 1] if end in sampled else sampled
    return responses
