"""The scaling lab's run: for every seed, train every size on the same tokens and score the
seed's held-out windows; fit L(N) with an interval on its exponent, optionally train every
size at one compute budget, and judge; what it measured, as ``ScalingMetrics``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import LabResult
from llmiq.labs.scaling.claims import (
    UNIFORM,
    compute_optimal_claim,
    initial_loss_claim,
    power_law_claim,
    sample_efficiency_claim,
)
from llmiq.labs.scaling.config import Config
from llmiq.labs.scaling.figures import plot_scaling
from llmiq.labs.scaling.fitting import (
    PowerLawFit,
    alpha_interval,
    fit_power_law,
    r_squared,
    tokens_to_reach,
)
from llmiq.labs.scaling.training import (
    Run,
    build_model,
    non_embedding_params,
    train_run,
    unigram_cross_entropy,
)
from llmiq.labs.tinylm import sampled_windows


@dataclass
class ScalingMetrics:
    """What the lab measured, as report.json's ``metrics``; losses are means over every
    seed's held-out windows (nats/byte)."""

    sizes: list[dict[str, Any]]  # shape, learning rate, non-embedding and total parameters
    tokens_per_step: int
    checkpoint_tokens: list[int]  # tokens seen at each held-out evaluation (0 first)
    held_out_by_size: list[list[float]]  # (sizes, checkpoints) nats/byte
    initial_loss: list[float]  # step 0, per size
    final_loss: list[float]  # after the whole budget, per size
    final_loss_by_seed: list[list[float]]  # (sizes, seeds)
    uniform_loss: float  # ln 256
    unigram_loss: float  # byte frequencies of the training text, scored on held-out text
    tokens_to_smallest_final: list[float | None]  # per size: tokens to reach the smallest's end
    power_law_fit: dict[str, float] | None  # E, A, alpha, r2, rmse, points (mean losses)
    alpha_ci: list[float] | None  # 95% interval of alpha over seeds and windows
    pure_power_law_r2: float | None  # the same with E = 0
    log_linear_r2: float | None  # a straight line L = a - b log N, for comparison
    largest_extrapolated: dict[str, float] | None  # fit without the largest: predicted, measured
    isoflop_compute: float | None  # C = 6 N D, FLOPs with non-embedding N
    isoflop_tokens: list[int]  # D of each size at that budget
    isoflop_final_loss: list[float]  # its final held-out loss
    steps: int
    held_out_windows: int  # per seed
    init_std: float
    shuffle_labels: bool
    train_seconds: list[float]  # main runs of each size, every seed, evaluations included
    isoflop_seconds: float
    torch_threads_used: int


Metrics = ScalingMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[ScalingMetrics]:
    with torch_threads(1):
        return _run(config, context)


def peak_rate(config: Config, index: int) -> float:
    size = config.sizes[index]
    return config.learning_rate if size.learning_rate is None else size.learning_rate


def texts(config: Config) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Byte ids of (training text, tuning half of the held-out text, reported half): every
    10th paragraph is held out, and every other held-out paragraph is kept for tuning."""
    train_text, held_text = split_held_out(stdlib_corpus(config.corpus_chars))
    tune_text, test_text = split_held_out(held_text, every=2)
    return tuple(torch.tensor(tinylm.encode(t)) for t in (train_text, tune_text, test_text))


def train_sizes(
    config: Config,
    seed: int,
    train: torch.Tensor,
    held: torch.Tensor,
    advance: Any = lambda n: None,
    steps: list[int] | None = None,
    rates: list[float] | None = None,
) -> list[Run]:
    """Every size trained from ``seed`` (weights; batches from a stream of its own) for
    ``steps`` (each size its own count; ``config.steps`` by default) at its peak rate, all
    scored on the same ``eval_windows`` windows of ``held`` drawn from ``seed``."""
    windows = sampled_windows(
        held, config.block_size, config.eval_windows, torch.Generator().manual_seed(seed)
    )
    runs = []
    for i, size in enumerate(config.sizes):
        model = build_model(size, config, seed)
        runs.append(
            train_run(
                model,
                train,
                windows,
                config.steps if steps is None else steps[i],
                config,
                seed * 1000 + 1,  # the same batches, in the same order, for every size
                advance,
                peak=peak_rate(config, i) if rates is None else rates[i],
            )
        )
    return runs


def _fit(
    n_params: list[int], finals: list[float]
) -> tuple[PowerLawFit | None, PowerLawFit | None, PowerLawFit | None, float | None]:
    """The fit, the pure power law, the fit without the largest size (None where the points
    cannot carry one), and the R^2 of a straight line in log N, for comparison."""
    if len(set(n_params)) < 2:
        return None, None, None, None
    fit = fit_power_law(n_params, finals)
    pure = fit_power_law(n_params, finals, with_constant=False)
    smaller = fit_power_law(n_params[:-1], finals[:-1]) if len(set(n_params[:-1])) >= 4 else None
    slope, intercept = np.polyfit(np.log(n_params), finals, 1)
    line = r_squared(finals, intercept + slope * np.log(n_params))
    return fit, pure, smaller, line


def _isoflop(
    config: Config,
    context: LabContext,
    n_params: list[int],
    runs: list[list[Run]],
    train: torch.Tensor,
    held: torch.Tensor,
) -> tuple[float, list[int], list[list[np.ndarray]], float]:
    """Every size trained for D = C / 6N tokens (its own schedule, stretched to its length),
    C being the anchor size's main run, on every seed; the anchor's own runs are reused.
    Returns C, the tokens of each size, its final window losses per seed, and seconds."""
    anchor = config.isoflop_anchor
    tokens_per_step = config.batch_size * config.block_size
    compute = 6 * n_params[anchor] * runs[0][anchor].tokens[-1]
    steps = [
        config.steps if i == anchor else max(1, round(compute / (6 * n) / tokens_per_step))
        for i, n in enumerate(n_params)
    ]
    finals: list[list[np.ndarray]] = [[] for _ in n_params]
    seconds = 0.0
    total = len(runs) * sum(s for i, s in enumerate(steps) if i != anchor)
    with context.progress(total, "scaling: one compute budget, every size") as advance:
        for seed, main in zip(context.seeds, runs, strict=True):
            iso = train_sizes(config, seed, train, held, advance, steps=steps)
            for i, result in enumerate(iso):
                use = main[anchor] if i == anchor else result
                finals[i].append(np.array(use.windows[-1]))
                seconds += 0.0 if i == anchor else result.seconds
    return compute, [s * tokens_per_step for s in steps], finals, seconds


def _run(config: Config, context: LabContext) -> LabResult[ScalingMetrics]:
    train, _, test = texts(config)  # the tuning half is tuning.py's, never scored here
    unigram = unigram_cross_entropy(train, test)
    seeds = context.seeds
    runs: list[list[Run]] = []  # (seeds, sizes)
    total = len(seeds) * len(config.sizes) * config.steps
    with context.progress(total, "scaling: every size on the same tokens, every seed") as advance:
        for seed in context.replicate():
            runs.append(train_sizes(config, seed, train, test, advance))

    names = [s.name for s in config.sizes]
    models = [build_model(size, config, context.seed) for size in config.sizes]
    n_params = [non_embedding_params(m) for m in models]
    tokens = runs[0][0].tokens
    # windows[size][checkpoint] -> one array per seed
    windows = [
        [[np.array(r[i].windows[j]) for r in runs] for j in range(len(tokens))]
        for i in range(len(names))
    ]
    curves = [[float(np.concatenate(c).mean()) for c in size] for size in windows]
    finals = [c[-1] for c in curves]
    fit, pure, smaller, line_r2 = _fit(n_params, finals)
    extrapolation = (float(smaller.predict(n_params[-1])), finals[-1]) if smaller else None
    alpha = None
    if fit is not None:
        per_seed = [np.stack([np.array(r[i].windows[-1]) for i in range(len(names))]) for r in runs]
        alpha = alpha_interval(n_params, per_seed)

    isoflop = None
    if config.isoflop and len(config.sizes) >= 3:
        isoflop = _isoflop(config, context, n_params, runs, train, test)

    claims = [
        initial_loss_claim(
            names, [size[0] for size in windows], config.initial_tolerance, unigram, seeds
        ),
        sample_efficiency_claim(names, n_params, tokens, windows, config.min_gap, seeds),
        power_law_claim(
            fit,
            pure,
            line_r2,
            n_params,
            finals,
            config.fit_min_r2,
            tokens[-1],
            extrapolation,
            alpha,
            seeds,
        ),
    ]
    iso_means: list[float] = []
    if isoflop is not None:
        compute, iso_tokens, iso_finals, _ = isoflop
        iso_means = [float(np.concatenate(f).mean()) for f in iso_finals]
        claims.append(
            compute_optimal_claim(n_params, iso_tokens, iso_finals, compute, config.min_gap, seeds)
        )

    seed_curves = [[r[i].held_out for r in runs] for i in range(len(names))]
    figure = plot_scaling(
        context,
        names,
        n_params,
        tokens,
        curves,
        unigram,
        seed_curves,
        fit,
        alpha,
        (n_params, isoflop[1], iso_means, isoflop[0]) if isoflop is not None else None,
    )
    fit_text = (
        f"alpha {alpha.format('.2f')} (R^2 {fit.r2:.3f})"
        if fit is not None and alpha is not None
        else "no fit"
    )
    key_figure = (
        f"N {n_params[0] / 1e3:.3g}k->{n_params[-1] / 1e3:.3g}k: loss {finals[0]:.2f}->"
        f"{finals[-1]:.2f} nats/byte after {tokens[-1] / 1e3:.0f}k tokens; L = E + A/N^alpha, "
        f"{fit_text}; step 0 {max(c[0] for c in curves):.2f} vs ln 256 {UNIFORM:.2f}; "
        f"{len(seeds)} seed(s)"
    )
    metrics = ScalingMetrics(
        sizes=[
            asdict(s)
            | {
                "name": s.name,
                "learning_rate": peak_rate(config, i),
                "non_embedding_params": n,
                "params": m.num_params(),
            }
            for i, (s, n, m) in enumerate(zip(config.sizes, n_params, models, strict=True))
        ],
        tokens_per_step=config.batch_size * config.block_size,
        checkpoint_tokens=tokens,
        held_out_by_size=[[round(v, 4) for v in c] for c in curves],
        initial_loss=[round(c[0], 4) for c in curves],
        final_loss=[round(v, 4) for v in finals],
        final_loss_by_seed=[[round(r[i].final, 4) for r in runs] for i in range(len(names))],
        uniform_loss=round(UNIFORM, 4),
        unigram_loss=round(unigram, 4),
        tokens_to_smallest_final=[tokens_to_reach(tokens, c, finals[0]) for c in curves],
        power_law_fit=(
            {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(fit).items()}
            if fit is not None
            else None
        ),
        alpha_ci=[round(alpha.low, 4), round(alpha.high, 4)] if alpha is not None else None,
        pure_power_law_r2=round(pure.r2, 4) if pure is not None else None,
        log_linear_r2=round(line_r2, 4) if line_r2 is not None else None,
        largest_extrapolated=(
            {"predicted": round(extrapolation[0], 4), "measured": round(extrapolation[1], 4)}
            if extrapolation is not None
            else None
        ),
        isoflop_compute=float(isoflop[0]) if isoflop is not None else None,
        isoflop_tokens=isoflop[1] if isoflop is not None else [],
        isoflop_final_loss=[round(v, 4) for v in iso_means],
        steps=config.steps,
        held_out_windows=config.eval_windows,
        init_std=config.init_std,
        shuffle_labels=config.shuffle_labels,
        train_seconds=[round(sum(r[i].seconds for r in runs), 2) for i in range(len(names))],
        isoflop_seconds=round(isoflop[3], 2) if isoflop is not None else 0.0,
        torch_threads_used=torch.get_num_threads(),
    )
    tuned = all(s.learning_rate is not None for s in config.sizes)
    return LabResult(
        title="Scaling: held-out loss against model size and tokens seen, on tiny GPTs",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[figure],
        tuning={
            "peak learning rate per size": (
                ", ".join(f"{n} {peak_rate(config, i):g}" for i, n in enumerate(names))
                + (
                    ": each size's lowest mean held-out loss (tuning half) of 1e-3, 3e-3, "
                    "1e-2, 3e-2 on seeds 1000-1001 (python -m llmiq.labs.scaling.tuning)"
                    if tuned
                    else ": fixed a priori (not tuned)"
                )
            ),
            "sizes, steps, schedule, thresholds": "fixed a priori (not tuned)",
        },
    )
