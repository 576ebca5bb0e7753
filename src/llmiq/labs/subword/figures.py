"""The subword lab's figure: OOV rate and tokens per word against the vocabulary size, on
held-out text of the corpus and on text from another source."""

from __future__ import annotations

from typing import Any

from llmiq.labs.context import pyplot
from llmiq.labs.subword.library import KINDS, LABELS


def plot(rows: dict[str, list[dict[str, Any]]], needed_for_zero: int, seeds: int) -> Any:
    """``rows[kind]``: per budget, mean over seeds of ``oov_rate``, ``tokens_per_word`` and
    (when measured) ``other_oov_rate`` / ``other_tokens_per_word`` on the other source."""
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(10.5, 4.2))
    styles = {"word": "o", "bpe": "s", "wordpiece": "^"}
    ticks = sorted({r["budget"] for r in rows["bpe"]})
    for i, kind in enumerate(KINDS):
        ordered = sorted(rows[kind], key=lambda r: r["vocab_size"])
        sizes = [r["vocab_size"] for r in ordered]
        colour = f"C{i}"
        for key, style, suffix in (("", "-", "corpus held-out"), ("other_", "--", "other source")):
            if f"{key}oov_rate" not in ordered[0]:
                continue
            label = f"{LABELS[kind]}, {suffix}"
            left.plot(sizes, [100 * r[f"{key}oov_rate"] for r in ordered],
                      styles[kind] + style, color=colour, label=label)  # fmt: skip
            right.plot(sizes, [r[f"{key}tokens_per_word"] for r in ordered],
                       styles[kind] + style, color=colour, label=label)  # fmt: skip
    left.plot([needed_for_zero], [0], "o", mfc="none", mec="C0", ms=10)
    left.annotate(
        f"word-level OOV 0 on the corpus needs ≥{needed_for_zero:,}\n(training + held-out words)",
        (needed_for_zero, 0),
        xytext=(0.08, 0.5),
        textcoords="axes fraction",
        arrowprops={"arrowstyle": "->", "alpha": 0.6},
        fontsize=8,
    )
    for axis, ylabel in ((left, "held-out words with [UNK] (%)"), (right, "tokens per word")):
        axis.set_xscale("log")
        axis.set_xticks(ticks, [f"{t:,}" for t in ticks])
        axis.minorticks_off()
        axis.set_xlabel("vocabulary size (entries)")
        axis.set_ylabel(ylabel)
        axis.grid(True, alpha=0.3)
    left.legend(fontsize=7)
    left.set_title(f"Out-of-vocabulary rate (mean of {seeds} seed(s))")
    right.set_title("Sequence length: the price of a small vocabulary")
    figure.tight_layout()
    return figure
