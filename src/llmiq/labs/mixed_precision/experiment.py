"""The mixed-precision lab's run: the formats, a training run's gradients in each, loss
scaling (ours and torch's), activations that overflow and rounding; what it measured, as
``MixedPrecisionMetrics``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    rounding_error,
)
from llmiq.labs.mixed_precision.gradients import log2_histogram, underflow
from llmiq.labs.mixed_precision.scaling import DynamicLossScaler
from llmiq.labs.mixed_precision.training import train_scaled
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
    gradient_underflow: dict[str, dict[str, float]]  # fp16, bf16, fp16_scaled: shares
    measured_steps: int
    loss_scaler: dict[str, Any]
    scale_by_step: list[float]
    train_loss_first_last: list[float]
    vs_grad_scaler: dict[str, Any]  # empty for a static scale
    gradient_histogram: dict[str, Any]  # log2 |g| bins of the last measured step
    torch_threads_used: int


Metrics = MixedPrecisionMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[MixedPrecisionMetrics]:
    with torch_threads(1):
        return _run(config, context)


class _Shares:
    """Accumulates the underflow shares of every measured step."""

    def __init__(self, wide: str) -> None:
        self.wide = wide
        self.rows: dict[str, list[dict[str, float]]] = {"fp16": [], "bf16": [], "fp16_scaled": []}
        self.histogram: dict[str, Any] = {}

    def __call__(self, step: int, grads: dict[str, torch.Tensor], scale: float) -> None:
        grads = grads | {"all": torch.cat([grads["weights"], grads["activations"]])}
        scaled = {k: underflow(v, "float16", scale) for k, v in grads.items()}
        if scaled["weights"]["overflow"] == 0:  # an overflowing step is skipped: not counted
            self.rows["fp16_scaled"].append(_flatten(scaled))
        self.rows["fp16"].append(_flatten({k: underflow(v, "float16") for k, v in grads.items()}))
        self.rows["bf16"].append(_flatten({k: underflow(v, self.wide) for k, v in grads.items()}))
        self.histogram = {
            "low": HISTOGRAM_LOW,
            "step": step,
            "scale": scale,
            "unscaled": log2_histogram(grads["all"], HISTOGRAM_LOW),
            "scaled": log2_histogram(grads["all"] * scale, HISTOGRAM_LOW),
        }

    def means(self) -> dict[str, dict[str, float]]:
        return {
            fmt: {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]} if rows else {}
            for fmt, rows in self.rows.items()
        }


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


def _run(config: Config, context: LabContext) -> LabResult[MixedPrecisionMetrics]:
    seed = context.seed
    names = {"fp32": "float32", "fp16": "float16", "bf16": config.wide_dtype}
    table = {label: format_table([n])[n] for label, n in names.items()}
    probes_by_dtype = cast_probes(PROBES, list(dict.fromkeys(names.values())))
    probes = {
        v: {label: row[n] for label, n in names.items()} for v, row in probes_by_dtype.items()
    }

    data = torch.tensor(tinylm.encode(stdlib_corpus(config.corpus_chars)))
    shares = _Shares(config.wide_dtype)
    runs = 2 if config.dynamic_scaling else 1
    with context.progress(
        config.steps * runs, "mixed-precision: training with loss scaling"
    ) as advance:
        model = _model(config, seed)
        scaler = _scaler(config)
        log = train_scaled(
            model,
            data,
            steps=config.steps,
            batch_size=config.batch_size,
            lr=config.lr,
            scaler=scaler,
            generator=torch.Generator().manual_seed(seed + 1),
            observe=shares,
            advance=advance,
        )
        vs_torch: dict[str, Any] = {}
        if config.dynamic_scaling:
            theirs = _model(config, seed)
            grad_scaler = torch.amp.GradScaler(
                "cpu",
                init_scale=config.init_scale,
                growth_factor=config.growth_factor,
                backoff_factor=config.backoff_factor,
                growth_interval=config.growth_interval,
            )
            their_log = train_scaled(
                theirs,
                data,
                steps=config.steps,
                batch_size=config.batch_size,
                lr=config.lr,
                scaler=grad_scaler,
                generator=torch.Generator().manual_seed(seed + 1),
                advance=advance,
            )
            diff = max(
                (a - b).abs().max().item()
                for a, b in zip(model.parameters(), theirs.parameters(), strict=True)
            )
            vs_torch = {
                "same_scales": log.scales == their_log.scales,
                "same_skipped_steps": log.skipped == their_log.skipped,
                "max_abs_weight_diff": diff,
                "grad_scaler_final_scale": float(grad_scaler.get_scale()),
            }
    finite = all(bool(torch.isfinite(p).all()) for p in model.parameters())
    scaler_info = {
        "init_scale": config.init_scale,
        "dynamic": config.dynamic_scaling,
        "growth_interval": config.growth_interval,
        "final_scale": scaler.scale,
        "overflow_steps": len(log.skipped),
        "skipped_steps": log.skipped,
        "weights_finite": finite,  # an overflowed step applied would poison the weights
    }
    means = shares.means()

    generator = torch.Generator().manual_seed(seed + 7)
    values = in_range_values(config.rounding_samples, generator)
    fp16_error = rounding_error(values, "float16")
    wide_error = rounding_error(values, config.wide_dtype)
    rounding = {
        "fp16_mean_relative_error": fp16_error,
        "bf16_mean_relative_error": wide_error,
        "bf16_over_fp16": wide_error / fp16_error,
    }
    accumulation = {label: accumulate(1.0, 1e-3, 1000, n) for label, n in names.items()}
    examples = {
        label: overflow_examples(
            config.hidden_width,
            config.hidden_scale,
            names[label],
            torch.Generator().manual_seed(seed + 11),
        )
        for label in ("fp16", "bf16")
    }
    thresholds = {label: exp_overflow_threshold(n) for label, n in names.items()}

    claims = [
        range_claim(table, probes),
        gradient_claim(means, config.min_underflow_share),
        scaling_claim(means, scaler_info, config.rescued_fraction, vs_torch),
        overflow_claim(examples, thresholds),
        precision_claim(rounding, accumulation),
    ]
    figures = [
        plot_mixed_precision(context, table, shares.histogram, log, rounding, config.wide_dtype)
    ]
    key_figure = (
        f"fp16 max {table['fp16']['max']:g} vs bf16 {table['bf16']['max']:.2g}; gradients "
        f"underflowing in fp16 {means['fp16']['all_underflow']:.0%} -> "
        f"{means['fp16_scaled']['all_underflow']:.1%} with loss scaling; bf16 rounding "
        f"{rounding['bf16_over_fp16']:.1f}x fp16's"
    )
    metrics = MixedPrecisionMetrics(
        wide_dtype=config.wide_dtype,
        formats=table,
        probes=probes,
        exp_overflow_above=thresholds,
        overflow_examples=examples,
        rounding=rounding,
        accumulation=accumulation,
        gradient_underflow=means,
        measured_steps=len(shares.rows["fp16"]),
        loss_scaler=scaler_info,
        scale_by_step=log.scales,
        train_loss_first_last=[round(log.losses[0], 4), round(log.losses[-1], 4)],
        vs_grad_scaler=vs_torch,
        gradient_histogram=shares.histogram,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="fp32, fp16 and bf16: range, precision, gradient underflow and loss scaling",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
