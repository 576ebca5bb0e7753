"""One replicate of the experiment: a seed's world split, labelled pairs, reference policy and
its replies (``set_up``), then every method trained from that reference and measured
(``run_seed``). The tuning script uses ``set_up`` and the methods directly."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from llmiq.labs import preference
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.data import labelled
from llmiq.labs.alignment.measuring import (
    Measured,
    ceiling_by_request,
    measure,
    reference_scores,
)
from llmiq.labs.alignment.methods import (
    Advance,
    Arm,
    Checkpoints,
    fit_reward_model,
    run_dpo,
    run_rlhf,
    run_supervised,
)
from llmiq.labs.preference import PreferencePair, RequestWorld
from llmiq.labs.tinylm import GPT

#: The supervised arms: (name, chosen replies only, augmented, Config field of its lr)
SUPERVISED = (
    ("augmented", False, True, "augment_lr"),  # both replies of every pair: no preference
    ("augmented_chosen", True, True, "augment_chosen_lr"),  # the chosen replies, augmented
    ("chosen", True, False, "chosen_lr"),  # the chosen replies as they are (Preferred-FT)
)


@dataclass
class Setup:
    """What every method of one seed starts from."""

    seed: int
    world: RequestWorld
    pairs: list[PreferencePair]  # the training requests' pairs, as the labeller labels them
    reference: GPT  # frozen
    sft_losses: list[float]
    baseline: dict[int, list[int]]  # the hidden rule's scores of the reference's replies

    def checkpoints(self, config: Config, at: tuple[int, ...] = ()) -> Checkpoints:
        return Checkpoints(self.reference, self.world, self.baseline, config, self.seed, at)


def set_up(config: Config, seed: int, advance: Advance = lambda _: None) -> Setup:
    world = preference.request_world(seed, config.held_out_requests)
    pairs = labelled(world.preference_pairs(world.train_requests), config.labels, seed)
    torch.manual_seed(seed)
    reference, sft_losses = preference.train_reference(
        world, n_layer=config.n_layer, n_embd=config.n_embd,
        max_new_tokens=config.max_new_tokens, steps=config.sft_steps,
        batch_size=config.sft_batch_size, lr=config.sft_lr,
        generator=torch.Generator().manual_seed(seed), advance=advance,
    )  # fmt: skip
    baseline = reference_scores(
        reference, world, samples=config.reference_samples_per_request,
        max_new_tokens=config.max_new_tokens, seed=seed + 1,
    )  # fmt: skip
    return Setup(seed, world, pairs, reference, sft_losses, baseline)


@dataclass
class SeedRun:
    """Everything one seed of the experiment produced."""

    seed: int
    reference: Measured  # the reference against its own replies (0.5 up to sampling noise)
    dpo: list[Arm]  # one per beta of the curve
    rlhf: list[Arm]  # one per KL coefficient of the curve
    supervised: dict[str, Arm]  # see SUPERVISED
    reward_accuracy: float  # the reward model on the held-out requests' pairs (hidden rule)
    reward_losses: list[float]
    sft_losses: list[float]
    ceiling: list[float]  # per held-out request, the best win-rate any policy could reach
    vocab_size: int
    policy_params: int
    pairs: int

    def chosen(self, method: str, setting: float) -> Arm:
        """The DPO or RLHF run with the chosen beta or KL coefficient."""
        arms = self.dpo if method == "dpo" else self.rlhf
        return next(arm for arm in arms if arm.setting == setting)


def run_seed(config: Config, seed: int, advance: Advance = lambda _: None) -> SeedRun:
    """The whole experiment for one seed: set-up, DPO for each beta of the curve, the reward
    model and RLHF for each KL coefficient, the three supervised arms; each measured with the
    hidden rule on the held-out requests."""
    setup = set_up(config, seed, advance)
    world, pairs, reference = setup.world, setup.pairs, setup.reference
    dpo = [
        run_dpo(reference, pairs, beta, setup.checkpoints(config, config.checkpoints), config,
                seed * 10 + 1, advance)
        for beta in config.curve_betas
    ]  # fmt: skip
    reward_model, reward_losses, drawn = fit_reward_model(
        reference, pairs, config, seed * 10 + 2, advance
    )
    rlhf = [
        run_rlhf(reference, world, reward_model, (len(reward_losses), drawn), kl,
                 setup.checkpoints(config, config.checkpoints), config, seed * 10 + 3, advance)
        for kl in config.curve_kl_coefs
    ]  # fmt: skip
    supervised = {}
    for name, chosen_only, augmented, lr_field in SUPERVISED:
        supervised[name] = run_supervised(
            name, reference, world, pairs, chosen_only=chosen_only,
            copies=config.augment_copies if augmented else 0, lr=getattr(config, lr_field),
            checkpoints=setup.checkpoints(config, config.checkpoints), config=config,
            seed=seed * 10 + 4, advance=advance,
        )  # fmt: skip
    itself = measure(
        reference, reference, world, setup.baseline, samples=config.samples_per_request,
        max_new_tokens=config.max_new_tokens, seed=seed * 1009 + config.steps,
    )  # fmt: skip
    held_out = world.preference_pairs(world.test_requests)
    return SeedRun(
        seed, itself, dpo, rlhf, supervised, preference.pair_accuracy(reward_model, held_out),
        reward_losses, setup.sft_losses, ceiling_by_request(setup.baseline), len(world.vocab),
        reference.num_params(), len(pairs),
    )  # fmt: skip
