"""The calibration lab's figures: the pretrained models' accuracy per prompt before and after
calibration (the main figure), the tiny model's per-prompt bias, and option A's fine-tuning
curves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from llmiq.labs.calibration.evaluation import CalibrationMetrics
from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.report import Claim

if TYPE_CHECKING:
    from llmiq.labs.calibration.tiny_arm import TinyRun

RAW, CALIBRATED = "tab:red", "tab:blue"


def plot_pretrained(context: LabContext, metrics: CalibrationMetrics, claims: list[Claim]) -> str:
    """Left: every prompt's accuracy, raw and calibrated (a grey line joins the two), with
    mean ± std across prompts, per model and task. Right: the gain and the spread change
    with their 95% intervals, beside Zhao et al.'s up to +30 points."""
    plt = pyplot()
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    ticks, labels = [], []
    x = 0.0
    for result in metrics.pretrained.values():
        for task, chance in (("sentiment", 0.5), ("topic", 0.25)):
            rows = [r for r in result["per_prompt"] if r["task"] == task]
            raw = np.array([r["raw"]["accuracy"] for r in rows])
            calibrated = np.array([r["calibrated"]["accuracy"] for r in rows])
            jitter = np.linspace(-0.06, 0.06, len(rows))
            for j, (a, b) in enumerate(zip(raw, calibrated, strict=True)):
                left.plot([x - 0.2 + jitter[j], x + 0.2 + jitter[j]], [a, b], color="0.8", lw=0.8)
            left.scatter(x - 0.2 + jitter, raw, s=12, color=RAW, zorder=3)
            left.scatter(x + 0.2 + jitter, calibrated, s=12, color=CALIBRATED, zorder=3)
            for offset, values, color in ((-0.33, raw, RAW), (0.33, calibrated, CALIBRATED)):
                left.errorbar(x + offset, values.mean(), yerr=values.std(), fmt="D", ms=6,
                              color=color, capsize=3, zorder=4)  # fmt: skip
            left.hlines(chance, x - 0.45, x + 0.45, color="k", lw=0.8, ls=":")
            ticks.append(x)
            labels.append(f"{result['name'].split(' (')[0]}\n{task}")
            x += 1.2
    left.scatter([], [], color=RAW, label="few-shot prompt (raw)")
    left.scatter([], [], color=CALIBRATED, label="+ contextual calibration")
    left.set_xticks(ticks, labels, fontsize=8)
    left.set_ylim(0, 1.05)
    left.set_ylabel("accuracy on balanced test sentences")
    left.set_title("Each prompt before and after (diamonds: mean ± std; dotted: chance)")
    left.legend(loc="lower right", fontsize=8)

    gains = [c for c in claims if c.measure.startswith("accuracy gain")]
    spreads = [c for c in claims if c.measure.startswith("std of accuracy")]
    names = [result["name"] for result in metrics.pretrained.values()]
    y = np.arange(len(gains))
    for rows, offset, color, label in ((gains, 0.12, "tab:green", "mean accuracy gain"),
                                       (spreads, -0.12, "tab:purple", "change of std across "
                                        "prompts")):  # fmt: skip
        for i, claim in enumerate(rows):
            iv = claim.interval
            if iv is None:
                continue
            right.errorbar(iv.estimate, i + offset, xerr=[[iv.estimate - iv.low],
                           [iv.high - iv.estimate]], fmt="o", color=color, capsize=4,
                           label=label if i == 0 else None)  # fmt: skip
    right.axvline(0, color="k", lw=0.8)
    right.axvline(0.30, color="tab:green", lw=1, ls="--", label="Zhao et al. 2021: up to +0.30")
    right.set_yticks(y, names, fontsize=8)
    right.set_ylim(-0.6, len(gains) - 0.4)
    right.set_xlabel("calibrated − raw (95% interval over prompts and seeds)")
    right.set_title("Gain and spread change")
    right.legend(loc="upper left", fontsize=7)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_pretrained")


def plot_prompts(context: LabContext, runs: Sequence[TinyRun], metrics: CalibrationMetrics) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    prompts = [(run.seed, p) for run in runs for p in run.prompts]
    rows = [row for run in runs for row in run.rows]
    x = np.arange(len(rows))
    before = [row["raw"]["positive_share"] for row in rows]
    after = [row["calibrated"]["positive_share"] for row in rows]
    for i in x:
        left.plot([i, i], [before[i], after[i]], color="0.75", zorder=1)
    left.scatter(x, before, label="few-shot prompt", color=RAW, zorder=2, s=14)
    left.scatter(x, after, label="+ contextual calibration", color=CALIBRATED, zorder=2, s=14)
    left.axhline(0.5, color="k", lw=0.8, ls="--")
    left.set_xticks(x, ["+" if p.majority else "−" for _, p in prompts], fontsize=7)
    left.set_xlabel("demonstration set, seed by seed (+/−: majority label positive/negative)")
    left.set_ylabel("share of test reviews predicted positive")
    left.set_ylim(0, 1)
    left.set_title("Tiny GPT, balanced test set: predicted-label share per prompt")
    left.legend(loc="best", fontsize=8)

    conditions = [("few-shot", metrics.raw), ("calibrated", metrics.calibrated)]
    if metrics.augmented_demonstrations is not None and metrics.clipped is not None:
        conditions += [
            ("paraphrased\ndemos (B)", metrics.augmented_demonstrations),
            ("clipped\nmodel (D)", metrics.clipped),
        ]
    pos = np.arange(len(conditions))
    for offset, key, color, label in ((-0.2, "majority_share", "tab:orange",
                                       "majority-label share"),
                                      (0.2, "macro_f1", "tab:green", "macro-F1")):  # fmt: skip
        right.bar(pos + offset, [c[key] for _, c in conditions if c], 0.4,
                  yerr=[c[f"{key}_std"] for _, c in conditions if c], label=label,
                  color=color)  # fmt: skip
    right.axhline(0.5, color="k", lw=0.8, ls="--")
    right.set_xticks(pos, [name for name, _ in conditions], fontsize=8)
    right.set_ylim(0, 1)
    right.set_title("Mean ± std over prompts and seeds")
    right.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_prompts")


def plot_finetune(context: LabContext, metrics: CalibrationMetrics) -> str:
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6, 4))
    for i, run in enumerate(metrics.finetune_curves or []):
        curve = run["curve"]
        axis.plot(
            [p["labelled_reviews"] for p in curve],
            [p["majority_share"] for p in curve],
            marker="o",
            ms=3,
            color=f"C{i}",
            label=f"fine-tuning (A), seed {run['seed']}",
        )
        axis.axhline(run["calibrated_majority_share"], color=f"C{i}", ls="--", lw=0.8)
    axis.plot([], [], color="0.4", ls="--", label="contextual calibration (C): 0 labels")
    axis.axhline(0.5, color="k", lw=0.8)
    axis.set_xlabel("labelled reviews seen while fine-tuning")
    axis.set_ylabel("majority-label share (balanced test set)")
    axis.set_title("What it costs to remove the bias by training")
    axis.legend(fontsize=7)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_finetune")
