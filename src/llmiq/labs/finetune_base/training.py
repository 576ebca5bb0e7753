"""The next-token loss from scratch, pre-training a base and fine-tuning it on the target
style with early stopping on held-out text."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.nn import functional as F

from llmiq.labs import tinylm
from llmiq.labs.finetune_base.config import Base, Config


def next_token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy in nats, written out: -log softmax(logits)[target].

    logits (B, T, V), targets (B, T). Uniform logits over V = 256 bytes cost log 256 = 5.545
    nats whatever the target: the loss of a model that knows nothing.
    """
    log_probs = logits - logits.logsumexp(-1, keepdim=True)  # (B, T, V)
    return -log_probs.gather(-1, targets.unsqueeze(-1)).mean()


def windows(ids: torch.Tensor, block_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every non-overlapping window of ``ids`` as (inputs, next-byte targets), each
    (N, block_size): a deterministic cover of held-out text (tinylm samples random windows).

    >>> x, y = windows(torch.arange(7), 3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    n = (len(ids) - 1) // block_size
    x = ids[: n * block_size].view(n, block_size)
    y = ids[1 : n * block_size + 1].view(n, block_size)
    return x, y


@torch.no_grad()
def held_out_loss(model: tinylm.GPT, ids: torch.Tensor, chunk: int = 128) -> float:
    """Mean next-byte loss (nats) of ``model`` over every window of ``ids``."""
    model.eval()
    x, y = windows(ids, model.config.block_size)  # (N, T) each
    total = 0.0
    for start in range(0, len(x), chunk):
        xs, ys = x[start : start + chunk], y[start : start + chunk]
        total += next_token_loss(model(xs), ys).item() * len(xs)
    return total / len(x)


# --- pre-training and fine-tuning -----------------------------------------------------------


def pretrain(
    base: Base,
    config: Config,
    seed: int,
    data: torch.Tensor | None,
    advance: Callable[[int], None] = lambda n: None,
) -> tinylm.GPT:
    """The base: a fresh GPT, seeded by its shape (a fresh and a pre-trained base of one
    shape start from the same weights), then ``pretrain_steps`` on ``data`` if pre-trained."""
    shape = tinylm.GPTConfig(block_size=config.block_size, n_layer=base.n_layer, n_embd=base.n_embd)
    torch.manual_seed(seed * 1_000_003 + base.n_layer * 1_000 + base.n_embd)
    model = tinylm.GPT(shape)
    if base.pretrained and data is not None and config.pretrain_steps > 0:
        tinylm.train(
            model,
            data,
            steps=config.pretrain_steps,
            batch_size=config.batch_size,
            lr=config.pretrain_lr,
            generator=torch.Generator().manual_seed(seed),
            on_step=advance,
        )
    model.eval()
    return model


@dataclass
class FineTuned:
    model: tinylm.GPT  # the weights of the best dev evaluation
    best_step: int  # step of that evaluation (0: the base itself)
    steps: int  # steps actually run
    converged: bool  # stopped early: the dev loss had stopped improving before the budget
    dev_curve: list[float] = field(default_factory=list)  # dev loss at 0, eval_every, ...


def fine_tune(
    base: tinylm.GPT,
    train_ids: torch.Tensor,
    dev_ids: torch.Tensor,
    config: Config,
    seed: int,
    advance: Callable[[int], None] = lambda n: None,
) -> FineTuned:
    """A copy of ``base`` fine-tuned on ``train_ids`` with AdamW at a constant learning rate
    and early stopping: the dev loss is measured every ``eval_every`` steps, and once past
    ``grace_steps`` the run stops when ``patience`` evaluations in a row have not improved it
    by ``min_gain``; the weights of the lowest dev loss are kept. A run that reaches
    ``finetune_steps`` first is not converged: it was still improving. ``advance`` gets every
    step (and the unused rest of the budget at a stop).

    The learning rate is constant so that a flat dev loss means the model has learnt what it
    can from the data, not that a decaying schedule has frozen it."""
    model = copy.deepcopy(base)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.finetune_lr, weight_decay=0.0, fused=True
    )  # fused: one kernel for the whole update, faster for tiny models
    generator = torch.Generator().manual_seed(seed)
    curve = [held_out_loss(model, dev_ids)]
    best_step, best_state = 0, copy.deepcopy(model.state_dict())
    gain_step, reference = 0, curve[0]  # the last evaluation that beat the best by min_gain

    def stalled() -> bool:
        return step >= config.grace_steps and step - gain_step >= wait

    wait, step = config.patience * config.eval_every, 0
    while step < config.finetune_steps and not stalled():
        model.train()
        x, y = tinylm.batches(train_ids, config.block_size, config.batch_size, generator)
        logits = model(x)  # (B, T, V)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        advance(1)
        if step % config.eval_every == 0:
            dev_loss = held_out_loss(model, dev_ids)
            if dev_loss < min(curve):
                best_step, best_state = step, copy.deepcopy(model.state_dict())
            if dev_loss < reference - config.min_gain:
                gain_step, reference = step, dev_loss
            curve.append(dev_loss)
    advance(config.finetune_steps - step)
    model.load_state_dict(best_state)
    model.eval()
    return FineTuned(model, best_step, step, stalled(), curve)
