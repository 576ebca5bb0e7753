"""Zipf's law on the corpus: the least-squares line through log rank and log frequency, its
95% interval over corpus chunks, and target ids drawn from a fitted Zipf distribution."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from llmiq.labs.uncertainty import LEVEL, Interval

TargetDistribution = Literal["zipf", "uniform"]


@dataclass(frozen=True)
class ZipfFit:
    slope: float  # of log(frequency) against log(rank); Zipf's law says about -1
    intercept: float
    r_squared: float
    ranks_used: int

    @property
    def exponent(self) -> float:
        """s in frequency ∝ rank^-s."""
        return -self.slope


def rank_frequencies(tokens: list[str]) -> np.ndarray:
    """Counts sorted from most to least frequent: ``["a", "b", "a"]`` -> ``[2, 1]``."""
    return np.array(sorted(Counter(tokens).values(), reverse=True), dtype=np.float64)


def fit_zipf(counts: np.ndarray, min_count: int = 1) -> ZipfFit:
    """Least-squares line through (log rank, log count) for counts >= ``min_count``.

    >>> fit = fit_zipf(np.array([1000.0 / r for r in range(1, 101)]))
    >>> round(fit.slope, 6), round(fit.r_squared, 6)
    (-1.0, 1.0)
    """
    counts = np.asarray(counts, dtype=np.float64)
    ranks = np.arange(1, len(counts) + 1, dtype=np.float64)
    keep = counts >= min_count
    x, y = np.log(ranks[keep]), np.log(counts[keep])  # (R,), (R,)
    design = np.stack([x, np.ones_like(x)], axis=1)  # (R, 2)
    (slope, intercept), *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - (slope * x + intercept)
    total = ((y - y.mean()) ** 2).sum()
    flat = total <= 1e-12 * len(y)  # all counts equal: no line explains anything
    r_squared = 0.0 if flat else 1.0 - (residual**2).sum() / total
    return ZipfFit(float(slope), float(intercept), float(r_squared), int(keep.sum()))


def sample_targets(
    distribution: TargetDistribution, vocab: int, n: int, exponent: float, rng: np.random.Generator
) -> torch.Tensor:
    """n class ids in [0, vocab): class id = frequency rank - 1. Zipf: P(id) ∝ (id+1)^-s,
    truncated to the vocabulary; uniform: every id equally likely."""
    if distribution == "zipf":
        weights = np.arange(1, vocab + 1, dtype=np.float64) ** -exponent  # (V,)
        ids = rng.choice(vocab, size=n, p=weights / weights.sum())
    elif distribution == "uniform":
        ids = rng.integers(0, vocab, size=n)
    else:
        raise ValueError(f"unknown target distribution {distribution!r}")
    return torch.from_numpy(ids).long()  # (n,)


def chunk_counts(chunks: list[list[str]]) -> np.ndarray:
    """Word counts per chunk as a (chunks, distinct words) matrix."""
    index: dict[str, int] = {}
    rows = []
    for chunk in chunks:
        counts = Counter(chunk)
        for word in counts:
            index.setdefault(word, len(index))
        rows.append(counts)
    matrix = np.zeros((len(chunks), len(index)))
    for r, counts in enumerate(rows):
        for word, n in counts.items():
            matrix[r, index[word]] = n
    return matrix


def zipf_slope_interval(
    matrix: np.ndarray, min_count: int, *, seed: int, resamples: int = 400
) -> tuple[Interval, Interval]:
    """95% percentile intervals of the Zipf slope and R² when the corpus chunks (rows of
    ``matrix``) are resampled with replacement: how much the fit depends on which text was
    read. Each resample sums its chunks' counts, ranks them and refits."""
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    slopes, r2s = np.empty(resamples), np.empty(resamples)
    for r in range(resamples):
        weights = np.bincount(rng.integers(n, size=n), minlength=n)  # (chunks,)
        counts = np.sort(weights @ matrix)[::-1]
        fit = fit_zipf(counts[counts > 0], min_count)
        slopes[r], r2s[r] = fit.slope, fit.r_squared
    whole = fit_zipf(np.sort(matrix.sum(0))[::-1], min_count)
    over = f"{resamples} resamples of {n} corpus chunks"
    q = [(1 - LEVEL) / 2, (1 + LEVEL) / 2]

    def interval(estimate: float, draws: np.ndarray) -> Interval:
        low, high = np.quantile(draws, q)
        return Interval(estimate, float(min(low, estimate)), float(max(high, estimate)), over)

    return interval(whole.slope, slopes), interval(whole.r_squared, r2s)
