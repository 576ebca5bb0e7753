"""The scaling lab's verdicts, each decided on a 95% interval over seeds and held-out windows.

Losses come per held-out window, grouped by seed: ``windows[size][checkpoint]`` is a list of
one array per seed, every size of a seed scored on the same windows, so a difference between
two sizes is paired window by window and :func:`~llmiq.labs.uncertainty.nested_interval`
resamples the seeds and the windows within them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from llmiq.labs.report import Claim
from llmiq.labs.scaling.fitting import PowerLawFit, tokens_to_reach
from llmiq.labs.uncertainty import Interval, exact, nested_interval

UNIFORM = math.log(256)  # nats/byte of a uniform prediction over the 256 byte values

#: per size, per checkpoint, one array of per-window losses per seed
Windows = Sequence[Sequence[Sequence[np.ndarray]]]


def _k(n: float) -> str:
    """``25472`` -> ``"25.5k"``; ``1_200_000`` -> ``"1.2M"``."""
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    return f"{n / 1e3:.3g}k" if n >= 1e3 else f"{n:g}"


def _over(groups: Sequence[np.ndarray]) -> str:
    return f"{len(groups)} seeds x {len(groups[0])} held-out windows"


def gap_interval(smaller: Sequence[np.ndarray], larger: Sequence[np.ndarray]) -> Interval:
    """95% interval of loss(smaller model) - loss(larger model), paired by window."""
    groups = [a - b for a, b in zip(smaller, larger, strict=True)]
    return nested_interval(groups, over=_over(groups))


def initial_loss_claim(
    names: Sequence[str],
    initial: Sequence[Sequence[np.ndarray]],
    tolerance: float,
    unigram: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when, for every size, the 95% interval of the held-out loss before its first
    step minus ln 256 lies within +-``tolerance``; the decisive interval is the one reaching
    furthest from 0. ``initial``: per size, one array of window losses per seed."""
    distances = [
        nested_interval([g - UNIFORM for g in groups], over=_over(groups)) for groups in initial
    ]
    worst = max(range(len(names)), key=lambda i: max(-distances[i].low, distances[i].high))
    decisive = distances[worst]
    close = decisive.above(-tolerance) and decisive.below(tolerance)
    losses = ", ".join(
        f"{n}: {d.shift(UNIFORM).format('.3f')}" for n, d in zip(names, distances, strict=True)
    )
    means = [d.estimate + UNIFORM for d in distances]
    return Claim.on_interval(
        "Before the first step, a byte-level model's loss is close to ln 256 = 5.545 nats "
        "(perplexity ~256): small initial weights give a near-uniform prediction",
        decisive,
        measure=f"held-out loss at step 0 minus ln 256 (nats/byte), the size furthest from it "
        f"({names[worst]})",
        evidence=f"held-out loss at step 0 (95% interval over {decisive.over}) {losses} "
        f"nats/byte; the furthest from ln 256 is {names[worst]}, "
        f"{decisive.format('+.3f')} ({'within' if close else 'NOT within'} "
        f"+-{tolerance:g}), perplexity {math.exp(min(means)):.0f}-"
        f"{math.exp(min(max(means), 700)):.3g}. For scale: byte frequencies alone (no context) "
        f"score {unigram:.3f}.",
        seeds=seeds,
        above=-tolerance,
        below=tolerance,
    )


def sample_efficiency_claim(
    names: Sequence[str],
    n_params: Sequence[int],
    tokens: Sequence[int],
    windows: Windows,
    min_gap: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when the sizes grow and, at the final checkpoint and every checkpoint from a
    quarter of the budget on, the 95% interval of each smaller model's held-out loss minus
    the next larger one's lies above ``min_gap`` (the interval carries the seed-to-seed
    spread the old single "seed noise" run estimated). The decisive interval is the weakest
    required (checkpoint, pair); earlier checkpoints are reported, not required."""
    growing = all(b > a for a, b in pairwise(n_params))
    budget = tokens[-1]
    text = (
        "At equal tokens seen, larger models reach a lower held-out loss (they are more "
        "sample-efficient), at the end of training and at intermediate checkpoints"
    )
    means = [[float(np.concatenate(c).mean()) for c in size] for size in windows]
    finals = ", ".join(
        f"{n} (N={_k(p)}): {m[-1]:.3f}" for n, p, m in zip(names, n_params, means, strict=True)
    )
    if len(names) < 2:
        only = nested_interval(windows[0][-1])
        return Claim.on_interval(
            text,
            only,
            measure="final held-out loss of the only size",
            evidence=f"one size only: {finals}; nothing to compare.",
            seeds=seeds,
            above=0,
            also=False,
        )
    required = [j for j, t in enumerate(tokens) if t >= budget / 4 and t > 0]
    gaps = {
        (j, i): gap_interval(windows[i][j], windows[i + 1][j])
        for j in required
        for i in range(len(names) - 1)
    }
    (j_weak, i_weak), weakest = min(gaps.items(), key=lambda item: item[1].low)

    def weakest_at(j: int) -> Interval:
        return min((gaps[(j, i)] for i in range(len(names) - 1)), key=lambda iv: iv.low)

    ordered_at = "; ".join(
        f"{_k(tokens[j])}: smallest gap {weakest_at(j).format('+.3f')}" for j in required
    )
    early = ", ".join(
        f"{_k(tokens[j])}: {min(a[j] - b[j] for a, b in pairwise(means)):+.3f}"
        for j in range(1, len(tokens))
        if j not in required
    )
    target = means[0][-1]
    reach = []
    for name, curve in zip(names[1:], means[1:], strict=True):
        t = tokens_to_reach(tokens, curve, target)
        reach.append(f"{name} {t / budget:.0%}" if t is not None else f"{name} never")
    above = all(g.above(min_gap) for g in gaps.values())
    return Claim.on_interval(
        text,
        weakest,
        measure=f"held-out loss of a size minus the next larger one's (nats/byte), the weakest "
        f"of every pair from {_k(budget / 4)} tokens on ({names[i_weak]} vs "
        f"{names[i_weak + 1]} at {_k(tokens[j_weak])})",
        evidence=f"final held-out loss {finals} nats/byte after {_k(budget)} tokens. Gap to the "
        f"next larger size (95% interval over {weakest.over}), required above {min_gap:g} from "
        f"{_k(budget / 4)} tokens on: {ordered_at} "
        f"({'every one above' if above else 'NOT every one above'})"
        f"{'' if growing else '; the sizes do NOT grow in N'}. Earlier, reported only "
        f"(smallest mean gap): {early or 'none'}. Share of the budget the larger models needed "
        f"to reach the smallest model's final loss ({target:.3f}): {', '.join(reach)}.",
        seeds=seeds,
        above=min_gap,
        also=growing,
    )


def power_law_claim(
    fit: PowerLawFit | None,
    pure: PowerLawFit | None,
    line_r2: float | None,
    n_params: Sequence[int],
    finals: Sequence[float],
    min_r2: float,
    tokens: int,
    extrapolation: tuple[float, float] | None,
    alpha: Interval | None,
    seeds: Sequence[int],
) -> Claim:
    """Supported when there are at least 4 sizes (3 parameters leave 3 points no test), the
    95% interval of the fitted exponent (bootstrap over seeds and windows, refitted each
    time) lies above 0, and the curve through the mean losses explains at least ``min_r2``
    of their variance."""
    text = (
        "Final loss against non-embedding parameters is close to a power law plus a constant, "
        "L(N) = E + A / N^alpha (the shape of Kaplan et al. 2020 and Hoffmann et al. 2022)"
    )
    measure = "fitted exponent alpha of L(N) = E + A / N^alpha"
    if fit is None or alpha is None:
        return Claim.on_interval(
            text,
            exact(0.0, "no fit: the sizes do not differ in N"),
            measure=measure,
            evidence="the sizes do not differ in N: there is no curve to fit.",
            seeds=seeds,
            above=0,
        )
    enough = fit.points >= 4
    good = fit.r2 >= min_r2
    reasons = []
    if not enough:
        reasons.append(
            f"only {fit.points} sizes: 3 parameters fit them with no degree of "
            "freedom left, so the shape is not tested"
        )
    if not alpha.above(0):
        reasons.append("the exponent's interval reaches 0: the loss may not fall with N")
    if not good:
        reasons.append(f"R^2 below {min_r2:g}")
    extra = ""
    if extrapolation is not None:
        predicted, measured = extrapolation
        extra = (
            f" Fitted on the smaller sizes only, the curve predicts {predicted:.3f} for the "
            f"largest, measured {measured:.3f} ({predicted - measured:+.3f})."
        )
    pure_text = f"; a pure power law (E = 0) has R^2 {pure.r2:.3f}" if pure is not None else ""
    if fit.E == 0.0:
        pure_text += " (the best E is 0, the edge of its range: no floor shows at these sizes)"
    if line_r2 is not None:
        pure_text += f", a straight line in log N R^2 {line_r2:.3f}"
    points = ", ".join(f"{_k(n)}: {v:.3f}" for n, v in zip(n_params, finals, strict=True))
    return Claim.on_interval(
        text,
        alpha,
        measure=measure,
        evidence=f"mean final losses {points}; fit E = {fit.E:.3f}, A = {fit.A:.3g}, alpha = "
        f"{alpha.format('.3f')} (95% interval over {alpha.over}), R^2 {fit.r2:.4f} on "
        f"{fit.points} points (rmse {fit.rmse:.4f}){pure_text}.{extra} "
        f"{'; '.join(reasons).capitalize() + '. ' if reasons else ''}"
        f"Tiny models at a tiny budget only illustrate the shape: at a fixed {_k(tokens)} "
        "tokens the constant E also holds the data term B/D^beta (Hoffmann et al.), so it is "
        "not the entropy of text, and alpha is not comparable to Kaplan's 0.076 (models "
        "trained to convergence, 10^3 to 10^9 parameters).",
        seeds=seeds,
        above=0,
        also=enough and good,
    )


def compute_optimal_claim(
    n_params: Sequence[int],
    tokens: Sequence[int],
    finals: Sequence[Sequence[np.ndarray]],
    compute: float,
    min_gap: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when, at one compute budget, the best (N, D) split (lowest mean loss) is
    neither the largest model nor the most tokens, and the 95% interval of the better end's
    loss minus the best split's lies above ``min_gap``. ``finals``: per size, one array of
    final window losses per seed."""
    means = [float(np.concatenate(f).mean()) for f in finals]
    best = min(range(len(means)), key=lambda i: means[i])
    interior = 0 < best < len(means) - 1
    end = 0 if means[0] <= means[-1] else len(means) - 1
    margin = gap_interval(finals[end], finals[best]) if best != end else exact(0.0)
    splits = ", ".join(
        f"N={_k(n)} D={_k(d)} (D/N {d / n:.3g}): {v:.3f}"
        for n, d, v in zip(n_params, tokens, means, strict=True)
    )
    where = "an interior split" if interior else "an end of the range"
    return Claim.on_interval(
        "At a fixed compute budget C = 6ND, the best split between model size and tokens "
        "is an interior one: neither the largest model nor the most tokens",
        margin,
        measure="held-out loss of the better end of the range minus the best split's",
        evidence=f"C = {compute:.3g} FLOPs (non-embedding N): {splits} nats/byte. Best is "
        f"{where}, N={_k(n_params[best])} at {tokens[best] / n_params[best]:.3g} tokens per "
        f"parameter, {margin.format('+.3f')} below the better end (95% interval; needs > "
        f"{min_gap:g}). Chinchilla's ~20 tokens per parameter comes from 70M-16B models; tiny "
        "byte-level models, whose embeddings and attention cost is not in N, need not land "
        "there.",
        seeds=seeds,
        above=min_gap,
        also=interior,
    )
