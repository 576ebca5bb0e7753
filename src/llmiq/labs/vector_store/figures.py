"""The vector-store lab's figures: the private-facts arms (accuracy and prompt cost), the
sentiment task, and what the store costs as it grows. Error bars are the claims' 95%
intervals over items x seeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.uncertainty import nested_interval
from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.private_qa import SeedResult


def _bars(ax: Any, names: Sequence[str], groups: Sequence[Sequence[np.ndarray]],
          colours: Sequence[str]) -> None:  # fmt: skip
    """Bars of the mean with the nested 95% interval as error bars, the value on top."""
    intervals = [nested_interval(g, seed=0) for g in groups]
    x = np.arange(len(names))
    means = [iv.estimate for iv in intervals]
    errors = [[m - iv.low for m, iv in zip(means, intervals, strict=True)],
              [iv.high - m for m, iv in zip(means, intervals, strict=True)]]  # fmt: skip
    ax.bar(x, means, color=colours, yerr=errors, capsize=3, ecolor="black")
    for xi, iv in zip(x, intervals, strict=True):
        ax.annotate(f"{iv.estimate:.2f}", (xi, iv.high), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, names)


def plot_private_facts(
    context: LabContext,
    runs: Sequence[SeedResult],
    summary: dict[str, Any],
    config: Config,
    window: int,
) -> str:
    plt = pyplot()
    fig, (acc, cost) = plt.subplots(1, 2, figsize=(12, 4.4), width_ratios=(1.5, 1))
    arms = ["no_context", "whole_small", "faiss_small", "whole_medium", "bm25_large",
            "faiss_large"]  # fmt: skip
    names = ["no\ndocuments", f"whole\n({config.small_documents})",
             f"vector store\n({config.small_documents})", f"whole\n({config.medium_documents})",
             f"BM25\n({config.large_documents})",
             f"vector store\n({config.large_documents})"]  # fmt: skip
    colours = ["tab:red", "tab:green", "tab:blue", "yellowgreen", "tab:orange", "tab:blue"]
    _bars(acc, names, [[r.arms[a].p_answer for r in runs] for a in arms], colours)
    accuracy = [summary["accuracy"][a] for a in arms]
    acc.plot(range(len(arms)), accuracy, "D", color="black", ms=4, label="accuracy (argmax)")
    chance = 1 / summary["candidates"]
    acc.axhline(chance, color="grey", ls="--", label=f"chance ({chance:.2f})")
    acc.axvline(3.5, color="black", lw=0.8)
    acc.text(3.6, 1.12, f"large: {summary['large_collection_tokens']:,.0f} tokens > "
             f"{window:,}\nwhole collection cannot be read", fontsize=8, va="top")  # fmt: skip
    acc.set(ylim=(0, 1.15), ylabel="expected accuracy (95% interval)",
            title=f"SmolLM2-135M-Instruct on private facts ({summary['questions']} questions; "
                  f"documents in each collection)")  # fmt: skip
    acc.legend(loc="upper left", fontsize=8)
    acc.tick_params(axis="x", labelsize=8)

    tokens = summary["prompt_tokens"]
    labels = ["no documents", f"whole ({config.small_documents})",
              f"whole ({config.medium_documents})", f"top-{config.k} ({config.small_documents})",
              f"top-{config.k} ({config.large_documents})",
              f"whole ({config.large_documents})"]  # fmt: skip
    values = [tokens["no_context"], tokens["whole_small"], tokens["whole_medium"],
              tokens["faiss_small"], tokens["faiss_large"],
              summary["large_collection_tokens"]]  # fmt: skip
    bars = cost.barh(labels, values, color=["tab:red", "tab:green", "yellowgreen", "tab:blue",
                                            "tab:blue", "lightgrey"])  # fmt: skip
    bars[-1].set_hatch("//")
    cost.axvline(window, color="black", ls="--", label=f"context window ({window:,})")
    seconds = summary["cpu_seconds_per_question"]
    per_question = [seconds["no_context"], seconds["whole_small"], seconds["whole_medium"],
                    seconds["faiss_small"], seconds["faiss_large"], None]  # fmt: skip
    for bar, value, s in zip(bars, values, per_question, strict=True):
        note = f"{value:,.0f}" + (f"  ({s:.2f} s)" if s is not None else "  (not run)")
        cost.annotate(note, (value, bar.get_y() + bar.get_height() / 2), va="center",
                      fontsize=8, xytext=(3, 0), textcoords="offset points")  # fmt: skip
    cost.set(xscale="log", xlim=(10, 2e5),
             xlabel="prompt tokens per question (CPU s per question; a whole collection's "
                    "cache is shared)",
             title="what each question costs")  # fmt: skip
    cost.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "vector_store_private_facts")


def plot_sentiment(
    context: LabContext, runs: Sequence[dict[str, np.ndarray]], config: Config
) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    names = ["text alone", f"{config.neighbours}-NN vote\n(store)", "+ neighbours\n(store)"]
    keys = ["text_alone", "knn_vote", "with_neighbours"]
    _bars(ax, names, [[r[k] for r in runs] for k in keys], ["tab:green", "tab:blue", "tab:blue"])
    ax.axhline(0.5, color="grey", ls="--", label="majority class")
    ax.set(ylim=(0, 1.1), ylabel="held-out accuracy (95% interval)",
           title="sentiment from the text alone: no store needed")  # fmt: skip
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "vector_store_sentiment")


def plot_costs(context: LabContext, costs: list[dict[str, float]]) -> str:
    plt = pyplot()
    n = [row["n"] for row in costs]
    colours = {"numpy": "tab:grey", "flat": "tab:orange", "hnsw": "tab:green", "raw": "tab:blue"}
    fig, (lat, mem, build) = plt.subplots(1, 3, figsize=(12, 3.6))
    for key, label in (("numpy", "exact (numpy)"), ("flat", "FAISS flat"), ("hnsw", "FAISS HNSW")):
        lat.plot(n, [row[f"{key}_query_ms"] for row in costs], "o-", c=colours[key], label=label)
    lat.set(xscale="log", yscale="log", xlabel="vectors", ylabel="ms per query (median)")
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
