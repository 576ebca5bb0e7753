"""The scaling lab's verdicts, each computed from a measurement."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from llmiq.labs.report import Claim
from llmiq.labs.scaling.fitting import PowerLawFit, tokens_to_reach

UNIFORM = math.log(256)  # nats/byte of a uniform prediction over the 256 byte values


def _k(n: float) -> str:
    """``25472`` -> ``"25.5k"``; ``1_200_000`` -> ``"1.2M"``."""
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    return f"{n / 1e3:.3g}k" if n >= 1e3 else f"{n:g}"


def initial_loss_claim(
    names: Sequence[str], initial: Sequence[float], tolerance: float, unigram: float
) -> Claim:
    """Supported when every model's held-out loss before its first step is within
    ``tolerance`` of ln 256."""
    worst = max(abs(v - UNIFORM) for v in initial)
    close = worst <= tolerance
    losses = ", ".join(f"{n}: {v:.3f}" for n, v in zip(names, initial, strict=True))
    return Claim(
        text="Before the first step, a byte-level model's loss is close to ln 256 = 5.545 nats "
        "(perplexity ~256): small initial weights give a near-uniform prediction",
        supported=close,
        evidence=f"held-out loss at step 0 {losses} nats/byte; largest distance from ln 256 "
        f"{worst:.3f} ({'within' if close else 'NOT within'} {tolerance:g}), perplexity "
        f"{math.exp(min(initial)):.0f}-{math.exp(min(max(initial), 700)):.3g}. For scale: "
        f"byte frequencies alone (no context) score {unigram:.3f}.",
    )


def sample_efficiency_claim(
    names: Sequence[str],
    n_params: Sequence[int],
    tokens: Sequence[int],
    held_out: Sequence[Sequence[float]],
    min_gap: float,
    seed_noise: Sequence[float] = (),
) -> Claim:
    """Supported when the sizes grow, and at the final checkpoint and at every checkpoint from
    a quarter of the budget on, each larger model's held-out loss is below the next smaller
    one's by at least ``min_gap`` and by more than ``seed_noise`` there (per checkpoint, how
    far another seed moved the smallest size, when measured). Earlier checkpoints are
    reported, not required."""
    growing = all(b > a for a, b in pairwise(n_params))
    budget = tokens[-1]
    gaps = [  # (checkpoints, sizes - 1): smaller model's loss minus the next larger one's
        [small[j] - large[j] for small, large in pairwise(held_out)] for j in range(len(tokens))
    ]
    needed = [max(min_gap, seed_noise[j]) if seed_noise else min_gap for j in range(len(tokens))]
    ordered = [bool(g) and min(g) >= n for g, n in zip(gaps, needed, strict=True)]
    required = [j for j, t in enumerate(tokens) if t >= budget / 4 and t > 0]
    supported = growing and all(ordered[j] for j in required)
    later = range(1, len(tokens))
    ordered_at = (
        ", ".join(
            f"{_k(tokens[j])}: {'yes' if ordered[j] else 'no'} (smallest gap {min(gaps[j]):+.3f}"
            f"{f', seed noise {seed_noise[j]:.3f}' if seed_noise else ''})"
            for j in later
        )
        if len(held_out) > 1
        else "one size only"
    )
    finals = ", ".join(
        f"{n} (N={_k(p)}): {h[-1]:.3f}" for n, p, h in zip(names, n_params, held_out, strict=True)
    )
    target = held_out[0][-1]
    reach = []
    for name, curve in zip(names[1:], held_out[1:], strict=True):
        t = tokens_to_reach(tokens, curve, target)
        reach.append(f"{name} {t / budget:.0%}" if t is not None else f"{name} never")
    noise = (
        " Seed noise: how far another seed (weights and batches) moved the smallest size's "
        "loss at that checkpoint; a gap must exceed it too."
        if seed_noise
        else ""
    )
    return Claim(
        text="At equal tokens seen, larger models reach a lower held-out loss (they are more "
        "sample-efficient), at the end of training and at intermediate checkpoints",
        supported=supported,
        evidence=f"final held-out loss {finals} nats/byte after {_k(budget)} tokens; ordered "
        f"by size with every gap >= {min_gap:g} at {ordered_at}"
        f"{'' if growing else '; the sizes do NOT grow in N'}; required from "
        f"{_k(budget / 4)} tokens on. Share of the budget the larger models needed to reach "
        f"the smallest model's final loss ({target:.3f}): {', '.join(reach) or 'none'}.{noise}",
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
) -> Claim:
    """Supported when there are at least 4 sizes (3 parameters leave 3 points no test), the
    fitted exponent is positive and the curve explains at least ``min_r2`` of the variance."""
    text = (
        "Final loss against non-embedding parameters is close to a power law plus a constant, "
        "L(N) = E + A / N^alpha (the shape of Kaplan et al. 2020 and Hoffmann et al. 2022)"
    )
    if fit is None:
        return Claim(text, False, "the sizes do not differ in N: there is no curve to fit.")
    enough = fit.points >= 4
    positive = fit.alpha > 0
    good = fit.r2 >= min_r2
    reasons = []
    if not enough:
        reasons.append(
            f"only {fit.points} sizes: 3 parameters fit them with no degree of "
            "freedom left, so the shape is not tested"
        )
    if not positive:
        reasons.append("the exponent is not positive: the loss does not fall with N")
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
    return Claim(
        text=text,
        supported=enough and positive and good,
        evidence=f"final losses {points}; fit E = {fit.E:.3f}, A = {fit.A:.3g}, alpha = "
        f"{fit.alpha:.3f}, R^2 {fit.r2:.4f} on {fit.points} points (rmse {fit.rmse:.4f})"
        f"{pure_text}.{extra} {'; '.join(reasons).capitalize() + '. ' if reasons else ''}"
        f"Tiny models at a tiny budget only illustrate the shape: at a fixed {_k(tokens)} "
        "tokens the constant E also holds the data term B/D^beta (Hoffmann et al.), so it is "
        "not the entropy of text, and alpha is not comparable to Kaplan's 0.076 (models "
        "trained to convergence, 10^3 to 10^9 parameters).",
    )


def compute_optimal_claim(
    n_params: Sequence[int],
    tokens: Sequence[int],
    finals: Sequence[float],
    compute: float,
    min_gap: float,
) -> Claim:
    """Supported when, at one compute budget, the best (N, D) split is neither the largest
    model nor the most tokens, and beats both ends by at least ``min_gap``."""
    best = min(range(len(finals)), key=lambda i: finals[i])
    interior = 0 < best < len(finals) - 1
    margin = min(finals[0], finals[-1]) - finals[best]
    supported = interior and margin >= min_gap
    splits = ", ".join(
        f"N={_k(n)} D={_k(d)} (D/N {d / n:.3g}): {v:.3f}"
        for n, d, v in zip(n_params, tokens, finals, strict=True)
    )
    where = "an interior split" if interior else "an end of the range"
    return Claim(
        text="At a fixed compute budget C = 6ND, the best split between model size and tokens "
        "is an interior one: neither the largest model nor the most tokens",
        supported=supported,
        evidence=f"C = {compute:.3g} FLOPs (non-embedding N): {splits} nats/byte. Best is "
        f"{where}, N={_k(n_params[best])} at {tokens[best] / n_params[best]:.3g} tokens per "
        f"parameter, {margin:+.3f} below the better end (needs >= {min_gap:g}). Chinchilla's "
        "~20 tokens per parameter comes from 70M-16B models; tiny byte-level models, whose "
        "embeddings and attention cost is not in N, need not land there.",
    )
