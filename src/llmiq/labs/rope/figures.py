"""The RoPE lab's figure: one pair's score across absolute positions, the loss past the
trained length, and the long-term decay."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from llmiq.labs.context import LabContext
from llmiq.labs.uncertainty import Interval


def _smooth(values: torch.Tensor, width: int) -> torch.Tensor:
    """Moving average over ``width`` positions (shorter at the start)."""
    sums = torch.cat([torch.zeros(1), values.cumsum(0)])
    idx = torch.arange(1, len(values) + 1)
    return (sums[idx] - sums[(idx - width).clamp_min(0)]) / (idx - (idx - width).clamp_min(0))


def plot_rope(
    context: LabContext,
    *,
    placements: Sequence[int],
    distance: int,
    pair_scores: dict[str, Sequence[float]],
    train_length: int,
    curves: dict[str, torch.Tensor],
    distances: torch.Tensor,
    bound: torch.Tensor,
    matched: torch.Tensor,
    head_dim: int,
    gains: dict[str, Interval],
) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.3))
    relative, longer, decay = fig.subplots(1, 3)
    for (label, scores), colour in zip(
        pair_scores.items(), ("tab:green", "tab:orange", "tab:brown"), strict=True
    ):
        relative.plot(placements, scores, color=colour, lw=1.2, label=label)
    relative.set(
        xlabel="absolute position n of the key (query at n + m - n)",
        ylabel="score / (|q| |k|)",
        title=f"One (q, k) pair, m - n = {distance}, moved along",
    )
    relative.legend(fontsize=7, loc="lower right")

    width = max(2, train_length // 8)
    styles = {
        "plain RoPE": ("tab:red", "-"),
        "interpolated": ("tab:blue", "-"),
        "plain, fine-tuned": ("tab:red", ":"),
        "interpolated, fine-tuned": ("tab:blue", ":"),
    }
    for label, losses in curves.items():
        colour, style = styles.get(label, ("grey", "-"))
        positions = torch.arange(len(losses))
        longer.plot(positions, _smooth(losses, width), color=colour, ls=style, lw=1.2, label=label)
    longer.axvline(train_length, color="grey", lw=1, ls="--")
    longer.annotate(
        "trained length L",
        (train_length, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -12),
        textcoords="offset points",
        fontsize=8,
    )
    longer.set(
        xlabel="position in the window",
        ylabel=f"next-byte loss (nats, mean of {width})",
        title="Byte-level RoPE GPT past its trained length (mean of the seeds)",
    )
    longer.legend(fontsize=7, loc="lower right", framealpha=0.9)
    longer.text(
        0.02,
        0.97,
        "gain of interpolation (plain - interpolated),\nnats, 95% interval:\n"
        + "\n".join(f"{length} tokens: {iv.format('+.3f')}" for length, iv in gains.items()),
        transform=longer.transAxes,
        ha="left",
        va="top",
        fontsize=7,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "grey"},
    )

    x = distances[1:].numpy()  # a log axis: from distance 1
    at_zero = (head_dim // 2 + 1) / 2  # the bound at distance 0: the mean of 1 .. d/2
    decay.plot(
        x,
        (bound[1:] / at_zero).numpy(),
        color="tab:purple",
        lw=1,
        label="Su et al.'s relative upper bound (/ its value at 0)",
    )
    decay.plot(
        x,
        matched[1:].numpy(),
        color="tab:green",
        lw=0.8,
        label="score of a key equal to the query (mean of random vectors)",
    )
    decay.axhline(0, color="grey", lw=0.5)
    decay.set(
        xscale="log",
        xlabel="relative distance m - n",
        ylabel="normalised score",
        title=f"Long-term decay, d = {head_dim}",
    )
    decay.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return context.save_figure(fig, "rope")
