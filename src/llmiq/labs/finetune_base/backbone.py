"""The bases as the fine-tuning sees them: SmolLM2-135M (pre-trained or drawn at random) cut
into a frozen part, run once per document and cached, and a trainable top -- the last block's
feed-forward layer, the final norm and the output rows of the style's tokens.

The cut is inside the last block: everything up to and including its attention is frozen, so
what the top receives for a token is fixed (the residual stream after that attention, and its
normalised copy, the feed-forward layer's input) and a fine-tuning step costs one
feed-forward layer per token instead of thirty blocks over the whole sequence. That is what
lets 27 fine-tuning runs of a 135M-parameter model train to convergence in a CPU minute. The
output layer is restricted to the tokens the style uses (about 250 of SmolLM2's 49,152):
every base is scored on the same choice, and the full-vocabulary softmax, which would cost
more than the feed-forward layer itself, is skipped.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from llmiq.labs.finetune_base.data import Document

SEPARATOR = 0  # SmolLM2's <|endoftext|>, which separated its pre-training documents
RANDOM_INIT_SEED = 20_250_101  # the one draw of the random base's frozen weights


@functools.lru_cache(maxsize=1)
def smollm2() -> Any:
    """SmolLM2-135M-Instruct, loaded once per process (a LoadedModel; never modified)."""
    from llmiq.labs.pretrained import SMOLLM2, load_pretrained

    return load_pretrained(SMOLLM2, "finetune-base")


@functools.lru_cache(maxsize=1)
def random_twin() -> nn.Module:
    """SmolLM2-135M's architecture initialised as transformers initialises it (every matrix
    normal with std ``initializer_range`` = 0.02, norms at one), drawn once from a fixed
    seed: the untrained base."""
    model = copy.deepcopy(smollm2().model)
    generator = torch.Generator().manual_seed(RANDOM_INIT_SEED)
    std = model.config.initializer_range
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.fill_(1.0)
            else:
                p.normal_(0.0, std, generator=generator)
    return model.eval()


def style_vocabulary(docs: Sequence[Document]) -> list[int]:
    """The token ids the style uses, sorted: every id the documents hold after their
    separator."""
    return sorted({i for d in docs for i in d.ids[1:]})


@torch.no_grad()
def frozen_states(
    model: nn.Module,
    first_blocks: int,
    docs: Sequence[Document],
    dtype: torch.dtype = torch.bfloat16,
    batch: int = 16,
    advance: Callable[[int], None] = lambda n: None,
) -> list[torch.Tensor]:
    """What the top receives for each token of each document, (len(ids), 2, d_model) in
    float32: the model's first ``first_blocks`` blocks, then its last block's attention, give
    the residual stream ``[:, 0]`` and its post-attention norm ``[:, 1]`` (the last
    feed-forward layer's input). Computed in ``dtype``; documents are batched by length and
    padded on the right, which causal attention never reads; each block is cast once and run
    over every batch, and ``advance`` is told after each."""
    inner = model.model
    order = sorted(range(len(docs)), key=lambda i: len(docs[i].ids))
    groups = [order[s : s + batch] for s in range(0, len(order), batch)]
    hidden, rotary = [], []
    for group in groups:
        length = max(len(docs[i].ids) for i in group)
        ids = torch.full((len(group), length), SEPARATOR)  # (B, T)
        for row, i in enumerate(group):
            ids[row, : len(docs[i].ids)] = torch.tensor(docs[i].ids)
        h = inner.embed_tokens(ids).to(dtype)  # (B, T, C)
        cos, sin = inner.rotary_emb(h, torch.arange(length)[None])
        hidden.append(h)
        rotary.append((cos.to(dtype), sin.to(dtype)))

    def cast(module: nn.Module) -> nn.Module:
        return module if dtype == torch.float32 else copy.deepcopy(module).to(dtype)

    for layer in inner.layers[:first_blocks]:
        block = cast(layer)
        for k in range(len(hidden)):
            hidden[k] = block(hidden[k], position_embeddings=rotary[k])
        advance(1)
    last = cast(inner.layers[-1])
    states: list[torch.Tensor] = [torch.empty(0)] * len(docs)
    for group, h, pe in zip(groups, hidden, rotary, strict=True):
        attended, _ = last.self_attn(last.input_layernorm(h), position_embeddings=pe)
        h = h + attended  # (B, T, C)
        both = torch.stack([h, last.post_attention_layernorm(h)], dim=2)  # (B, T, 2, C)
        for row, i in enumerate(group):
            states[i] = both[row, : len(docs[i].ids)].float()
    advance(1)
    return states


class Top(nn.Module):
    """The trainable top of a base: the feed-forward layer of ``model``'s last block, its
    final norm and the output rows of ``vocabulary`` (SmolLM2 ties them to its input
    embeddings), copied from the model; logits over the vocabulary's tokens only."""

    def __init__(self, model: nn.Module, vocabulary: Sequence[int]):
        super().__init__()
        inner = model.model
        self.mlp = copy.deepcopy(inner.layers[-1].mlp)
        self.norm = copy.deepcopy(inner.norm)
        rows = inner.embed_tokens.weight[torch.tensor(list(vocabulary))]
        self.head = nn.Parameter(rows.detach().clone())  # (V, C)
        for p in self.parameters():
            p.requires_grad_(True)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        """states (N, 2, C) from ``frozen_states`` -> logits (N, V)."""
        residual, normed = states[:, 0], states[:, 1]
        return self.norm(residual + self.mlp(normed)) @ self.head.T

    def redraw(self, generator: torch.Generator, std: float = 0.02) -> Top:
        """Draw every weight again as transformers initialises the architecture (matrices
        normal with ``std``, norms at one): the random base's top for one seed."""
        with torch.no_grad():
            for name, p in self.named_parameters():
                if "norm" in name:
                    p.fill_(1.0)
                else:
                    p.copy_(torch.randn(p.shape, generator=generator) * std)
        return self


def trainable_parameters(top: Top) -> int:
    return sum(p.numel() for p in top.parameters() if p.requires_grad)
