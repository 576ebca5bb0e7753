"""A tiny GPT trained with fp32 master weights and fp16 gradients under a loss scaler: ours
(``scaling.DynamicLossScaler``) or ``torch.amp.GradScaler``, on the same batches; every
``measure_every`` steps the gradients are measured in each format."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.nn import functional as F

from llmiq.labs import tinylm
from llmiq.labs.mixed_precision.gradients import activation_gradients, gradient_values
from llmiq.labs.mixed_precision.scaling import DynamicLossScaler, store_in_fp16

#: (step, the fp32 gradients of the unscaled loss by kind, the scale S of that step)
Observer = Callable[[int, dict[str, torch.Tensor], float], None]


@dataclass
class TrainLog:
    losses: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)  # S used at each step
    skipped: list[int] = field(default_factory=list)  # steps whose gradients overflowed


def train_scaled(
    model: tinylm.GPT,
    data: torch.Tensor,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    scaler: DynamicLossScaler | torch.amp.GradScaler,
    generator: torch.Generator,
    observe: Observer | None = None,
    measure_every: int = 5,
    advance: Callable[[int], None] = lambda n: None,
) -> TrainLog:
    """AdamW with a cosine decay; backward of S * loss in fp32, gradients stored in fp16,
    then the scaler checks, unscales, steps (or skips) and updates S."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    params = list(model.parameters())
    watched = [*model.blocks, model.ln_f]  # activation gradients: each block's and ln_f's output
    log = TrainLog()
    model.train()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))
        x, y = tinylm.batches(data, model.config.block_size, batch_size, generator)
        with activation_gradients(model, watched) as kept:
            loss = F.cross_entropy(model(x).view(-1, model.config.vocab_size), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        torch_scaler = isinstance(scaler, torch.amp.GradScaler)
        scale = float(scaler.get_scale()) if torch_scaler else scaler.scale
        (scaler.scale(loss) if torch_scaler else loss * scale).backward()
        if observe is not None and step % measure_every == 0:
            values = gradient_values(model, kept)
            observe(step, {k: v / scale for k, v in values.items()}, scale)  # exact: S = 2^k
        store_in_fp16(params)
        if torch_scaler:
            scaler.step(optimizer)  # unscales, skips the step if a gradient is inf/NaN
            scaler.update()
            found_inf = float(scaler.get_scale()) < scale  # it backs off only on overflow
        else:
            found_inf = scaler.unscale(params)
            if not found_inf:
                optimizer.step()
            scaler.update(found_inf)
        log.losses.append(loss.item())
        log.scales.append(scale)
        if found_inf:
            log.skipped.append(step)
        advance(1)
    model.eval()
    return log
