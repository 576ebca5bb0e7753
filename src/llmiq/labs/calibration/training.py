"""Training the tiny GPT on prompts: the label tokens weighted up, optional gradient clipping,
checkpoints on the way."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch.nn import functional as F

from llmiq.labs.calibration.data import LABEL_IDS, PAD
from llmiq.labs.tinylm import GPT


def train_on_prompts(
    model: GPT,
    data: torch.Tensor,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    label_weight: float,
    generator: torch.Generator,
    clip_norm: float | None = None,
    on_step: Callable[[int], None] | None = None,
    every: int = 0,
    checkpoint: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """AdamW with cosine decay on whole prompts (``data``: (n, T + 1) ids): next-token
    cross-entropy over the non-pad tokens plus ``label_weight`` x the mean loss on the label
    words; with ``clip_norm``, ``clip_grad_norm_`` before each step; ``checkpoint(steps)``
    after every ``every`` steps. Returns losses and how often clipping acted."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    losses, label_losses, clipped = [], [], 0
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))
        rows = data[torch.randint(len(data), (batch_size,), generator=generator)]  # (B, T+1)
        x, y = rows[:, :-1], rows[:, 1:]  # (B, T) each
        token_loss = F.cross_entropy(
            model(x).reshape(-1, model.config.vocab_size), y.reshape(-1), reduction="none"
        )  # (B*T,)
        real = (y != PAD).reshape(-1).float()
        is_label = ((y == LABEL_IDS[0]) | (y == LABEL_IDS[1])).reshape(-1).float()
        label_loss = (token_loss * is_label).sum() / is_label.sum()
        loss = (token_loss * real).sum() / real.sum() + label_weight * label_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip_norm is not None:
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            clipped += int(norm.item() > clip_norm)
        optimizer.step()
        losses.append(loss.item())
        label_losses.append(label_loss.item())
        if on_step is not None:
            on_step(1)
        if checkpoint is not None and every and (step + 1) % every == 0:
            model.eval()
            checkpoint(step + 1)
            model.train()
    model.eval()
    return {"losses": losses, "label_losses": label_losses, "clipped_steps": clipped}
