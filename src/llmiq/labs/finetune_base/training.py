"""Fine-tuning a base's top on its cached frozen states until the dev loss stops improving,
and the loss on held-out documents in nats per character (comparable across tokenizers)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch.nn import functional as F

from llmiq.labs.finetune_base.backbone import Top
from llmiq.labs.finetune_base.data import Document


def token_batch(
    states: Sequence[torch.Tensor],
    docs: Sequence[Document],
    picks: Sequence[tuple[int, int]],
    column: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The tokens of (document, positions) picks, concatenated: a pick reads the first
    ``positions`` states of its document and predicts the token after each. Returns (states
    (N, 2, C), targets (N,) as columns of the restricted output -- ``column`` maps a token id
    to its column -- and the pick each token came from (N,)).

    >>> doc = Document("ab", (0, 5, 6), (1, 2))
    >>> x, y, pick = token_batch([torch.ones(3, 2, 4)], [doc], [(0, 2), (0, 1)], torch.arange(9))
    >>> x.shape, y.tolist(), pick.tolist()
    (torch.Size([3, 2, 4]), [5, 6, 5], [0, 0, 1])
    """
    x = torch.cat([states[i][:n] for i, n in picks])
    y = torch.cat([column[torch.tensor(docs[i].ids[1 : n + 1])] for i, n in picks])
    pick = torch.cat([torch.full((n,), k) for k, (_, n) in enumerate(picks)])
    return x, y, pick


def _logits(top: Top, states: torch.Tensor) -> torch.Tensor:
    with torch.autocast("cpu", dtype=torch.bfloat16):
        return top(states).float()  # (N, V)


@torch.no_grad()
def document_losses(
    top: Top,
    states: Sequence[torch.Tensor],
    docs: Sequence[Document],
    column: torch.Tensor,
    batch: int = 64,
) -> list[float]:
    """Each whole document's loss in nats per character: the sum of its tokens' negative
    log-likelihoods over the restricted output, divided by its length in characters."""
    top.eval()
    losses: list[float] = []
    for start in range(0, len(docs), batch):
        picks = [(i, len(docs[i].ids) - 1) for i in range(start, min(start + batch, len(docs)))]
        x, y, pick = token_batch(states, docs, picks, column)
        nll = F.cross_entropy(_logits(top, x), y, reduction="none")  # (N,)
        per_doc = torch.zeros(len(picks)).index_add_(0, pick, nll)
        losses += [per_doc[k].item() / len(docs[i].text) for k, (i, _) in enumerate(picks)]
    return losses


@dataclass
class FineTuned:
    top: Top  # the weights of the best dev evaluation
    best_step: int  # step of that evaluation (0: the base itself)
    steps: int  # steps actually run
    converged: bool  # the dev loss stopped improving (early stop) before the step cap
    dev_curve: list[float] = field(default_factory=list)  # dev loss at 0, eval_every, ...


@dataclass(frozen=True)
class Budget:
    steps: int  # at most this many AdamW steps (the cap)
    batch_docs: int  # of this many documents each, drawn with replacement from the sample
    eval_every: int  # steps between dev evaluations
    patience: int  # evaluations without a new best that stop the run: converged


def fine_tune(
    top: Top,
    states: Sequence[torch.Tensor],
    docs: Sequence[Document],
    picks: Sequence[tuple[int, int]],
    dev: tuple[Sequence[torch.Tensor], Sequence[Document]],
    column: torch.Tensor,
    lr: float,
    budget: Budget,
    seed: int,
    advance: Callable[[int], None] = lambda n: None,
) -> FineTuned:
    """A copy of ``top`` trained on the ``picks`` of ``docs`` with AdamW at a constant rate
    (bf16 autocast), the dev loss measured every ``eval_every`` steps and the weights of the
    lowest kept. The run stops when ``patience`` evaluations in a row bring no new best
    (converged) or at the step cap. The batches depend on ``seed`` and the sample only, so
    every base sees the same documents in the same order, and two data sizes given the same
    sample train identically. ``advance`` gets every step (and the unused rest of the cap).

    The rate is constant so that a flat dev loss means the top has learnt what it can from
    the data, not that a decaying schedule has frozen it."""
    model = copy.deepcopy(top)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, fused=True)
    generator = torch.Generator().manual_seed(seed)
    dev_states, dev_docs = dev

    def dev_loss() -> float:
        losses = document_losses(model, dev_states, dev_docs, column)
        return sum(losses) / len(losses)

    curve = [dev_loss()]
    best_step, best_state = 0, copy.deepcopy(model.state_dict())
    wait, step = budget.patience * budget.eval_every, 0
    while step < budget.steps and step - best_step < wait:
        model.train()
        chosen = torch.randint(len(picks), (budget.batch_docs,), generator=generator)
        x, y, _ = token_batch(states, docs, [picks[i] for i in chosen], column)
        loss = F.cross_entropy(_logits(model, x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        advance(1)
        if step % budget.eval_every == 0:
            curve.append(dev_loss())
            if curve[-1] < min(curve[:-1]):
                best_step, best_state = step, copy.deepcopy(model.state_dict())
    advance(budget.steps - step)
    model.load_state_dict(best_state)
    model.eval()
    return FineTuned(model, best_step, step, step - best_step >= wait, curve)
