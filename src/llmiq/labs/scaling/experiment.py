"""The scaling lab's run: train every size on the same tokens, fit L(N), train every size at
one compute budget, and judge; what it measured, as ``ScalingMetrics``."""

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
from llmiq.labs.scaling.fitting import PowerLawFit, fit_power_law, r_squared, tokens_to_reach
from llmiq.labs.scaling.training import (
    Run,
    build_model,
    held_out_windows,
    non_embedding_params,
    train_run,
    unigram_cross_entropy,
)


@dataclass
class ScalingMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    sizes: list[dict[str, Any]]  # shape, non-embedding and total parameters of each size
    tokens_per_step: int
    checkpoint_tokens: list[int]  # tokens seen at each held-out evaluation (0 first)
    held_out_by_size: list[list[float]]  # (sizes, checkpoints) nats/byte
    initial_loss: list[float]  # step 0, per size
    final_loss: list[float]  # after the whole budget, per size
    uniform_loss: float  # ln 256
    unigram_loss: float  # byte frequencies of the training text, scored on held-out text
    tokens_to_smallest_final: list[float | None]  # per size: tokens to reach the smallest's end
    seed_noise: list[float]  # per checkpoint: |difference| of the smallest size across seeds
    power_law_fit: dict[str, float] | None  # E, A, alpha, r2, rmse, points
    pure_power_law_r2: float | None  # the same with E = 0
    log_linear_r2: float | None  # a straight line L = a - b log N, for comparison
    largest_extrapolated: dict[str, float] | None  # fit without the largest: predicted, measured
    isoflop_compute: float | None  # C = 6 N D, FLOPs with non-embedding N
    isoflop_tokens: list[int]  # D of each size at that budget
    isoflop_final_loss: list[float]  # its final held-out loss
    steps: int
    learning_rate: float
    init_std: float
    shuffle_labels: bool
    train_seconds: list[float]  # main run of each size, evaluations included
    isoflop_seconds: float
    torch_threads_used: int


Metrics = ScalingMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[ScalingMetrics]:
    with torch_threads(1):
        return _run(config, context)


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


def _seed_noise(
    config: Config,
    context: LabContext,
    reference: Run,
    train: torch.Tensor,
    held: tuple[torch.Tensor, torch.Tensor],
) -> tuple[list[float], list[list[float]]]:
    """Per checkpoint, the largest held-out loss difference between the smallest size's main
    run and its runs from other seeds (other initial weights, other batches): how much of a
    gap between sizes one seed can explain; and those runs' curves. Empty without
    ``noise_seeds``."""
    if config.noise_seeds < 1:
        return [], []
    differences, curves = [], []
    total = config.noise_seeds * config.steps
    with context.progress(total, "scaling: the smallest size, other seeds") as advance:
        for k in range(1, config.noise_seeds + 1):
            seed = context.seed + 1_000 * k
            model = build_model(config.sizes[0], config, seed)
            other = train_run(model, train, held, config.steps, config, seed + 1, advance)
            differences.append(
                [abs(a - b) for a, b in zip(other.held_out, reference.held_out, strict=True)]
            )
            curves.append(other.held_out)
    return [max(column) for column in zip(*differences, strict=True)], curves


def _isoflop(
    config: Config,
    context: LabContext,
    n_params: list[int],
    main: list[Run],
    train: torch.Tensor,
    held: tuple[torch.Tensor, torch.Tensor],
) -> tuple[float, list[int], list[float], float]:
    """Every size trained for D = C / 6N tokens (its own schedule, stretched to its length),
    C being the anchor size's main run. The anchor's own run is reused."""
    anchor = config.isoflop_anchor
    tokens_per_step = config.batch_size * config.block_size
    compute = 6 * n_params[anchor] * main[anchor].tokens[-1]
    steps = [
        config.steps if i == anchor else max(1, round(compute / (6 * n) / tokens_per_step))
        for i, n in enumerate(n_params)
    ]
    finals, seconds = [], 0.0
    total = sum(s for i, s in enumerate(steps) if i != anchor)
    with context.progress(total, "scaling: one compute budget, every size") as advance:
        for i, (size, s) in enumerate(zip(config.sizes, steps, strict=True)):
            if i == anchor:
                finals.append(main[anchor].final)
                continue
            model = build_model(size, config, context.seed)
            result = train_run(model, train, held, s, config, context.seed + 1, advance)
            finals.append(result.final)
            seconds += result.seconds
    return compute, [s * tokens_per_step for s in steps], finals, seconds


def _run(config: Config, context: LabContext) -> LabResult[ScalingMetrics]:
    train_text, held_text = split_held_out(stdlib_corpus(config.corpus_chars))
    train = torch.tensor(tinylm.encode(train_text))
    held_ids = torch.tensor(tinylm.encode(held_text))
    held = held_out_windows(held_ids, config.block_size, config.eval_windows)
    unigram = unigram_cross_entropy(train, held[1].flatten())

    models = [build_model(size, config, context.seed) for size in config.sizes]
    n_params = [non_embedding_params(m) for m in models]
    runs: list[Run] = []
    total = len(models) * config.steps
    with context.progress(total, "scaling: every size on the same tokens") as advance:
        for model in models:  # the same batches, in the same order, for every size
            runs.append(
                train_run(model, train, held, config.steps, config, context.seed + 1, advance)
            )

    noise, other_seeds = _seed_noise(config, context, runs[0], train, held)
    names = [s.name for s in config.sizes]
    tokens = runs[0].tokens
    curves = [r.held_out for r in runs]
    finals = [r.final for r in runs]
    fit, pure, smaller, line_r2 = _fit(n_params, finals)
    extrapolation = (float(smaller.predict(n_params[-1])), finals[-1]) if smaller else None

    isoflop = None
    if config.isoflop and len(config.sizes) >= 3:
        isoflop = _isoflop(config, context, n_params, runs, train, held)

    claims = [
        initial_loss_claim(names, [c[0] for c in curves], config.initial_tolerance, unigram),
        sample_efficiency_claim(names, n_params, tokens, curves, config.min_gap, noise),
        power_law_claim(
            fit, pure, line_r2, n_params, finals, config.fit_min_r2, tokens[-1], extrapolation
        ),
    ]
    if isoflop is not None:
        compute, iso_tokens, iso_finals, _ = isoflop
        claims.append(
            compute_optimal_claim(n_params, iso_tokens, iso_finals, compute, config.min_gap)
        )

    figure = plot_scaling(
        context,
        names,
        n_params,
        tokens,
        curves,
        unigram,
        other_seeds,
        fit,
        (n_params, isoflop[1], isoflop[2], isoflop[0]) if isoflop is not None else None,
    )
    fit_text = f"alpha {fit.alpha:.2f} (R^2 {fit.r2:.3f})" if fit is not None else "no fit"
    key_figure = (
        f"N {n_params[0] / 1e3:.3g}k->{n_params[-1] / 1e3:.3g}k: loss {finals[0]:.2f}->"
        f"{finals[-1]:.2f} nats/byte after {tokens[-1] / 1e3:.0f}k tokens; L = E + A/N^alpha, "
        f"{fit_text}; step 0 {max(c[0] for c in curves):.2f} vs ln 256 {UNIFORM:.2f}"
    )
    metrics = ScalingMetrics(
        sizes=[
            asdict(s) | {"name": s.name, "non_embedding_params": n, "params": m.num_params()}
            for s, n, m in zip(config.sizes, n_params, models, strict=True)
        ],
        tokens_per_step=config.batch_size * config.block_size,
        checkpoint_tokens=tokens,
        held_out_by_size=[[round(v, 4) for v in c] for c in curves],
        initial_loss=[round(c[0], 4) for c in curves],
        final_loss=[round(v, 4) for v in finals],
        uniform_loss=round(UNIFORM, 4),
        unigram_loss=round(unigram, 4),
        tokens_to_smallest_final=[tokens_to_reach(tokens, c, finals[0]) for c in curves],
        seed_noise=[round(v, 4) for v in noise],
        power_law_fit=(
            {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(fit).items()}
            if fit is not None
            else None
        ),
        pure_power_law_r2=round(pure.r2, 4) if pure is not None else None,
        log_linear_r2=round(line_r2, 4) if line_r2 is not None else None,
        largest_extrapolated=(
            {"predicted": round(extrapolation[0], 4), "measured": round(extrapolation[1], 4)}
            if extrapolation is not None
            else None
        ),
        isoflop_compute=float(isoflop[0]) if isoflop is not None else None,
        isoflop_tokens=isoflop[1] if isoflop is not None else [],
        isoflop_final_loss=[round(v, 4) for v in isoflop[2]] if isoflop is not None else [],
        steps=config.steps,
        learning_rate=config.learning_rate,
        init_std=config.init_std,
        shuffle_labels=config.shuffle_labels,
        train_seconds=[round(r.seconds, 2) for r in runs],
        isoflop_seconds=round(isoflop[3], 2) if isoflop is not None else 0.0,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="Scaling: held-out loss against model size and tokens seen, on tiny GPTs",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[figure],
    )
