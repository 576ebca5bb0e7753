"""The alignment lab's run: every seed's world, reference and three methods, measured with
the hidden rule and averaged; what it measured, as ``AlignmentMetrics``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch
import torch.nn.functional as F

from llmiq.labs import preference
from llmiq.labs.alignment.claims import augmentation_claim, moves_claim
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.data import swapped
from llmiq.labs.alignment.figures import plot_results, plot_training
from llmiq.labs.alignment.measuring import Measured, average, measure, reference_scores
from llmiq.labs.alignment.methods import dpo_curve, dpo_steps, run_augmentation, run_dpo, run_rlhf
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabResult


@dataclass
class AlignmentMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    seeds: list[int]
    vocab_size: int
    policy_params: int
    train_requests: int
    held_out_requests: int
    preference_pairs: int
    swap_preferences: bool
    beta: float
    kl_coef: float
    dpo_steps: int
    final_losses: dict[str, float]
    reward_model_held_out_accuracy: float
    rl_final_reward: float
    dpo_loss_vs_torch_abs_error: float
    samples_per_method_and_seed: int
    win_rate: dict[str, float]
    win_rate_by_seed: dict[str, list[float]]
    kl_to_reference_nats: dict[str, float]
    reply_shares: dict[str, dict[str, float]]
    examples: dict[str, list[str]]
    dpo_by_epochs: list[Any]
    torch_threads_used: int


def run(config: Config, context: LabContext) -> LabResult[AlignmentMetrics]:
    with torch_threads(1):
        return _run(config, context)


@dataclass
class SeedRun:
    """Everything one seed of the experiment produced."""

    seed: int
    measured: dict[str, Measured]  # reference, dpo, rlhf, augmentation
    reward_accuracy: float  # the reward model on held-out pairs
    losses: dict[str, list[float]]  # sft, dpo, reward_model, augmentation
    rl_history: list[preference.PolicyGradientStep]
    curve: list[dict[str, float]]  # DPO left running (first seed only)
    vocab_size: int
    policy_params: int
    pairs: int


def run_seed(config: Config, seed: int, with_curve: bool, advance=lambda _: None) -> SeedRun:
    """The whole experiment for one seed: world split, reference, the three methods, and the
    hidden-rule measurements of each."""
    world = preference.request_world(seed, config.held_out_requests)
    pairs = world.preference_pairs(world.train_requests)
    if config.swap_preferences:
        pairs = swapped(pairs)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    reference, sft_losses = preference.train_reference(
        world, n_layer=config.n_layer, n_embd=config.n_embd,
        max_new_tokens=config.max_new_tokens, steps=config.sft_steps,
        batch_size=config.sft_batch_size, lr=config.sft_lr, generator=generator, advance=advance,
    )  # fmt: skip
    dpo, dpo_losses = run_dpo(reference, pairs, config, generator, advance)
    rlhf, reward_model, reward_losses, rl_history = run_rlhf(
        reference, world, pairs, config, generator, advance
    )
    augmented, augment_losses = run_augmentation(reference, world, config, seed, generator, advance)
    baseline = reference_scores(reference, world, config, seed + 1)
    curve = (
        dpo_curve(reference, world, pairs, baseline, config, seed + 6, advance)
        if with_curve
        else []
    )
    measured = {
        "reference": measure(reference, reference, world, baseline, config, seed + 2),
        "dpo": measure(dpo, reference, world, baseline, config, seed + 3),
        "rlhf": measure(rlhf, reference, world, baseline, config, seed + 4),
        "augmentation": measure(augmented, reference, world, baseline, config, seed + 5),
    }
    losses = {"sft": sft_losses, "dpo": dpo_losses, "reward_model": reward_losses,
              "augmentation": augment_losses}  # fmt: skip
    accuracy = preference.pair_accuracy(reward_model, world.preference_pairs(world.test_requests))
    return SeedRun(seed, measured, accuracy, losses, rl_history, curve, len(world.vocab),
                   reference.num_params(), len(pairs))  # fmt: skip


def _run(config: Config, context: LabContext) -> LabResult[AlignmentMetrics]:
    seeds = [context.seed + 1000 * k for k in range(config.seeds)]
    pairs = 9 * (36 - config.held_out_requests)
    steps = dpo_steps(config, pairs)
    curve_epochs = max(config.dpo_curve_epochs, default=0)
    per_seed = config.sft_steps + steps + config.reward_steps + config.rl_steps
    per_seed += config.augment_steps
    total = per_seed * len(seeds) + dpo_steps(replace(config, dpo_epochs=curve_epochs), pairs)
    with context.progress(total, "alignment: SFT, DPO, RLHF, augmentation") as advance:
        runs = [run_seed(config, seed, k == 0, advance) for k, seed in enumerate(seeds)]
    first = runs[0]
    m = {name: average([r.measured[name] for r in runs]) for name in first.measured}
    per = {name: [round(r.measured[name].win_rate, 4) for r in runs] for name in m}
    accuracy = sum(r.reward_accuracy for r in runs) / len(runs)

    # the from-scratch DPO loss against the same quantity written as torch's logistic loss
    example = torch.tensor([-2.0, -3.5]), torch.tensor([-6.0, -1.0])
    ref_example = torch.tensor([-3.0, -3.0]), torch.tensor([-5.0, -2.0])
    ours, margin = preference.dpo_loss(*example, *ref_example, beta=config.beta)
    library = F.binary_cross_entropy_with_logits(margin, torch.ones_like(margin))
    dpo_check = abs(ours.item() - library.item())

    def by_seed(name: str) -> str:
        if len(runs) == 1:
            return ""
        return f" (mean of {len(runs)} seeds: " + ", ".join(f"{w:.2f}" for w in per[name]) + ")"

    claims = [
        moves_claim("DPO", f"DPO (beta = {config.beta:g})", m["dpo"], by_seed("dpo")),
        moves_claim(
            "RLHF",
            "RLHF (reward model + policy gradient with a KL penalty)",
            m["rlhf"],
            by_seed("rlhf"),
            reward_accuracy=accuracy,
        ),
        augmentation_claim(m["augmentation"], m["dpo"], m["rlhf"], by_seed("augmentation")),
    ]
    figures = [
        plot_results(context, m, per),
        plot_training(context, first.losses, first.rl_history, config.beta, first.curve),
    ]
    key_figure = (
        f"win-rate vs reference: DPO {m['dpo'].win_rate:.2f}, RLHF {m['rlhf'].win_rate:.2f}, "
        f"augmentation {m['augmentation'].win_rate:.2f} (reference {m['reference'].win_rate:.2f})"
    )
    last = {name: round(sum(x[-10:]) / len(x[-10:]), 4) for name, x in first.losses.items()}
    metrics = AlignmentMetrics(
        seeds=seeds,
        vocab_size=first.vocab_size,
        policy_params=first.policy_params,
        train_requests=36 - config.held_out_requests,
        held_out_requests=config.held_out_requests,
        preference_pairs=first.pairs,
        swap_preferences=config.swap_preferences,
        beta=config.beta,
        kl_coef=config.kl_coef,
        dpo_steps=steps,
        final_losses=last,
        reward_model_held_out_accuracy=round(accuracy, 4),
        rl_final_reward=round(sum(h.reward for h in first.rl_history[-10:]) / 10, 4),
        dpo_loss_vs_torch_abs_error=dpo_check,
        samples_per_method_and_seed=config.samples_per_request * config.held_out_requests,
        win_rate={k: round(v.win_rate, 4) for k, v in m.items()},
        win_rate_by_seed=per,
        kl_to_reference_nats={k: round(v.kl, 4) for k, v in m.items()},
        reply_shares={k: {s: round(x, 4) for s, x in v.shares.items()} for k, v in m.items()},
        examples={k: v.examples for k, v in m.items()},
        dpo_by_epochs=first.curve,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="DPO, RLHF and data augmentation on a tiny policy with a hidden preference rule",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
