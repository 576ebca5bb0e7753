"""The scaling law's shape, fitted from scratch: L(N) = E + A / N^alpha by least squares, a
bootstrap interval of its exponent, and how many tokens a learning curve needs to reach a
given loss."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from llmiq.labs.uncertainty import LEVEL, RESAMPLES, Interval


@dataclass(frozen=True)
class PowerLawFit:
    """L(N) = E + A / N^alpha, fitted to ``points`` measured losses."""

    E: float  # the constant the loss tends to as N grows (nats/byte)
    A: float  # scale of the reducible part
    alpha: float  # exponent: each doubling of N divides L - E by 2^alpha
    r2: float  # share of the variance of the measured losses the curve explains
    rmse: float  # root mean squared residual (nats/byte)
    points: int  # measured (N, L) pairs: the fit has points - 3 degrees of freedom

    def predict(self, n: float | np.ndarray) -> float | np.ndarray:
        return self.E + self.A * np.power(n, -self.alpha)


def r_squared(y: Sequence[float], predicted: Sequence[float]) -> float:
    """1 - residual sum of squares / total sum of squares (1 for a perfect fit, 0 for the
    mean, negative for worse than the mean; 0 when ``y`` does not vary at all).

    >>> r_squared([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    0.5
    """
    y_, p_ = np.asarray(y, float), np.asarray(predicted, float)
    total = float(((y_ - y_.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    return 1.0 - float(((y_ - p_) ** 2).sum()) / total


def fit_power_law(
    n: Sequence[float], loss: Sequence[float], grid: int = 4000, with_constant: bool = True
) -> PowerLawFit:
    """Least-squares L(N) = E + A N^-alpha: for each E on a grid in [0, min L), the line
    log(L - E) = log A - alpha log N is a linear least-squares problem (solved for every E
    at once); the E whose curve has the smallest squared error in L itself wins.
    ``with_constant=False`` fixes E = 0 (a pure power law). Two points or more; with three
    the curve usually passes through all of them.

    >>> sizes = [1e3, 1e4, 1e5, 1e6]
    >>> fit = fit_power_law(sizes, [1.5 + 20 * n**-0.3 for n in sizes])
    >>> round(fit.E, 2), round(fit.alpha, 2), round(fit.A, 1), round(fit.r2, 6)
    (1.5, 0.3, 20.0, 1.0)
    """
    x = np.log(np.asarray(n, float))
    y = np.asarray(loss, float)
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError("a power law needs at least two different sizes")
    constants = np.linspace(0.0, y.min(), grid, endpoint=False) if with_constant else np.zeros(1)
    z = np.log(y[None, :] - constants[:, None])  # (grid, points)
    centred = x - x.mean()
    slope = (z - z.mean(axis=1, keepdims=True)) @ centred / (centred @ centred)  # (grid,)
    log_a = z.mean(axis=1) - slope * x.mean()
    predicted = constants[:, None] + np.exp(log_a[:, None] + slope[:, None] * x[None, :])
    sse = ((y[None, :] - predicted) ** 2).sum(axis=1)
    best = int(np.argmin(sse))
    e, alpha = float(constants[best]), float(-slope[best])
    fit = PowerLawFit(e, math.exp(log_a[best]), alpha, 0.0, math.sqrt(sse[best] / len(y)), len(y))
    return PowerLawFit(
        fit.E, fit.A, fit.alpha, r_squared(y, fit.predict(np.exp(x))), fit.rmse, fit.points
    )


def alpha_interval(
    n: Sequence[float],
    finals: Sequence[np.ndarray],
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Interval:
    """95% percentile interval of the fitted exponent alpha. ``finals``: per seed, the final
    held-out loss of every size on that seed's windows, (sizes, windows). Each resample draws
    the seeds with replacement and the windows within each (the same windows for every size:
    they are paired), averages each size's loss and refits.

    >>> rng = np.random.default_rng(0)
    >>> sizes = np.array([1e3, 1e4, 1e5, 1e6])
    >>> law = 1.5 + 20 * sizes**-0.3
    >>> runs = [law[:, None] + rng.normal(0, 0.05, (4, 64)) for _ in range(3)]
    >>> iv = alpha_interval(sizes, runs, resamples=200)
    >>> iv.low < iv.estimate < iv.high, iv.over
    (True, '3 seeds x 64 windows, refitted')
    """
    arrays = [np.asarray(f, float) for f in finals]
    estimate = fit_power_law(n, np.concatenate(arrays, axis=1).mean(axis=1)).alpha
    rng = np.random.default_rng(seed)
    draws = np.empty(resamples)
    for r in range(resamples):
        chosen = rng.integers(len(arrays), size=len(arrays)) if len(arrays) > 1 else [0]
        picked = [
            arrays[g][:, rng.integers(arrays[g].shape[1], size=arrays[g].shape[1])] for g in chosen
        ]
        draws[r] = fit_power_law(n, np.concatenate(picked, axis=1).mean(axis=1)).alpha
    low, high = np.quantile(draws, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    windows = {a.shape[1] for a in arrays}
    over = (
        f"{len(arrays)} seeds x {windows.pop() if len(windows) == 1 else 'their'} windows, refitted"
    )
    return Interval(estimate, float(min(low, estimate)), float(max(high, estimate)), over)


def tokens_to_reach(tokens: Sequence[int], losses: Sequence[float], target: float) -> float | None:
    """Tokens a learning curve needs to first reach ``target``, interpolated linearly in log
    tokens between checkpoints (None if it never does).

    >>> tokens_to_reach([0, 100, 1000], [5.5, 3.0, 2.0], 2.5)
    316.2
    """
    if losses[0] <= target:
        return float(tokens[0])
    for (t0, l0), (t1, l1) in pairwise(zip(tokens, losses, strict=True)):
        if l1 <= target < l0:
            if t0 == 0:  # no log scale below the first checkpoint: interpolate linearly
                return round(t0 + (t1 - t0) * (l0 - target) / (l0 - l1), 1)
            share = (l0 - target) / (l0 - l1)
            return round(math.exp(math.log(t0) + share * (math.log(t1) - math.log(t0))), 1)
    return None
