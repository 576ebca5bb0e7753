"""The adaptive-softmax lab's figures: validation perplexity against training time for the
whole model, Zipf's law on the corpus, and the output layer's time against V."""

from __future__ import annotations

import numpy as np

from llmiq.labs.adaptive_softmax.training import Curve
from llmiq.labs.adaptive_softmax.zipf import ZipfFit
from llmiq.labs.context import LabContext, pyplot

COLOURS = {"full": "tab:blue", "adaptive": "tab:orange"}


def plot_curves(context: LabContext, runs: dict[int, dict[str, Curve]], vocab: int) -> str:
    """Validation perplexity against training CPU seconds (left) and against steps (right),
    one line per seed and arm."""
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for i, run in enumerate(runs.values()):
        for name, curve in run.items():
            label = f"{name} softmax" if i == 0 else None
            for axis, x in ((left, curve.cpu_seconds), (right, curve.steps)):
                axis.plot(x[1:], curve.perplexity[1:], "o-", ms=3, color=COLOURS[name],
                          alpha=0.8, label=label)  # fmt: skip
    left.set_xlabel("training CPU seconds (one thread)")
    right.set_xlabel("training steps (the same batches in both arms)")
    left.set_ylabel("validation perplexity")
    left.set_yscale("log")
    left.set_title("equal time: the adaptive model is ahead")
    right.set_title("equal steps: what the approximation costs")
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle(
        f"Word-level transformer LM on the corpus, V={vocab:,}: the whole model trained "
        f"({len(runs)} seed(s))"
    )
    figure.tight_layout()
    return context.save_figure(figure, "perplexity_vs_time")


def plot_zipf(context: LabContext, counts: np.ndarray, fit: ZipfFit, min_count: int) -> str:
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(5.5, 4))
    ranks = np.arange(1, len(counts) + 1)
    axis.loglog(ranks, counts, ".", markersize=2, label="stdlib docstring words")
    fitted = ranks[: fit.ranks_used]
    axis.loglog(
        fitted,
        np.exp(fit.intercept) * fitted**fit.slope,
        "-",
        color="tab:red",
        label=f"fit: slope {fit.slope:.2f}, R²={fit.r_squared:.3f}",
    )
    axis.set_xlabel("rank")
    axis.set_ylabel("frequency")
    axis.set_title(f"Zipf's law (ranks with count >= {min_count} fitted)")
    axis.legend()
    return context.save_figure(figure, "zipf_fit")


def plot_times(
    context: LabContext, rows: list[dict], targets: str, tokens: int, hidden: int
) -> str:
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(5.5, 4))
    vocab = [r["vocab"] for r in rows]
    for label, name, style in [
        ("main", "full", "o-"),
        ("main", "adaptive", "s-"),
        ("uniform", "full", "o--"),
        ("uniform", "adaptive", "s--"),
    ]:
        distribution = targets if label == "main" else "uniform"
        axis.loglog(
            vocab,
            [r[label][f"{name}_seconds"] for r in rows],
            style,
            color=COLOURS[name],
            alpha=1.0 if label == "main" else 0.6,
            label=f"{name} softmax, {distribution} targets",
        )
    axis.set_xlabel("vocabulary size V")
    axis.set_ylabel("forward+backward seconds (median)")
    axis.set_title(f"output layer alone: {tokens} tokens, D={hidden}, 1 thread")
    axis.legend(fontsize=8)
    return context.save_figure(figure, "softmax_time")
