"""Uncertainty for lab verdicts: 95% bootstrap intervals over items, prompts and seeds, and
the seeds a lab reports versus the seeds it may tune on.

A verdict is decided on an interval, not on a point estimate: "calibration raises macro-F1"
is supported when the whole 95% interval of the gain lies above zero. Intervals come from
:func:`scipy.stats.bootstrap` (BCa where the sample allows it, percentile otherwise); when
a lab's measurements are grouped by seed (items within runs), :func:`nested_interval`
resamples the seeds and then the items within each chosen seed, so both the run-to-run and
the item-to-item spread are in the interval (Davison & Hinkley 1997, "Bootstrap Methods and
their Application", section 3.8).

Seeds: ``llmiq lab run --seed S`` reports seeds ``S, S+1, ...`` (3 in full mode, 1 with
``--fast``). Seeds from :data:`TUNING_SEEDS` up are kept for choosing hyperparameters, so a
reported verdict never rests on a seed its settings were chosen on; the runner refuses them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: Seeds from here up are for choosing hyperparameters only, never reported.
TUNING_SEEDS = range(1000, 1010)

#: Replicate runs per claim: full mode and ``--fast``.
FULL_SEEDS = 3
FAST_SEEDS = 1

LEVEL = 0.95
RESAMPLES = 2000


@dataclass(frozen=True)
class Interval:
    """A point estimate and its 95% interval; ``over`` says what was resampled."""

    estimate: float
    low: float
    high: float
    over: str = ""  # "12 prompts x 3 seeds", "400 reviews"

    def above(self, threshold: float) -> bool:
        """The whole interval is above ``threshold``."""
        return self.low > threshold

    def below(self, threshold: float) -> bool:
        """The whole interval is below ``threshold``."""
        return self.high < threshold

    def shift(self, by: float) -> Interval:
        return Interval(self.estimate + by, self.low + by, self.high + by, self.over)

    def format(self, spec: str = ".3f", unit: str = "") -> str:
        """``0.412 [0.380, 0.447]`` (``spec`` applies to each number, ``unit`` follows it)."""
        f = f"{{:{spec}}}{unit}"
        return f"{f.format(self.estimate)} [{f.format(self.low)}, {f.format(self.high)}]"

    def __str__(self) -> str:
        return self.format()


def exact(value: float, over: str = "exact: no sampling") -> Interval:
    """A quantity with no sampling error (a count, a closed form): its interval is itself."""
    return Interval(float(value), float(value), float(value), over)


def _statistic(name: str | Callable[..., Any]) -> Callable[..., Any]:
    import numpy as np

    if callable(name):
        return name
    return {"mean": np.mean, "median": np.median}[name]


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    *,
    statistic: str | Callable[..., Any] = "mean",
    seed: int = 0,
    over: str | None = None,
    resamples: int = RESAMPLES,
) -> Interval:
    """The 95% bootstrap interval of ``statistic`` over ``values`` (items, prompts or runs).

    >>> iv = bootstrap_interval([0.1, 0.2, 0.3, 0.4, 0.5] * 8)
    >>> round(iv.estimate, 3), iv.low < 0.3 < iv.high
    (0.3, True)
    >>> bootstrap_interval([2.0, 2.0, 2.0]).format(".1f")
    '2.0 [2.0, 2.0]'
    """
    import numpy as np
    from scipy import stats

    data = np.asarray(values, dtype=float)
    if data.ndim != 1 or len(data) == 0:
        raise ValueError("bootstrap_interval needs a non-empty 1-D sample")
    if not np.all(np.isfinite(data)):
        raise ValueError("bootstrap_interval got a non-finite value")
    func = _statistic(statistic)
    estimate = float(func(data))
    label = over if over is not None else f"{len(data)} values"
    if len(data) == 1 or np.ptp(data) == 0:
        return Interval(estimate, estimate, estimate, label)
    rng = np.random.default_rng(seed)
    kwargs: dict[str, Any] = {
        "confidence_level": LEVEL,
        "n_resamples": resamples,
        "random_state": rng,
        # a named statistic (numpy's mean or median) takes ``axis``: scipy evaluates every
        # resample in one call instead of one Python call each, with the same draws and the
        # same numbers (~10x faster); a callable gets its resamples one at a time
        "vectorized": isinstance(statistic, str),
    }
    try:
        # BCa's acceleration is 0/0 when every jackknife sample gives the same statistic
        # (a median over many ties): scipy warns; fall back to the percentile interval.
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            result = stats.bootstrap((data,), func, method="BCa", **kwargs)
        low, high = result.confidence_interval
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError("degenerate BCa interval")
    except (ValueError, FloatingPointError, RuntimeWarning):
        result = stats.bootstrap((data,), func, method="percentile", **kwargs)
        low, high = result.confidence_interval
    # BCa may put the interval beside a skewed estimate; never report one that excludes it.
    return Interval(estimate, float(min(low, estimate)), float(max(high, estimate)), label)


def paired_interval(
    after: Sequence[float] | np.ndarray,
    before: Sequence[float] | np.ndarray,
    *,
    seed: int = 0,
    over: str | None = None,
) -> Interval:
    """Interval of the mean paired difference ``after - before`` (same items both times).

    >>> paired_interval([0.9, 0.8, 0.85, 0.95], [0.5, 0.6, 0.55, 0.5]).above(0)
    True
    """
    import numpy as np

    a, b = np.asarray(after, dtype=float), np.asarray(before, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in shape: {a.shape} vs {b.shape}")
    return bootstrap_interval(a - b, seed=seed, over=over)


def nested_interval(
    groups: Sequence[Sequence[float] | np.ndarray],
    *,
    statistic: str | Callable[[np.ndarray], float] = "mean",
    seed: int = 0,
    over: str | None = None,
    resamples: int = RESAMPLES,
) -> Interval:
    """Percentile interval of ``statistic`` over items grouped by seed (or prompt): each
    resample draws the groups with replacement, then the items within each drawn group, so
    the interval carries both the between-run and the within-run spread. With one group it
    is the ordinary bootstrap over its items.

    >>> runs = [[1.0, 1.2, 0.9, 1.1], [1.3, 1.1, 1.2, 1.4], [0.8, 1.0, 0.9, 1.1]]
    >>> iv = nested_interval(runs)
    >>> iv.low < 1.08 < iv.high, iv.over
    (True, '3 seeds x 4 items')
    """
    import numpy as np

    arrays = [np.asarray(g, dtype=float) for g in groups]
    if not arrays or any(a.ndim != 1 or len(a) == 0 for a in arrays):
        raise ValueError("nested_interval needs non-empty 1-D groups")
    sizes = {len(a) for a in arrays}
    label = over or (
        f"{len(arrays)} seeds x {sizes.pop()} items"
        if len(sizes) == 1
        else f"{len(arrays)} seeds, {sum(len(a) for a in arrays)} items"
    )
    if len(arrays) == 1:
        return bootstrap_interval(
            arrays[0], statistic=statistic, seed=seed, over=label, resamples=resamples
        )
    func = _statistic(statistic)
    estimate = float(func(np.concatenate(arrays)))
    rng = np.random.default_rng(seed)
    draws = np.empty(resamples)
    for r in range(resamples):
        chosen = rng.integers(len(arrays), size=len(arrays))
        items = [rng.choice(arrays[g], size=len(arrays[g])) for g in chosen]
        draws[r] = func(np.concatenate(items))
    low, high = np.quantile(draws, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return Interval(estimate, float(min(low, estimate)), float(max(high, estimate)), label)


def seeds_for(base: int, count: int) -> tuple[int, ...]:
    """The seeds a run reports: ``base, base+1, ...``; none of them may be a tuning seed.

    >>> seeds_for(0, 3)
    (0, 1, 2)
    """
    seeds = tuple(base + i for i in range(count))
    tuned = [s for s in seeds if s in TUNING_SEEDS]
    if tuned:
        raise ValueError(
            f"seeds {TUNING_SEEDS.start}-{TUNING_SEEDS.stop - 1} are kept for choosing the labs' "
            f"hyperparameters and never reported; pick --seed so that {count} seeds from it "
            f"stay clear of them"
        )
    if base < 0:
        raise ValueError("--seed must be 0 or more")
    return seeds
