"""The three methods, each starting from a trainable copy of the frozen reference: DPO, RLHF
(reward model, then REINFORCE with a KL penalty), and fine-tuning on augmented replies; and
DPO left running, measured on the way."""

from __future__ import annotations

import math

import torch

from llmiq.labs import preference
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.data import augmented_data
from llmiq.labs.alignment.measuring import measure
from llmiq.labs.preference import PreferencePair, RequestWorld, Tokens
from llmiq.labs.tinylm import GPT


def dpo_steps(config: Config, pairs: int) -> int:
    return max(1, math.ceil(config.dpo_epochs * pairs / config.batch_size))


def run_dpo(
    reference: GPT,
    pairs: list[PreferencePair],
    config: Config,
    generator: torch.Generator,
    advance=lambda _: None,
) -> tuple[GPT, list[float]]:
    policy = preference.policy_from(reference)
    losses = preference.train_dpo(
        policy, reference, pairs, beta=config.beta, steps=dpo_steps(config, len(pairs)),
        batch_size=config.batch_size, lr=config.dpo_lr, generator=generator, advance=advance,
    )  # fmt: skip
    return policy, losses


def dpo_curve(
    reference: GPT,
    world: RequestWorld,
    pairs: list[PreferencePair],
    baseline: dict[int, list[int]],
    config: Config,
    seed: int,
    advance=lambda _: None,
) -> list[dict[str, float]]:
    """DPO run for max(dpo_curve_epochs) epochs, measured after each listed epoch count: how
    the win-rate and the KL evolve when DPO is left running on deterministic preferences."""
    if not config.dpo_curve_epochs:
        return []
    per_epoch = len(pairs) / config.batch_size
    wanted = {max(1, math.ceil(e * per_epoch)): e for e in config.dpo_curve_epochs}
    points: list[dict[str, float]] = []

    def observe(step: int, policy: GPT) -> None:
        if step in wanted:
            m = measure(policy, reference, world, baseline, config, seed + step)
            policy.train()
            shares = {k: round(v, 4) for k, v in m.shares.items()}
            point = {"epochs": wanted[step], "steps": step, "win_rate": round(m.win_rate, 4)}
            points.append(point | {"kl": round(m.kl, 4)} | shares)

    policy = preference.policy_from(reference)
    preference.train_dpo(
        policy, reference, pairs, beta=config.beta, steps=max(wanted), batch_size=config.batch_size,
        lr=config.dpo_lr, generator=torch.Generator().manual_seed(seed), advance=advance,
        on_step=observe,
    )  # fmt: skip
    return points


def run_rlhf(
    reference: GPT,
    world: RequestWorld,
    pairs: list[PreferencePair],
    config: Config,
    generator: torch.Generator,
    advance=lambda _: None,
) -> tuple[GPT, preference.RewardModel, list[float], list[preference.PolicyGradientStep]]:
    reward_model = preference.RewardModel(reference)
    reward_losses = preference.train_reward_model(
        reward_model, pairs, steps=config.reward_steps, batch_size=config.batch_size,
        lr=config.reward_lr, generator=generator, advance=advance,
    )  # fmt: skip
    for parameter in reward_model.parameters():
        parameter.requires_grad_(False)

    def reward(prompts: list[Tokens], responses: list[Tokens]) -> torch.Tensor:
        return reward_model(prompts, responses)

    policy = preference.policy_from(reference)
    history = preference.train_policy_gradient(
        policy, reference, [world.prompt(v, o) for v, o in world.train_requests], reward,
        end=world.vocab.end, kl_coef=config.kl_coef, steps=config.rl_steps,
        batch_size=config.batch_size, lr=config.rl_lr, max_new_tokens=config.max_new_tokens,
        generator=generator, advance=advance,
    )  # fmt: skip
    return policy, reward_model, reward_losses, history


def run_augmentation(
    reference: GPT,
    world: RequestWorld,
    config: Config,
    seed: int,
    generator: torch.Generator,
    advance=lambda _: None,
) -> tuple[GPT, list[float]]:
    prompts, responses = augmented_data(world, config.augment_copies, seed)
    policy = preference.policy_from(reference)
    losses = preference.train_sft(
        policy, prompts, responses, steps=config.augment_steps, batch_size=config.batch_size,
        lr=config.augment_lr, generator=generator, advance=advance,
    )  # fmt: skip
    return policy, losses
