"""Adaptive softmax: why it is fast, and why the speed comes from Zipf's law.

The article's answer (question 8, B): adaptive softmax speeds up large language models
thanks to Zipf's law. This lab measures both halves of that sentence on this CPU:

1. Zipf's law on a real corpus (Python standard-library docstrings): the log-log
   rank-frequency line, fitted by least squares, has a slope near -1 and a high R².
2. Forward+backward time of a full softmax (``nn.Linear(D, V)`` + ``F.cross_entropy``) vs
   ``torch.nn.AdaptiveLogSoftmaxWithLoss`` as the vocabulary V grows, with targets drawn from
   the fitted Zipf distribution; the speed-up per V and the speed-up the cluster sizes
   predict (expected multiply-adds, and logits, per token). Timed on one thread, the two
   methods interleaved, medians of repeats: stable even when other jobs share the cores.
3. The same timing with uniform targets: most tokens then land in the big tail clusters
   instead of the head, and the advantage shrinks — the gain comes from Zipf.

Adaptive softmax (Grave, Joulin, Cissé, Grangier, Jégou, "Efficient softmax approximation for
GPUs", ICML 2017, arXiv:1609.04309) sorts the vocabulary by frequency, keeps the frequent
words in a small head that every token computes, and puts the rare words in tail clusters
of lower dimension (``D / div_value**(i+1)``) that only the tokens whose target lies there pay
for. ``adaptive_log_prob`` below re-derives the module's log-probabilities from its weights.

Left out: the paper's GPU cost model and its cutoff optimisation (cutoffs here are fixed
fractions of V), perplexity/quality (the targets are synthetic and nothing is trained), and
the cost of the rest of the network (only the output layer is timed).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.corpus import stdlib_corpus, words
from llmiq.labs.report import Claim, LabResult

TargetDistribution = Literal["zipf", "uniform"]

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
ZIPF_SLOPE_RANGE = (-1.3, -0.7)  # "near -1"
ZIPF_MIN_R2 = 0.9
MIN_SPEEDUP = 2.0  # adaptive must be at least this much faster at the largest V
MIN_ZIPF_GAIN = 1.25  # Zipf / uniform speed-up (measured and logit model), geomean over V


@dataclass
class Config:
    corpus_chars: int = 1_000_000  # stdlib docstrings for the Zipf fit (~2 s to read)
    zipf_min_count: int = 5  # fit ranks of words seen at least this often (the tail is ties)
    vocab_sizes: tuple[int, ...] = (10_000, 50_000, 200_000)  # V, timed in this order
    hidden: int = 256  # D, the hidden size feeding the output layer
    tokens: int = 256  # batch of tokens per forward+backward (sets the run time: the full
    #                    softmax at V=200k computes tokens x V logits, 256 x 200k = 51M)
    repeats: int = 3  # timed repeats per method, target distribution and V; medians reported
    cutoff_fractions: tuple[float, ...] = (1 / 50, 1 / 10, 1 / 3)  # cutoffs = V * fraction
    div_value: float = 4.0  # tail cluster i has dimension D / div_value**(i+1)
    targets: TargetDistribution = "zipf"  # main target distribution; uniform is the contrast
    threads: int = 1  # torch threads while timing: with 2, other jobs on the 2 cores make
    #                   OpenMP threads wait on each other and the many small adaptive ops
    #                   slow down 10x; one thread gives both methods the same, stable core

    @classmethod
    def fast(cls) -> Config:
        return cls(corpus_chars=200_000, vocab_sizes=(5_000, 20_000, 50_000), tokens=128)


# ---------------------------------------------------------------------------- Zipf's law


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


# ------------------------------------------------------------------- adaptive softmax


def cutoffs_for(vocab: int, fractions: tuple[float, ...]) -> list[int]:
    """Cluster boundaries in frequency-rank order, each in (0, V) as torch requires.

    >>> cutoffs_for(50_000, (1 / 50, 1 / 10, 1 / 3))
    [1000, 5000, 16667]
    """
    return sorted({c for c in (round(vocab * f) for f in fractions) if 0 < c < vocab})


def cluster_shares(targets: torch.Tensor, cutoffs: list[int]) -> list[float]:
    """Share of targets in the head and in each tail cluster (sums to 1)."""
    cluster = torch.bucketize(targets, torch.tensor(cutoffs), right=True)  # (N,) 0 = head
    counts = torch.bincount(cluster, minlength=len(cutoffs) + 1)
    return (counts.double() / len(targets)).tolist()


def adaptive_macs_per_token(
    hidden: int, vocab: int, cutoffs: list[int], div_value: float, shares: list[float]
) -> float:
    """Expected multiply-adds per token of the adaptive softmax's forward pass: the head
    (shortlist + one logit per tail cluster) for every token, tail cluster i (projection
    D -> D/div^(i+1), then to its words) only for the share of tokens whose target is in it.
    The full softmax costs V * D. Backward roughly doubles both, so the ratio stands."""
    bounds = [*cutoffs, vocab]
    macs = hidden * (cutoffs[0] + len(cutoffs))
    for i, share in enumerate(shares[1:]):
        projected = int(hidden // div_value ** (i + 1))  # as torch sizes it
        macs += share * (hidden * projected + projected * (bounds[i + 1] - bounds[i]))
    return macs


def adaptive_logits_per_token(vocab: int, cutoffs: list[int], shares: list[float]) -> float:
    """Expected logits each token computes, normalises and back-propagates: the head's
    (shortlist + one per tail cluster) plus its target cluster's words. The full softmax
    computes V. Thin tail projections make the multiply-adds cheap, but every logit still
    costs an exp and memory traffic: a second, memory-bound estimate of the speed-up.

    >>> adaptive_logits_per_token(100, [10, 50], [0.5, 0.3, 0.2])  # 12 + .3*40 + .2*50
    34.0
    """
    bounds = [*cutoffs, vocab]
    tails = sum(share * (bounds[i + 1] - bounds[i]) for i, share in enumerate(shares[1:]))
    return cutoffs[0] + len(cutoffs) + tails


def adaptive_log_prob(
    module: nn.AdaptiveLogSoftmaxWithLoss, hidden: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """log P(target) from the module's own weights, written out: head log-softmax for the
    frequent words; for a word in tail cluster i, log P(cluster i) from the head plus
    log P(word | cluster i) from the cluster's softmax. Equals ``module(h, t).output``."""
    head = F.log_softmax(module.head(hidden), dim=1)  # (N, shortlist + clusters)
    shortlist = module.shortlist_size
    out = torch.zeros(len(targets), dtype=hidden.dtype)  # (N,)
    in_head = targets < shortlist
    out[in_head] = head[in_head, targets[in_head]]
    for i, tail in enumerate(module.tail):
        low, high = module.cutoffs[i], module.cutoffs[i + 1]
        rows = (targets >= low) & (targets < high)
        if rows.any():
            within = F.log_softmax(tail(hidden[rows]), dim=1)  # (n_i, high - low)
            word = targets[rows] - low
            out[rows] = head[rows, shortlist + i] + within[torch.arange(len(word)), word]
    return out


# --------------------------------------------------------------------------- timing


def full_softmax_step(layer: nn.Linear, hidden: torch.Tensor, targets: torch.Tensor) -> None:
    """The timed work of the full softmax: forward and backward of its mean cross-entropy."""
    F.cross_entropy(layer(hidden), targets).backward()  # logits (N, V)


def adaptive_softmax_step(
    layer: nn.AdaptiveLogSoftmaxWithLoss, hidden: torch.Tensor, targets: torch.Tensor
) -> None:
    """The timed work of the adaptive softmax: forward and backward of its mean loss."""
    layer(hidden, targets).loss.backward()


def _time_step(
    step: Callable, layer: nn.Module, hidden: torch.Tensor, targets: torch.Tensor
) -> float:
    layer.zero_grad(set_to_none=True)
    hidden.grad = None
    started = time.perf_counter()
    step(layer, hidden, targets)
    return time.perf_counter() - started


def _geomean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values))))


def _time_layers(
    config: Config,
    context: LabContext,
    exponent: float,
    rng: np.random.Generator,
    generator: torch.Generator,
) -> list[dict]:
    """Per V: medians of forward+backward seconds of both layers with the main and uniform
    targets (interleaved repeats in one process), and the speed-ups the cluster sizes
    predict from multiply-adds (``flop_ratio``) and from logits computed (``logit_ratio``)."""
    distributions: list[TargetDistribution] = [config.targets, "uniform"]
    labels = ["main", "uniform"]
    steps = {"full": full_softmax_step, "adaptive": adaptive_softmax_step}
    rows = []
    warmed = False
    total = len(config.vocab_sizes) * config.repeats * len(distributions) * len(steps)
    with context.progress(total, "timing full vs adaptive softmax") as advance:
        for vocab in config.vocab_sizes:
            cutoffs = cutoffs_for(vocab, config.cutoff_fractions)
            layers = {
                "full": nn.Linear(config.hidden, vocab),
                "adaptive": nn.AdaptiveLogSoftmaxWithLoss(
                    config.hidden, vocab, cutoffs, div_value=config.div_value
                ),
            }
            hidden = torch.randn(config.tokens, config.hidden, generator=generator)  # (N, D)
            hidden.requires_grad_(True)
            targets = [
                sample_targets(d, vocab, config.tokens, exponent, rng) for d in distributions
            ]
            if not warmed:  # first calls pay one-off set-up costs
                for name, step in steps.items():
                    _time_step(step, layers[name], hidden, targets[0])
                warmed = True
            seconds = {(label, name): [] for label in labels for name in steps}
            for _ in range(config.repeats):
                for label, target in zip(labels, targets, strict=True):
                    for name, step in steps.items():
                        seconds[label, name].append(_time_step(step, layers[name], hidden, target))
                        advance(1)
            row: dict = {"vocab": vocab, "cutoffs": cutoffs}
            for label, target in zip(labels, targets, strict=True):
                full_s = float(np.median(seconds[label, "full"]))
                adaptive_s = float(np.median(seconds[label, "adaptive"]))
                shares = cluster_shares(target, cutoffs)
                macs = adaptive_macs_per_token(
                    config.hidden, vocab, cutoffs, config.div_value, shares
                )
                row[label] = {
                    "full_seconds": round(full_s, 5),
                    "adaptive_seconds": round(adaptive_s, 5),
                    "speedup": round(full_s / adaptive_s, 2),
                    "flop_ratio": round(vocab * config.hidden / macs, 2),
                    "logit_ratio": round(
                        vocab / adaptive_logits_per_token(vocab, cutoffs, shares), 2
                    ),
                    "head_share": round(shares[0], 4),
                    "cluster_shares": [round(s, 4) for s in shares],
                }
            rows.append(row)
            del layers, hidden

    return rows


@dataclass
class AdaptiveSoftmaxMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    zipf_slope: float
    zipf_r_squared: float
    zipf_ranks_used: int
    distinct_words: int
    targets: TargetDistribution
    hidden: int
    tokens: int
    threads: int
    div_value: float
    speedup_largest_v: float
    speedup_largest_v_uniform: float
    flop_ratio_largest_v: float
    flop_ratio_largest_v_uniform: float
    logit_ratio_largest_v: float
    logit_ratio_largest_v_uniform: float
    zipf_gain_measured: float
    zipf_gain_flop_model: float
    zipf_gain_logit_model: float
    by_vocab: list[dict[str, Any]]  # per vocabulary size: main and uniform timings


Metrics = AdaptiveSoftmaxMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[AdaptiveSoftmaxMetrics]:
    rng = np.random.default_rng(context.seed)
    generator = torch.Generator().manual_seed(context.seed)

    # 1. Zipf's law on the corpus
    counts = rank_frequencies(words(stdlib_corpus(config.corpus_chars)))
    fit = fit_zipf(counts, config.zipf_min_count)

    # 2-3. time both layers per V, main targets and uniform, interleaved in one process
    with torch_threads(config.threads):
        rows = _time_layers(config, context, fit.exponent, rng, generator)

    largest = rows[-1]
    main, uniform = largest["main"], largest["uniform"]
    measured_gain = _geomean([r["main"]["speedup"] / r["uniform"]["speedup"] for r in rows])
    flop_gain = _geomean([r["main"]["flop_ratio"] / r["uniform"]["flop_ratio"] for r in rows])
    logit_gain = _geomean([r["main"]["logit_ratio"] / r["uniform"]["logit_ratio"] for r in rows])
    between = all(
        r[label]["logit_ratio"] <= r[label]["speedup"] <= r[label]["flop_ratio"]
        for r in rows
        for label in ("main", "uniform")
    )
    v_max = f"V={largest['vocab']:,}"

    zipf_ok = (
        ZIPF_SLOPE_RANGE[0] <= fit.slope <= ZIPF_SLOPE_RANGE[1] and fit.r_squared >= ZIPF_MIN_R2
    )
    claims = [
        Claim(
            "Word frequencies in the corpus follow Zipf's law (log-log rank-frequency slope "
            "near -1, straight line)",
            zipf_ok,
            f"{len(counts):,} distinct words; over the {fit.ranks_used:,} ranks seen at least "
            f"{config.zipf_min_count} times the fitted slope is {fit.slope:.3f} (needed "
            f"{ZIPF_SLOPE_RANGE[0]} to {ZIPF_SLOPE_RANGE[1]}) with R²={fit.r_squared:.3f} "
            f"(needed >= {ZIPF_MIN_R2}).",
        ),
        Claim(
            f"Adaptive softmax trains faster than the full softmax at {v_max} with "
            f"{config.targets} targets",
            main["speedup"] >= MIN_SPEEDUP,
            f"Forward+backward of {config.tokens} tokens, D={config.hidden}, "
            f"{config.threads} thread(s): full "
            f"{main['full_seconds']:.3f} s vs adaptive {main['adaptive_seconds']:.3f} s, "
            f"{main['speedup']:.1f}x faster (needed >= {MIN_SPEEDUP}x); the cluster sizes "
            f"predict {main['flop_ratio']:.1f}x fewer multiply-adds; "
            f"{100 * main['head_share']:.0f}% of targets need only the head cluster.",
        ),
        Claim(
            "The gain comes from Zipf: with uniform targets the advantage shrinks",
            measured_gain >= MIN_ZIPF_GAIN and logit_gain >= MIN_ZIPF_GAIN,
            f"At {v_max} the speed-up is {main['speedup']:.1f}x with {config.targets} targets "
            f"and {uniform['speedup']:.1f}x with uniform ones, of which only "
            f"{100 * uniform['head_share']:.0f}% stay in the head (vs "
            f"{100 * main['head_share']:.0f}%); over all V the {config.targets} speed-up is "
            f"{measured_gain:.2f}x the uniform one (needed >= {MIN_ZIPF_GAIN}). Thin tail "
            f"clusters keep multiply-adds low either way (FLOP model: {main['flop_ratio']:.1f}x "
            f"vs {uniform['flop_ratio']:.1f}x fewer, gain {flop_gain:.2f}x), but with uniform "
            f"targets most tokens still compute and normalise a big tail's logits (logit "
            f"model: {main['logit_ratio']:.1f}x vs {uniform['logit_ratio']:.1f}x fewer, gain "
            f"{logit_gain:.2f}x, needed >= {MIN_ZIPF_GAIN}); the measured speed-ups lie "
            + ("between" if between else "outside")
            + " the two models.",
        ),
    ]

    figures = [_plot_zipf(context, counts, fit, config), _plot_times(context, rows, config)]
    return LabResult(
        title="Adaptive vs full softmax: speed and Zipf's law",
        key_figure=f"{main['speedup']:.1f}x faster at {v_max} ({config.targets} targets), "
        f"{uniform['speedup']:.1f}x with uniform",
        metrics=AdaptiveSoftmaxMetrics(
            zipf_slope=round(fit.slope, 4),
            zipf_r_squared=round(fit.r_squared, 4),
            zipf_ranks_used=fit.ranks_used,
            distinct_words=len(counts),
            targets=config.targets,
            hidden=config.hidden,
            tokens=config.tokens,
            threads=config.threads,
            div_value=config.div_value,
            speedup_largest_v=main["speedup"],
            speedup_largest_v_uniform=uniform["speedup"],
            flop_ratio_largest_v=main["flop_ratio"],
            flop_ratio_largest_v_uniform=uniform["flop_ratio"],
            logit_ratio_largest_v=main["logit_ratio"],
            logit_ratio_largest_v_uniform=uniform["logit_ratio"],
            zipf_gain_measured=round(measured_gain, 3),
            zipf_gain_flop_model=round(flop_gain, 3),
            zipf_gain_logit_model=round(logit_gain, 3),
            by_vocab=rows,
        ),
        claims=claims,
        figures=figures,
    )


# --------------------------------------------------------------------------- figures


def _plot_zipf(context: LabContext, counts: np.ndarray, fit: ZipfFit, config: Config) -> str:
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(5.5, 4))
    ranks = np.arange(1, len(counts) + 1)
    axis.loglog(ranks, counts, ".", markersize=2, label="stdlib docstring words")
    fitted = ranks[: fit.ranks_used]
    axis.loglog(
        fitted,
        np.exp(fit.intercept) * fitted**fit.slope,
        "-",
        color="tab:red",
        label=f"fit: slope {fit.slope:.2f}, R²={fit.r_squared:.3f}",
    )
    axis.set_xlabel("rank")
    axis.set_ylabel("frequency")
    axis.set_title(f"Zipf's law (ranks with count >= {config.zipf_min_count} fitted)")
    axis.legend()
    return context.save_figure(figure, "zipf_fit")


def _plot_times(context: LabContext, rows: list[dict], config: Config) -> str:
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(5.5, 4))
    vocab = [r["vocab"] for r in rows]
    for label, name, style in [
        ("main", "full", "o-"),
        ("main", "adaptive", "s-"),
        ("uniform", "full", "o--"),
        ("uniform", "adaptive", "s--"),
    ]:
        distribution = config.targets if label == "main" else "uniform"
        axis.loglog(
            vocab,
            [r[label][f"{name}_seconds"] for r in rows],
            style,
            color="tab:blue" if name == "full" else "tab:orange",
            alpha=1.0 if label == "main" else 0.6,
            label=f"{name} softmax, {distribution} targets",
        )
    axis.set_xlabel("vocabulary size V")
    axis.set_ylabel("forward+backward seconds (median)")
    axis.set_title(f"{config.tokens} tokens, D={config.hidden}, {config.threads} thread(s)")
    axis.legend(fontsize=8)
    return context.save_figure(figure, "softmax_time")
