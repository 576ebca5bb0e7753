"""The calibration lab's run: the tiny model for every seed (the mechanism, with options A, B
and D), then the pretrained models on few-shot sentiment and topic prompts; the verdicts on
intervals over prompts and seeds, and what was measured, as ``CalibrationMetrics``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from llmiq.labs.calibration.claims import (
    augmentation_claim,
    bias_claim,
    calibration_claim,
    clipping_claim,
    finetune_claim,
)
from llmiq.labs.calibration.config import Config
from llmiq.labs.calibration.data import LABELS, VOCAB
from llmiq.labs.calibration.evaluation import CalibrationMetrics, summarise
from llmiq.labs.calibration.figures import plot_finetune, plot_pretrained, plot_prompts
from llmiq.labs.calibration.pretrained_arm import PretrainedArm, run_pretrained
from llmiq.labs.calibration.real_claims import LITERATURE
from llmiq.labs.calibration.sentences import TASKS
from llmiq.labs.calibration.tiny_arm import TinyRun, labels_needed, run_tiny, tiny_steps
from llmiq.labs.calibration.tuning import CHOSEN
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import Claim, LabResult


def run(config: Config, context: LabContext) -> LabResult[CalibrationMetrics]:
    seeds = context.seeds
    real_steps = len(config.models) * len(seeds) * len(TASKS) * config.prompts_per_task
    total = real_steps + (tiny_steps(config) * len(seeds) if config.tiny_arm else 0)
    runs: list[TinyRun] = []
    with torch_threads(1), context.progress(total, "calibration: tiny GPT, then LMs") as advance:
        if config.tiny_arm:
            runs = [run_tiny(config, seed, advance) for seed in context.replicate()]
        arm = run_pretrained(config, seeds, advance) if config.models else PretrainedArm()
    metrics = CalibrationMetrics(
        pretrained=arm.results,
        literature=LITERATURE,
        seeds=list(seeds),
        content_free_prior=config.content_free_prior,
    )
    claims: list[Claim] = []
    if runs:
        claims += tiny_claims(runs, config, seeds)
        fill_tiny_metrics(metrics, runs, config)
    claims += arm.claims
    figures = []
    if arm.results:
        figures.append(plot_pretrained(context, metrics, arm.claims))
    if runs:
        figures.append(plot_prompts(context, runs, metrics))
        if config.compare_options:
            figures.append(plot_finetune(context, metrics))
    return LabResult(
        title="Prompt calibration: the label bias of few-shot prompts, before and after",
        key_figure=key_figure(metrics),
        metrics=metrics,
        claims=claims,
        figures=figures,
        models=arm.cards,
        tuning=CHOSEN,
    )


def _groups(
    runs: Sequence[TinyRun], rows: Callable[[TinyRun], Any], which: str, key: str
) -> list[np.ndarray]:
    return [np.array([row[which][key] for row in rows(run)]) for run in runs]


def tiny_claims(runs: Sequence[TinyRun], config: Config, seeds: Sequence[int]) -> list[Claim]:
    def prompts(run: TinyRun) -> Any:
        return run.rows

    raw_shares = _groups(runs, prompts, "raw", "majority_share")
    bias = bias_claim(
        raw_shares,
        _groups(runs, prompts, "raw", "last_label_share"),
        seeds,
        config.demonstrations,
        config.majority,
    )
    claims = [
        bias,
        calibration_claim(
            _groups(runs, prompts, "raw", "macro_f1"),
            _groups(runs, prompts, "calibrated", "macro_f1"),
            raw_shares,
            _groups(runs, prompts, "calibrated", "majority_share"),
            seeds,
            config.content_free_prior,
        ),
    ]
    if config.compare_options:
        needed = [
            labels_needed(run.curve or [], summarise(run.rows, "calibrated")["majority_share"])
            for run in runs
        ]

        def clipped(run: TinyRun) -> Any:
            return run.clipped_rows

        claims += [
            finetune_claim([n for n, _ in needed], [r for _, r in needed], seeds, bias.supported),
            augmentation_claim(
                _groups(runs, lambda run: run.augmented_rows, "raw", "majority_share"),
                raw_shares,
                seeds,
            ),
            clipping_claim(
                _groups(runs, clipped, "raw", "majority_share"),
                _groups(runs, clipped, "calibrated", "majority_share"),
                raw_shares,
                [run.clipped_fraction or 0.0 for run in runs],
                config.clip_norm,
                seeds,
            ),
        ]
    return claims


def fill_tiny_metrics(metrics: CalibrationMetrics, runs: Sequence[TinyRun], config: Config) -> None:
    rows = [row for run in runs for row in run.rows]
    metrics.raw, metrics.calibrated = summarise(rows, "raw"), summarise(rows, "calibrated")
    metrics.zero_shot = {
        key: round(float(np.mean([run.zero_shot[key] for run in runs])), 4)
        for key in runs[0].zero_shot
    }
    if config.compare_options:
        metrics.finetune_curves = []
        for run in runs:
            target = summarise(run.rows, "calibrated")["majority_share"]
            needed, reached = labels_needed(run.curve or [], target)
            metrics.finetune_curves.append(
                {
                    "seed": run.seed,
                    "calibrated_majority_share": target,
                    "labelled_reviews_needed": needed,
                    "reached": reached,
                    "curve": run.curve,
                }
            )
        augmented = [row for run in runs for row in run.augmented_rows or []]
        clipped = [row for run in runs for row in run.clipped_rows or []]
        metrics.augmented_demonstrations = summarise(augmented, "raw")
        metrics.clipped = summarise(clipped, "raw")
        metrics.clipped_calibrated = summarise(clipped, "calibrated")
        metrics.clipped_fraction = [run.clipped_fraction or 0.0 for run in runs]
    metrics.per_prompt = [
        {
            "seed": run.seed,
            "demonstration_labels": [LABELS[label] for _, label in prompt.demonstrations],
            "p_cf_positive": round(row["p_cf_positive"], 4),
            "raw": {k: round(v, 4) for k, v in row["raw"].items()},
            "calibrated": {k: round(v, 4) for k, v in row["calibrated"].items()},
        }
        for run in runs
        for prompt, row in zip(run.prompts, run.rows, strict=True)
    ]
    metrics.bayes_accuracy = round(float(np.mean([run.bayes_accuracy for run in runs])), 4)
    metrics.final_label_loss = [run.final_label_loss for run in runs]
    metrics.calibration_vs_torch_max_abs = max(run.torch_check for run in runs)
    metrics.parameters = runs[0].parameters
    metrics.vocab_size = len(VOCAB)


def key_figure(metrics: CalibrationMetrics) -> str:
    parts = []
    for result in metrics.pretrained.values():
        tasks = result["tasks"].values()
        raw = np.mean([t["raw_accuracy"] for t in tasks])
        calibrated = np.mean([t["calibrated_accuracy"] for t in tasks])
        parts.append(f"{result['name']} accuracy {raw:.2f} -> {calibrated:.2f}")
    if metrics.raw is not None and metrics.calibrated is not None:
        parts.append(
            f"tiny GPT majority-label share {metrics.raw['majority_share']:.0%} -> "
            f"{metrics.calibrated['majority_share']:.0%}"
        )
    return "; ".join(parts) + " after contextual calibration (0 labels, 0 steps)"
