"""The RoPE lab's run: per seed, the relative property, the library check, a tiny model past
its trained length (plain and interpolated) and the matched-key scores; the closed-form
decay bound once; the verdicts on intervals over the seeds; what it measured, as
``RopeMetrics``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import LabResult
from llmiq.labs.rope.claims import (
    decay_claim,
    extrapolation_claim,
    finetuned_claim,
    interpolation_claim,
    library_claim,
    relative_claim,
)
from llmiq.labs.rope.config import Config
from llmiq.labs.rope.figures import plot_rope
from llmiq.labs.rope.replicates import SeedRun, measure_seed
from llmiq.labs.rope.rotary import binned, log_edges, su_bound
from llmiq.labs.rope.tuning import CHOSEN
from llmiq.labs.uncertainty import LEVEL, Interval, nested_interval


@dataclass
class RopeMetrics:
    """What the lab measured, as report.json's ``metrics``. Losses are means over every
    seed's held-out windows; intervals are [estimate, low, high], 95%, over seeds and
    windows."""

    head_dim: int
    base: float
    distances: list[int]
    max_position: int  # the farthest absolute position a pair was placed at
    key_position_scale: float  # 1 unless broken on purpose
    pairs_per_seed: int
    rope_spread: float  # largest score movement / (|q||k|), float64, every seed's pairs
    rope_spread_fp32: float  # the same with float32 values and angles
    sinusoidal_spread: list[float]  # mean movement per pair: estimate, low, high
    learned_spread: list[float]
    vs_transformers_same_rounding: float  # max |diff|, float32 angles like the library's
    vs_transformers_float64_angles: float
    train_length: int
    train_steps: int
    eval_lengths: list[int]
    eval_windows_per_seed: int
    model_params: int
    final_train_loss: list[float]  # per seed
    loss_before_length: list[float]  # positions < L, plain RoPE, per evaluated length
    loss_past_length: list[float | None]  # positions >= L (None at L itself)
    rise_past_length: list[list[float] | None]  # paired, per window: estimate, low, high
    loss_plain: list[float]  # whole windows
    loss_interpolated: list[float]
    interpolation_gain: list[list[float]]  # plain - interpolated: estimate, low, high
    finetune_length: int
    finetune_steps: int
    finetuned_plain: float
    finetuned_interpolated: float
    finetuned_gain: list[float]
    decay_head_dim: int
    decay_vectors_per_seed: int
    decay_edges: list[int]
    decay_bound_by_bin: list[float]
    decay_matched_envelope_by_bin: list[float]
    decay_last_over_first: list[float]  # envelope ratio: estimate, low, high
    single_frequency: bool
    torch_threads_used: int


Metrics = RopeMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[RopeMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[RopeMetrics]:
    seeds = list(context.seeds)
    train_text, held_text = split_held_out(stdlib_corpus(config.corpus_chars))
    text = (torch.tensor(tinylm.encode(train_text)), torch.tensor(tinylm.encode(held_text)))
    runs: list[SeedRun] = [
        measure_seed(seed, config, context, text) for seed in context.replicate()
    ]

    def pooled(values: Sequence[torch.Tensor]) -> float:
        return float(torch.cat(list(values)).mean())

    def windows(groups: Sequence[torch.Tensor]) -> Interval:
        return nested_interval(
            [g.tolist() for g in groups], over=_over(len(groups), len(groups[0]), "windows")
        )

    L, factors = config.train_length, list(config.eval_factors)
    longest = max(factors) * L
    spreads = {
        key: [run.relative.spreads[key] for run in runs]
        for key in ("rope", "rope_fp32", "sinusoidal", "learned")
    }
    pairs = _over(len(runs), config.pairs, "pairs") + f" x {len(config.distances)} distances"
    absolute = {
        key: nested_interval(
            [t.tolist() for t in spreads[key]], over=_over(len(runs), config.pairs, "pairs")
        )
        for key in ("sinusoidal", "learned")
    }
    rope_spread = max(float(t.max()) for t in spreads["rope"])
    rope_fp32 = max(float(t.max()) for t in spreads["rope_fp32"])
    library = {key: max(run.library[key] for run in runs) for key in ("same", "float64")}

    before, past, rises, plain, interpolated, gains = [], [], [], [], [], []
    for i, factor in enumerate(factors):
        before.append(pooled([run.past.before[i] for run in runs]))
        plain.append(pooled([run.past.plain[i] for run in runs]))
        interpolated.append(pooled([run.past.interpolated[i] for run in runs]))
        gains.append(windows([run.past.plain[i] - run.past.interpolated[i] for run in runs]))
        past_i = [run.past.past[i] for run in runs]
        if factor > 1 and all(p is not None for p in past_i):
            past_only = [p for p in past_i if p is not None]
            past.append(pooled(past_only))
            rises.append(
                windows([p - run.past.before[i] for p, run in zip(past_only, runs, strict=True)])
            )
        else:
            past.append(None)
            rises.append(None)
    tuned_plain = pooled([run.past.finetuned_plain for run in runs])
    tuned_interpolated = pooled([run.past.finetuned_interpolated for run in runs])
    tuned_gain = windows(
        [run.past.finetuned_plain - run.past.finetuned_interpolated for run in runs]
    )

    decay = long_term_decay(config, [run.matched for run in runs])
    single = config.single_frequency

    claims = [
        relative_claim(
            rope_spread=rope_spread,
            rope_spread_fp32=rope_fp32,
            sinusoidal=absolute["sinusoidal"],
            learned=absolute["learned"],
            key_position_scale=config.key_position_scale,
            max_position=runs[0].relative.max_position,
            pairs=pairs,
            seeds=seeds,
        ),
        library_claim(
            library["same"], library["float64"], config.library_tokens, config.library_offset, seeds
        ),
        extrapolation_claim(L, factors, before, past, rises, seeds),
        interpolation_claim(factors, L, plain, interpolated, gains, seeds),
        finetuned_claim(
            longest,
            config.finetune_steps,
            (plain[-1], interpolated[-1]),
            (tuned_plain, tuned_interpolated),
            tuned_gain,
            seeds,
        ),
        decay_claim(decay.edges, decay.bound_bins, decay.matched_bins, single, decay.ratio, seeds),
    ]
    curves = {
        label: torch.stack([run.past.curves[label] for run in runs]).mean(0)
        for label in runs[0].past.curves
    }
    figure = plot_rope(
        context,
        placements=runs[0].relative.placements,
        distance=runs[0].relative.figure_distance,
        pair_scores=runs[0].relative.figure_scores,
        train_length=L,
        curves=curves,
        distances=decay.distances,
        bound=decay.bound,
        matched=decay.matched,
        head_dim=config.decay_head_dim,
        gains={f"{f * L}": g for f, g in zip(factors, gains, strict=True) if f > 1}
        | {f"{longest}, fine-tuned": tuned_gain},
    )
    i = factors.index(max(factors))
    metrics = RopeMetrics(
        head_dim=config.head_dim,
        base=config.base,
        distances=list(config.distances),
        max_position=runs[0].relative.max_position,
        key_position_scale=config.key_position_scale,
        pairs_per_seed=config.pairs,
        rope_spread=rope_spread,
        rope_spread_fp32=rope_fp32,
        sinusoidal_spread=_triple(absolute["sinusoidal"]),
        learned_spread=_triple(absolute["learned"]),
        vs_transformers_same_rounding=library["same"],
        vs_transformers_float64_angles=library["float64"],
        train_length=L,
        train_steps=config.train_steps,
        eval_lengths=[f * L for f in factors],
        eval_windows_per_seed=config.eval_windows,
        model_params=runs[0].past.params,
        final_train_loss=[round(run.past.final_loss, 4) for run in runs],
        loss_before_length=_rounded(before),
        loss_past_length=[None if v is None else round(v, 4) for v in past],
        rise_past_length=[None if r is None else _triple(r) for r in rises],
        loss_plain=_rounded(plain),
        loss_interpolated=_rounded(interpolated),
        interpolation_gain=[_triple(g) for g in gains],
        finetune_length=longest,
        finetune_steps=config.finetune_steps,
        finetuned_plain=round(tuned_plain, 4),
        finetuned_interpolated=round(tuned_interpolated, 4),
        finetuned_gain=_triple(tuned_gain),
        decay_head_dim=config.decay_head_dim,
        decay_vectors_per_seed=config.decay_vectors,
        decay_edges=decay.edges,
        decay_bound_by_bin=_rounded(decay.bound_bins),
        decay_matched_envelope_by_bin=_rounded(decay.matched_bins),
        decay_last_over_first=_triple(decay.ratio),
        single_frequency=single,
        torch_threads_used=torch.get_num_threads(),
    )
    rise = rises[i]
    key_figure = (
        f"score spread {rope_spread:.0e} (RoPE) vs {absolute['sinusoidal'].estimate:.2f} "
        f"(sinusoidal); at {longest} tokens, loss {before[i]:.2f} before L -> {past[i]:.2f} past "
        f"it (rise {rise.format('+.2f') if rise else '-'}); interpolated "
        f"{interpolated[i]:.2f} vs plain {plain[i]:.2f}"
    )
    return LabResult(
        title="RoPE: relative positions, past the trained length, and the long-term decay",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[figure],
        tuning={"training budget (train_steps x batch_size)": CHOSEN},
    )


def paired(differences: torch.Tensor) -> Interval:
    """The 95% interval of the mean of per-window differences (W,) of one seed."""
    return nested_interval([differences.tolist()], over=_over(1, len(differences), "windows"))


@dataclass
class Decay:
    """Su et al.'s bound (closed form) and the matched-key score (mean of every seed's
    random vectors) by distance, summarised per log-spaced distance bin, and the interval of
    the matched envelope's last bin over its first."""

    distances: torch.Tensor
    bound: torch.Tensor
    matched: torch.Tensor
    edges: list[int]
    bound_bins: list[float]
    matched_bins: list[float]
    ratio: Interval


def long_term_decay(config: Config, matched_by_seed: Sequence[torch.Tensor]) -> Decay:
    """The decay from each seed's per-vector matched scores (V, D) (``matched_by_vector``)."""
    distances = torch.arange(config.decay_max_distance + 1)
    bound = su_bound(distances, config.decay_head_dim, config.base, single=config.single_frequency)
    edges = log_edges(config.decay_max_distance)
    matched = torch.cat(list(matched_by_seed)).mean(0)  # (D,)
    sizes = {len(m) for m in matched_by_seed}
    ratio = decay_ratio_interval(
        matched_by_seed,
        distances,
        edges,
        over=_over(len(matched_by_seed), sizes.pop(), "random vectors")
        if len(sizes) == 1
        else f"{len(matched_by_seed)} seeds' random vectors",
    )
    return Decay(
        distances,
        bound,
        matched,
        edges,
        binned(bound, distances, edges, envelope=False),
        binned(matched, distances, edges, envelope=True),
        ratio,
    )


def _over(seeds: int, items: int, what: str) -> str:
    return f"{seeds} seed{'s' * (seeds > 1)} x {items} {what}"


def _rounded(values: list[float]) -> list[float]:
    return [round(v, 4) for v in values]


def _triple(interval: Interval) -> list[float]:
    return [round(interval.estimate, 4), round(interval.low, 4), round(interval.high, 4)]


def decay_ratio_interval(
    matched_by_seed: Sequence[torch.Tensor],
    distances: torch.Tensor,
    edges: Sequence[int],
    *,
    over: str,
    resamples: int = 1000,
    seed: int = 0,
) -> Interval:
    """Percentile interval of the matched-key envelope's last distance bin over its first
    (largest |mean score| in each), resampling the seeds and then the random vectors within
    each, as ``uncertainty.nested_interval`` does; each resample's mean scores come from one
    matrix product of resampling counts with the per-vector scores (V, D) of every seed."""
    first = (distances >= edges[0]) & (distances < edges[1])
    last = (distances >= edges[-2]) & (distances < edges[-1])
    columns = first | last
    rows = torch.cat(list(matched_by_seed))[:, columns].float()  # (S*V, C)
    in_first, in_last = first[columns], last[columns]

    def ratio(means: torch.Tensor) -> torch.Tensor:  # (R, C) -> (R,)
        return means[:, in_last].abs().amax(1) / means[:, in_first].abs().amax(1)

    sizes = [len(m) for m in matched_by_seed]
    offsets = np.cumsum([0, *sizes[:-1]])
    rng = np.random.default_rng(seed)
    counts = np.zeros((resamples, len(rows)), dtype=np.float32)
    for r in range(resamples):
        groups = rng.integers(len(sizes), size=len(sizes)) if len(sizes) > 1 else [0]
        for g in groups:
            drawn = offsets[g] + rng.integers(sizes[g], size=sizes[g])
            counts[r] += np.bincount(drawn, minlength=len(rows))
    means = (torch.from_numpy(counts) @ rows) / torch.from_numpy(counts.sum(1, keepdims=True))
    draws = ratio(means).numpy()
    estimate = float(ratio(rows.mean(0, keepdim=True))[0])
    low, high = np.quantile(draws, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return Interval(estimate, float(min(low, estimate)), float(max(high, estimate)), over)
