"""tinylm's GPT with rotary positions instead of a learned position table: the same blocks,
with q and k rotated by their positions inside attention, so that it runs at any length.
Positions can be scaled (position interpolation, Chen et al. 2023) at evaluation or
fine-tuning time."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from llmiq.labs import tinylm
from llmiq.labs.rope.rotary import rotate


class RotaryAttention(tinylm.CausalSelfAttention):
    """tinylm's causal self-attention, q and k rotated (RoPE) before the dot products."""

    def __init__(self, config: tinylm.GPTConfig, base: float) -> None:
        super().__init__(config)
        self.base = base

    def forward(self, x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        q, k = rotate(q, positions, self.base), rotate(k, positions, self.base)  # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))


class RotaryBlock(tinylm.Block):
    def __init__(self, config: tinylm.GPTConfig, base: float) -> None:
        super().__init__(config)
        self.attn = RotaryAttention(config, base)

    def forward(self, x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        x = x + self.attn(self.ln1(x), positions)
        return x + self.mlp(self.ln2(x))


class RotaryGPT(nn.Module):
    """A byte-level decoder with no position table: ``config.block_size`` is only the length
    it trains on. ``position_scale`` multiplies the positions 0, 1, ..., T - 1 (1 = plain
    RoPE; L / T = position interpolation of a T-token input into the trained L)."""

    def __init__(self, config: tinylm.GPTConfig, base: float = 10000.0) -> None:
        super().__init__()
        self.config = config
        self.tok = nn.Embedding(config.vocab_size, config.n_embd)
        self.blocks = nn.ModuleList(RotaryBlock(config, base) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.tok.weight
        self.apply(tinylm.GPT._init)

    def forward(
        self, idx: torch.Tensor, position_scale: float = 1.0, position_offset: float = 0.0
    ) -> torch.Tensor:
        """Logits (B, T, vocab) for token ids (B, T), any T, at positions
        ``offset + scale * (0, 1, ..., T - 1)``; the offset changes nothing but round-off."""
        positions = (
            position_offset + torch.arange(idx.shape[1], dtype=torch.float64) * position_scale
        )
        x = self.tok(idx)  # (B, T, C)
        for block in self.blocks:
            x = block(x, positions)
        return self.head(self.ln_f(x))


def train(
    model: RotaryGPT,
    data: torch.Tensor,
    *,
    length: int,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    position_scale: float = 1.0,
    on_step: Callable[[int], None] | None = None,
) -> list[float]:
    """AdamW on next-token cross-entropy over random ``length``-token windows, with a cosine
    decay (tinylm's recipe); returns the loss per step."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    losses = []
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))
        x, y = tinylm.batches(data, length, batch_size, generator)
        logits = model(x, position_scale)
        loss = F.cross_entropy(logits.view(-1, model.config.vocab_size), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(1)
    model.eval()
    return losses


def held_out_windows(
    data: torch.Tensor, length: int, count: int, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` windows of ``data``: inputs and next-token targets, each (count, length);
    evenly spaced, or at random starts drawn with ``generator``."""
    if generator is None:
        starts = torch.linspace(0, len(data) - length - 2, count).long().tolist()
    else:
        starts = torch.randint(0, len(data) - length - 1, (count,), generator=generator).tolist()
    x = torch.stack([data[s : s + length] for s in starts])
    y = torch.stack([data[s + 1 : s + 1 + length] for s in starts])
    return x, y


@torch.no_grad()
def position_losses(
    model: RotaryGPT, x: torch.Tensor, y: torch.Tensor, position_scale: float = 1.0
) -> torch.Tensor:
    """Next-token loss (nats) of every window at every position: (windows, T)."""
    model.eval()
    logits = model(x, position_scale)  # (W, T, V)
    return F.cross_entropy(logits.transpose(1, 2), y, reduction="none")  # (W, T)
