"""The reward-hacking lab's run: one replicate per reported seed, then the verdicts on 95%
intervals; what it measured, as ``RewardHackingMetrics``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabResult
from llmiq.labs.reward_hacking.claims import (
    clean_claim,
    early_stopping_claim,
    hacking_claim,
    kl_drift_claim,
    validation_claim,
)
from llmiq.labs.reward_hacking.config import Config
from llmiq.labs.reward_hacking.figures import plot_gao, plot_steps
from llmiq.labs.reward_hacking.replicate import CLEAN, HACKED, SeedRun, run_seed


@dataclass
class RewardHackingMetrics:
    """What the lab measured, as report.json's ``metrics`` (lists: one value per seed)."""

    seeds: list[int]
    vocab_size: int
    policy_params: int
    loophole: bool
    kl_coefs: list[float]
    rl_steps: int
    rm_pairs: int
    held_out_requests: int
    sft_final_loss: list[float]
    reward_models: dict[str, dict[str, Any]]
    stages: dict[str, dict[str, list[float]]]
    peak_step: dict[str, list[int]]
    gao_fit: list[dict[str, float]]
    curves: dict[str, dict[str, list[list[float]]]]
    samples: dict[str, dict[str, Any]]
    torch_threads_used: int


Metrics = RewardHackingMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[RewardHackingMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[RewardHackingMetrics]:
    per_seed = config.sft_steps + (2 + len(config.kl_coefs)) * config.rl_steps
    with context.progress(
        per_seed * len(context.seeds), "reward hacking: SFT, two reward models, RL runs"
    ) as advance:
        runs = [run_seed(config, seed, advance) for seed in context.replicate()]
    claims = [
        hacking_claim(runs),
        validation_claim(runs),
        clean_claim(runs),
        kl_drift_claim(runs, config.kl_coefs),
        early_stopping_claim(runs, config.kl_coefs),
    ]
    figures = [
        plot_gao(context, runs, config.kl_coefs, config.smooth),
        plot_steps(context, runs, config.smooth),
    ]
    metrics = _metrics(config, runs)
    before, peak, final = (
        metrics.stages[s] for s in ("before", f"{HACKED} peak", f"{HACKED} final")
    )
    clean = metrics.stages[f"{CLEAN} final"]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    key_figure = (
        f"proxy RM {mean(peak['proxy']):.2f}->{mean(final['proxy']):.2f} while true reward "
        f"{mean(before['gold']):.2f}->{mean(peak['gold']):.2f}->{mean(final['gold']):.2f} "
        f"({len(runs)} seeds); clean RM ends at {mean(clean['gold']):.2f}"
    )
    return LabResult(
        title="Reward hacking: RL against a learned reward model with a length loophole",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
        tuning={
            "rl_steps": how_rl_steps_was_chosen(config.rl_steps),
            "kl_coefs": f"{', '.join(f'{c:g}' for c in config.kl_coefs)}: fixed before any run, "
            "one per decade; every verdict uses all of them, none was picked afterwards",
        },
    )


def how_rl_steps_was_chosen(value: int) -> str:
    """From ``tuning.json``, written by ``python -m llmiq.labs.reward_hacking.tuning --write``."""
    path = Path(__file__).with_name("tuning.json")
    if not path.exists():
        return f"{value}: tuning.json missing (python -m llmiq.labs.reward_hacking.tuning)"
    stored = json.loads(path.read_text("utf-8"))
    seeds = sorted({row["seed"] for row in stored["rows"]})
    latest = max(stored["rows"], key=lambda row: row["plateau_step"])
    chosen = stored["chosen"]
    return (
        f"{chosen}: 1.5x the latest step at which an RL run reached its plateau (step "
        f"{latest['plateau_step']}, {latest['run']}, seed {latest['seed']}), rounded up to 10; "
        f"runs of {stored['long']} steps on seeds {seeds[0]}-{seeds[-1]}"
        + ("" if chosen == value else f"; this run used {value}")
    )


def _metrics(config: Config, runs: list[SeedRun]) -> RewardHackingMetrics:
    first = runs[0]
    stage_keys = ("gold", "kl", "words")
    stages = {
        name: {
            **{key: [round(r.stages[name].mean(key), 4) for r in runs] for key in stage_keys},
            "proxy": [round(r.stages[name].mean("proxy", HACKED), 4) for r in runs],
            "clean_rm": [round(r.stages[name].mean("proxy", CLEAN), 4) for r in runs],
        }
        for name in first.stages
    }
    reward_models = {}
    for name in (HACKED, CLEAN):
        weights = [r.rms[name].named_weights() for r in runs]
        top = sorted(weights[0].items(), key=lambda kv: -abs(kv[1]))[:8]
        reward_models[name] = {
            "data": first.rms[name].data,
            "length_weight": [w["<length>"] for w in weights],
            "length_over_8_weight": [w["<length over 8>"] for w in weights],
            "largest_weights_first_seed": dict(top),
            "held_out_accuracy": [
                round(sum(r.validation[name]) / len(r.validation[name]), 4) for r in runs
            ],
            "prefers_padded": [
                round(sum(r.prefers_padded[name]) / len(r.prefers_padded[name]), 4) for r in runs
            ],
        }
    samples = {
        name: {
            "most_common": stage.most_common,
            "most_common_share": stage.most_common_share,
            "shown": stage.shown,
        }
        for name, stage in first.stages.items()
        if name in ("before", f"{HACKED} peak", f"{HACKED} final", f"{CLEAN} final")
    }
    return RewardHackingMetrics(
        seeds=[r.seed for r in runs],
        vocab_size=len(first.world.vocab),
        policy_params=first.reference.num_params(),
        loophole=config.loophole,
        kl_coefs=list(config.kl_coefs),
        rl_steps=config.rl_steps,
        rm_pairs=config.rm_pairs,
        held_out_requests=len(first.world.test_requests),
        sft_final_loss=[round(sum(r.sft_losses[-20:]) / len(r.sft_losses[-20:]), 4) for r in runs],
        reward_models=reward_models,
        stages=stages,
        peak_step={name: [r.peaks[name] for r in runs] for name in first.peaks},
        gao_fit=[{k: round(v, 4) for k, v in r.gao.items()} for r in runs],
        curves={
            name: {
                key: [
                    [round(x, 3) for x in r.curves[name].smoothed(key, config.smooth)] for r in runs
                ]
                for key in ("proxy", "gold", "kl")
            }
            for name in first.curves
        },
        samples=samples,
        torch_threads_used=torch.get_num_threads(),
    )
