"""DDP vs FSDP: who holds which bytes, measured in a real ``torch.distributed`` run.

The article's answer (question 10, B): when a model does not fit on one GPU, FSDP scales
training across GPUs; DDP does not, because every DDP rank keeps the whole model. This lab
measures that on this CPU:

1. A real process group (gloo, ``world_size`` processes on 127.0.0.1, forked on Linux,
   spawned elsewhere) trains the same small MLP with the same seed and data twice:
   with ``DistributedDataParallel`` (Li et al., "PyTorch Distributed: Experiences on
   Accelerating Data Parallel Training", VLDB 2020) and with FSDP2's ``fully_shard``
   (Zhao et al., "PyTorch FSDP: Experiences on Scaling Fully Sharded Data Parallel",
   VLDB 2023). After training, each rank counts the bytes of parameters, gradients and Adam
   state it actually holds (for FSDP's DTensors, the local shard: ``t.to_local()``).
   FSDP should hold 1/N of DDP for each of the three; DDP a full copy of each.
   Between the two, ZeRO stage 1 (``ZeroRedundancyOptimizer`` over DDP; Rajbhandari et al.,
   SC 2020) keeps DDP's full parameters and gradients but partitions Adam's state: each rank
   holds the moments of the parameters it owns (whole tensors, so about 1/N).
2. The losses of the runs agree step by step, and the final FSDP shard on rank r equals
   rows ``chunk(N)[r]`` of the DDP-trained parameter: sharding changes where the bytes live,
   not the arithmetic.
3. The ZeRO memory model (``memory_model.py``, Rajbhandari et al., SC 2020: 16 bytes per
   parameter for mixed-precision Adam) scales this to real model sizes: 7B under DDP needs
   112 GB on every GPU (does not fit in 80 GB); FSDP over 8 GPUs needs 14 GB.

``shard_size`` is the lever that breaks the claim: FSDP2 over a 2-D (replicate, shard) mesh
with shard groups of one rank is HSDP that shards nothing, so every rank again holds a full
copy and the 1/N verdict flips.

Left out: the transient memory FSDP needs to all-gather a unit's parameters for its forward
and backward (and DDP's gradient buckets), activations, mixed precision on the workers (they
train in fp32: 4 bytes of weights, 4 of grads, 8 of Adam moments), communication time (gloo
on one host says nothing about NCCL on a cluster), and tensor/pipeline parallelism.
"""

from __future__ import annotations

import itertools
import multiprocessing
import socket
import sys
import time
import traceback
import warnings
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.connection import Connection, wait
from typing import Any

import torch
import torch._dynamo  # DDP's constructor imports it (~1 s): once here, not in every rank
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.nn.parallel import DistributedDataParallel

with warnings.catch_warnings():  # its package scripts functional optimizers at import time
    warnings.filterwarnings("ignore", r".*torch\.jit\.\w+.* is deprecated", DeprecationWarning)
    from torch.distributed.optim import ZeroRedundancyOptimizer

from llmiq.labs import memory_model
from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.report import Claim, LabResult

PARTS = ("params", "grads", "optimizer")  # the three kinds of training state counted


@dataclass
class Config:
    world_size: int = 2  # ranks (processes) in the gloo group; this machine has 2 cores
    shard_size: int | None = None  # ranks an FSDP shard group spans; None = all of them (full
    #                                shard); 1 = replicate everywhere (HSDP that shards nothing)
    dim: int = 256  # MLP input and output width
    hidden: int = 1024  # MLP hidden width (divisible by world_size: even shards)
    hidden_layers: int = 2  # hidden -> hidden Linear layers; 2 gives 2.6M parameters
    batch: int = 64  # examples per rank per step (global batch = batch x world_size)
    steps: int = 30  # Adam steps per strategy
    lr: float = 1e-3  # Adam learning rate
    ratio_tolerance: float = 0.01  # allowed |FSDP bytes / DDP bytes - 1/N|
    loss_tolerance: float = 1e-5  # allowed max |loss_DDP - loss_FSDP| over ranks and steps
    timeout_seconds: float = 120.0  # the workers are killed if they have not reported by then
    start_method: str | None = None  # None: "fork" on Linux (the ranks inherit the imported
    #                                  torch: ~1 s instead of ~5 s per run), else "spawn"
    model_params: tuple[float, ...] = (1e9, 7e9, 70e9)  # memory model: model sizes
    model_gpus: tuple[int, ...] = (1, 8, 64)  # memory model: GPU counts
    gpu_mem_gb: float = 80.0  # memory model: one GPU's memory (A100/H100 80 GB)
    sharded_strategy: str = "fsdp"  # memory model: the strategy said to fit 7B on 8 GPUs
    verdict_model: tuple[float, int] = (7e9, 8)  # (params, GPUs) of that verdict

    @classmethod
    def fast(cls) -> Config:
        return cls(hidden=512, hidden_layers=1, batch=32, steps=4)


# ---------------------------------------------------------------------------- the model


def build_mlp(config: Config) -> nn.Sequential:
    """dim -> hidden -> (hidden -> hidden) x hidden_layers -> dim, ReLU between. Every weight
    and bias has a first dimension divisible by the world size, so shards are even."""
    widths = [config.dim, *[config.hidden] * (config.hidden_layers + 1), config.dim]
    layers: list[nn.Module] = []
    for i, (d_in, d_out) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(d_in, d_out))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def local_bytes(tensors: list[torch.Tensor | None]) -> int:
    """Bytes held by this process: a DTensor counts only its local shard.

    >>> local_bytes([torch.zeros(3, 4), None])  # 12 float32
    48
    """
    total = 0
    for t in tensors:
        if t is None:
            continue
        local = t.to_local() if hasattr(t, "to_local") else t
        total += local.numel() * local.element_size()
    return total


def state_bytes(model: nn.Module, optimizer: torch.optim.Optimizer) -> dict[str, int]:
    """Bytes of parameters, gradients and optimizer state (Adam: exp_avg, exp_avg_sq, step)
    held locally by this rank."""
    params = list(model.parameters())
    states = [v for s in optimizer.state.values() for v in s.values() if torch.is_tensor(v)]
    return {
        "params": local_bytes(list(params)),
        "grads": local_bytes([p.grad for p in params]),
        "optimizer": local_bytes(states),
    }


def _batches(config: Config, seed: int, rank: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """This rank's batches: x ~ N(0, 1), y = tanh(x @ A) for a teacher A shared by all ranks;
    the same list for DDP and FSDP, a different one per rank (data parallelism)."""
    teacher = torch.Generator().manual_seed(seed)
    a = torch.randn(config.dim, config.dim, generator=teacher) / config.dim**0.5  # (D, D)
    data = torch.Generator().manual_seed(seed * 1000 + rank + 1)
    out = []
    for _ in range(config.steps):
        x = torch.randn(config.batch, config.dim, generator=data)  # (B, D)
        out.append((x, torch.tanh(x @ a)))  # (B, D)
    return out


def _train(
    model: nn.Module,
    batches: list[tuple[torch.Tensor, torch.Tensor]],
    config: Config,
    step: Any,
    optimizer: torch.optim.Optimizer | None = None,
) -> tuple[list[float], torch.optim.Optimizer]:
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=config.lr)
    losses = []
    for x, y in batches:
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP all-reduces grads; FSDP reduce-scatters them into shards
        optimizer.step()  # FSDP: Adam updates only the local shard, with local moments
        losses.append(loss.item())
        step()
    return losses, optimizer


# ---------------------------------------------------------------------------- the workers


def _worker(rank: int, config: Config, seed: int, port: int, conn: Connection) -> None:
    """One rank: DDP run, then FSDP run in the same process group (start-up is paid once).
    Sends ("step", rank) per training step, then ("result", rank, dict) or ("error", ...)."""
    # Warnings are recorded and sent back: a forked rank inherits the parent's filters (pytest's
    # "error"), a spawned one its -W flags; neither may turn a library notice into a crash.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # One core per rank; also keeps a forked rank off the parent's OpenMP pool.
            torch.set_num_threads(1)
            started = time.perf_counter()
            dist.init_process_group(
                "gloo",
                init_method=f"tcp://127.0.0.1:{port}",
                rank=rank,
                world_size=config.world_size,
                timeout=timedelta(seconds=config.timeout_seconds),
            )
            batches = _batches(config, seed, rank)
            result: dict[str, Any] = {"init_seconds": time.perf_counter() - started}

            def step() -> None:
                conn.send(("step", rank))

            torch.manual_seed(seed)  # the same initial weights on every rank and strategy
            ddp = DistributedDataParallel(build_mlp(config))
            result["ddp_losses"], optimizer = _train(ddp, batches, config, step)
            result["ddp"] = state_bytes(ddp, optimizer)
            ddp_params = [p.detach() for p in ddp.module.parameters()]

            # ZeRO stage 1: DDP's replicated parameters and gradients, with Adam's state
            # partitioned over the ranks (each rank steps only the parameters it owns).
            torch.manual_seed(seed)
            zero = DistributedDataParallel(build_mlp(config))
            zero_adam = ZeroRedundancyOptimizer(
                zero.parameters(), optimizer_class=torch.optim.Adam, lr=config.lr
            )
            result["zero1_losses"], _ = _train(zero, batches, config, step, zero_adam)
            result["zero1"] = state_bytes(zero, zero_adam.optim)

            torch.manual_seed(seed)
            model = build_mlp(config)
            shard = config.shard_size or config.world_size
            mesh = init_device_mesh(
                "cpu",
                (config.world_size // shard, shard),
                mesh_dim_names=("replicate", "shard"),
            )
            for layer in model:
                if isinstance(layer, nn.Linear):
                    fully_shard(layer, mesh=mesh)  # one FSDP unit per layer
            fully_shard(model, mesh=mesh)
            result["fsdp_losses"], optimizer = _train(model, batches, config, step)
            result["fsdp"] = state_bytes(model, optimizer)

            # From scratch: FSDP2 shards dim 0 like torch.chunk; rank r's local tensor must be
            # chunk r of the full (DDP-trained) parameter, and the gathered whole must match.
            shard_rank = mesh.get_local_rank("shard")
            shard_diff = full_diff = 0.0
            for p, full in zip(model.parameters(), ddp_params, strict=True):
                mine = full.chunk(shard, dim=0)[shard_rank]
                shard_diff = max(shard_diff, (p.to_local() - mine).abs().max().item())
                full_diff = max(full_diff, (p.full_tensor() - full).abs().max().item())
            result["shard_max_abs_diff"] = shard_diff
            result["param_max_abs_diff"] = full_diff
            result["seconds"] = time.perf_counter() - started
            result["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
            conn.send(("result", rank, result))
        except BaseException:
            conn.send(("error", rank, traceback.format_exc()))
        finally:
            if dist.is_initialized():
                dist.destroy_process_group()
            conn.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_distributed(
    config: Config, seed: int = 0, on_step: Any = lambda: None
) -> list[dict[str, Any]]:
    """Start ``world_size`` spawned ranks, collect each rank's measurements (sorted by rank),
    and always reap them: on error or timeout the survivors are terminated, then killed."""
    if config.world_size < 1 or config.hidden % config.world_size or config.dim % config.world_size:
        raise ValueError(f"hidden and dim must be divisible by world_size={config.world_size}")
    shard = config.shard_size or config.world_size
    if config.world_size % shard:
        raise ValueError(f"shard_size={shard} must divide world_size={config.world_size}")
    method = config.start_method or ("fork" if sys.platform.startswith("linux") else "spawn")
    ctx = multiprocessing.get_context(method)
    port = _free_port()
    processes, readers = [], []
    results: dict[int, dict[str, Any]] = {}
    try:
        for rank in range(config.world_size):
            reader, writer = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=_worker, args=(rank, config, seed, port, writer), daemon=True
            )
            with warnings.catch_warnings():
                # Python >= 3.12 warns that forking a threaded process may deadlock; under an
                # "error" filter that would raise in the parent *after* the fork, orphaning the
                # child. The rank only runs torch single-threaded (see _worker).
                warnings.filterwarnings(
                    "ignore", "This process .* is multi-threaded", DeprecationWarning
                )
                process.start()
            writer.close()  # the child holds its own copy; EOF reaches us when it exits
            processes.append(process)
            readers.append(reader)
        deadline = time.monotonic() + config.timeout_seconds
        open_readers = list(readers)
        while len(results) < config.world_size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"sharding workers did not finish in {config.timeout_seconds:.0f} s"
                )
            for reader in wait(open_readers, timeout=min(left, 1.0)):
                try:
                    message = reader.recv()
                except EOFError:  # the rank closed its end of the pipe: it has exited
                    message = ("exited", readers.index(reader))
                if message[0] == "exited":
                    open_readers.remove(reader)
                    rank = message[1]
                    if rank not in results:
                        processes[rank].join(timeout=1)
                        code = processes[rank].exitcode
                        raise RuntimeError(f"sharding rank {rank} exited (code {code}) early")
                    continue
                if message[0] == "step":
                    if message[1] == 0:
                        on_step()
                elif message[0] == "result":
                    results[message[1]] = message[2]
                else:
                    raise RuntimeError(f"sharding rank {message[1]} failed:\n{message[2]}")
    finally:
        for process in processes:
            process.join(timeout=5 if len(results) == config.world_size else 0)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
        for reader in readers:
            reader.close()
    return [results[rank] for rank in range(config.world_size)]


# ---------------------------------------------------------------------------- the verdicts


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def fsdp_ratios(ranks: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per part, FSDP bytes / DDP bytes on each rank."""
    return {part: [r["fsdp"][part] / r["ddp"][part] for r in ranks] for part in PARTS}


def fsdp_claim(ranks: list[dict[str, Any]], tolerance: float) -> Claim:
    """FSDP holds about 1/N of DDP's bytes of each part on every rank, with N >= 2 ranks
    (one rank shards nothing, so it saves nothing)."""
    n = len(ranks)
    ratios = fsdp_ratios(ranks)
    worst = max(abs(x - 1 / n) for values in ratios.values() for x in values)
    supported = n >= 2 and worst <= tolerance
    r0 = ranks[0]
    held = "/".join(_mb(r0["fsdp"][p]) for p in PARTS)
    full = "/".join(_mb(r0["ddp"][p]) for p in PARTS)
    shown = ", ".join(f"{p} {ratios[p][0]:.3f}" for p in PARTS)
    return Claim(
        text=f"FSDP holds about 1/N of the parameters, gradients and Adam state per rank (N={n})",
        supported=supported,
        evidence=f"rank 0 holds {held} (params/grads/Adam) under FSDP vs {full} under DDP: "
        f"ratios {shown}; 1/N = {1 / n:.3f}, worst deviation over ranks {worst:.4f} "
        f"(allowed {tolerance})" + ("" if n >= 2 else "; one rank shards nothing"),
    )


def ddp_claim(ranks: list[dict[str, Any]], full_bytes: int, tolerance: float) -> Claim:
    """Every DDP rank holds the whole model: params and grads = full size, Adam ~ 2x."""
    worst = max(
        max(abs(r["ddp"]["params"] / full_bytes - 1), abs(r["ddp"]["grads"] / full_bytes - 1))
        for r in ranks
    )
    adam = [r["ddp"]["optimizer"] / full_bytes for r in ranks]
    supported = worst <= tolerance and all(abs(a - 2) <= 2 * tolerance for a in adam)
    return Claim(
        text="DDP keeps a full copy of parameters, gradients and Adam state on every rank",
        supported=supported,
        evidence=f"the model is {_mb(full_bytes)} in fp32; each of {len(ranks)} DDP ranks holds "
        f"{_mb(ranks[0]['ddp']['params'])} of params, {_mb(ranks[0]['ddp']['grads'])} of grads "
        f"and {_mb(ranks[0]['ddp']['optimizer'])} of Adam state "
        f"({min(adam):.3f}x the model: momentum + variance)",
    )


def loss_claim(ranks: list[dict[str, Any]], tolerance: float) -> Claim:
    """DDP and FSDP see the same data from the same start and compute the same losses."""
    diff = max(
        abs(a - b) for r in ranks for a, b in zip(r["ddp_losses"], r["fsdp_losses"], strict=True)
    )
    steps = len(ranks[0]["ddp_losses"])
    params = max(r["param_max_abs_diff"] for r in ranks)
    return Claim(
        text="DDP and FSDP train the same model: the loss curves agree",
        supported=diff <= tolerance,
        evidence=f"max |loss_DDP - loss_FSDP| over {len(ranks)} ranks x {steps} steps = "
        f"{diff:.2e} (allowed {tolerance:g}); final parameters differ by at most {params:.2e}",
    )


def zero1_claim(ranks: list[dict[str, Any]], tolerance: float) -> Claim:
    """ZeRO-1 keeps DDP's full parameters and gradients on every rank, splits Adam's state
    among the ranks (whole tensors, so the shares are uneven), and trains the same model."""
    n = len(ranks)
    full = all(r["zero1"][p] == r["ddp"][p] for r in ranks for p in ("params", "grads"))
    shares = [r["zero1"]["optimizer"] / r["ddp"]["optimizer"] for r in ranks]
    diff = max(
        abs(a - b) for r in ranks for a, b in zip(r["ddp_losses"], r["zero1_losses"], strict=True)
    )
    return Claim(
        text="ZeRO stage 1 shards only the optimizer state: every rank keeps full parameters "
        "and gradients and about 1/N of the Adam state",
        supported=n >= 2
        and full
        and abs(sum(shares) - 1) <= tolerance
        and max(shares) < 1 - tolerance
        and diff <= 1e-5,
        evidence=f"ZeroRedundancyOptimizer on {n} ranks: params and grads "
        f"{'equal' if full else 'differ from'} DDP's on every rank; Adam state per rank "
        f"{', '.join(f'{x:.2f}' for x in shares)} of DDP's (sum {sum(shares):.3f}; whole "
        f"tensors are assigned to ranks, so 1/N only roughly); losses within {diff:.1e} of "
        f"DDP's. Per GPU with mixed-precision Adam: 4 + 12/N bytes per parameter",
    )


def memory_claim(
    params: float, gpus: int, gpu_mem_gb: float, sharded_strategy: str = "fsdp"
) -> Claim:
    """The ZeRO model's verdict: DDP cannot hold ``params`` on one GPU; the sharded strategy
    over ``gpus`` GPUs can (before activations)."""
    ddp = memory_model.per_gpu_bytes(params, gpus, "ddp") / memory_model.GB
    sharded = memory_model.per_gpu_bytes(params, gpus, sharded_strategy) / memory_model.GB
    ddp_fits = memory_model.fits(params, gpus, "ddp", gpu_mem_gb)
    sharded_fits = memory_model.fits(params, gpus, sharded_strategy, gpu_mem_gb)
    name = memory_model.STRATEGIES[sharded_strategy].name
    size = memory_model.format_params(params)
    return Claim(
        text=f"DDP cannot fit a {size} model's training state in {gpu_mem_gb:g} GB GPUs; "
        f"{name} over {gpus} GPUs can",
        supported=not ddp_fits and sharded_fits,
        evidence=f"16 bytes/parameter: DDP needs {ddp:.1f} GB per GPU "
        f"({'fits' if ddp_fits else 'does not fit'}), {name} over {gpus} GPUs {sharded:.1f} GB "
        f"({'fits' if sharded_fits else 'does not fit'}) in {gpu_mem_gb:g} GB, before activations",
    )


# ---------------------------------------------------------------------------- the lab


def _figure(
    ranks: list[dict[str, Any]], rows: list[dict[str, Any]], config: Config, context: LabContext
) -> str:
    plt = pyplot()
    fig, (ax_bytes, ax_loss, ax_model) = plt.subplots(1, 3, figsize=(15, 4.2))
    x = torch.arange(len(PARTS)).tolist()
    width = 0.8 / (2 * len(ranks))
    for i, (kind, r) in enumerate((k, r) for k in ("ddp", "fsdp") for r in range(len(ranks))):
        values = [ranks[r][kind][p] / 1e6 for p in PARTS]
        ax_bytes.bar(
            [xi + (i - len(ranks) + 0.5) * width for xi in x],
            values,
            width,
            label=f"{kind.upper()} rank {r}",
            color=("tab:blue" if kind == "ddp" else "tab:orange"),
            alpha=1.0 - 0.35 * r,
        )
    ax_bytes.set_xticks(x, ["parameters", "gradients", "Adam state"])
    ax_bytes.set_ylabel("MB held by the rank")
    ax_bytes.set_title(f"Bytes per rank, {len(ranks)} gloo ranks")
    ax_bytes.legend(fontsize=8)

    steps = range(1, len(ranks[0]["ddp_losses"]) + 1)
    for kind, style in (("ddp", "-"), ("fsdp", "--")):
        mean = [
            sum(v) / len(ranks) for v in zip(*(r[f"{kind}_losses"] for r in ranks), strict=True)
        ]
        ax_loss.plot(steps, mean, style, marker="o", markersize=3, label=kind.upper())
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("MSE loss (mean over ranks)")
    ax_loss.set_title("Same seed, same data: same losses")
    ax_loss.legend()

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
    ax_model.set_title(f"ZeRO model, {memory_model.format_params(params)} parameters")
    ax_model.legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "sharding")


@dataclass
class ShardingMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    world_size: int
    shard_size: int
    model_params: int
    model_bytes_fp32: int
    ranks: list[dict[str, Any]]
    fsdp_over_ddp: dict[str, list[float]]
    loss_max_abs_diff: float
    param_max_abs_diff: float
    shard_vs_chunk_max_abs_diff: float
    ddp_losses_rank0: list[float]
    fsdp_losses_rank0: list[float]
    start_method: str
    init_seconds: float
    rank_seconds: float
    distributed_seconds: float
    worker_warnings: list[str]
    memory_model: list[dict[str, Any]]


Metrics = ShardingMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[ShardingMetrics]:
    full_model = build_mlp(config)
    n_params = sum(p.numel() for p in full_model.parameters())
    full_bytes = sum(p.numel() * p.element_size() for p in full_model.parameters())

    with context.progress(3 * config.steps, "DDP, ZeRO-1, FSDP on gloo ranks") as advance:
        started = time.perf_counter()
        ranks = run_distributed(config, context.seed, on_step=advance)
        distributed_seconds = time.perf_counter() - started

    rows = memory_model.memory_table(
        list(config.model_params), list(config.model_gpus), config.gpu_mem_gb
    )
    ratios = fsdp_ratios(ranks)
    claims = [
        fsdp_claim(ranks, config.ratio_tolerance),
        ddp_claim(ranks, full_bytes, config.ratio_tolerance),
        loss_claim(ranks, config.loss_tolerance),
        zero1_claim(ranks, config.ratio_tolerance),
        memory_claim(*config.verdict_model, config.gpu_mem_gb, config.sharded_strategy),
    ]
    loss_diff = max(
        abs(a - b) for r in ranks for a, b in zip(r["ddp_losses"], r["fsdp_losses"], strict=True)
    )
    v_params, v_gpus = config.verdict_model
    ddp_gb = memory_model.per_gpu_bytes(v_params, v_gpus, "ddp") / memory_model.GB
    fsdp_gb = memory_model.per_gpu_bytes(v_params, v_gpus, config.sharded_strategy) / 1e9
    metrics = ShardingMetrics(
        world_size=config.world_size,
        shard_size=config.shard_size or config.world_size,
        model_params=n_params,
        model_bytes_fp32=full_bytes,
        ranks=[
            {"rank": i, "ddp_bytes": r["ddp"], "zero1_bytes": r["zero1"], "fsdp_bytes": r["fsdp"]}
            for i, r in enumerate(ranks)
        ],
        fsdp_over_ddp={part: ratios[part] for part in PARTS},
        loss_max_abs_diff=loss_diff,
        param_max_abs_diff=max(r["param_max_abs_diff"] for r in ranks),
        shard_vs_chunk_max_abs_diff=max(r["shard_max_abs_diff"] for r in ranks),
        ddp_losses_rank0=ranks[0]["ddp_losses"],
        fsdp_losses_rank0=ranks[0]["fsdp_losses"],
        start_method=config.start_method
        or ("fork" if sys.platform.startswith("linux") else "spawn"),
        init_seconds=round(max(r["init_seconds"] for r in ranks), 3),
        rank_seconds=round(max(r["seconds"] for r in ranks), 2),
        distributed_seconds=round(distributed_seconds, 2),
        worker_warnings=sorted({w for r in ranks for w in r["warnings"]}),
        memory_model=rows,
    )
    key_figure = (
        f"FSDP holds {ratios['params'][0]:.2f}x of DDP's params/grads/Adam per rank "
        f"(N={config.world_size}); {memory_model.format_params(v_params)}: DDP {ddp_gb:.0f} GB/GPU"
        f" vs FSDP x{v_gpus} {fsdp_gb:.0f} GB"
    )
    return LabResult(
        title="DDP replicates, FSDP shards: bytes per rank in a real torch.distributed run",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[_figure(ranks, rows, config, context)],
    )
