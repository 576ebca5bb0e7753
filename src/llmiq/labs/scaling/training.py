"""Building the models, scoring held-out text, and one training run with its checkpoints."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from llmiq.labs import tinylm
from llmiq.labs.scaling.config import Config, Size


def build_model(size: Size, config: Config, seed: int) -> tinylm.GPT:
    """A fresh GPT of ``size``, its weights drawn from ``seed`` with std ``config.init_std``
    (biases zero, LayerNorms at 1 and 0). Every size is built from the same seed, so two
    "sizes" with one shape are the same model."""
    shape = tinylm.GPTConfig(
        block_size=config.block_size, n_layer=size.n_layer, n_head=size.n_head, n_embd=size.n_embd
    )
    torch.manual_seed(seed)
    model = tinylm.GPT(shape)

    def init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=config.init_std)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    model.apply(init)
    return model


def non_embedding_params(model: nn.Module) -> int:
    """Parameters outside the token and position embeddings: Kaplan et al.'s N. The output
    layer is tied to the token embedding, so it is not counted either."""
    return sum(
        p.numel() for name, p in model.named_parameters() if not name.startswith(("tok.", "pos."))
    )


def held_out_windows(
    ids: torch.Tensor, block_size: int, count: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` non-overlapping windows spread evenly over ``ids``, as (inputs, next-byte
    targets), each (count, block_size): one fixed sample every model is scored on.

    >>> x, y = held_out_windows(torch.arange(13), 3, 2)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [9, 10, 11]], [[1, 2, 3], [10, 11, 12]])
    """
    n = (len(ids) - 1) // block_size
    picks = torch.linspace(0, n - 1, min(count, n)).round().long()
    starts = picks * block_size
    x = torch.stack([ids[s : s + block_size] for s in starts.tolist()])
    y = torch.stack([ids[s + 1 : s + 1 + block_size] for s in starts.tolist()])
    return x, y


def held_out_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 64) -> float:
    """Mean next-byte cross-entropy (nats/byte) of ``model`` on windows (N, T)."""
    return tinylm.window_losses(model, x, y, chunk).mean().item()


def unigram_cross_entropy(train: torch.Tensor, held: torch.Tensor) -> float:
    """Held-out loss (nats/byte) of the best context-free model: byte frequencies of the
    training text (add-one smoothed). A model below it uses the context.

    >>> round(unigram_cross_entropy(torch.tensor([0, 1] * 50_000), torch.tensor([0, 1])), 3)
    0.696

    Two equally frequent bytes cost ln 2 = 0.693 nats each, plus a little for the smoothing.
    """
    counts = torch.bincount(train, minlength=tinylm.VOCAB).double() + 1
    log_p = (counts / counts.sum()).log()
    return -log_p[held].mean().item()


def learning_rate(step: int, steps: int, config: Config, peak: float | None = None) -> float:
    """Linear warm-up to ``peak`` (``config.learning_rate`` by default), then a cosine decay
    to ``final_lr_fraction`` of it at the last step; the same shape, stretched to its
    length, for every run.

    >>> cfg = Config(learning_rate=1.0, warmup_fraction=0.1, final_lr_fraction=0.1)
    >>> [round(learning_rate(s, 101, cfg), 3) for s in (0, 9, 10, 55, 100)]
    [0.1, 1.0, 1.0, 0.55, 0.1]
    """
    top = config.learning_rate if peak is None else peak
    warmup = max(1, round(config.warmup_fraction * steps))
    if step < warmup:
        return top * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - 1 - warmup)
    floor = config.final_lr_fraction
    return top * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def checkpoint_steps(steps: int, checkpoints: int) -> list[int]:
    """Step 0 (before any update) and ``checkpoints`` log-spaced steps, halving from the end.

    >>> checkpoint_steps(400, 6)
    [0, 12, 25, 50, 100, 200, 400]
    """
    halvings = {round(steps / 2**k) for k in range(checkpoints)}
    return [0, *sorted(s for s in halvings if s > 0)]


@dataclass
class Run:
    """One model trained for ``steps``: the held-out loss at each checkpoint."""

    steps: list[int]  # checkpoint steps, 0 first
    tokens: list[int]  # tokens seen at each checkpoint
    held_out: list[float]  # held-out loss (nats/byte) at each checkpoint
    windows: list[list[float]]  # the loss of each held-out window at each checkpoint
    final_train_loss: float  # mean training loss over the last tenth of the steps
    seconds: float  # wall time of the run, evaluations included
    train_losses: list[float] = field(default_factory=list, repr=False)

    @property
    def final(self) -> float:
        return self.held_out[-1]


def train_run(
    model: tinylm.GPT,
    data: torch.Tensor,
    held: tuple[torch.Tensor, torch.Tensor],
    steps: int,
    config: Config,
    seed: int,
    advance: Callable[[int], None] = lambda n: None,
    peak: float | None = None,
) -> Run:
    """Train ``model`` for ``steps`` AdamW steps on random windows of ``data`` drawn from
    ``seed`` (the same batches, in the same order, for every model given the same seed) at
    peak learning rate ``peak`` (``config.learning_rate`` by default), scoring ``held`` at
    ``checkpoint_steps``. With ``config.shuffle_labels`` the targets of each batch are
    permuted: the inputs no longer say anything about their next byte."""
    started = time.perf_counter()
    batches = torch.Generator().manual_seed(seed)
    shuffler = torch.Generator().manual_seed(seed + 1)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=0.0, fused=True
    )  # fused: one kernel for the whole update, faster for tiny models
    marks = checkpoint_steps(steps, config.checkpoints)
    tokens_per_step = config.batch_size * config.block_size
    windows = [tinylm.window_losses(model, *held).tolist()]
    losses: list[float] = []
    for step in range(steps):
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, steps, config, peak)
        x, y = tinylm.batches(data, config.block_size, config.batch_size, batches)  # (B, T)
        if config.shuffle_labels:
            y = y.flatten()[torch.randperm(y.numel(), generator=shuffler)].view_as(y)
        logits = model(x)  # (B, T, V)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        advance(1)
        if step + 1 in marks:
            windows.append(tinylm.window_losses(model, *held).tolist())
    tail = losses[-max(1, steps // 10) :]
    return Run(
        steps=marks,
        tokens=[s * tokens_per_step for s in marks],
        held_out=[sum(w) / len(w) for w in windows],
        windows=windows,
        final_train_loss=sum(tail) / len(tail),
        seconds=time.perf_counter() - started,
        train_losses=losses,
    )
