"""Training on preferences: supervised fine-tuning (SFT), DPO, the Bradley-Terry reward model
and REINFORCE with a KL penalty, all through one loop (``optimise``) and one small Adam.

The methods differ only in the loss of a step: each draws its own mini-batch from the
generator it is given, in the order the loop asks for steps, so a run is reproducible from
its seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import torch
import torch.nn.functional as F
from torch import nn

from llmiq.labs.preference.objectives import RewardModel, bradley_terry_loss, dpo_loss
from llmiq.labs.preference.policy import (
    episode_batch,
    policy_config,
    response_logprobs,
    sample_responses,
    token_logprobs,
)
from llmiq.labs.preference.world import PreferencePair, RequestWorld, RewardFn, Tokens
from llmiq.labs.tinylm import GPT

ModelT = TypeVar("ModelT", bound=nn.Module)


class Adam:
    """Adam (Kingma & Ba 2015) with torch's defaults and no weight decay, step t:

        m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2,
        p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)

    the same arithmetic as ``torch.optim.Adam`` (the tests compare them). Written out because
    constructing any ``torch.optim`` optimizer imports ``torch._dynamo``, measured at 1.8-2.4 s
    on the 2-core machine: a third of a ``--fast`` run of these labs.
    """

    def __init__(
        self,
        params: Iterable[nn.Parameter],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1**self.t)
        bias2_sqrt = math.sqrt(1 - b2**self.t)
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m.lerp_(p.grad, 1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.addcdiv_(m, (v.sqrt() / bias2_sqrt).add_(self.eps), value=-step_size)


def optimise(
    model: ModelT,
    loss_at: Callable[[int], torch.Tensor],
    *,
    steps: int,
    lr: float | Callable[[int], float],
    advance: Callable[[int], None] = lambda _: None,
    on_step: Callable[[int, ModelT], None] | None = None,
) -> list[float]:
    """The one training loop: ``steps`` Adam updates of ``model`` on ``loss_at(step)``, which
    draws its own batch; the loss per step. ``lr`` is a rate or a schedule of the step;
    ``on_step(step, model)`` sees the model after each update (step counts from 1). The model
    is left in eval mode."""
    optimizer = Adam(model.parameters(), lr=lr(0) if callable(lr) else lr)
    model.train()
    losses = []
    for step in range(steps):
        if callable(lr):
            optimizer.lr = lr(step)
        loss = loss_at(step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step + 1, model)
        advance(1)
    model.eval()
    return losses


def pair_scores(
    score: Callable[[list[Tokens], list[Tokens]], torch.Tensor], pairs: Sequence[PreferencePair]
) -> tuple[torch.Tensor, torch.Tensor]:
    """``score`` of the chosen and of the rejected responses, (B,) each, in one forward pass."""
    both = score(
        [p.prompt for p in pairs] * 2, [p.chosen for p in pairs] + [p.rejected for p in pairs]
    )  # (2B,)
    return both[: len(pairs)], both[len(pairs) :]


def train_reference(
    world: RequestWorld,
    *,
    n_layer: int,
    n_embd: int,
    max_new_tokens: int,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
) -> tuple[GPT, list[float]]:
    """The reference policy: a fresh GPT fine-tuned (SFT) on the world's replies, which it
    then gives about half polite, half rude. Returns it (frozen, in eval mode) and the losses."""
    prompts, responses = world.sft_data()
    block = max(len(p) for p in prompts) + max_new_tokens
    model = GPT(policy_config(len(world.vocab), block, n_layer, n_embd))
    losses = train_sft(
        model, prompts, responses, steps=steps, batch_size=batch_size, lr=lr,
        generator=generator, advance=advance,
    )  # fmt: skip
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model.eval(), losses


def train_sft(
    model: GPT,
    prompts: Sequence[Tokens],
    responses: Sequence[Tokens],
    *,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
    on_step: Callable[[int, GPT], None] | None = None,
) -> list[float]:
    """Next-token cross-entropy on the response tokens of random episodes, the learning rate
    decayed to 0 on a cosine as in ``tinylm.train``; loss per step. ``on_step(step, model)``
    sees the model after each update."""

    def loss_at(step: int) -> torch.Tensor:
        rows = torch.randint(len(prompts), (batch_size,), generator=generator).tolist()
        inputs, targets, mask = episode_batch(
            [prompts[i] for i in rows], [responses[i] for i in rows]
        )
        return -token_logprobs(model, inputs, targets, mask).sum() / mask.sum()

    def cosine(step: int) -> float:
        return lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))

    return optimise(model, loss_at, steps=steps, lr=cosine, advance=advance, on_step=on_step)


def train_dpo(
    policy: GPT,
    reference: GPT,
    pairs: Sequence[PreferencePair],
    *,
    beta: float,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
    on_step: Callable[[int, GPT], None] | None = None,
) -> list[float]:
    """DPO on random mini-batches of pairs, starting from the policy as given; loss per step.
    ``on_step(step, policy)`` sees the policy after each update."""
    prompts = [p.prompt for p in pairs]
    with torch.no_grad():
        reference.eval()
        ref_chosen = response_logprobs(reference, prompts, [p.chosen for p in pairs])  # (N,)
        ref_rejected = response_logprobs(reference, prompts, [p.rejected for p in pairs])

    def loss_at(step: int) -> torch.Tensor:
        rows = torch.randint(len(pairs), (batch_size,), generator=generator)
        batch = [pairs[i] for i in rows.tolist()]
        chosen, rejected = pair_scores(lambda x, y: response_logprobs(policy, x, y), batch)
        loss, _ = dpo_loss(chosen, rejected, ref_chosen[rows], ref_rejected[rows], beta)
        return loss

    return optimise(policy, loss_at, steps=steps, lr=lr, advance=advance, on_step=on_step)


def train_reward_model(
    reward_model: RewardModel,
    pairs: Sequence[PreferencePair],
    *,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
) -> list[float]:
    """Bradley-Terry fit on random mini-batches of pairs; loss per step."""

    def loss_at(step: int) -> torch.Tensor:
        rows = torch.randint(len(pairs), (batch_size,), generator=generator)
        chosen, rejected = pair_scores(reward_model, [pairs[i] for i in rows.tolist()])
        return bradley_terry_loss(chosen, rejected)

    return optimise(reward_model, loss_at, steps=steps, lr=lr, advance=advance)


@dataclass
class PolicyGradientStep:
    step: int  # optimiser steps taken so far
    reward: float  # mean optimised reward of this step's samples (before the KL penalty)
    kl: float  # mean KL(pi || pi_ref) on this step's samples, nats (see response_kl)
    measures: dict[str, float]  # mean of each extra measure on the same samples


def train_policy_gradient(
    policy: GPT,
    reference: GPT,
    prompts: Sequence[Tokens],
    reward: RewardFn,
    *,
    end: int,
    kl_coef: float,
    steps: int,
    batch_size: int,
    lr: float,
    max_new_tokens: int,
    generator: torch.Generator,
    measures: dict[str, RewardFn] | None = None,
    advance: Callable[[int], None] = lambda _: None,
    on_step: Callable[[int, GPT], None] | None = None,
) -> list[PolicyGradientStep]:
    """REINFORCE with a KL penalty to the frozen reference; one record per step.

    Each step samples one response for each of ``batch_size`` random prompts, scores it
    ``R = reward(x, y) - kl_coef * (log pi(y|x) - log pi_ref(y|x))`` and follows
    ``mean((R - b) * grad log pi(y|x))`` with the leave-one-out baseline ``b`` (the mean R
    of the other samples of the batch: unbiased, and less noisy than no baseline). Since
    ``E[(log pi - log pi_ref) grad log pi] = grad KL(pi || pi_ref)``, the penalty in the reward
    is a gradient step on the KL. ``measures`` (e.g. a gold reward nobody optimises) are
    evaluated on the same samples and recorded, never used for the update; ``on_step(step,
    policy)`` sees the policy after each update (to keep snapshots).
    """
    reference.eval()
    history: list[PolicyGradientStep] = []

    def loss_at(step: int) -> torch.Tensor:
        rows = torch.randint(len(prompts), (batch_size,), generator=generator).tolist()
        batch = [prompts[i] for i in rows]
        responses = sample_responses(
            policy, batch, end=end, max_new_tokens=max_new_tokens, generator=generator
        )
        inputs, targets, mask = episode_batch(batch, responses)
        policy.train()
        logits = policy(inputs)  # (B, T-1, V)
        logp_all = F.log_softmax(logits, dim=-1)
        logp = (logp_all.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask).sum(-1)  # (B,)
        with torch.no_grad():
            logq_all = F.log_softmax(reference(inputs), dim=-1)  # (B, T-1, V)
            ref_logp = (logq_all.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask).sum(-1)
            kl_full = ((logp_all.exp() * (logp_all - logq_all)).sum(-1) * mask).sum(-1)  # (B,)
            task = reward(batch, responses).float()  # (B,)
            total = task - kl_coef * (logp.detach() - ref_logp)
            baseline = (total.sum() - total) / (len(total) - 1)
            extra = {
                name: fn(batch, responses).float().mean().item()
                for name, fn in (measures or {}).items()
            }
        history.append(
            PolicyGradientStep(step + 1, task.mean().item(), kl_full.mean().item(), extra)
        )
        return -((total - baseline) * logp).mean()

    optimise(policy, loss_at, steps=steps, lr=lr, advance=advance, on_step=on_step)
    return history
