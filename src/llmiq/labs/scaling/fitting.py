"""The scaling law's shape, fitted from scratch: L(N) = E + A / N^alpha by least squares,
and how many tokens a learning curve needs to reach a given loss."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np


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
    log(L - E) = log A - alpha log N is a linear least-squares problem; the E whose curve has
    the smallest squared error in L itself wins. ``with_constant=False`` fixes E = 0 (a pure
    power law). Two points or more; with three the curve usually passes through all of them.

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
    design = np.stack([np.ones_like(x), x], axis=1)  # (points, 2)
    best: tuple[float, float, float, float] | None = None  # sse, E, log A, alpha
    for e in constants:
        (log_a, slope), *_ = np.linalg.lstsq(design, np.log(y - e), rcond=None)
        predicted = e + np.exp(log_a + slope * x)
        sse = float(((y - predicted) ** 2).sum())
        if best is None or sse < best[0]:
            best = (sse, float(e), float(log_a), float(-slope))
    assert best is not None
    sse, e, log_a, alpha = best
    fit = PowerLawFit(e, math.exp(log_a), alpha, 0.0, math.sqrt(sse / len(y)), len(y))
    return PowerLawFit(
        fit.E, fit.A, fit.alpha, r_squared(y, fit.predict(np.exp(x))), fit.rmse, fit.points
    )


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
