"""The sharding lab's run: the distributed measurements, the verdicts, the figure, and what it
measured as ``ShardingMetrics``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from llmiq.labs import memory_model
from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.report import LabResult
from llmiq.labs.sharding.claims import (
    Ranks,
    byte_ranks,
    ddp_bytes_claim,
    ddp_peak_claim,
    fsdp_bytes_claim,
    fsdp_peak_claim,
    fsdp_ratios,
    fsdp_state_claim,
    loss_claim,
    loss_gap,
    measured,
    memory_claim,
    seeds_of,
    zero1_bytes_claim,
    zero1_saving_claim,
)
from llmiq.labs.sharding.config import Config
from llmiq.labs.sharding.workers import KINDS, PARTS, build_mlp, run_distributed, start_method

NAMES = {"single": "1 process", "ddp": "DDP", "zero1": "ZeRO-1", "fsdp": "FSDP"}


@dataclass
class ShardingMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    seeds: list[int]
    world_size: int
    shard_size: int
    model_params: int
    model_bytes_fp32: int
    fsdp_units: int
    memory_measure: str
    memory_mb: dict[str, dict[str, Any]]  # strategy -> mean peak/held per rank, MB
    memory_over_single: dict[str, dict[str, float]]  # strategy -> mean peak/held ratio
    ranks: list[dict[str, Any]]  # tensor accounting per rank (first seed)
    fsdp_over_ddp: dict[str, list[float]]
    loss_max_abs_diff: float
    param_max_abs_diff: float
    shard_vs_chunk_max_abs_diff: float
    ddp_losses_rank0: list[float]
    fsdp_losses_rank0: list[float]
    start_method: str
    init_seconds: float
    warmup_seconds: float
    rank_seconds: float
    rank_cpu_seconds: float  # user + system, summed over the ranks
    distributed_seconds: float
    worker_warnings: list[str]
    memory_model: list[dict[str, Any]]


Metrics = ShardingMetrics  # the lab contract's name for it


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def memory_summary(ranks: Ranks) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, float]]]:
    """Per strategy: mean peak and held memory per rank (MB, steps after the first, every
    seed), each rank's mean, and the mean ratio to one process."""
    mb: dict[str, dict[str, Any]] = {}
    over: dict[str, dict[str, float]] = {}
    seeds = seeds_of(ranks)
    for kind in KINDS:
        mb[kind], over[kind] = {}, {}
        for key in ("peak", "held"):
            by_rank = [
                [v for s in seeds for v in ranks[r]["seeds"][s][kind][key][1:]]
                for r in range(len(ranks))
                if kind in ranks[r]["seeds"][seeds[0]]
            ]
            mb[kind][key] = round(_mean([v for row in by_rank for v in row]) / 1e6, 3)
            mb[kind][f"{key}_by_rank"] = [round(_mean(row) / 1e6, 3) for row in by_rank]
            ratios = [
                v / _mean(measured(ranks, "single", key, s)[0])
                for s in seeds
                for row in measured(ranks, kind, key, s)
                for v in row
            ]
            over[kind][key] = round(_mean(ratios), 4)
    return mb, over


def run(config: Config, context: LabContext) -> LabResult[ShardingMetrics]:
    full_model = build_mlp(config)
    n_params = sum(p.numel() for p in full_model.parameters())
    full_bytes = sum(p.numel() * p.element_size() for p in full_model.parameters())
    seeds = context.seeds
    total = 4 * config.steps * len(seeds)
    with context.progress(total, "1 process, DDP, ZeRO-1, FSDP on gloo ranks") as advance:
        started = time.perf_counter()
        ranks = run_distributed(config, seeds, on_step=advance)
        distributed_seconds = time.perf_counter() - started

    rows = memory_model.memory_table(
        list(config.model_params), list(config.model_gpus), config.gpu_mem_gb
    )
    tensors = byte_ranks(ranks)
    claims = [
        fsdp_peak_claim(ranks),
        fsdp_state_claim(ranks),
        ddp_peak_claim(ranks),
        zero1_saving_claim(ranks),
        fsdp_bytes_claim(tensors, config.ratio_tolerance, seeds),
        ddp_bytes_claim(tensors, full_bytes, config.ratio_tolerance, seeds),
        zero1_bytes_claim(tensors, ranks, config.ratio_tolerance),
        loss_claim(ranks, config.loss_tolerance),
        memory_claim(
            *config.verdict_model, config.gpu_mem_gb, config.sharded_strategy, seeds=seeds
        ),
    ]
    mb, over = memory_summary(ranks)
    v_params, v_gpus = config.verdict_model
    ddp_gb = memory_model.per_gpu_bytes(v_params, v_gpus, "ddp") / memory_model.GB
    fsdp_gb = memory_model.per_gpu_bytes(v_params, v_gpus, config.sharded_strategy) / 1e9
    first = ranks[0]["seeds"][seeds[0]]
    metrics = ShardingMetrics(
        seeds=list(seeds),
        world_size=config.world_size,
        shard_size=config.shard_size or config.world_size,
        model_params=n_params,
        model_bytes_fp32=full_bytes,
        fsdp_units=config.hidden_layers + 2,
        memory_measure=(
            "RSS of each rank's process above its RSS before the model was built: peak = VmHWM "
            "during a step (reset per step through /proc/self/clear_refs), held = VmRSS after "
            f"it; glibc M_MMAP_THRESHOLD pinned at {config.mmap_threshold} bytes; steps after "
            "the first"
        ),
        memory_mb=mb,
        memory_over_single=over,
        ranks=[
            {"rank": i, "ddp_bytes": r["ddp"], "zero1_bytes": r["zero1"], "fsdp_bytes": r["fsdp"]}
            for i, r in enumerate(tensors)
        ],
        fsdp_over_ddp=fsdp_ratios(tensors),
        loss_max_abs_diff=loss_gap(ranks, "fsdp"),
        param_max_abs_diff=max(r["param_max_abs_diff"] for r in ranks),
        shard_vs_chunk_max_abs_diff=max(r["shard_max_abs_diff"] for r in ranks),
        ddp_losses_rank0=first["ddp"]["losses"],
        fsdp_losses_rank0=first["fsdp"]["losses"],
        start_method=start_method(config),
        init_seconds=round(max(r["init_seconds"] for r in ranks), 3),
        warmup_seconds=round(max(r["warmup_seconds"] for r in ranks), 2),
        rank_seconds=round(max(r["seconds"] for r in ranks), 2),
        rank_cpu_seconds=round(sum(r["cpu_seconds"] for r in ranks), 2),
        distributed_seconds=round(distributed_seconds, 2),
        worker_warnings=sorted({w for r in ranks for w in r["warnings"]}),
        memory_model=rows,
    )
    key_figure = (
        f"peak memory per rank (N={config.world_size}) vs 1 process: FSDP "
        f"{over['fsdp']['peak']:.2f}x, ZeRO-1 {over['zero1']['peak']:.2f}x, DDP "
        f"{over['ddp']['peak']:.2f}x; {memory_model.format_params(v_params)}: DDP "
        f"{ddp_gb:.0f} GB/GPU vs FSDP x{v_gpus} {fsdp_gb:.0f} GB"
    )
    return LabResult(
        title="DDP replicates, FSDP shards: peak memory per rank in a real torch.distributed run",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[_figure(ranks, tensors, mb, config, context)],
    )


def _figure(
    ranks: Ranks,
    tensors: list[dict[str, dict[str, int]]],
    mb: dict[str, dict[str, Any]],
    config: Config,
    context: LabContext,
) -> str:
    plt = pyplot()
    fig, (ax_mem, ax_model) = plt.subplots(1, 2, figsize=(13, 4.4), width_ratios=(1.3, 1))
    seeds = seeds_of(ranks)
    n = len(ranks)
    colours = {"single": "tab:gray", "ddp": "tab:blue", "zero1": "tab:green", "fsdp": "tab:orange"}
    x = 0.0
    ticks, labels = [], []
    for kind in KINDS:
        rank_ids = [0] if kind == "single" else list(range(n))
        for r in rank_ids:
            held = [v / 1e6 for s in seeds for v in ranks[r]["seeds"][s][kind]["held"][1:]]
            peak = [v / 1e6 for s in seeds for v in ranks[r]["seeds"][s][kind]["peak"][1:]]
            ax_mem.bar(x, _mean(held), 0.8, color=colours[kind], alpha=0.9)
            ax_mem.bar(x, _mean(peak) - _mean(held), 0.8, bottom=_mean(held),
                       color=colours[kind], alpha=0.35, hatch="//")  # fmt: skip
            ax_mem.errorbar(x, _mean(peak), yerr=[[_mean(peak) - min(peak)],
                            [max(peak) - _mean(peak)]], color="black", capsize=2)  # fmt: skip
            if kind == "single":
                state = sum(ranks[0]["seeds"][seeds[0]]["single"]["bytes"].values()) / 1e6
            else:
                state = sum(tensors[r][kind][p] for p in PARTS) / 1e6
            ax_mem.plot([x - 0.4, x + 0.4], [state, state], color="black", linewidth=1.5)
            ticks.append(x)
            labels.append(NAMES[kind] if kind == "single" else f"{NAMES[kind]}\nr{r}")
            x += 1
        x += 0.6
    one = mb["single"]["peak"]
    ax_mem.axhline(one / n, color="tab:orange", linestyle=":", linewidth=1,
                   label=f"1/N of one process's peak (N={n})")  # fmt: skip
    ax_mem.set_xticks(ticks, labels, fontsize=7)
    ax_mem.set_ylabel("MB above the RSS before the model")
    ax_mem.set_title(
        f"Memory per rank, {n} gloo ranks, {len(seeds)} seeds: held between steps (solid), "
        "peak in a step (hatched, range), tensor bytes (line)",
        fontsize=8,
    )
    ax_mem.legend(fontsize=7)

    params = config.verdict_model[0]
    gpus = sorted({1, 2, 4, 8, 16, 32, 64, *config.model_gpus})
    for key in memory_model.TABLE_STRATEGIES:
        gb = [memory_model.per_gpu_bytes(params, g, key) / memory_model.GB for g in gpus]
        ax_model.plot(gpus, gb, marker="o", label=memory_model.STRATEGIES[key].name)
    ax_model.axhline(
        config.gpu_mem_gb, color="red", linestyle=":", label=f"{config.gpu_mem_gb:g} GB"
    )
    ax_model.set_xscale("log", base=2)
    ax_model.set_xticks(gpus, [str(g) for g in gpus])
    ax_model.set_yscale("log")
    ax_model.set_xlabel("GPUs")
    ax_model.set_ylabel("GB per GPU before activations")
    ax_model.set_title(f"ZeRO model, {memory_model.format_params(params)} parameters", fontsize=9)
    ax_model.legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "sharding")
