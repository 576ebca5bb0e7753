"""The quantization lab's figures: drift against bits per weight, and the levels a shared
per-tensor scale leaves each row."""

from __future__ import annotations

import torch

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.quantization.measurements import SchemeResult


def plot_drift(context: LabContext, results: list[SchemeResult]) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.9))
    for index, result in enumerate(results):
        kl = max(result.kl_nats, 1e-9)  # fp16's KL can round to 0 on a log axis
        ci = result.kl_interval
        low, high = max(ci.low, 1e-9), max(ci.high, 1e-9)
        left.errorbar(
            result.bits_per_weight, kl, yerr=[[kl - low], [high - kl]], fmt="o", ms=5, capsize=3
        )
        left.annotate(
            result.scheme,
            (result.bits_per_weight, kl),
            fontsize=8,
            xytext=(5, 4 if index % 2 else -10),  # neighbours alternate above and below
            textcoords="offset points",
        )
    left.set(
        yscale="log",
        xlabel="bits per weight (scales included)",
        ylabel="mean KL(fp32 || scheme), nats",
        title="Drift of the next-token distribution (95% intervals)",
    )
    left.set_xscale("log", base=2)
    left.minorticks_off()
    left.set_xticks([2, 4, 8, 16], ["2", "4", "8", "16"])
    left.set_xlim(1.8, 24)
    names = [r.scheme for r in results]
    x = range(len(results))
    agreement = [r.top1_agreement for r in results]
    errors = [
        [a - r.top1_interval.low for a, r in zip(agreement, results, strict=True)],
        [r.top1_interval.high - a for a, r in zip(agreement, results, strict=True)],
    ]
    right.bar(x, agreement, yerr=errors, capsize=3, color="tab:blue", alpha=0.6, label="all")
    languages = list(results[0].top1_by_language) if results else []
    for marker, language in zip("ox^s", languages, strict=False):
        right.plot(
            x,
            [r.top1_by_language[language] for r in results],
            marker,
            color="black",
            ms=4,
            label=language,
        )
    right.axhline(0.95, color="grey", ls="--", lw=1, label="the int8 bar, 95%")
    right.set_xticks(list(x), names, rotation=40, ha="right", fontsize=8)
    right.set(
        ylabel="top-1 agreement with fp32", ylim=(0, 1.02), title="Same most likely next token"
    )
    right.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "quantization")


def plot_per_tensor_levels(context: LabContext, levels: torch.Tensor) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.hist(levels.numpy(), bins=64, range=(0, 127), color="tab:orange")
    median = float(levels.median())
    ax.axvline(median, color="black", ls="--", lw=1, label=f"median row: {median:.0f} levels")
    ax.axvline(127, color="tab:green", lw=2, label="per channel: every row 127")
    ax.set(
        xlabel="positive int8 levels a row can reach with one scale per matrix",
        ylabel="rows (all linear layers)",
        title="Per-tensor int8: the largest weight sets the scale for all rows",
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "per_tensor_levels")
