"""The decoding lab's figure: likelihood against repetition, per continuation and method."""

from __future__ import annotations

from collections.abc import Sequence

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.decoding.claims import prompt_interval
from llmiq.labs.decoding.measurements import MethodResult

_COLOURS = {"greedy": "tab:blue", "beam": "tab:green", "sampling": "tab:orange"}


def plot_decoding(
    context: LabContext, results: list[MethodResult], n: int, prompt_seeds: Sequence[int]
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.9))
    colours = [_COLOURS.get(r.method, "tab:purple") for r in results]
    for result, colour in zip(results, colours, strict=True):
        left.scatter(result.mean_logprob, result.seq_rep, s=22, alpha=0.6, color=colour)
        summary = result.summary()
        left.scatter(
            summary["mean_logprob_per_token"],
            summary["seq_rep"],
            s=140,
            marker="X",
            color=colour,
            edgecolor="black",
            label=f"{result.method} (mean)",
        )
    left.set(
        xlabel="mean log-probability per token (nats)",
        ylabel=f"seq-rep-{n}",
        title="Each continuation: likelihood vs repetition",
    )
    left.legend(loc="upper left", fontsize=7)
    width = 0.4
    x = list(range(len(results)))
    summaries = [r.summary() for r in results]
    intervals = [prompt_interval(r.per_prompt(r.seq_rep), prompt_seeds) for r in results]
    right.bar(
        [i - width / 2 for i in x],
        [iv.estimate for iv in intervals],
        width,
        yerr=[
            [iv.estimate - iv.low for iv in intervals],
            [iv.high - iv.estimate for iv in intervals],
        ],
        capsize=3,
        color=colours,
        label=f"seq-rep-{n} (95% interval over prompts)",
    )
    right.bar(
        [i + width / 2 for i in x],
        [1 - s["distinct_2"] for s in summaries],
        width,
        color=colours,
        alpha=0.45,
        hatch="//",
        label="1 - distinct-2",
    )
    right.set_xticks(x, [r.method for r in results], rotation=15, ha="right", fontsize=8)
    right.set(ylabel="share of repeated n-grams", title="Repetition inside a continuation")
    right.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "decoding")
