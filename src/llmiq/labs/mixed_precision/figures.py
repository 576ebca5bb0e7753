"""The mixed-precision lab's figure: the formats' ranges, a step's gradients against them,
the loss scale over training, and the rounding error."""

from __future__ import annotations

from typing import Any

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.mixed_precision.training import TrainLog


def plot_mixed_precision(
    context: LabContext,
    table: dict[str, dict[str, float]],
    histogram: dict[str, Any],
    log: TrainLog,
    rounding: dict[str, float],
    wide: str,
) -> str:
    import math

    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    (ranges, grads), (scales, errors) = axes
    colors = {"fp32": "tab:grey", "fp16": "tab:red", "bf16": "tab:blue"}
    labels = {"fp32": "fp32", "fp16": "fp16", "bf16": "bf16" if wide == "bfloat16" else wide}
    for i, (label, row) in enumerate(table.items()):
        low, tiny, high = (math.log2(row[k]) for k in ("smallest_subnormal", "tiny", "max"))
        ranges.plot([low, tiny], [i, i], color=colors[label], lw=3, alpha=0.4)
        ranges.plot([tiny, high], [i, i], color=colors[label], lw=8)
    ranges.set_yticks(range(len(table)), [labels[k] for k in table])
    ranges.set(xlabel="log2 |value| (thin: subnormal)", title="Representable range")

    low = histogram["low"]
    bins = list(range(low, low + len(histogram["unscaled"])))
    grads.bar(
        bins, histogram["unscaled"], width=1.0, alpha=0.6, color="tab:orange", label="gradients"
    )
    grads.bar(
        bins,
        histogram["scaled"],
        width=1.0,
        alpha=0.4,
        color="tab:green",
        label=f"x loss scale {histogram['scale']:g}",
    )
    for k, style in (("tiny", "--"), ("smallest_subnormal", ":")):
        grads.axvline(
            math.log2(table["fp16"][k]),
            color="tab:red",
            ls=style,
            label=f"fp16 {'smallest normal' if k == 'tiny' else 'smallest subnormal'}",
        )
    grads.axvline(math.log2(table["fp16"]["max"]), color="tab:red", ls="-", label="fp16 max")
    grads.set(
        xlabel="log2 |gradient|",
        ylabel="values",
        title=f"Gradients of step {histogram['step']} (weights and activations)",
    )
    grads.legend(fontsize=7, loc="upper left")

    steps = range(len(log.scales))
    scales.plot(steps, [math.log2(s) for s in log.scales], color="tab:green")
    scales.scatter(
        log.skipped,
        [math.log2(log.scales[s]) for s in log.skipped],
        color="tab:red",
        marker="x",
        label="overflow: step skipped, S halved",
    )
    scales.set(xlabel="training step", ylabel="log2 loss scale S", title="Dynamic loss scaling")
    scales.legend(fontsize=8)

    names = ["fp16", "bf16"]
    values = [rounding["fp16_mean_relative_error"], rounding["bf16_mean_relative_error"]]
    errors.bar([labels[n] for n in names], values, color=[colors[n] for n in names])
    for i, v in enumerate(values):
        errors.text(i, v, f"{v:.1e}", ha="center", va="bottom")
    errors.set(
        ylabel="mean relative rounding error",
        yscale="log",
        title="Precision on values in [1e-3, 1e3]",
    )
    fig.tight_layout()
    return context.save_figure(fig, "mixed_precision")
