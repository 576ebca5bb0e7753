"""How much each factor matters (the ranges of the loss grid along each, and their variance
shares), their 95% intervals over seeds and test documents, and the lab's verdicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from llmiq.labs.finetune_base.config import Base
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, nested_interval


def effects(grid: Sequence[Sequence[float]]) -> dict[str, Any]:
    """Ranges of a (bases x data sizes) loss grid along each factor.

    >>> e = effects([[3.0, 2.0], [2.5, 1.0]])  # two bases (rows), two data sizes (columns)
    >>> e["base_range_by_size"], e["data_range_by_base"]
    ([0.5, 1.0], [1.0, 1.5])
    >>> e["base_effect"], e["data_effect"]
    (0.75, 1.25)
    """
    rows = [list(r) for r in grid]
    cols = [list(c) for c in zip(*rows, strict=True)]
    base_ranges = [max(c) - min(c) for c in cols]
    data_ranges = [max(r) - min(r) for r in rows]
    return {
        "base_range_by_size": base_ranges,
        "data_range_by_base": data_ranges,
        "base_effect": sum(base_ranges) / len(base_ranges),
        "data_effect": sum(data_ranges) / len(data_ranges),
    }


def variance_shares(grid: Sequence[Sequence[float]]) -> dict[str, float]:
    """Two-way main-effect decomposition (one observation per cell): the shares of the
    grid's total sum of squares explained by the base (rows), by the data size (columns),
    and left to their interaction.

    >>> variance_shares([[3.0, 2.0], [2.0, 1.0]])  # additive: each factor moves it by 1
    {'base': 0.5, 'data': 0.5, 'interaction': 0.0}
    """
    rows = [list(r) for r in grid]
    n_rows, n_cols = len(rows), len(rows[0])
    mean = sum(map(sum, rows)) / (n_rows * n_cols)
    total = sum((v - mean) ** 2 for r in rows for v in r)
    if total == 0:
        return {"base": 0.0, "data": 0.0, "interaction": 0.0}
    ss_base = n_cols * sum((sum(r) / n_cols - mean) ** 2 for r in rows)
    ss_data = n_rows * sum((sum(c) / n_rows - mean) ** 2 for c in zip(*rows, strict=True))
    return {
        "base": round(ss_base / total, 6),
        "data": round(ss_data / total, 6),
        "interaction": round(max(total - ss_base - ss_data, 0.0) / total, 6),
    }


def base_minus_data(grid: np.ndarray) -> float:
    """The verdict's quantity: base effect minus data effect of a (bases x sizes) grid.

    >>> base_minus_data(np.array([[3.0, 2.9], [2.0, 1.9]]))  # the base moves it 1.0, data 0.1
    0.9
    """
    return round(base_effect(grid) - data_effect(grid), 12)


def base_effect(grid: np.ndarray) -> float:
    """The range across bases (rows) at each data size, averaged (``effects``, in numpy)."""
    return float(np.ptp(grid, axis=0).mean())


def data_effect(grid: np.ndarray) -> float:
    """The range across data sizes (columns) for each base, averaged."""
    return float(np.ptp(grid, axis=1).mean())


def grid_interval(
    losses: np.ndarray, statistic: Callable[[np.ndarray], float], seed: int = 0
) -> Interval:
    """95% interval of ``statistic`` of the mean loss grid, from the per-document losses
    ``losses`` (seeds, test documents, bases, sizes): a nested bootstrap draws seeds, then
    test documents within each, and recomputes the grid (the items resampled are rows of the
    table, passed as their index)."""
    n_seeds, n_docs = losses.shape[:2]
    table = losses.reshape(n_seeds * n_docs, *losses.shape[2:])
    groups = [np.arange(s * n_docs, (s + 1) * n_docs, dtype=float) for s in range(n_seeds)]

    def on_rows(rows: np.ndarray) -> float:
        return float(statistic(table[rows.astype(int)].mean(axis=0)))

    over = f"{n_seeds} seeds x {n_docs} test documents"
    return nested_interval(groups, statistic=on_rows, seed=seed, over=over)


def _k(sizes: Sequence[int]) -> str:
    return "/".join(f"{s / 1000:g}k" for s in sizes)


def base_vs_data_claim(
    losses: np.ndarray,
    bases: Sequence[Base],
    sizes: Sequence[int],
    seeds: Sequence[int],
    budget: str,
    unconverged: int,
) -> Claim:
    """The article's claim: changing the base moves the fine-tuned loss more than changing
    the data size does -- the whole interval of base effect - data effect above zero, with
    every run converged (a run still improving at its cap leaves the data effect, which the
    largest sample sets, under-measured)."""
    gap = grid_interval(losses, base_minus_data, seeds[0])
    base = grid_interval(losses, base_effect, seeds[0])
    data = grid_interval(losses, data_effect, seeds[0])
    if gap.below(0):
        verdict = "the data size matters more here"
    elif not gap.above(0):
        verdict = "neither is shown to matter more"
    elif unconverged:
        verdict = "the base moved it more, but not every run converged: inconclusive"
    else:
        verdict = "the base matters more here"
    still = f" ({unconverged} run(s) stopped at the cap still improving)" * bool(unconverged)
    return Claim.on_interval(
        "the pre-trained base changes the held-out loss after fine-tuning more than the size "
        "of the fine-tuning data does",
        gap,
        measure="base effect - data effect (nats/char)",
        evidence=(
            f"test loss after fine-tuning, {len(bases)} bases x {_k(sizes)} chars, {budget}"
            f"{still}: changing the base ({', '.join(b.name for b in bases)}) at a fixed data "
            f"size moves it by {base.format('.3f')} nats/char on average, changing the data "
            f"size at a fixed base by {data.format('.3f')}; the difference is "
            f"{gap.format('.3f')}: {verdict}."
        ),
        seeds=seeds,
        above=0.0,
        also=unconverged == 0,
    )


def twin_pair(bases: Sequence[Base]) -> tuple[int, int]:
    """(pre-trained, random) indices of the first pre-trained base and its untrained twin
    (the same number of blocks)."""
    for p, pre in enumerate(bases):
        for f, fresh in enumerate(bases):
            if pre.pretrained and not fresh.pretrained and pre.blocks == fresh.blocks:
                return p, f
    raise ValueError("the lab needs a pre-trained base and its random twin")


def size_pair(bases: Sequence[Base]) -> tuple[int, int]:
    """(smaller, larger) indices among the pre-trained bases, by blocks (first and last)."""
    pre = sorted((b.blocks, i) for i, b in enumerate(bases) if b.pretrained)
    if len(pre) < 2:
        raise ValueError("the lab needs two pre-trained bases")
    return pre[0][1], pre[-1][1]


def pretraining_claim(
    losses: np.ndarray, bases: Sequence[Base], sizes: Sequence[int], seeds: Sequence[int]
) -> Claim:
    """Pre-training lowers the loss where target data is scarce: the untrained twin minus the
    pre-trained base of the same shape, at the smallest data size."""
    text = (
        f"pre-training lowers the loss after fine-tuning when target data is scarce "
        f"({sizes[0] / 1000:g}k chars): the pre-trained base against the same architecture "
        "randomly initialised"
    )
    p, f = pre, fresh = twin_pair(bases)
    gains = [
        grid_interval(losses, lambda g, n=n: g[f, n] - g[p, n], seeds[0]) for n in range(len(sizes))
    ]
    return Claim.on_interval(
        text,
        gains[0],
        measure=f"loss gain of pre-training at {sizes[0] / 1000:g}k chars (nats/char)",
        evidence=(
            f"{bases[fresh].name} minus {bases[pre].name}, nats/char: "
            + "; ".join(
                f"{s / 1000:g}k {g.format('.3f')}" for s, g in zip(sizes, gains, strict=True)
            )
            + f" ({'above' if gains[0].above(0) else 'not above'} 0 at {sizes[0] / 1000:g}k)."
        ),
        seeds=seeds,
        above=0.0,
    )


def size_claim(
    losses: np.ndarray, bases: Sequence[Base], sizes: Sequence[int], seeds: Sequence[int]
) -> Claim:
    """A larger pre-trained base fine-tunes to a lower loss (on average over data sizes)."""
    small, large = size_pair(bases)
    each = [
        grid_interval(losses, lambda g, n=n: g[small, n] - g[large, n], seeds[0])
        for n in range(len(sizes))
    ]
    mean = grid_interval(losses, lambda g: float(np.mean(g[small] - g[large])), seeds[0])
    return Claim.on_interval(
        f"a larger pre-trained base fine-tunes to a lower loss: all {bases[large].blocks} blocks "
        f"against {bases[small].blocks} (the deep blocks pruned)",
        mean,
        measure="loss gain of the larger base, mean over data sizes (nats/char)",
        evidence=(
            f"{bases[small].name} minus {bases[large].name}: {mean.format('.3f')} nats/char on "
            "average; "
            + "; ".join(
                f"{s / 1000:g}k {g.format('.3f')}" for s, g in zip(sizes, each, strict=True)
            )
            + "."
        ),
        seeds=seeds,
        above=0.0,
    )


def data_claim(
    losses: np.ndarray, bases: Sequence[Base], sizes: Sequence[int], seeds: Sequence[int]
) -> Claim:
    """The other option of the question: more fine-tuning data lowers every base's loss
    (the mean gain's interval above zero, and each base's own)."""
    each = [
        grid_interval(losses, lambda g, b=b: g[b, 0] - g[b, -1], seeds[0])
        for b in range(len(bases))
    ]
    mean = grid_interval(losses, lambda g: float(np.mean(g[:, 0] - g[:, -1])), seeds[0])
    return Claim.on_interval(
        "more fine-tuning data lowers the loss of every base (the data size matters too)",
        mean,
        measure=f"loss gain from {sizes[0] / 1000:g}k to {sizes[-1] / 1000:g}k chars, mean "
        "over bases (nats/char)",
        evidence=(
            f"loss at {sizes[0] / 1000:g}k minus loss at {sizes[-1] / 1000:g}k chars: "
            f"{mean.format('.3f')} on average; "
            + "; ".join(f"{b.name} {g.format('.3f')}" for b, g in zip(bases, each, strict=True))
            + f" nats/char ({'every' if all(g.above(0) for g in each) else 'not every'} "
            "interval above 0)."
        ),
        seeds=seeds,
        above=0.0,
        also=all(g.above(0) for g in each),
    )


def pretraining_vs_data_claim(
    losses: np.ndarray, bases: Sequence[Base], sizes: Sequence[int], seeds: Sequence[int]
) -> Claim:
    """The main comparison without the pruned base (whose output interface the fine-tuning
    data must repair): pre-trained or not, against the data size, for SmolLM2's full shape."""
    pair = list(twin_pair(bases))
    gap = grid_interval(losses, lambda g: base_minus_data(g[pair]), seeds[0])
    names = " and ".join(bases[i].name for i in pair)
    return Claim.on_interval(
        "pre-training the base changes the held-out loss after fine-tuning more than the size "
        "of the fine-tuning data does (the same architecture, pre-trained or not)",
        gap,
        measure="pre-training effect - data effect (nats/char)",
        evidence=(
            f"{names} at {_k(sizes)} chars: the gap between the two bases minus the range "
            f"across data sizes, each averaged, is {gap.format('.3f')} nats/char "
            f"({'above' if gap.above(0) else 'below' if gap.below(0) else 'around'} 0)."
        ),
        seeds=seeds,
        above=0.0,
    )
