"""Alignment lab (seed question 3, "alignment-techniques", answer C: data augmentation is not
an alignment technique).

A tiny policy language model (``llmiq.labs.tinylm.GPT`` over a word vocabulary, see
``llmiq.labs.preference``) answers requests such as "can you open the door ?". Fine-tuned on
six template replies, the *reference* policy answers about half the time politely ("sure ,
happy to help you .") and half the time rudely ("not my problem !"). A hidden rule — a rater who
prefers polite replies — labels pairs of replies; the training methods only ever see the
labelled pairs (or, for augmentation, replies with no label at all):

1. DPO (Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is
   Secretly a Reward Model"), the loss written from scratch in ``preference.dpo_loss``,
   beta = 0.1, two epochs over every (polite, rude) pair of the training requests at a
   learning rate 30x below the fine-tuning one (3e-4: of the settings tried on seeds 0-9,
   the one whose replies stayed readable on every seed; faster or longer DPO garbled them
   on some seeds — see below);
2. RLHF (Christiano et al. 2017; Ouyang et al. 2022): a Bradley-Terry reward model fitted to
   the same pairs, then REINFORCE with a leave-one-out baseline and a KL penalty to the
   reference (``preference.train_policy_gradient``);
3. supervised fine-tuning on augmented data: the same replies, paraphrased (synonyms) and
   noised (a dropped or swapped word), polite and rude alike, with no preference signal.

Each resulting policy answers the held-out requests (never in the preference data) and is
scored with the hidden rule: its win-rate against the reference (a policy reply against a
reference reply to the same request; the polite one wins, ties count half; 0.5 = no change)
and its KL divergence to the reference, KL(pi || pi_ref) per reply in nats. The full run
repeats everything for three seeds (each its own split, reference, training and samples) and
the verdicts use the mean. The claim of the
question is that (1) and (2) move the win-rate and (3) does not; the verdicts compare the
measured shift with thresholds fixed in this file before measuring. The full run also leaves
DPO running for up to 16 epochs and measures it on the way: with deterministic preferences
nothing stops DPO from pushing the rejected replies' probability towards zero (Azar et al.
2023, "A General Theoretical Paradigm to Understand Learning from Human Preferences"), and
on a model this small part of the mass can land on garbled replies (the lab reports their
share; it depends on the seed).

The data are made from templates in ``llmiq.labs.preference`` (``REPLIES``, ``SYNONYMS``).
Left out: PPO (REINFORCE instead), preferences from real people (the rule is deterministic),
and any instruction data or capability evaluation beyond the hidden rule.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from llmiq.labs import preference
from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.preference import PreferencePair, RequestWorld, Tokens
from llmiq.labs.registry import LAB_INFO
from llmiq.labs.report import Claim, LabReport
from llmiq.labs.tinylm import GPT

INFO = LAB_INFO["alignment"]

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
MIN_SHIFT = 0.10  # "moves the win-rate": at least 0.60 against the reference's 0.50
MAX_NULL_SHIFT = 0.05  # "does not raise it": below 0.55
MIN_REWARD_ACCURACY = 0.9  # the reward model must rank held-out pairs like the rule


@dataclass
class Config:
    held_out_requests: int = 8  # of the 36 requests, kept out of all training but the reference's
    n_layer: int = 1  # transformer blocks of the policy
    n_embd: int = 48  # width of the policy (three heads of 16)
    max_new_tokens: int = 12  # longest sampled reply (the longest template has 8 words + <end>)
    sft_steps: int = 100  # fine-tuning of the reference on the six template replies
    sft_batch_size: int = 64  # episodes per step of that fine-tuning
    sft_lr: float = 1e-2  # its Adam learning rate
    batch_size: int = 32  # pairs (DPO, reward model) or episodes (RL, augmentation) per step
    beta: float = 0.1  # DPO's beta: strength of the implicit KL constraint
    dpo_epochs: int = 2  # passes over the preference pairs
    dpo_lr: float = 3e-4  # Adam learning rate of DPO (see the module docstring)
    dpo_curve_epochs: tuple[int, ...] = (1, 2, 4, 8, 16)  # DPO run longer, measured after each
    reward_steps: int = 100  # Bradley-Terry fitting steps of the reward model
    reward_lr: float = 3e-3  # its Adam learning rate
    rl_steps: int = 100  # REINFORCE steps of RLHF
    rl_lr: float = 1e-3  # their Adam learning rate
    kl_coef: float = 0.1  # RLHF's KL penalty to the reference
    augment_copies: int = 4  # augmented variants of every template reply
    augment_steps: int = 100  # fine-tuning steps on the augmented replies (a real change:
    #                           more steps than DPO's, so "it did not move" is not "it did
    #                           not train")
    augment_lr: float = 1e-3  # their Adam learning rate (cosine-decayed)
    samples_per_request: int = 128  # replies sampled per held-out request to measure a policy
    seeds: int = 3  # independent repeats (world split, reference, training, sampling); the
    #                 verdicts use the mean win-rate, the evidence lists each seed's
    swap_preferences: bool = False  # True: a broken labeller that prefers the rude reply

    @classmethod
    def fast(cls) -> Config:
        return cls(
            rl_steps=60,
            reward_steps=60,
            augment_steps=60,
            dpo_curve_epochs=(),
            samples_per_request=64,
            seeds=1,
        )


# --- data augmentation (no preference signal) --------------------------------------------------


def augment(words: list[str], rng: random.Random) -> list[str]:
    """One augmented variant of a reply: a paraphrase (each word with a synonym swapped in
    with probability 1/2) or noise (one word dropped, or two neighbours swapped).

    >>> reply = "sure , happy to help .".split()
    >>> augment(reply, random.Random(4))  # paraphrase
    ['certainly', ',', 'glad', 'to', 'assist', '.']
    >>> augment(reply, random.Random(0)), augment(reply, random.Random(5))  # drop, swap
    (['sure', ',', 'happy', 'help', '.'], ['sure', ',', 'to', 'happy', 'help', '.'])
    """
    if rng.random() < 0.5:
        return [preference.SYNONYMS.get(w, w) if rng.random() < 0.5 else w for w in words]
    out = list(words)
    i = rng.randrange(len(out) - 1)
    if rng.random() < 0.5:
        del out[i]
    else:
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


def augmented_data(
    world: RequestWorld, copies: int, seed: int
) -> tuple[list[Tokens], list[Tokens]]:
    """The reference's fine-tuning replies, each with ``copies`` augmented variants: polite and
    rude alike, so the data carry no preference."""
    rng = random.Random(seed)
    prompts, responses = world.sft_data()
    out_prompts, out_responses = [], []
    for prompt, response in zip(prompts, responses, strict=True):
        words = world.vocab.response_text(response).split()
        for variant in [words] + [augment(words, rng) for _ in range(copies)]:
            out_prompts.append(prompt)
            out_responses.append(world.vocab.encode(" ".join([*variant, preference.END])))
    return out_prompts, out_responses


def swapped(pairs: list[PreferencePair]) -> list[PreferencePair]:
    """The same pairs with chosen and rejected exchanged (a labeller with the rule inverted)."""
    return [PreferencePair(p.prompt, p.rejected, p.chosen) for p in pairs]


# --- measuring a policy with the hidden rule ---------------------------------------------------


@dataclass
class Measured:
    win_rate: float  # against the reference's replies, under the hidden rule
    kl: float  # mean KL(pi || pi_ref) per reply, nats
    shares: dict[str, float]  # polite / rude / neither share of the policy's replies
    examples: list[str]  # a few replies, to read


def win_rate_by_request(
    policy_scores: dict[int, list[int]], reference_scores: dict[int, list[int]]
) -> float:
    """Mean over requests of P(policy reply beats a reference reply) + P(tie) / 2, with the two
    replies drawn independently from each side's sampled replies to that request.

    >>> win_rate_by_request({0: [1, 1]}, {0: [1, -1]})  # tie half the time, win the other half
    0.75
    """
    rates = []
    for request, ours in policy_scores.items():
        theirs = reference_scores[request]
        wins = sum((a > b) + 0.5 * (a == b) for a in ours for b in theirs)
        rates.append(wins / (len(ours) * len(theirs)))
    return sum(rates) / len(rates)


def measure(
    policy: GPT,
    reference: GPT,
    world: RequestWorld,
    reference_scores: dict[int, list[int]],
    config: Config,
    seed: int,
) -> Measured:
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    samples = preference.sample_policy(
        policy, reference, prompts, per_prompt=config.samples_per_request,
        end=world.vocab.end, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    scores = [world.judge(r) for r in samples.responses]
    by_request = {
        i: scores[i * config.samples_per_request : (i + 1) * config.samples_per_request]
        for i in range(len(prompts))
    }
    n = len(scores)
    shares = {
        "polite": sum(s == 1 for s in scores) / n,
        "rude": sum(s == -1 for s in scores) / n,
        "neither": sum(s == 0 for s in scores) / n,
    }
    step = config.samples_per_request
    examples = [world.vocab.response_text(samples.responses[i]) for i in range(0, 4 * step, step)]
    return Measured(
        win_rate_by_request(by_request, reference_scores), samples.mean_kl, shares, examples
    )


def reference_scores(
    reference: GPT, world: RequestWorld, config: Config, seed: int
) -> dict[int, list[int]]:
    """The hidden rule's score of the reference's own replies to each held-out request."""
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    repeated = [p for p in prompts for _ in range(config.samples_per_request)]
    responses = preference.sample_responses(
        reference, repeated, end=world.vocab.end, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    k = config.samples_per_request
    return {
        i: [world.judge(r) for r in responses[i * k : (i + 1) * k]] for i in range(len(prompts))
    }


# --- the three methods -------------------------------------------------------------------------


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


# --- verdicts ----------------------------------------------------------------------------------


def moves_claim(
    method: str,
    label: str,
    measured: Measured,
    extra: str = "",
    reward_accuracy: float | None = None,
) -> Claim:
    """Supported when the win-rate against the reference is at least 0.5 + MIN_SHIFT (and,
    for RLHF, its reward model ranks at least MIN_REWARD_ACCURACY of held-out pairs like the
    hidden rule: the policy must have learnt the preferences, not something else)."""
    shift = measured.win_rate - 0.5
    moved = shift >= MIN_SHIFT
    faithful = reward_accuracy is None or reward_accuracy >= MIN_REWARD_ACCURACY
    if reward_accuracy is not None:
        extra += (
            f"; the reward model ranks {reward_accuracy:.0%} of held-out pairs like the rule "
            f"(needs >= {MIN_REWARD_ACCURACY:.0%})"
        )
    return Claim(
        text=f"{label} aligns the policy with the preferences: its win-rate under the hidden "
        "rule rises above the reference's 0.5",
        supported=moved and faithful,
        evidence=f"{method}: win-rate {measured.win_rate:.3f} vs the reference "
        f"({'+' if shift >= 0 else ''}{shift:.3f}; needs >= +{MIN_SHIFT:.2f}), polite "
        f"{measured.shares['polite']:.0%} / rude {measured.shares['rude']:.0%} / garbled "
        f"{measured.shares['neither']:.0%} of replies, KL to the reference {measured.kl:.2f} "
        f"nats{extra}",
    )


def augmentation_claim(measured: Measured, dpo: Measured, rlhf: Measured, extra: str = "") -> Claim:
    """Supported when augmentation does not raise the win-rate by MAX_NULL_SHIFT or more: an
    alignment technique moves the policy towards the preferred replies, and this one cannot
    (a fall is reported, and is no alignment either)."""
    shift = measured.win_rate - 0.5
    return Claim(
        text="Data augmentation is not an alignment technique: fine-tuning on augmented "
        "replies (paraphrases, noise; no preference signal) does not raise the win-rate",
        supported=shift < MAX_NULL_SHIFT,
        evidence=f"augmentation: win-rate {measured.win_rate:.3f}{extra} (shift "
        f"{'+' if shift >= 0 else ''}{shift:.3f}; needs < +{MAX_NULL_SHIFT:.2f}), polite "
        f"{measured.shares['polite']:.0%} / rude {measured.shares['rude']:.0%} / garbled "
        f"{measured.shares['neither']:.0%}, although the model did change (KL "
        f"{measured.kl:.2f} nats; DPO {dpo.kl:.2f}, RLHF {rlhf.kl:.2f}); win-rate DPO "
        f"{dpo.win_rate:.3f}, RLHF {rlhf.win_rate:.3f}",
    )


# --- the lab -----------------------------------------------------------------------------------


def run(config: Config, context: LabContext) -> LabReport:
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


def average(runs: list[Measured]) -> Measured:
    """The mean of several seeds' measurements (the examples are the first seed's)."""
    n = len(runs)
    shares = {k: sum(r.shares[k] for r in runs) / n for k in runs[0].shares}
    return Measured(
        sum(r.win_rate for r in runs) / n, sum(r.kl for r in runs) / n, shares, runs[0].examples
    )


def _run(config: Config, context: LabContext) -> LabReport:
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
        _plot_results(context, m, per),
        _plot_training(context, first.losses, first.rl_history, config.beta, first.curve),
    ]
    key_figure = (
        f"win-rate vs reference: DPO {m['dpo'].win_rate:.2f}, RLHF {m['rlhf'].win_rate:.2f}, "
        f"augmentation {m['augmentation'].win_rate:.2f} (reference {m['reference'].win_rate:.2f})"
    )
    last = {name: round(sum(x[-10:]) / len(x[-10:]), 4) for name, x in first.losses.items()}
    metrics = {
        "seeds": seeds,
        "vocab_size": first.vocab_size,
        "policy_params": first.policy_params,
        "train_requests": 36 - config.held_out_requests,
        "held_out_requests": config.held_out_requests,
        "preference_pairs": first.pairs,
        "swap_preferences": config.swap_preferences,
        "beta": config.beta,
        "kl_coef": config.kl_coef,
        "dpo_steps": steps,
        "final_losses": last,
        "reward_model_held_out_accuracy": round(accuracy, 4),
        "rl_final_reward": round(sum(h.reward for h in first.rl_history[-10:]) / 10, 4),
        "dpo_loss_vs_torch_abs_error": dpo_check,
        "samples_per_method_and_seed": config.samples_per_request * config.held_out_requests,
        "win_rate": {k: round(v.win_rate, 4) for k, v in m.items()},
        "win_rate_by_seed": per,
        "kl_to_reference_nats": {k: round(v.kl, 4) for k, v in m.items()},
        "reply_shares": {k: {s: round(x, 4) for s, x in v.shares.items()} for k, v in m.items()},
        "examples": {k: v.examples for k, v in m.items()},
        "dpo_by_epochs": first.curve,
        "torch_threads_used": torch.get_num_threads(),
    }
    return LabReport(
        lab=INFO.id,
        question=INFO.question,
        title="DPO, RLHF and data augmentation on a tiny policy with a hidden preference rule",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )


def _plot_results(
    context: LabContext, measured: dict[str, Measured], per_seed: dict[str, list[float]]
) -> str:
    plt = pyplot()
    names = list(measured)
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 3.6))
    left.bar(names, [measured[n].win_rate for n in names], color="tab:blue", alpha=0.8)
    for x, name in enumerate(names):
        left.plot([x] * len(per_seed[name]), per_seed[name], "k.", ms=5)
    left.axhline(0.5, color="grey", ls="--", lw=1, label="no change")
    left.axhline(0.5 + MIN_SHIFT, color="tab:green", ls=":", lw=1, label="'moves it'")
    left.axhline(0.5 + MAX_NULL_SHIFT, color="tab:red", ls=":", lw=1, label="'raises it'")
    left.set(ylim=(0, 1), ylabel="win-rate vs reference", title="Hidden-rule win-rate")
    left.legend(loc="lower left", fontsize=8)
    bottom = [0.0] * len(names)
    for share, colour in (("polite", "tab:green"), ("neither", "tab:grey"), ("rude", "tab:red")):
        values = [measured[n].shares[share] for n in names]
        label = "garbled / neither" if share == "neither" else share
        middle.bar(names, values, bottom=bottom, color=colour, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    middle.set(ylim=(0, 1), ylabel="share of replies", title="What the policy says")
    middle.legend(loc="lower right", fontsize=8)
    right.bar(names, [measured[n].kl for n in names], color="tab:purple")
    right.set(ylabel="KL(pi || pi_ref), nats per reply", title="Distance from the reference")
    for axis in (left, middle, right):
        axis.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    return context.save_figure(fig, "win_rate_kl")


def _plot_training(
    context: LabContext,
    losses: dict[str, list[float]],
    rl_history: list[preference.PolicyGradientStep],
    beta: float,
    curve: list[dict[str, float]],
) -> str:
    plt = pyplot()
    panels = 3 if curve else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 3.4))
    left, right = axes[0], axes[1]
    left.plot(losses["dpo"], label=f"DPO (beta = {beta:g})")
    left.plot(losses["reward_model"], label="reward model (Bradley-Terry)")
    left.plot(losses["augmentation"], label="augmentation (cross-entropy)")
    left.set(xlabel="step", ylabel="loss", title="Training losses")
    left.legend(fontsize=8)
    steps = [h.step for h in rl_history]
    right.plot(steps, [h.reward for h in rl_history], label="reward-model score")
    right.plot(steps, [h.kl for h in rl_history], label="KL to reference (nats)")
    right.set(xlabel="REINFORCE step", title="RLHF")
    right.legend(fontsize=8)
    if curve:
        epochs = [p["epochs"] for p in curve]
        axis = axes[2]
        axis.plot(epochs, [p["win_rate"] for p in curve], "o-", label="win-rate")
        axis.plot(epochs, [p["neither"] for p in curve], "s--", label="garbled share")
        axis.set(xscale="log", xlabel="DPO epochs", ylim=(0, 1), title="DPO left running")
        twin = axis.twinx()
        twin.plot(epochs, [p["kl"] for p in curve], "^:", color="tab:purple", label="KL (nats)")
        twin.set_ylabel("KL to reference (nats)")
        lines = axis.get_legend_handles_labels()
        extra = twin.get_legend_handles_labels()
        axis.legend(lines[0] + extra[0], lines[1] + extra[1], fontsize=8, loc="upper left")
    fig.tight_layout()
    return context.save_figure(fig, "training")
