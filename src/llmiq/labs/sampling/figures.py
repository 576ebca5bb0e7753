"""The sampling lab's figures: entropy and diversity by temperature, and top-k."""

from __future__ import annotations

import math

from llmiq.labs.context import LabContext, pyplot


def plot_temperature(
    context: LabContext,
    temps: list[float],
    entropies: list[float],
    diversities: list[float],
    n: int,
    vocab_size: int,
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(temps, entropies, "o-")
    left.axhline(math.log2(vocab_size), color="grey", ls="--", lw=1, label="uniform (log2 V)")
    left.set(xlabel="temperature T", ylabel="next-token entropy (bits)", title="Entropy vs T")
    left.legend(loc="lower right")
    right.plot(temps, diversities, "o-", color="tab:orange")
    right.set(xlabel="temperature T", ylabel=f"distinct-{n}", title=f"Distinct-{n} of samples vs T")
    right.set_ylim(0, 1.02)
    fig.tight_layout()
    return context.save_figure(fig, "temperature")


def plot_top_k(
    context: LabContext, ks: list[int], measured: dict[str, list[float]], full_entropy: float
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(ks, ks, color="grey", ls="--", lw=1, label="support = k")
    left.plot(ks, measured["max_support"], "o-", label="largest support")
    left.plot(ks, measured["mean_support"], "x", label="mean support")
    left.set(xscale="log", yscale="log", xlabel="k", ylabel="tokens with p > 0")
    left.set_title("Top-k: support size vs k")
    left.legend(loc="upper left")
    right.plot(ks, measured["entropy_bits"], "o-", color="tab:green", label="top-k, T = 1")
    right.axhline(full_entropy, color="grey", ls="--", lw=1, label="untruncated")
    right.set(xscale="log", xlabel="k", ylabel="mean entropy (bits)")
    right.set_title("A small k lowers entropy too")
    right.legend(loc="lower right")
    fig.tight_layout()
    return context.save_figure(fig, "top_k")
