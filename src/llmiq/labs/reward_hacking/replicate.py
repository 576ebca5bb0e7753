"""One replicate of the experiment, for one seed: the seed's world split and reference policy,
the two reward models, the RL runs, and every stage measured on the held-out requests."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from llmiq.labs import preference
from llmiq.labs.preference import RequestWorld, Tokens
from llmiq.labs.reward_hacking.config import Config
from llmiq.labs.reward_hacking.reward_model import (
    RewardModel,
    clean_pairs,
    fit_reward_model,
    loophole_pairs,
    padding_pairs,
)
from llmiq.labs.tinylm import GPT

HACKED = "proxy RM"  # RL on the proxy RM, no KL penalty
CLEAN = "clean RM"  # RL on the RM fitted without the loophole, no KL penalty


def penalised(coef: float) -> str:
    return f"proxy RM + KL {coef:g}"


def centred_average(values: list[float], window: int) -> list[float]:
    """Mean over a window centred on each value (shorter at the ends).

    >>> centred_average([0, 3, 0, 3, 0], 3)
    [1.5, 1.0, 2.0, 1.0, 1.5]
    """
    half = window // 2
    return [
        sum(values[max(0, i - half) : i + half + 1]) / len(values[max(0, i - half) : i + half + 1])
        for i in range(len(values))
    ]


@dataclass
class Curve:
    """Per RL step, on that step's training samples: the optimised RM's score ("proxy"), the
    true reward and the KL to the reference; entry i measured the policy after i updates."""

    name: str
    proxy: list[float]
    gold: list[float]
    kl: list[float]
    snapshots: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict, repr=False)

    def smoothed(self, key: str, window: int) -> list[float]:
        return centred_average(getattr(self, key), window)

    def peak(self, window: int) -> int:
        """Step of the highest smoothed true reward (the first on ties)."""
        gold = self.smoothed("gold", window)
        return max(range(len(gold)), key=lambda i: (gold[i], -i))


@dataclass
class Stage:
    """A policy measured on the held-out requests: per request, the mean over its sampled
    replies of the true reward, each RM's score, the KL to the reference and the length."""

    gold: list[float]
    proxy: dict[str, list[float]]  # RM name -> per request
    kl: list[float]
    words: list[float]
    most_common: str
    most_common_share: float
    shown: list[dict[str, Any]]

    def mean(self, key: str, rm: str = HACKED) -> float:
        values = self.proxy[rm] if key == "proxy" else getattr(self, key)
        return sum(values) / len(values)


def measure_stage(
    policy: GPT,
    reference: GPT,
    world: RequestWorld,
    rms: dict[str, RewardModel],
    config: Config,
    seed: int,
) -> Stage:
    """``stage_samples`` fresh replies to each held-out request (the same generator seed at
    every stage), scored by the true reward and by each RM."""
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    samples = preference.sample_policy(
        policy, reference, prompts, per_prompt=config.stage_samples, end=world.vocab.end,
        max_new_tokens=config.max_new_tokens, generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    n, k = len(prompts), config.stage_samples

    def per_request(values: list[float]) -> list[float]:
        return [round(sum(values[i * k : (i + 1) * k]) / k, 4) for i in range(n)]

    responses = samples.responses
    texts = [world.vocab.response_text(r) for r in responses]
    common, count = Counter(texts).most_common(1)[0]
    scores = {name: rm(samples.prompts, responses).tolist() for name, rm in rms.items()}
    shown = [
        {
            "request": world.vocab.decode(samples.prompts[i][:-1]),
            "reply": texts[i],
            "gold": round(world.gold(responses[i]), 3),
            "proxy": round(scores[HACKED][i], 3),
        }
        for i in range(0, k * config.samples_shown, k)
    ]
    return Stage(
        gold=per_request([world.gold(r) for r in responses]),
        proxy={name: per_request(values) for name, values in scores.items()},
        kl=per_request(samples.kl.tolist()),
        words=per_request([float(len(world.words(r))) for r in responses]),
        most_common=common,
        most_common_share=round(count / len(responses), 4),
        shown=shown,
    )


def gao_fit(curve: Curve, window: int) -> dict[str, float]:
    """Gao et al.'s functional form for RL, gold gain = d (alpha - beta ln d) with
    d = sqrt(KL), fitted by least squares to the smoothed training curve (gold measured from
    its value before RL). beta > 0 means the gold reward turns down as d grows; the fitted
    peak is at d* = exp(alpha / beta - 1).

    >>> gold = [0.0] + [d * (1 - 0.5 * math.log(d)) for d in (1, 2, 3)]
    >>> c = Curve("x", [0.0] * 4, gold, [0.0, 1.0, 4.0, 9.0])
    >>> {k: round(v, 3) for k, v in gao_fit(c, 1).items() if k != "peak_sqrt_kl"}
    {'alpha': 1.0, 'beta': 0.5, 'r2': 1.0}
    """
    gold, kl = curve.smoothed("gold", window), curve.smoothed("kl", window)
    points = [(math.sqrt(k), g - gold[0]) for g, k in zip(gold, kl, strict=True) if k > 1e-6]
    d = torch.tensor([p[0] for p in points], dtype=torch.float64)
    y = torch.tensor([p[1] for p in points], dtype=torch.float64)
    design = torch.stack([d, -d * torch.log(d)], dim=1)  # (P, 2)
    alpha, beta = torch.linalg.lstsq(design, y[:, None]).solution[:, 0].tolist()
    residual = (y - design @ torch.tensor([alpha, beta], dtype=torch.float64)).square().sum()
    total = (y - y.mean()).square().sum()
    r2 = 1 - (residual / total).item() if total > 0 else 0.0
    peak = math.exp(alpha / beta - 1) if beta > 0 and alpha / beta < 50 else math.inf
    return {"alpha": alpha, "beta": beta, "r2": r2, "peak_sqrt_kl": peak}


@dataclass
class SeedRun:
    """Everything one seed measured."""

    seed: int
    world: RequestWorld
    reference: GPT
    sft_losses: list[float]
    rms: dict[str, RewardModel]  # HACKED: the proxy; CLEAN: fitted without the loophole
    validation: dict[str, list[bool]]  # RM -> ranks each held-out template pair as the rater
    prefers_padded: dict[str, list[bool]]  # RM -> prefers the padded copy of a polite reply
    curves: dict[str, Curve]
    stages: dict[str, Stage]  # "before", "<run> peak", "<run> final"
    peaks: dict[str, int]  # run -> step of its smoothed gold peak
    gao: dict[str, float]


def rl_run(
    name: str,
    reference: GPT,
    world: RequestWorld,
    reward: RewardModel,
    kl_coef: float,
    config: Config,
    seed: int,
    advance: Callable[[int], None],
    snapshots: bool,
) -> tuple[GPT, Curve]:
    """REINFORCE from the reference on ``reward`` (``preference.train_policy_gradient``),
    keeping the weights after every update when ``snapshots``."""

    def gold(prompts: list[Tokens], responses: list[Tokens]) -> torch.Tensor:
        return torch.tensor([world.gold(r) for r in responses])

    policy = preference.policy_from(reference)
    kept: dict[int, dict[str, torch.Tensor]] = {}

    def keep(step: int, model: GPT) -> None:
        kept[step] = {k: v.clone() for k, v in model.state_dict().items()}

    if snapshots:
        keep(0, policy)
    history = preference.train_policy_gradient(
        policy, reference, [world.prompt(v, o) for v, o in world.train_requests], reward,
        end=world.vocab.end, kl_coef=kl_coef, steps=config.rl_steps,
        batch_size=config.batch_size, lr=config.rl_lr, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed), measures={"gold": gold},
        advance=advance, on_step=keep if snapshots else None,
    )  # fmt: skip
    curve = Curve(
        name,
        [round(h.reward, 4) for h in history],
        [round(h.measures["gold"], 4) for h in history],
        [round(h.kl, 4) for h in history],
        kept,
    )
    return policy, curve


def run_seed(config: Config, seed: int, advance: Callable[[int], None]) -> SeedRun:
    """One replicate: the seed picks the held-out requests, the reference's initial weights
    and batches, the preference data, and every sample drawn."""
    world = preference.request_world(seed, config.held_out_requests)
    torch.manual_seed(seed)
    reference, sft_losses = preference.train_reference(
        world, n_layer=config.n_layer, n_embd=config.n_embd,
        max_new_tokens=config.max_new_tokens, steps=config.sft_steps,
        batch_size=config.sft_batch_size, lr=config.sft_lr,
        generator=torch.Generator().manual_seed(seed), advance=advance,
    )  # fmt: skip
    data = torch.Generator().manual_seed(seed + 2)
    proxy_pairs = (loophole_pairs if config.loophole else clean_pairs)(world, config.rm_pairs, data)
    rms = {
        HACKED: fit_reward_model(
            world, proxy_pairs, config.rm_l2, "loophole" if config.loophole else "clean"
        ),
        CLEAN: fit_reward_model(
            world, clean_pairs(world, config.rm_pairs, data), config.rm_l2, "clean"
        ),
    }
    held_out = loophole_pairs(world, 200, data)
    padded = padding_pairs(world, 200, data)
    validation = {name: rm.prefers(held_out).tolist() for name, rm in rms.items()}
    prefers_padded = {name: (~rm.prefers(padded)).tolist() for name, rm in rms.items()}

    runs: list[tuple[str, RewardModel, float, bool]] = [(HACKED, rms[HACKED], 0.0, True)]
    runs += [(penalised(c), rms[HACKED], c, False) for c in config.kl_coefs]
    runs += [(CLEAN, rms[CLEAN], 0.0, True)]
    stage_seed = seed + 3
    stages = {"before": measure_stage(reference, reference, world, rms, config, stage_seed)}
    curves, peaks = {}, {}
    for name, rm, coef, snapshots in runs:
        policy, curve = rl_run(
            name, reference, world, rm, coef, config, seed + 1, advance, snapshots
        )
        curves[name] = curve
        stages[f"{name} final"] = measure_stage(policy, reference, world, rms, config, stage_seed)
        if snapshots:
            peaks[name] = curve.peak(config.smooth)
            policy.load_state_dict(curve.snapshots[peaks[name]])
            stages[f"{name} peak"] = measure_stage(
                policy, reference, world, rms, config, stage_seed
            )
            curve.snapshots.clear()
    return SeedRun(
        seed, world, reference, sft_losses, rms, validation, prefers_padded, curves, stages,
        peaks, gao_fit(curves[HACKED], config.smooth),
    )  # fmt: skip
