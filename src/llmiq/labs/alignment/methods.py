"""The methods, each starting from a trainable copy of the frozen reference and measured at
checkpoints along the way: DPO, RLHF (reward model, then REINFORCE with a KL penalty), and
supervised fine-tuning on the pairs' replies (augmented, or the chosen ones). Each run also
counts what it consumed (``Compute``), so that "equal compute" is measured, not assumed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from llmiq.labs import preference
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.data import augmented_data
from llmiq.labs.alignment.measuring import Measured, measure
from llmiq.labs.preference import PreferencePair, RequestWorld, Tokens
from llmiq.labs.tinylm import GPT

Advance = Callable[[int], None]


@dataclass
class Compute:
    """What a method consumed, counted while it trained."""

    policy_updates: int = 0  # optimiser steps on the policy
    policy_sequences: int = 0  # replies the policy was trained on (forward and backward)
    reward_model_updates: int = 0  # optimiser steps on the reward model (RLHF)
    labelled_pairs: int = 0  # preference pairs drawn by DPO or by the reward model
    sampled_replies: int = 0  # replies the policy generated to learn from (RLHF)

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Arm:
    """One method's run on one seed: the policy measured at each checkpoint (the last is the
    end of the run), its losses and what it consumed."""

    name: str
    setting: float | None  # beta (DPO) or KL coefficient (RLHF); None for the supervised arms
    curve: list[tuple[int, Measured]]  # (updates so far, measurement)
    losses: list[float]
    compute: Compute
    history: list[preference.PolicyGradientStep] = field(default_factory=list)

    @property
    def final(self) -> Measured:
        return self.curve[-1][1]


@contextmanager
def counted(module: nn.Module) -> Iterator[list[int]]:
    """Counts the sequences ``module`` sees with gradients on (training forwards, not the
    measurements' no-grad ones): ``with counted(policy) as n: ...; n[0]``."""
    count = [0]

    def hook(_: nn.Module, args: tuple) -> None:
        if torch.is_grad_enabled():
            count[0] += len(args[0])

    handle = module.register_forward_pre_hook(hook)
    try:
        yield count
    finally:
        handle.remove()


class Checkpoints:
    """``on_step`` for a training loop: measures the policy after each update count in
    ``at`` and at the end of the run (``config.steps``), with the same sampling seed at the
    same step for every method."""

    def __init__(
        self,
        reference: GPT,
        world: RequestWorld,
        baseline: dict[int, list[int]],
        config: Config,
        seed: int,
        at: tuple[int, ...] = (),
    ) -> None:
        self.reference, self.world, self.baseline = reference, world, baseline
        self.config, self.seed = config, seed
        self.wanted = {s for s in at if s <= config.steps} | {config.steps}
        self.curve: list[tuple[int, Measured]] = []

    def __call__(self, step: int, policy: GPT) -> None:
        if step not in self.wanted:
            return
        measured = measure(
            policy, self.reference, self.world, self.baseline,
            samples=self.config.samples_per_request, max_new_tokens=self.config.max_new_tokens,
            seed=self.seed * 1009 + step,
        )  # fmt: skip
        policy.train()
        self.curve.append((step, measured))


def run_dpo(
    reference: GPT,
    pairs: list[PreferencePair],
    beta: float,
    checkpoints: Checkpoints,
    config: Config,
    seed: int,
    advance: Advance = lambda _: None,
) -> Arm:
    policy = preference.policy_from(reference)
    with counted(policy) as sequences:
        losses = preference.train_dpo(
            policy, reference, pairs, beta=beta, steps=config.steps,
            batch_size=config.pairs_per_step, lr=config.dpo_lr,
            generator=torch.Generator().manual_seed(seed), advance=advance, on_step=checkpoints,
        )  # fmt: skip
    steps = len(losses)
    compute = Compute(steps, sequences[0], labelled_pairs=steps * config.pairs_per_step)
    return Arm("dpo", beta, checkpoints.curve, losses, compute)


def fit_reward_model(
    reference: GPT,
    pairs: list[PreferencePair],
    config: Config,
    seed: int,
    advance: Advance = lambda _: None,
) -> tuple[preference.RewardModel, list[float], int]:
    """A Bradley-Terry reward model on the pairs, as many updates and pairs as DPO gets; it
    is returned frozen, with its losses and the pairs it drew (counted)."""
    model = preference.RewardModel(reference)
    with counted(model) as sequences:
        losses = preference.train_reward_model(
            model, pairs, steps=config.steps, batch_size=config.pairs_per_step,
            lr=config.reward_lr, generator=torch.Generator().manual_seed(seed), advance=advance,
        )  # fmt: skip
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model, losses, sequences[0] // 2  # a pair is its chosen and its rejected reply


def run_rlhf(
    reference: GPT,
    world: RequestWorld,
    reward_model: preference.RewardModel,
    reward_model_cost: tuple[int, int],
    kl_coef: float,
    checkpoints: Checkpoints,
    config: Config,
    seed: int,
    advance: Advance = lambda _: None,
) -> Arm:
    """REINFORCE with a KL penalty on the reward model's scores; ``reward_model_cost`` is
    (updates, pairs drawn) of fitting the reward model, charged to this run."""
    sampled = [0]

    def reward(prompts: list[Tokens], responses: list[Tokens]) -> torch.Tensor:
        sampled[0] += len(responses)
        return reward_model(prompts, responses)

    policy = preference.policy_from(reference)
    with counted(policy) as sequences:
        history = preference.train_policy_gradient(
            policy, reference, [world.prompt(v, o) for v, o in world.train_requests], reward,
            end=world.vocab.end, kl_coef=kl_coef, steps=config.steps,
            batch_size=config.episodes_per_step, lr=config.rl_lr,
            max_new_tokens=config.max_new_tokens, generator=torch.Generator().manual_seed(seed),
            advance=advance, on_step=checkpoints,
        )  # fmt: skip
    updates, pairs = reward_model_cost
    compute = Compute(len(history), sequences[0], updates, pairs, sampled[0])
    losses = [h.reward for h in history]
    return Arm("rlhf", kl_coef, checkpoints.curve, losses, compute, history)


def run_supervised(
    name: str,
    reference: GPT,
    world: RequestWorld,
    pairs: list[PreferencePair],
    *,
    chosen_only: bool,
    copies: int,
    lr: float,
    checkpoints: Checkpoints,
    config: Config,
    seed: int,
    advance: Advance = lambda _: None,
) -> Arm:
    """Supervised fine-tuning on the pairs' replies: both of each pair (no preference) or the
    chosen one, with ``copies`` augmented variants of each."""
    prompts, responses = augmented_data(
        pairs, world.vocab, copies=copies, seed=seed, chosen_only=chosen_only
    )
    policy = preference.policy_from(reference)
    with counted(policy) as sequences:
        losses = preference.train_sft(
            policy, prompts, responses, steps=config.steps,
            batch_size=config.sft_replies_per_step, lr=lr,
            generator=torch.Generator().manual_seed(seed), advance=advance, on_step=checkpoints,
        )  # fmt: skip
    return Arm(name, None, checkpoints.curve, losses, Compute(len(losses), sequences[0]))
