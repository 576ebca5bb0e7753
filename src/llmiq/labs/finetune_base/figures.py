"""The fine-tuning lab's figure: held-out loss against fine-tuning data, one line per base."""

from __future__ import annotations

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.finetune_base.claims import effects
from llmiq.labs.finetune_base.config import Base


def plot_loss_vs_data(
    context: LabContext, bases: list[Base], sizes: list[int], grid: list[list[float]]
) -> str:
    plt = pyplot()
    e = effects(grid)
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(10.5, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    shapes = sorted({(b.n_layer, b.n_embd) for b in bases})
    palette = plt.get_cmap("tab10")
    for base, row in zip(bases, grid, strict=True):
        ax.plot(
            sizes,
            row,
            marker="o",
            label=base.name,
            color=palette(2 + shapes.index((base.n_layer, base.n_embd))),  # not the bars colours
            linestyle="-" if base.pretrained else "--",
        )
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{s / 1000:g}k" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("fine-tuning data (characters of the target style)")
    ax.set_ylabel("test loss after fine-tuning (nats/byte)")
    ax.set_title("One line per base (dashed: no pre-training)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)

    labels = [f"bases @ {s / 1000:g}k" for s in sizes] + [f"data @ {b.name}" for b in bases]
    values = e["base_range_by_size"] + e["data_range_by_base"]
    colors = ["tab:blue"] * len(sizes) + ["tab:orange"] * len(bases)
    bars.barh(range(len(values)), values, color=colors)
    bars.set_yticks(range(len(values)), labels, fontsize=8)
    bars.invert_yaxis()
    for y, mean in (
        (len(sizes) / 2 - 0.5, e["base_effect"]),
        (len(sizes) + len(bases) / 2 - 0.5, e["data_effect"]),
    ):
        bars.annotate(f"mean {mean:.2f}", (mean, y), fontsize=8, color="black")
    bars.set_xlabel("range of the loss (nats/byte)")
    bars.set_title("Effect of the base (blue) vs the data size (orange)")
    fig.tight_layout()
    return context.save_figure(fig, "loss_vs_data")
