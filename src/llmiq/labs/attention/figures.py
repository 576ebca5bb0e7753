"""The attention lab's figures: MiniLM's weights as heat maps, and the context shift."""

from __future__ import annotations

import statistics
from typing import Any

import torch

from llmiq.labs.attention.mechanics import ScaleRow
from llmiq.labs.attention.readout import ItemShift, WordShift, attention_by_word, word_row
from llmiq.labs.context import pyplot


def heatmap_figure(shift: WordShift, n_heads: int) -> Any:
    plt = pyplot()
    from matplotlib.colors import PowerNorm

    flat = shift.tv_per_head.flatten()
    heads = [divmod(int(i), shift.tv_per_head.size(1)) for i in flat.argsort()[-n_heads:]]
    heads = heads[::-1]
    fig, axes = plt.subplots(2, n_heads + 1, figsize=(4.2 * (n_heads + 1), 8.4), squeeze=False)
    norm = PowerNorm(gamma=0.5, vmin=0.0, vmax=1.0)  # square-root colours: small weights show
    for r, run in enumerate(shift.passes):
        target = run.tokens.index(shift.pair.word)
        panels = [(f"layer {i + 1}, head {h + 1}", run.attentions[i, h]) for i, h in heads]
        panels.append(("mean of all 72 heads", run.attentions.mean(dim=(0, 1))))
        for c, (name, weights) in enumerate(panels):
            ax = axes[r][c]
            image = ax.imshow(weights.numpy(), cmap="viridis", norm=norm)
            ticks = range(len(run.tokens))
            ax.set_xticks(ticks, run.tokens, rotation=90, fontsize=7)
            ax.set_yticks(ticks, run.tokens, fontsize=7)
            ax.add_patch(
                plt.Rectangle((-0.5, target - 0.5), len(run.tokens), 1, fill=False, ec="red")
            )
            ax.set_title(name, fontsize=9)
            if c == 0:
                ax.set_ylabel("query (row sums to 1)")
    fig.suptitle(
        f"MiniLM attention weights; row of '{shift.pair.word}' boxed; heads where it moves most"
    )
    fig.tight_layout()
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label="weight")
    return fig


def context_figure(shifts: list[ItemShift]) -> Any:
    """Left: the first item's ambiguous word, its attention in both frames. Right: per word,
    the mean shift of the ambiguous word and of the controls in the same slot."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    first = shifts[0].word
    rows = [
        attention_by_word(run.tokens, word_row(run, first.pair.word).mean(dim=(0, 1)))
        for run in first.passes
    ]
    words = list(dict.fromkeys([*rows[0], *rows[1]]))
    y = torch.arange(len(words)).float()
    for offset, row, label in ((-0.2, rows[0], first.pair.sentence_a), (0.2, rows[1],
                               first.pair.sentence_b)):  # fmt: skip
        values = [float(row.get(w, 0.0)) for w in words]
        left.barh((y + offset).numpy(), values, height=0.4, label=label)
    left.set_yticks(y.numpy(), words, fontsize=8)
    left.invert_yaxis()
    left.set_xlabel(f"attention of '{first.pair.word}' (mean over heads)")
    left.legend(fontsize=7, loc="lower right")
    by_word: dict[str, list[ItemShift]] = {}
    for s in shifts:
        by_word.setdefault(s.item.word, []).append(s)
    names = list(by_word)
    x = torch.arange(len(names)).float()
    word_tv = [statistics.fmean(s.word.tv for s in by_word[n]) for n in names]
    control_tv = [statistics.fmean(s.control.tv for s in by_word[n]) for n in names]
    right.bar((x - 0.2).numpy(), word_tv, 0.4, label="ambiguous word")
    right.bar((x + 0.2).numpy(), control_tv, 0.4, label="control word, same slot and frames")
    right.set_xticks(x.numpy(), names, fontsize=8)
    right.set_ylabel("TV distance between the two frames")
    right.set_title("attention shift over the shared words (mean over frames and seeds)")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def scale_figure(rows: list[ScaleRow]) -> Any:
    """Top weight and vanished gradients against the head size, with and without 1/sqrt(d_k)."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = [r.d_k for r in rows]
    for ax, scaled, unscaled, label in (
        (left, "max_weight_scaled", "max_weight_unscaled", "mean largest weight of a row"),
        (right, "vanished_scaled", "vanished_unscaled", "rows with a vanished gradient"),
    ):
        ax.plot(sizes, [getattr(r, scaled) for r in rows], "o-", label="q·k / sqrt(d_k)")
        ax.plot(sizes, [getattr(r, unscaled) for r in rows], "s--", label="q·k unscaled")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("head size d_k")
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    fig.suptitle("Why attention divides by sqrt(d_k): unscaled scores saturate the softmax")
    fig.tight_layout()
    return fig
