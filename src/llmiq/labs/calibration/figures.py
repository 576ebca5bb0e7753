"""The calibration lab's figures: per-prompt bias before and after, and the fine-tuning
curve of option A."""

from __future__ import annotations

from typing import Any

import numpy as np

from llmiq.labs.calibration.data import Prompt
from llmiq.labs.calibration.evaluation import CalibrationMetrics
from llmiq.labs.context import LabContext, pyplot


def plot_prompts(
    context: LabContext,
    prompts: list[Prompt],
    rows: list[dict[str, Any]],
    metrics: CalibrationMetrics,
) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    x = np.arange(len(rows))
    before = [row["raw"]["positive_share"] for row in rows]
    after = [row["calibrated"]["positive_share"] for row in rows]
    for i in x:
        left.plot([i, i], [before[i], after[i]], color="0.75", zorder=1)
    left.scatter(x, before, label="few-shot prompt", color="tab:red", zorder=2)
    left.scatter(x, after, label="+ contextual calibration", color="tab:blue", zorder=2)
    left.axhline(0.5, color="k", lw=0.8, ls="--")
    left.set_xticks(x, [f"{i + 1}\n{'+' if p.majority else '−'}" for i, p in enumerate(prompts)])
    left.set_xlabel("demonstration set (+/−: majority label positive/negative)")
    left.set_ylabel("share of test reviews predicted positive")
    left.set_ylim(0, 1)
    left.set_title("Balanced test set: predicted-label share per prompt")
    left.legend(loc="best", fontsize=8)

    conditions = [("few-shot", metrics.raw), ("calibrated", metrics.calibrated)]
    if metrics.augmented_demonstrations is not None:
        conditions += [
            ("paraphrased\ndemos (B)", metrics.augmented_demonstrations),
            ("clipped\nmodel (D)", metrics.clipped),
        ]
        last = metrics.finetune_curve[-1]
        conditions.append(
            (
                f"fine-tuned (A)\n{last['labelled_reviews']} labels",
                {
                    "majority_share": last["majority_share"],
                    "majority_share_std": 0,
                    "macro_f1": last["macro_f1"],
                    "macro_f1_std": 0,
                },
            )
        )
    pos = np.arange(len(conditions))
    shares = [c["majority_share"] for _, c in conditions]
    f1s = [c["macro_f1"] for _, c in conditions]
    right.bar(
        pos - 0.2,
        shares,
        0.4,
        yerr=[c["majority_share_std"] for _, c in conditions],
        label="majority-label share",
        color="tab:orange",
    )
    right.bar(
        pos + 0.2,
        f1s,
        0.4,
        yerr=[c["macro_f1_std"] for _, c in conditions],
        label="macro-F1",
        color="tab:green",
    )
    right.axhline(0.5, color="k", lw=0.8, ls="--")
    right.set_xticks(pos, [name for name, _ in conditions], fontsize=8)
    right.set_ylim(0, 1)
    right.set_title("Mean ± std over prompts")
    right.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_prompts")


def plot_finetune(context: LabContext, metrics: CalibrationMetrics) -> str:
    plt = pyplot()
    curve = metrics.finetune_curve
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(
        [p["labelled_reviews"] for p in curve],
        [p["majority_share"] for p in curve],
        marker="o",
        label="fine-tuning (A): shuffled labelled prompts",
    )
    axis.axhline(
        metrics.calibrated["majority_share"],
        color="tab:blue",
        ls="--",
        label="contextual calibration (C): 0 labels",
    )
    axis.axhline(0.5, color="k", lw=0.8)
    axis.set_xlabel("labelled reviews seen while fine-tuning")
    axis.set_ylabel("majority-label share (balanced test set)")
    axis.set_title("What it costs to remove the bias by training")
    axis.legend(fontsize=8)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_finetune")
