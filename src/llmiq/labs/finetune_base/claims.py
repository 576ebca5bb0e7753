"""How much each factor matters (main effects and variance shares of the loss grid), and
the lab's verdicts computed from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmiq.labs.finetune_base.config import Base
from llmiq.labs.report import Claim


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


def _k(sizes: Sequence[int]) -> str:
    return "/".join(f"{s / 1000:g}k" for s in sizes)


def _nums(values: Sequence[float], sign: bool = False) -> str:
    return ", ".join(f"{v:+.3f}" if sign else f"{v:.3f}" for v in values)


def base_vs_data_claim(
    sizes: Sequence[int], grid: Sequence[Sequence[float]], unconverged: int = 0
) -> Claim:
    """The article's claim: the base moves the fine-tuned loss more than the data size does
    (and every run converged, so the data effect was measured in full)."""
    e, shares = effects(grid), variance_shares(grid)
    larger = e["base_effect"] > e["data_effect"]
    supported = larger and unconverged == 0
    if supported:
        verdict = "the base matters more here."
    elif larger:
        verdict = (
            f"the base moved it more, but {unconverged} run(s) were still improving at "
            "the end of their budget, so the data effect was not fully measured: "
            "inconclusive."
        )
    else:
        verdict = "the data size matters as much or more here, with these tiny bases"
        verdict += (
            f" ({unconverged} run(s) were still improving when their step budget ran out)."
            if unconverged
            else "."
        )
    return Claim(
        "the pre-trained base (its size and pre-training) changes the loss after fine-tuning "
        "more than the size of the fine-tuning data does",
        supported,
        f"test loss after fine-tuning (nats/byte), {len(grid)} bases x {_k(sizes)} chars: "
        f"changing the base at a fixed data size moves it by {e['base_effect']:.3f} on average "
        f"(range at each size {_nums(e['base_range_by_size'])}); changing the data size at a "
        f"fixed base by {e['data_effect']:.3f} (range for each base "
        f"{_nums(e['data_range_by_base'])}); the base explains {shares['base']:.0%} of the "
        f"grid's variance, the data size {shares['data']:.0%}; {verdict}",
    )


def _pretraining_gains(
    bases: Sequence[Base], grid: Sequence[Sequence[float]]
) -> dict[str, list[float]]:
    """For each pre-trained base with a fresh twin of its shape: fresh minus pre-trained loss
    at every data size (positive: pre-training helped)."""
    gains = {}
    for fresh, row_fresh in zip(bases, grid, strict=True):
        for pre, row_pre in zip(bases, grid, strict=True):
            twins = (fresh.n_layer, fresh.n_embd) == (pre.n_layer, pre.n_embd)
            if twins and not fresh.pretrained and pre.pretrained:
                gains[pre.name] = [a - b for a, b in zip(row_fresh, row_pre, strict=True)]
    return gains


def pretraining_claim(
    bases: Sequence[Base], sizes: Sequence[int], grid: Sequence[Sequence[float]], min_gain: float
) -> Claim:
    """Pre-training on general text lowers the loss after fine-tuning where target data is
    scarce: at the smallest data size, for every shape measured fresh and pre-trained."""
    gains = _pretraining_gains(bases, grid)
    scarce = [g[0] for g in gains.values()]
    supported = bool(scarce) and min(scarce) > min_gain
    detail = "; ".join(f"{name}: {_nums(g, sign=True)}" for name, g in gains.items())
    return Claim(
        f"pre-training on general text lowers the loss after fine-tuning when target data is "
        f"scarce ({sizes[0] / 1000:g}k chars)",
        supported,
        f"fresh minus pre-trained loss of the same shape at {_k(sizes)} chars: "
        f"{detail or 'no fresh/pre-trained pair measured'} nats/byte; at "
        f"{sizes[0] / 1000:g}k the smallest gain is "
        f"{min(scarce, default=0.0):+.3f} ({'above' if supported else 'not above'} {min_gain}).",
    )


def size_claim(
    bases: Sequence[Base], sizes: Sequence[int], grid: Sequence[Sequence[float]], min_gain: float
) -> Claim:
    """A larger pre-trained base ends lower than a smaller one at every data size."""
    pre = sorted((b.n_layer * b.n_embd**2, i) for i, b in enumerate(bases) if b.pretrained)
    text = "a larger pre-trained base fine-tunes to a lower loss, at every data size"
    if len(pre) < 2:
        return Claim(text, False, "fewer than two pre-trained bases were measured.")
    small, large = pre[0][1], pre[-1][1]
    gains = [a - b for a, b in zip(grid[small], grid[large], strict=True)]
    supported = min(gains) > min_gain
    return Claim(
        text,
        supported,
        f"{bases[small].name} minus {bases[large].name} at {_k(sizes)} chars: "
        f"{_nums(gains, sign=True)} nats/byte ({'all' if supported else 'not all'} above "
        f"{min_gain}).",
    )


def data_claim(
    bases: Sequence[Base], sizes: Sequence[int], grid: Sequence[Sequence[float]], min_gain: float
) -> Claim:
    """The other option of the question: more fine-tuning data lowers every base's loss."""
    gains = [row[0] - row[-1] for row in grid]
    supported = min(gains) > min_gain
    return Claim(
        "more fine-tuning data lowers the loss of every base (the data size matters too)",
        supported,
        f"loss at {sizes[0] / 1000:g}k minus loss at {sizes[-1] / 1000:g}k chars: "
        + ", ".join(f"{b.name} {g:+.3f}" for b, g in zip(bases, gains, strict=True))
        + f" nats/byte ({'all' if supported else 'not all'} above {min_gain}).",
    )
