"""The mixed-precision lab's run: the formats, and for every seed a training run's gradients
in each format under loss scaling (the first seed replayed under torch's GradScaler),
activations that overflow and rounding; what it measured, as ``MixedPrecisionMetrics``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import stdlib_corpus
from llmiq.labs.mixed_precision.claims import (
    gradient_claim,
    overflow_claim,
    precision_claim,
    range_claim,
    scaling_claim,
)
from llmiq.labs.mixed_precision.config import Config
from llmiq.labs.mixed_precision.figures import plot_mixed_precision
from llmiq.labs.mixed_precision.formats import (
    accumulate,
    cast_probes,
    exp_overflow_threshold,
    format_table,
    in_range_values,
    overflow_examples,
    relative_errors,
)
from llmiq.labs.mixed_precision.gradients import log2_histogram, underflow
from llmiq.labs.mixed_precision.scaling import DynamicLossScaler
from llmiq.labs.mixed_precision.training import TrainLog, train_scaled
from llmiq.labs.report import LabResult

PROBES = [1e-40, 1e-8, 1e-6, 1e-4, 1.0, 6e4, 7e4, 1e10, 1e39]  # values cast to each format
HISTOGRAM_LOW = -40  # log2 of the first bin of the gradient histograms


@dataclass
class MixedPrecisionMetrics:
    """What the lab measured, as report.json's ``metrics``. "bf16" is ``wide_dtype``."""

    wide_dtype: str
    formats: dict[str, dict[str, float]]  # torch.finfo per format
    probes: dict[str, dict[str, str]]  # value -> format -> inf / 0 / subnormal / normal
    exp_overflow_above: dict[str, float]
    overflow_examples: dict[str, dict[str, dict[str, Any]]]
    rounding: dict[str, float]
    accumulation: dict[str, float]
    gradient_underflow: dict[str, dict[str, float]]  # fp16, bf16, fp16_scaled: mean shares
    gradient_underflow_by_seed: list[float]  # fp16 "all" share, mean over each seed's steps
    measured_steps: int  # over every seed
    loss_scaler: dict[str, Any]  # the first seed's, but overflow_steps and weights_finite: all
    scale_by_step: list[float]  # first seed
    train_loss_first_last: list[float]
    vs_grad_scaler: dict[str, Any]  # empty for a static scale
    gradient_histogram: dict[str, Any]  # log2 |g| bins of the last measured step
    torch_threads_used: int


Metrics = MixedPrecisionMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[MixedPrecisionMetrics]:
    with torch_threads(1):
        return _run(config, context)


class _Shares:
    """Collects the underflow shares of every measured step of one seed's run."""

    def __init__(self, wide: str) -> None:
        self.wide = wide
        self.rows: dict[str, list[dict[str, float]]] = {"fp16": [], "bf16": [], "fp16_scaled": []}
        self.rescued: list[dict[str, float]] = []  # per applied measured step: both shares
        self.histogram: dict[str, Any] = {}

    def __call__(self, step: int, grads: dict[str, torch.Tensor], scale: float) -> None:
        grads = grads | {"all": torch.cat([grads["weights"], grads["activations"]])}
        scaled = {k: underflow(v, "float16", scale) for k, v in grads.items()}
        unscaled = {k: underflow(v, "float16") for k, v in grads.items()}
        if scaled["weights"]["overflow"] == 0:  # an overflowing step is skipped: not counted
            self.rows["fp16_scaled"].append(_flatten(scaled))
            self.rescued.append(
                {"unscaled": unscaled["all"]["underflow"], "scaled": scaled["all"]["underflow"]}
            )
        self.rows["fp16"].append(_flatten(unscaled))
        self.rows["bf16"].append(_flatten({k: underflow(v, self.wide) for k, v in grads.items()}))
        self.histogram = {
            "low": HISTOGRAM_LOW,
            "step": step,
            "scale": scale,
            "unscaled": log2_histogram(grads["all"], HISTOGRAM_LOW),
            "scaled": log2_histogram(grads["all"] * scale, HISTOGRAM_LOW),
        }


def _means(rows: list[list[dict[str, float]]]) -> dict[str, float]:
    """Mean of each share over every measured step of every seed."""
    flat = [r for seed_rows in rows for r in seed_rows]
    return {k: sum(r[k] for r in flat) / len(flat) for k in flat[0]} if flat else {}


def _flatten(shares: dict[str, dict[str, float]]) -> dict[str, float]:
    return {f"{kind}_{k}": v for kind, row in shares.items() for k, v in row.items()}


def _model(config: Config, seed: int) -> tinylm.GPT:
    torch.manual_seed(seed)
    shape = tinylm.GPTConfig(
        block_size=config.block_size, n_layer=config.n_layer, n_embd=config.n_embd
    )
    return tinylm.GPT(shape)


def _scaler(config: Config) -> DynamicLossScaler:
    return DynamicLossScaler(
        config.init_scale,
        config.growth_factor,
        config.backoff_factor,
        config.growth_interval,
        config.dynamic_scaling,
    )


@dataclass
class _Seed:
    """One seed's training run and its random values."""

    shares: _Shares
    log: TrainLog
    scaler: DynamicLossScaler
    finite: bool
    vs_torch: dict[str, Any]
    rounding: dict[str, float]
    blocks: np.ndarray  # per block of values: mean relative error, bf16 - fp16
    examples: dict[str, dict[str, dict[str, Any]]]


def _train(
    config: Config,
    seed: int,
    data: torch.Tensor,
    scaler: DynamicLossScaler | torch.amp.GradScaler,
    observe: _Shares | None,
    advance: Callable[[int], None],
) -> tuple[tinylm.GPT, TrainLog]:
    model = _model(config, seed)
    log = train_scaled(
        model,
        data,
        steps=config.steps,
        batch_size=config.batch_size,
        lr=config.lr,
        scaler=scaler,
        generator=torch.Generator().manual_seed(seed + 1),
        observe=observe,
        measure_every=config.measure_every,
        advance=advance,
    )
    return model, log


def _replay_with_grad_scaler(
    config: Config,
    seed: int,
    data: torch.Tensor,
    model: tinylm.GPT,
    log: TrainLog,
    advance: Callable[[int], None],
) -> dict[str, Any]:
    """The same run (weights, batches, schedule) under ``torch.amp.GradScaler``."""
    grad_scaler = torch.amp.GradScaler(
        "cpu",
        init_scale=config.init_scale,
        growth_factor=config.growth_factor,
        backoff_factor=config.backoff_factor,
        growth_interval=config.growth_interval,
    )
    theirs, their_log = _train(config, seed, data, grad_scaler, None, advance)
    diff = max(
        (a - b).abs().max().item()
        for a, b in zip(model.parameters(), theirs.parameters(), strict=True)
    )
    return {
        "same_scales": log.scales == their_log.scales,
        "same_skipped_steps": log.skipped == their_log.skipped,
        "max_abs_weight_diff": diff,
        "grad_scaler_final_scale": float(grad_scaler.get_scale()),
    }


def _one_seed(
    config: Config, seed: int, data: torch.Tensor, compare: bool, advance: Callable[[int], None]
) -> _Seed:
    shares = _Shares(config.wide_dtype)
    scaler = _scaler(config)
    model, log = _train(config, seed, data, scaler, shares, advance)
    vs_torch = _replay_with_grad_scaler(config, seed, data, model, log, advance) if compare else {}
    finite = all(bool(torch.isfinite(p).all()) for p in model.parameters())

    values = in_range_values(config.rounding_samples, torch.Generator().manual_seed(seed + 7))
    fp16_error = relative_errors(values, "float16")  # (n,)
    wide_error = relative_errors(values, config.wide_dtype)
    blocks = (wide_error - fp16_error).reshape(config.rounding_blocks, -1).mean(dim=1)
    rounding = {
        "fp16_mean_relative_error": fp16_error.mean().item(),
        "bf16_mean_relative_error": wide_error.mean().item(),
    }
    examples = {
        label: overflow_examples(
            config.hidden_width,
            config.hidden_scale,
            name,
            torch.Generator().manual_seed(seed + 11),
        )
        for label, name in (("fp16", "float16"), ("bf16", config.wide_dtype))
    }
    return _Seed(shares, log, scaler, finite, vs_torch, rounding, blocks.numpy(), examples)


def _run(config: Config, context: LabContext) -> LabResult[MixedPrecisionMetrics]:
    seeds = context.seeds
    names = {"fp32": "float32", "fp16": "float16", "bf16": config.wide_dtype}
    table = {label: format_table([n])[n] for label, n in names.items()}
    probes_by_dtype = cast_probes(PROBES, list(dict.fromkeys(names.values())))
    probes = {
        v: {label: row[n] for label, n in names.items()} for v, row in probes_by_dtype.items()
    }

    data = torch.tensor(tinylm.encode(stdlib_corpus(config.corpus_chars)))
    compare = config.grad_scaler_check and config.dynamic_scaling
    total = config.steps * (len(seeds) + (1 if compare else 0))
    runs: list[_Seed] = []
    with context.progress(total, "mixed-precision: training with loss scaling") as advance:
        for i, seed in enumerate(context.replicate()):
            runs.append(_one_seed(config, seed, data, compare and i == 0, advance))
    first = runs[0]
    rows = {fmt: [r.shares.rows[fmt] for r in runs] for fmt in ("fp16", "bf16", "fp16_scaled")}
    rows["rescued"] = [r.shares.rescued for r in runs]
    means = {fmt: _means(rows[fmt]) for fmt in ("fp16", "bf16", "fp16_scaled")}
    scaler_info = {
        "init_scale": config.init_scale,
        "dynamic": config.dynamic_scaling,
        "growth_interval": config.growth_interval,
        "final_scale": first.scaler.scale,
        "overflow_steps": sum(len(r.log.skipped) for r in runs),
        "skipped_steps": first.log.skipped,
        "weights_finite": all(r.finite for r in runs),  # an overflowed step would poison them
    }
    fp16_error = float(np.mean([r.rounding["fp16_mean_relative_error"] for r in runs]))
    wide_error = float(np.mean([r.rounding["bf16_mean_relative_error"] for r in runs]))
    rounding = {
        "fp16_mean_relative_error": fp16_error,
        "bf16_mean_relative_error": wide_error,
        "bf16_over_fp16": wide_error / fp16_error,
    }
    accumulation = {label: accumulate(1.0, 1e-3, 1000, n) for label, n in names.items()}
    thresholds = {label: exp_overflow_threshold(n) for label, n in names.items()}

    precision = precision_claim(rounding, [r.blocks for r in runs], accumulation, seeds)
    claims = [
        range_claim(table, probes, seeds),
        gradient_claim(means, rows, config.min_underflow_share, seeds),
        scaling_claim(means, rows, scaler_info, config.rescued_fraction, first.vs_torch, seeds),
        overflow_claim([r.examples for r in runs], thresholds, seeds),
        precision,
    ]
    figures = [
        plot_mixed_precision(
            context, table, first.shares.histogram, first.log, rounding, config.wide_dtype
        )
    ]
    scaled_share = means["fp16_scaled"].get("all_underflow")
    key_figure = (
        f"fp16 max {table['fp16']['max']:g} vs bf16 {table['bf16']['max']:.2g}; gradients "
        f"underflowing in fp16 {claims[1].interval.format('.0%')} -> "
        f"{'n/a' if scaled_share is None else f'{scaled_share:.1%}'} with loss scaling; bf16 "
        f"rounding {rounding['bf16_over_fp16']:.1f}x fp16's; {len(seeds)} seed(s)"
    )
    metrics = MixedPrecisionMetrics(
        wide_dtype=config.wide_dtype,
        formats=table,
        probes=probes,
        exp_overflow_above=thresholds,
        overflow_examples=first.examples,
        rounding=rounding,
        accumulation=accumulation,
        gradient_underflow=means,
        gradient_underflow_by_seed=[
            round(float(np.mean([r["all_underflow"] for r in seed_rows])), 6)
            for seed_rows in rows["fp16"]
        ],
        measured_steps=sum(len(seed_rows) for seed_rows in rows["fp16"]),
        loss_scaler=scaler_info,
        scale_by_step=first.log.scales,
        train_loss_first_last=[round(first.log.losses[0], 4), round(first.log.losses[-1], 4)],
        vs_grad_scaler=first.vs_torch,
        gradient_histogram=first.shares.histogram,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="fp32, fp16 and bf16: range, precision, gradient underflow and loss scaling",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
        tuning={"every setting": "fixed a priori (see Config); nothing was tuned on results"},
    )
