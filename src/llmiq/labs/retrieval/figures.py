"""The retrieval lab's figure: recall@k and MRR by chunking and method, and who misses what."""

from __future__ import annotations

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.uncertainty import Interval

COLORS = {"dense": "tab:blue", "bm25": "tab:orange", "hybrid": "tab:green"}


def plot_retrieval(
    context: LabContext,
    configs: list[str],
    recall: dict[str, dict[str, dict[str, float]]],
    recall_ci: dict[str, dict[str, Interval]],
    mrr: dict[str, dict[str, float]],
    failures: dict[str, dict[str, float]],
    k: int,
    chance: float,
) -> str:
    plt = pyplot()
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4))
    x = range(len(configs))
    width = 0.27
    for i, method in enumerate(("dense", "bm25", "hybrid")):
        offsets = [j + (i - 1) * width for j in x]
        intervals = [recall_ci[method][c] for c in configs]
        left.bar(
            offsets,
            [recall[method][c][f"@{k}"] for c in configs],
            width,
            label=method,
            color=COLORS[method],
            yerr=[
                [i.estimate - i.low for i in intervals],
                [i.high - i.estimate for i in intervals],
            ],
            capsize=2,
        )
        middle.bar(
            offsets, [mrr[method][c] for c in configs], width, label=method, color=COLORS[method]
        )
    left.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.2f})")
    for ax, name in ((left, f"recall@{k}"), (middle, "MRR")):
        ax.set_xticks(list(x), configs)
        ax.set(xlabel="chunk size in words (size/overlap)", ylabel=name, ylim=(0, 1.2))
        ax.set_title(f"{name} by chunk size" + (" (95% intervals)" if ax is left else ""))
        ax.legend(fontsize=8, loc="upper left", ncol=4)
    parts = (("both", "tab:grey"), ("dense_only", "tab:blue"), ("bm25_only", "tab:orange"))
    bottom = [0.0] * len(configs)
    for part, color in parts:
        heights = [failures[c][part] for c in configs]
        right.bar(
            list(x),
            heights,
            bottom=bottom,
            color=color,
            label=part.replace("_", " ").replace("bm25", "BM25") + " misses",
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    right.set_xticks(list(x), configs)
    right.set(
        xlabel="chunk size in words", ylabel="queries missed", title=f"Who misses what (recall@{k})"
    )
    right.legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "retrieval")
