"""The vector-store lab's figures: both tasks with and without a store, and the costs."""

from __future__ import annotations

from typing import Any

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.vector_store.config import Config


def _bar_labels(ax: Any) -> None:
    for bar in ax.patches:
        x, height = bar.get_x() + bar.get_width() / 2, bar.get_height()
        ax.annotate(f"{height:.2f}", (x, height), ha="center", va="bottom", fontsize=8)


def plot_tasks(
    context: LabContext, sentiment: dict[str, float], qa: dict[str, Any], config: Config
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    names = ["text alone", f"{config.neighbours}-NN vote\n(store)", "+ neighbours\n(store)"]
    values = [sentiment["text_alone"], sentiment["knn_vote"], sentiment["with_neighbours"]]
    left.bar(names, values, color=["tab:green", "tab:blue", "tab:blue"])
    left.axhline(sentiment["majority"], color="grey", ls="--", label="majority class")
    left.set(ylim=(0, 1.08), ylabel="held-out accuracy", title="(a) sentiment: no store needed")
    left.legend(loc="lower right")
    cb = qa["closed_book"]
    k = min(config.k, qa["stored"])
    names = [
        "most\ncommon",
        "question\nonly",
        "retrieval\n@1",
        f"retrieval\n@{k}",
        "answer\n(store)",
    ]
    values = [
        cb["most_common_answer"],
        cb["question_only"],
        qa["retrieval_at_1"],
        qa[f"retrieval_at_{k}"],
        qa["answer_accuracy"],
    ]
    right.bar(names, values, color=["tab:red", "tab:red", "tab:blue", "tab:blue", "tab:green"])
    right.axhline(cb["chance"], color="grey", ls="--", label="chance")
    right.set(ylim=(0, 1.08), ylabel="share of questions", title="(b) private documents")
    right.legend(loc="upper left")
    for ax in (left, right):
        _bar_labels(ax)
        ax.tick_params(axis="x", labelsize=9)
    fig.tight_layout()
    return context.save_figure(fig, "vector_store_tasks")


def plot_costs(context: LabContext, costs: list[dict[str, float]]) -> str:
    plt = pyplot()
    n = [row["n"] for row in costs]
    colours = {"numpy": "tab:grey", "flat": "tab:orange", "hnsw": "tab:green", "raw": "tab:blue"}
    fig, (lat, mem, build) = plt.subplots(1, 3, figsize=(12, 3.6))
    for key, label in (("numpy", "exact (numpy)"), ("flat", "FAISS flat"), ("hnsw", "FAISS HNSW")):
        lat.plot(n, [row[f"{key}_query_ms"] for row in costs], "o-", c=colours[key], label=label)
    lat.set(xscale="log", yscale="log", xlabel="vectors", ylabel="ms per query")
    lat.set_title("query latency (1 thread)")
    for key, label in (("raw", "raw float32 vectors"), ("hnsw", "FAISS HNSW")):
        mem.plot(n, [row[f"{key}_bytes"] / 2**20 for row in costs], "o-", c=colours[key],
                 label=label)  # fmt: skip
    mem.set(xscale="log", yscale="log", xlabel="vectors", ylabel="MiB", title="memory")
    for key, label in (("flat", "FAISS flat"), ("hnsw", "FAISS HNSW")):
        build.plot(n, [row[f"{key}_build_seconds"] for row in costs], "o-", c=colours[key],
                   label=label)  # fmt: skip
    build.set(xscale="log", yscale="log", xlabel="vectors", ylabel="seconds", title="build time")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    for ax in (lat, mem, build):
        ax.set_xticks(n, [f"{v:,}" for v in n], minor=False)
        ax.set_xticks([], minor=True)  # only the measured sizes: no crowded minor labels
        # plain numbers, not 10^x: no mathtext to typeset (it doubled the plotting time)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "vector_store_costs")
