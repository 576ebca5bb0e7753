"""The real-model arm's verdicts, one set per pretrained model, each decided on a 95%
interval over prompts and seeds, beside what Zhao et al. 2021 report for GPT-3 and GPT-2.

- bias: the label a prompt's content-free input favours is over-predicted on the real,
  balanced test sentences (its predicted share minus its true share, mean over prompts);
- gain: calibrated minus raw accuracy of the same prompt on the same sentences (paired);
- spread: the standard deviation of accuracy across the prompts of one task and seed
  (same test sentences), calibrated minus raw, averaged over tasks and seeds; its interval
  resamples seeds and then prompts within each (``spread_change_interval``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, nested_interval

# Fixed before measuring: a prompt set is biased when the favoured label gets more than this
# share of the predictions above its true share (a balanced set: 1/2 or 1/4).
MIN_EXCESS = 0.05

#: Zhao, Wallace, Feng, Klein, Singh, "Calibrate Before Use: Improving Few-Shot Performance
#: of Language Models" (ICML 2021), abstract and section 5: the figures compared with.
LITERATURE = {
    "source": "Zhao et al. 2021, Calibrate Before Use (ICML), abstract and section 5",
    "models": "GPT-3 (2.7B, 13B, 175B) and GPT-2, 0-8 shots, SST-2, AGNews and 4 more tasks",
    "mean_accuracy_gain": "up to +30.0 points absolute",
    "spread_across_prompts": "reduced (lower standard deviation across training sets, "
    "permutations and formats)",
}


def by_seed(rows: Sequence[dict[str, Any]], seeds: Sequence[int], value: Any) -> list[np.ndarray]:
    """``value(row)`` for the rows of each seed, one array per seed."""
    return [np.array([value(r) for r in rows if r["seed"] == seed]) for seed in seeds]


def _pooled_std(values: np.ndarray, cells: np.ndarray) -> float:
    """Mean over cells (task x seed) of the standard deviation of ``values`` within each."""
    stds = [values[cells == c].std(ddof=1) for c in np.unique(cells) if np.sum(cells == c) > 1]
    return float(np.mean(stds)) if stds else 0.0


def spread_change_interval(
    raw: Sequence[float],
    calibrated: Sequence[float],
    cells: Sequence[str],
    seeds_of: Sequence[int],
    seeds: Sequence[int],
) -> Interval:
    """Interval of (std across prompts, calibrated) - (std across prompts, raw), the std
    taken within each task-and-seed cell and averaged over cells. Resamples seeds, then
    prompts within each drawn seed (``nested_interval`` over prompt indices), the same
    prompts for both so that the difference is paired.

    >>> iv = spread_change_interval([0.5, 0.9, 0.6, 0.8], [0.7, 0.8, 0.7, 0.75],
    ...                             ["a"] * 4, [0] * 4, [0])
    >>> iv.estimate < 0
    True
    """
    raw_a, cal_a = np.asarray(raw, dtype=float), np.asarray(calibrated, dtype=float)
    codes = {c: i for i, c in enumerate(dict.fromkeys(cells))}
    cell_a = np.array([codes[c] for c in cells])
    seed_a = np.asarray(seeds_of)

    def change(indices: np.ndarray) -> float:
        idx = indices.astype(int)
        return _pooled_std(cal_a[idx], cell_a[idx]) - _pooled_std(raw_a[idx], cell_a[idx])

    groups = [np.flatnonzero(seed_a == seed).astype(float) for seed in seeds]
    over = f"{len(groups[0])} prompts (2 tasks) x {len(seeds)} seeds"
    if np.array_equal(raw_a, cal_a):
        return Interval(0.0, 0.0, 0.0, over)
    with warnings.catch_warnings():
        # With one seed the interval is BCa, whose acceleration divides by zero when every
        # leave-one-prompt-out value is the same (a cell of 2 prompts); it then falls back
        # to the percentile interval, so the warning says nothing the result does not.
        warnings.simplefilter("ignore", RuntimeWarning)
        return nested_interval(groups, statistic=change, over=over)


def _over(groups: Sequence[np.ndarray], seeds: Sequence[int]) -> str:
    return f"{len(groups[0])} prompts (2 tasks) x {len(seeds)} seeds"


def _per_task(summary: dict[str, dict[str, float]], key: str, spec: str = "+.3f") -> str:
    return ", ".join(f"{task} {format(values[key], spec)}" for task, values in summary.items())


def bias_claim(name: str, rows: Sequence[dict[str, Any]], seeds: Sequence[int]) -> Claim:
    groups = by_seed(rows, seeds, lambda r: r["raw"]["favoured_excess"])
    after = by_seed(rows, seeds, lambda r: r["calibrated"]["favoured_excess"])
    interval = nested_interval(groups, over=_over(groups, seeds))
    calibrated = float(np.mean(np.concatenate(after)))
    return Claim.on_interval(
        f"Few-shot prompts bias {name} towards one label, the one the content-free input favours",
        interval,
        measure="excess share of the favoured label, predicted - true (mean over prompts)",
        evidence=(
            f"on balanced test sentences the label that 'N/A', '' and '[MASK]' favour got "
            f"{interval.format('.3f')} more of the predictions than its true share "
            f"({interval.over}; biased means above {MIN_EXCESS:.2f}); after calibration "
            f"{calibrated:+.3f}"
        ),
        seeds=seeds,
        above=MIN_EXCESS,
    )


def gain_claim(
    name: str,
    rows: Sequence[dict[str, Any]],
    seeds: Sequence[int],
    summary: dict[str, dict[str, float]],
) -> Claim:
    groups = by_seed(rows, seeds, lambda r: r["calibrated"]["accuracy"] - r["raw"]["accuracy"])
    interval = nested_interval(groups, over=_over(groups, seeds))
    return Claim.on_interval(
        f"Contextual calibration raises {name}'s mean few-shot accuracy (sentiment and topic "
        "prompts)",
        interval,
        measure="accuracy gain, calibrated - raw (same prompt, same sentences)",
        evidence=(
            f"accuracy gain {interval.format('+.3f')} ({interval.over}; by task: "
            f"{_per_task(summary, 'accuracy_gain')}; raw -> calibrated accuracy "
            f"{_per_task(summary, 'raw_accuracy', '.3f')} -> "
            f"{_per_task(summary, 'calibrated_accuracy', '.3f')}; macro-F1 gain "
            f"{_per_task(summary, 'macro_f1_gain')}); Zhao et al. 2021: up to +0.300 for "
            "GPT-3 and GPT-2"
        ),
        seeds=seeds,
        above=0.0,
    )


def spread_claim(
    name: str,
    rows: Sequence[dict[str, Any]],
    seeds: Sequence[int],
    summary: dict[str, dict[str, float]],
) -> Claim:
    interval = spread_change_interval(
        [r["raw"]["accuracy"] for r in rows],
        [r["calibrated"]["accuracy"] for r in rows],
        [f"{r['task']}/{r['seed']}" for r in rows],
        [r["seed"] for r in rows],
        seeds,
    )
    return Claim.on_interval(
        f"Contextual calibration reduces the spread of {name}'s accuracy across prompts",
        interval,
        measure="std of accuracy across prompts (within task and seed), calibrated - raw",
        evidence=(
            f"the standard deviation of accuracy across prompts changed by "
            f"{interval.format('+.3f')} ({interval.over}; by task, raw -> calibrated: "
            f"{_per_task(summary, 'raw_std', '.3f')} -> "
            f"{_per_task(summary, 'calibrated_std', '.3f')}); Zhao et al. 2021: variance "
            "across prompts reduced"
        ),
        seeds=seeds,
        below=0.0,
    )


def task_summary(rows: Sequence[dict[str, Any]], task: str) -> dict[str, float]:
    """Means over a task's prompts (and seeds), and the spread across prompts within seed."""
    mine = [r for r in rows if r["task"] == task]
    cells = np.array([r["seed"] for r in mine])

    def mean(which: str, key: str) -> float:
        return float(np.mean([r[which][key] for r in mine]))

    def spread(which: str) -> float:
        return _pooled_std(np.array([r[which]["accuracy"] for r in mine]), cells)

    out = {
        "raw_accuracy": mean("raw", "accuracy"),
        "calibrated_accuracy": mean("calibrated", "accuracy"),
        "raw_macro_f1": mean("raw", "macro_f1"),
        "calibrated_macro_f1": mean("calibrated", "macro_f1"),
        "raw_std": spread("raw"),
        "calibrated_std": spread("calibrated"),
        "raw_favoured_excess": mean("raw", "favoured_excess"),
        "calibrated_favoured_excess": mean("calibrated", "favoured_excess"),
    }
    out["accuracy_gain"] = out["calibrated_accuracy"] - out["raw_accuracy"]
    out["macro_f1_gain"] = out["calibrated_macro_f1"] - out["raw_macro_f1"]
    return {key: round(value, 4) for key, value in out.items()}
