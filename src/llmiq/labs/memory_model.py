"""The ZeRO memory model: bytes per GPU of weights, gradients and Adam state under DDP,
ZeRO stages 1-3 and FSDP, before activations.

Rajbhandari, Rasley, Ruwase, He, "ZeRO: Memory Optimizations Toward Training Trillion
Parameter Models" (SC 2020), section 3.1: mixed-precision Adam keeps, per parameter,
2 bytes of fp16/bf16 weights + 2 bytes of fp16/bf16 gradients + 12 bytes of fp32 optimizer
state (master weights, momentum, variance) = 16 bytes. DDP replicates all 16 on every GPU;
ZeRO-1 shards the optimizer state over the N GPUs, ZeRO-2 also the gradients, ZeRO-3 (which
is what PyTorch FSDP's full shard does) also the weights.

Left out: activations (they depend on batch, sequence length and checkpointing), the
temporary buffers (FSDP's all-gathered unit, DDP's gradient buckets), fragmentation, and the
CUDA context — so "fits" here is necessary, not sufficient. Gigabytes are decimal (1e9
bytes), as in the paper's "7.5B parameters need 120 GB". No torch: this runs without the
``labs`` extra (``llmiq lab memory``).

Worked example: 7B parameters under DDP hold 7e9 x 16 = 112 GB on every GPU, more than an
80 GB GPU; under FSDP over 8 GPUs they hold 112 / 8 = 14 GB each.

>>> per_gpu_bytes(7e9, 1, "ddp") / 1e9
112.0
>>> per_gpu_bytes(7e9, 8, "fsdp") / 1e9
14.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WEIGHT_BYTES = 2  # fp16/bf16 weights used in forward and backward
GRAD_BYTES = 2  # fp16/bf16 gradients
OPTIMIZER_BYTES = 12  # fp32 master weights (4) + Adam momentum (4) + variance (4)
GB = 1e9  # decimal gigabytes, as GPU vendors and the ZeRO paper count them


@dataclass(frozen=True)
class Strategy:
    """Which of the three kinds of training state a data-parallel strategy shards."""

    name: str  # as printed in the table
    shards_optimizer: bool  # optimizer state split over the GPUs (ZeRO-1 and up)
    shards_grads: bool  # gradients split over the GPUs (ZeRO-2 and up)
    shards_weights: bool  # weights split over the GPUs (ZeRO-3 / FSDP)


#: strategy key -> what it shards; "fsdp" is FSDP's FULL_SHARD, i.e. ZeRO-3.
STRATEGIES: dict[str, Strategy] = {
    "ddp": Strategy("DDP", False, False, False),
    "zero1": Strategy("ZeRO-1", True, False, False),
    "zero2": Strategy("ZeRO-2", True, True, False),
    "zero3": Strategy("ZeRO-3", True, True, True),
    "fsdp": Strategy("FSDP", True, True, True),
}

#: the columns of the printed table, in order of how much they shard.
TABLE_STRATEGIES = ("ddp", "zero1", "zero2", "fsdp")


def _strategy(strategy: str | Strategy) -> Strategy:
    if isinstance(strategy, Strategy):
        return strategy
    try:
        return STRATEGIES[strategy.lower()]
    except KeyError:
        raise ValueError(
            f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}"
        ) from None


def per_gpu_breakdown(params: float, gpus: int, strategy: str | Strategy) -> dict[str, float]:
    """Bytes per GPU of weights, gradients and optimizer state (and their total).

    >>> {part: n / 1e9 for part, n in per_gpu_breakdown(1e9, 4, "zero1").items()}
    {'weights': 2.0, 'grads': 2.0, 'optimizer': 3.0, 'total': 7.0}
    """
    if not (math.isfinite(params) and params > 0) or gpus < 1:
        raise ValueError(f"need params > 0 and gpus >= 1, got params={params}, gpus={gpus}")
    kind = _strategy(strategy)

    def share(per_param: int, sharded: bool) -> float:
        return float(params) * per_param / (gpus if sharded else 1)

    parts = {
        "weights": share(WEIGHT_BYTES, kind.shards_weights),
        "grads": share(GRAD_BYTES, kind.shards_grads),
        "optimizer": share(OPTIMIZER_BYTES, kind.shards_optimizer),
    }
    parts["total"] = parts["weights"] + parts["grads"] + parts["optimizer"]
    return parts


def per_gpu_bytes(params: float, gpus: int, strategy: str | Strategy) -> float:
    """Bytes of training state per GPU before activations: 16 bytes/parameter, divided
    by ``gpus`` for each part the strategy shards."""
    return per_gpu_breakdown(params, gpus, strategy)["total"]


def fits(params: float, gpus: int, strategy: str | Strategy, gpu_mem_gb: float = 80.0) -> bool:
    """Whether the training state fits in one GPU's memory (before activations)."""
    return per_gpu_bytes(params, gpus, strategy) <= gpu_mem_gb * GB


def memory_table(
    params_list: list[float], gpus_list: list[int], gpu_mem_gb: float = 80.0
) -> list[dict]:
    """One row per (model size, GPU count, strategy): GB per GPU and whether it fits.

    Rows are plain dicts (JSON-able): params, gpus, strategy, weights_gb, grads_gb,
    optimizer_gb, total_gb, gpu_mem_gb, fits.
    """
    rows = []
    for params in params_list:
        for gpus in gpus_list:
            for key in TABLE_STRATEGIES:
                parts = per_gpu_breakdown(params, gpus, key)
                rows.append(
                    {
                        "params": float(params),
                        "gpus": int(gpus),
                        "strategy": key,
                        "weights_gb": parts["weights"] / GB,
                        "grads_gb": parts["grads"] / GB,
                        "optimizer_gb": parts["optimizer"] / GB,
                        "total_gb": parts["total"] / GB,
                        "gpu_mem_gb": float(gpu_mem_gb),
                        "fits": parts["total"] <= gpu_mem_gb * GB,
                    }
                )
    return rows


def format_params(params: float) -> str:
    """``7e9`` -> ``"7B"``, ``1.3e8`` -> ``"130M"``."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if params >= scale:
            return f"{params / scale:.3g}{suffix}"
    return f"{params:.3g}"


def format_memory_table(rows: list[dict]) -> str:
    """A plain-text table: a line per (model, GPUs), a column per strategy with the GB per
    GPU and whether it fits, e.g. ``112.0 no``."""
    if not rows:
        return "(no rows)"
    strategies = list(dict.fromkeys(row["strategy"] for row in rows))
    cells: dict[tuple[float, int], dict[str, str]] = {}
    for row in rows:
        verdict = "fits" if row["fits"] else "no"
        cells.setdefault((row["params"], row["gpus"]), {})[row["strategy"]] = (
            f"{row['total_gb']:.1f} {verdict}"
        )
    header = ["model", "GPUs", *(_strategy(s).name + " GB" for s in strategies)]
    body = [
        [format_params(params), str(gpus), *(by.get(s, "-") for s in strategies)]
        for (params, gpus), by in cells.items()
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    memories = sorted({row["gpu_mem_gb"] for row in rows})
    memory = " / ".join(f"{m:g}" for m in memories)
    note = [
        "GB of training state per GPU, before activations (16 bytes/parameter:",
        f"bf16 weights 2 + grads 2 + fp32 Adam 12); 'fits' = at most {memory} GB.",
    ]
    return "\n".join([*note, line(header), line(["-" * w for w in widths]), *map(line, body)])
