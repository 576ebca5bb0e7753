"""The LoRA lab's figure: what each method trains, how its loss falls, where it ends."""

from __future__ import annotations

from collections.abc import Sequence

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.uncertainty import Interval


def plot_lora(
    context: LabContext,
    ranks: Sequence[int],
    counted: dict[str, int],
    total: int,
    curves: dict[str, list[float]],
    val_loss: dict[str, float],
    base_loss: float,
    gaps: dict[str, Interval],
) -> str:
    """What each method trains, its training curve (first seed), and its held-out loss with
    the 95% interval of its gap to full fine-tuning as error bars."""
    plt = pyplot()
    methods = [*(f"r={r}" for r in ranks), "full"]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.8))
    left.bar(methods, [counted[m] for m in methods], color="tab:blue")
    left.axhline(total, color="grey", ls="--", lw=1, label=f"whole model ({total:,})")
    left.set(yscale="log", ylabel="trainable parameters", title="What each method trains")
    for i, m in enumerate(methods):
        left.text(i, counted[m], f"{counted[m] / total:.1%}", ha="center", va="bottom", fontsize=8)
    left.legend(loc="upper left", fontsize=8)
    for m in methods:
        steps = [10 * i + 5 for i in range(len(curves[m]))]
        middle.plot(steps, curves[m], label=m)
    middle.set(
        xlabel="fine-tuning step",
        ylabel="training loss (nats/byte)",
        title="Fine-tuning on code (first seed)",
    )
    middle.legend(fontsize=8)
    errors = [
        [gaps[m].estimate - gaps[m].low if m in gaps else 0.0 for m in methods],
        [gaps[m].high - gaps[m].estimate if m in gaps else 0.0 for m in methods],
    ]
    right.bar(methods, [val_loss[m] for m in methods], color="tab:green")
    right.errorbar(
        methods,
        [val_loss[m] for m in methods],
        yerr=errors,
        fmt="none",
        ecolor="black",
        capsize=4,
        label="95% interval of the gap to full",
    )
    right.axhline(base_loss, color="grey", ls="--", lw=1, label=f"base {base_loss:.3f}")
    low = min(min(val_loss.values()), base_loss)
    right.set_ylim(low * 0.9, base_loss * 1.05)
    right.set(ylabel="held-out code loss (nats/byte)", title="Validation loss, same steps")
    for i, m in enumerate(methods):
        top = val_loss[m] + errors[1][i]
        right.text(i, top, f"{val_loss[m]:.3f}", ha="center", va="bottom", fontsize=8)
    right.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "lora")
