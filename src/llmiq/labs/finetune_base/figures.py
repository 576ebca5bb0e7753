"""The fine-tuning lab's figure: held-out loss against fine-tuning data, one line per base,
and the two effects with their 95% intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.finetune_base.config import Base
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval


def plot_loss_vs_data(
    context: LabContext,
    bases: Sequence[Base],
    sizes: Sequence[int],
    grid: np.ndarray,
    cells: Sequence[Sequence[Interval]],
    claims: Sequence[Claim],
) -> str:
    plt = pyplot()
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(11, 4.3), gridspec_kw={"width_ratios": [3, 2]})
    palette = plt.get_cmap("tab10")
    for b, base in enumerate(bases):
        low = [grid[b, n] - cells[b][n].low for n in range(len(sizes))]
        high = [cells[b][n].high - grid[b, n] for n in range(len(sizes))]
        ax.errorbar(
            sizes,
            grid[b],
            yerr=[low, high],
            marker="o",
            capsize=3,
            label=base.name,
            color=palette(2 + b),  # not the bars' colours
            linestyle="-" if base.pretrained else "--",
        )
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [f"{s / 1000:g}k" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("fine-tuning data (characters of the target style)")
    ax.set_ylabel("test loss after fine-tuning (nats/char)")
    ax.set_title("One line per base (dashed: random init), 95% intervals")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)

    labels, intervals, colors = [], [], []
    for claim, label, color in (
        (claims[0], "all bases:\nbase - data", "tab:blue"),
        (claims[4], "pre-trained vs random:\npre-training - data", "tab:orange"),
    ):
        if claim.interval is not None:
            labels.append(label)
            intervals.append(claim.interval)
            colors.append(color)
    y = np.arange(len(intervals))
    estimates = [i.estimate for i in intervals]
    errors = [[i.estimate - i.low for i in intervals], [i.high - i.estimate for i in intervals]]
    bars.barh(y, estimates, xerr=errors, color=colors, capsize=4)
    bars.axvline(0, color="black", linewidth=0.8)
    bars.set_yticks(y, labels, fontsize=8)
    bars.invert_yaxis()
    bars.set_xlabel("effect of the base minus effect of the data size (nats/char)")
    bars.set_title("Which matters more (> 0: the base)")
    fig.tight_layout()
    return context.save_figure(fig, "loss_vs_data")
