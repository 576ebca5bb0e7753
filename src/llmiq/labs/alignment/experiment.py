"""The alignment lab's run: one replicate per reported seed, then the verdicts on 95%
intervals over seeds x held-out requests; what it measured, as ``AlignmentMetrics``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch
import torch.nn.functional as F

from llmiq.labs import preference
from llmiq.labs.alignment.claims import (
    Outcome,
    augmentation_claim,
    augmentation_gain_claim,
    chosen_claim,
    equal_compute,
    moves_claim,
)
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.figures import plot_curve, plot_training
from llmiq.labs.alignment.methods import Arm
from llmiq.labs.alignment.replicate import SUPERVISED, SeedRun, run_seed
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabResult
from llmiq.labs.uncertainty import Interval, nested_interval

METHODS = ("reference", "dpo", "rlhf", *(name for name, *_ in SUPERVISED))


@dataclass
class AlignmentMetrics:
    """What the lab measured, as report.json's ``metrics`` (means over the seeds)."""

    seeds: list[int]
    vocab_size: int
    policy_params: int
    train_requests: int
    held_out_requests: int
    preference_pairs: int
    labels: str
    beta: float
    kl_coef: float
    compute: dict[str, dict[str, int]]  # per method, counted while training (first seed)
    equal_compute: bool  # DPO and RLHF: same updates, replies trained on and pairs drawn
    final_losses: dict[str, float]
    reward_model_held_out_accuracy: list[float]  # per seed
    dpo_loss_vs_torch_abs_error: float
    samples_per_request: int  # the policy's replies per held-out request and measurement
    reference_samples_per_request: int  # the reference's, sampled once per seed
    ceiling: dict[str, Any]  # best win-rate any policy could reach: estimate, ci
    win_rate: dict[str, float]
    win_rate_ci: dict[str, list[float]]  # 95%, seeds x held-out requests
    win_rate_by_seed: dict[str, list[float]]
    share_of_achievable_gain: dict[str, float]  # (win-rate - 0.5) / (ceiling - 0.5)
    augmentation_gain: dict[str, Any]  # augmented chosen - chosen as they are: estimate, ci
    augmented_peak: dict[str, Any]  # the labels-ignored arm's highest checkpoint: steps, ci
    kl_to_reference_nats: dict[str, float]
    reply_shares: dict[str, dict[str, float]]
    examples: dict[str, list[str]]
    curve: list[dict[str, Any]]  # win-rate and KL at each checkpoint, mean over seeds
    torch_threads_used: int


def run(config: Config, context: LabContext) -> LabResult[AlignmentMetrics]:
    with torch_threads(1):
        return _run(config, context)


def final_arms(run: SeedRun, config: Config) -> dict[str, Arm]:
    """Each method's run at the chosen settings, by method name."""
    arms = {"dpo": run.chosen("dpo", config.beta), "rlhf": run.chosen("rlhf", config.kl_coef)}
    return arms | run.supervised


def augmentation_gain(augmented: Arm, plain: Arm) -> list[float]:
    """Per held-out request, the win-rate of ``augmented`` minus that of ``plain``, averaged
    over the checkpoints: the gap between their learning curves, not only at the end, where
    both may sit at the ceiling."""
    gaps = [0.0] * len(plain.final.by_request)
    for (_, a), (_, b) in zip(augmented.curve, plain.curve, strict=True):
        for i, (x, y) in enumerate(zip(a.by_request, b.by_request, strict=True)):
            gaps[i] += (x - y) / len(plain.curve)
    return gaps


def curve_points(runs: list[SeedRun]) -> list[dict[str, Any]]:
    """The win-rate-KL curve: each DPO and RLHF setting at each checkpoint, and the
    supervised arms at the end, means over the seeds."""
    points = []
    groups = [("dpo", "beta", [r.dpo for r in runs]), ("rlhf", "kl_coef", [r.rlhf for r in runs])]
    groups += [(name, "", [[r.supervised[name]] for r in runs]) for name, *_ in SUPERVISED]
    for method, setting_name, per_seed in groups:
        for k, arm in enumerate(per_seed[0]):
            for c, (step, _) in enumerate(arm.curve):
                at = [arms[k].curve[c][1] for arms in per_seed]
                point: dict[str, Any] = {"method": method}
                if setting_name:
                    point[setting_name] = arm.setting
                point |= {
                    "steps": step,
                    "win_rate": round(sum(m.win_rate for m in at) / len(at), 4),
                    "kl": round(sum(m.kl for m in at) / len(at), 4),
                    "garbled": round(sum(m.shares["neither"] for m in at) / len(at), 4),
                }
                points.append(point)
    return points


def _run(config: Config, context: LabContext) -> LabResult[AlignmentMetrics]:
    from llmiq.labs.alignment.tuning import explain  # not at import: it runs as a script too

    config = replace(
        config,
        curve_betas=tuple(dict.fromkeys((config.beta, *config.curve_betas))),
        curve_kl_coefs=tuple(dict.fromkeys((config.kl_coef, *config.curve_kl_coefs))),
    )
    runs_per_seed = len(config.curve_betas) + 1 + len(config.curve_kl_coefs) + len(SUPERVISED)
    total = (config.sft_steps + config.steps * runs_per_seed) * len(context.seeds)
    runs: list[SeedRun] = []
    with context.progress(total, "alignment: SFT, DPO, RLHF, augmentation") as advance:
        for seed in context.replicate():
            runs.append(run_seed(config, seed, advance))
    seeds = [r.seed for r in runs]
    finals = [final_arms(r, config) for r in runs]

    def final(method: str) -> list[Any]:
        return [r.reference if method == "reference" else f[method].final for r, f in
                zip(runs, finals, strict=True)]  # fmt: skip

    win = {m: nested_interval([x.by_request for x in final(m)], seed=seeds[0]) for m in METHODS}
    ceiling = nested_interval([r.ceiling for r in runs], seed=seeds[0])
    mean = {m: _mean_measured(final(m)) for m in METHODS}
    compute = {m: arm.compute for m, arm in finals[0].items()}
    labels = {
        "dpo": f"DPO (beta = {config.beta:g})",
        "rlhf": f"RLHF (reward model + REINFORCE, KL coefficient {config.kl_coef:g})",
        "augmented": "augmentation (labels ignored)",
        "augmented_chosen": "augmented chosen replies",
        "chosen": "chosen replies as they are",
    }
    outcome = {
        m: Outcome(labels[m], win[m], mean[m]["kl"], mean[m]["shares"], compute[m]) for m in labels
    }
    gain = nested_interval(
        [augmentation_gain(f["augmented_chosen"], f["chosen"]) for f in finals], seed=seeds[0]
    )
    accuracy = [round(r.reward_accuracy, 4) for r in runs]
    steps_measured = [step for step, _ in finals[0]["chosen"].curve]
    curve = curve_points(runs)
    top = max((p for p in curve if p["method"] == "augmented"), key=lambda p: p["win_rate"])
    at_top = [dict(f["augmented"].curve)[top["steps"]].by_request for f in finals]
    peak = (top["steps"], nested_interval(at_top, seed=seeds[0]))
    claims = [
        moves_claim(outcome["dpo"], outcome["rlhf"], ceiling, seeds),
        moves_claim(outcome["rlhf"], outcome["dpo"], ceiling, seeds, reward_accuracy=accuracy),
        augmentation_claim(outcome["augmented"], outcome["dpo"], peak, seeds),
        chosen_claim(outcome["augmented_chosen"], outcome["augmented"], seeds),
        augmentation_gain_claim(
            gain, outcome["augmented_chosen"], outcome["chosen"], steps_measured, seeds
        ),
    ]
    figures = [
        plot_curve(context, curve, win, ceiling, config),
        plot_training(context, runs[0], finals[0], config),
    ]
    key_figure = (
        f"equal compute: win-rate DPO {win['dpo'].estimate:.2f}, RLHF {win['rlhf'].estimate:.2f}, "
        f"augmentation {win['augmented'].estimate:.2f}, augmented chosen replies "
        f"{win['augmented_chosen'].estimate:.2f} (ceiling {ceiling.estimate:.2f})"
    )
    losses = {"sft": runs[0].sft_losses, "reward_model": runs[0].reward_losses}
    losses |= {m: arm.losses for m, arm in finals[0].items() if m != "rlhf"}
    metrics = AlignmentMetrics(
        seeds=seeds,
        vocab_size=runs[0].vocab_size,
        policy_params=runs[0].policy_params,
        train_requests=36 - config.held_out_requests,
        held_out_requests=config.held_out_requests,
        preference_pairs=runs[0].pairs,
        labels=config.labels,
        beta=config.beta,
        kl_coef=config.kl_coef,
        compute={m: c.to_dict() for m, c in compute.items()},
        equal_compute=equal_compute(compute["dpo"], compute["rlhf"]),
        final_losses={m: round(sum(x[-10:]) / len(x[-10:]), 4) for m, x in losses.items()},
        reward_model_held_out_accuracy=accuracy,
        dpo_loss_vs_torch_abs_error=_dpo_loss_check(config.beta),
        samples_per_request=config.samples_per_request,
        reference_samples_per_request=config.reference_samples_per_request,
        ceiling=_interval_dict(ceiling),
        win_rate={m: round(iv.estimate, 4) for m, iv in win.items()},
        win_rate_ci={m: [round(iv.low, 4), round(iv.high, 4)] for m, iv in win.items()},
        win_rate_by_seed={m: [round(x.win_rate, 4) for x in final(m)] for m in METHODS},
        share_of_achievable_gain={
            m: round((iv.estimate - 0.5) / (ceiling.estimate - 0.5), 4) for m, iv in win.items()
        },
        augmentation_gain=_interval_dict(gain),
        augmented_peak={"steps": peak[0]} | _interval_dict(peak[1]),
        kl_to_reference_nats={m: round(mean[m]["kl"], 4) for m in METHODS},
        reply_shares={m: {s: round(x, 4) for s, x in mean[m]["shares"].items()} for m in METHODS},
        examples={m: final(m)[0].examples for m in METHODS},
        curve=curve,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="DPO, RLHF and data augmentation at equal compute, on a tiny policy with a hidden "
        "preference rule",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
        tuning=explain(config),
    )


def _mean_measured(measured: list[Any]) -> dict[str, Any]:
    n = len(measured)
    shares = {k: sum(m.shares[k] for m in measured) / n for k in measured[0].shares}
    return {"kl": sum(m.kl for m in measured) / n, "shares": shares}


def _interval_dict(interval: Interval) -> dict[str, Any]:
    return {
        "estimate": round(interval.estimate, 4),
        "ci": [round(interval.low, 4), round(interval.high, 4)],
        "over": interval.over,
    }


def _dpo_loss_check(beta: float) -> float:
    """The from-scratch DPO loss against the same quantity written as torch's logistic loss."""
    example = torch.tensor([-2.0, -3.5]), torch.tensor([-6.0, -1.0])
    ref_example = torch.tensor([-3.0, -3.0]), torch.tensor([-5.0, -2.0])
    ours, margin = preference.dpo_loss(*example, *ref_example, beta=beta)
    library = F.binary_cross_entropy_with_logits(margin, torch.ones_like(margin))
    return abs(ours.item() - library.item())
