"""The distributed run: ``world_size`` gloo ranks on this CPU train the same MLP with the same
seeds and data as one process alone, under DDP, ZeRO-1 and FSDP, and measure per rank both the
bytes of training state each holds (tensor accounting) and its memory (RSS) at the peak of
every step and between steps.

How memory is measured, and why so. torch has no statistics for its CPU allocator (torch 2.13:
``torch.cpu`` has none), ``tracemalloc`` sees only Python's allocator, and gloo's buffers are not
torch tensors at all, so the honest measure is the operating system's: the resident set
(RSS) of the rank's process. ``ru_maxrss`` is its high-water mark over the whole process,
which cannot be reset between strategies; Linux's ``VmHWM`` is the same mark and is reset by
writing 5 to ``/proc/self/clear_refs``, so each training step gets its own peak. Three things
keep RSS honest:

- glibc's malloc serves buffers under its mmap threshold from the heap and keeps them after
  they are freed; the threshold also grows to the size of freed buffers (up to 32 MiB), so
  later tensors land in the heap. RSS then counts freed gather buffers and Adam temporaries
  as if live: measured here with malloc's defaults, FSDP's peak grew from 153 to 265 MB over
  five steps, above DDP's. Every rank pins ``M_MMAP_THRESHOLD`` (``Config.mmap_threshold``,
  64 KiB): each tensor of that size or more gets its own mapping, returned on free, and RSS
  held between steps matched the tensor accounting within 2 MB;
- a rank must not inherit a used heap: forked straight from a parent that had run another
  lab, FSDP's memory held between steps came out 1 MB higher (0.31 of one process's instead
  of 0.27). The ranks are forked from a clean fork server that has only imported torch;
- code pages of libtorch that a rank touches for the first time, and gloo's lazy set-up,
  raise RSS once. A warm-up on a tiny model runs every strategy first, and each phase's
  memory is counted from the RSS just before its model is built.

The single-process baseline runs on rank 0 while the others wait at a barrier; DDP, ZeRO-1
and FSDP run on every rank, one after the other in one process group (started once per run).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import itertools
import multiprocessing
import resource
import socket
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import timedelta
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import torch
import torch._dynamo  # DDP's constructor imports it (~1 s): once here, not in every rank
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.distributed.device_mesh import DeviceMesh, init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.nn.parallel import DistributedDataParallel

with warnings.catch_warnings():  # its package scripts functional optimizers at import time
    warnings.filterwarnings("ignore", r".*torch\.jit\.\w+.* is deprecated", DeprecationWarning)
    from torch.distributed.optim import ZeroRedundancyOptimizer

from llmiq.labs.sharding.config import Config

PARTS = ("params", "grads", "optimizer")  # the three kinds of training state counted
KINDS = ("single", "ddp", "zero1", "fsdp")  # one process alone, then the three strategies
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
CLEAR_REFS = Path("/proc/self/clear_refs")


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


class MemoryProbe:
    """This process's resident memory (RSS) and its peak since the last ``reset_peak``."""

    def __init__(self, mmap_threshold: int) -> None:
        if not CLEAR_REFS.exists():
            raise RuntimeError("the sharding lab measures peak memory through Linux's /proc")
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"))
        if mmap_threshold and not self.libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold):
            raise RuntimeError("malloc refused M_MMAP_THRESHOLD (not glibc?)")

    @staticmethod
    def _status(field: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"/proc/self/status has no {field}")

    def rss(self) -> int:
        return self._status("VmRSS")

    def peak(self) -> int:
        return self._status("VmHWM")

    @staticmethod
    def reset_peak() -> None:
        CLEAR_REFS.write_text("5")

    def release(self) -> None:
        """Free what Python and malloc still hold, so the next baseline is clean."""
        gc.collect()
        if hasattr(self.libc, "malloc_trim"):
            self.libc.malloc_trim(0)


def batches(config: Config, seed: int, rank: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """This rank's batches: x ~ N(0, 1), y = tanh(x @ A) for a teacher A shared by all ranks;
    the same list for every strategy, a different one per rank (data parallelism)."""
    teacher = torch.Generator().manual_seed(seed)
    a = torch.randn(config.dim, config.dim, generator=teacher) / config.dim**0.5  # (D, D)
    data = torch.Generator().manual_seed(seed * 1000 + rank + 1)
    out = []
    for _ in range(config.steps):
        x = torch.randn(config.batch, config.dim, generator=data)  # (B, D)
        out.append((x, torch.tanh(x @ a)))  # (B, D)
    return out


def wrap(
    kind: str, model: nn.Module, config: Config, mesh: DeviceMesh | None
) -> tuple[nn.Module, torch.optim.Optimizer, torch.optim.Optimizer]:
    """(model, optimizer to step, optimizer whose state is counted) for a strategy."""
    if kind == "single":
        adam = torch.optim.Adam(model.parameters(), lr=config.lr)
        return model, adam, adam
    if kind == "ddp":
        ddp = DistributedDataParallel(model)
        adam = torch.optim.Adam(ddp.parameters(), lr=config.lr)
        return ddp, adam, adam
    if kind == "zero1":
        # ZeRO stage 1: DDP's replicated parameters and gradients, with Adam's state
        # partitioned over the ranks (each rank steps only the parameters it owns)
        ddp = DistributedDataParallel(model)
        zero = ZeroRedundancyOptimizer(
            ddp.parameters(), optimizer_class=torch.optim.Adam, lr=config.lr
        )
        return ddp, zero, zero.optim
    for layer in model:
        if isinstance(layer, nn.Linear):
            fully_shard(layer, mesh=mesh)  # one FSDP unit per layer
    fully_shard(model, mesh=mesh)
    adam = torch.optim.Adam(model.parameters(), lr=config.lr)
    return model, adam, adam


def phase(
    kind: str,
    config: Config,
    seed: int,
    data: list[tuple[torch.Tensor, torch.Tensor]],
    probe: MemoryProbe,
    mesh: DeviceMesh | None,
    step: Callable[[], None] = lambda: None,
) -> tuple[dict[str, Any], nn.Module]:
    """Train a fresh model under ``kind`` on ``data``; per step its loss, the RSS at the
    step's peak and after it (bytes above the RSS before the model was built), and the
    bytes of training state held at the end. Returns the record and the trained model."""
    probe.release()
    base = probe.rss()
    started, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(seed)  # the same initial weights on every rank and strategy
    model, optimizer, counted = wrap(kind, build_mlp(config), config, mesh)
    record: dict[str, Any] = {"peak": [], "held": [], "losses": []}
    for x, y in data:
        probe.reset_peak()
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP all-reduces grads; FSDP reduce-scatters them into shards
        optimizer.step()  # FSDP: Adam updates only the local shard, with local moments
        record["peak"].append(probe.peak() - base)
        record["held"].append(probe.rss() - base)
        record["losses"].append(loss.item())
        del loss
        step()
    record["bytes"] = state_bytes(model, counted)
    record["seconds"] = time.perf_counter() - started
    record["cpu_seconds"] = time.process_time() - cpu
    return record, model


def _warm_up(config: Config, probe: MemoryProbe, mesh: DeviceMesh, rank: int) -> None:
    """Every strategy for two steps on a tiny model (code paths, lazy inits, gloo's buffers),
    then one step of the real model alone on every rank: the first model of its size in a
    process was measured to leave ~1 MB behind, which would otherwise count against the
    first strategy measured."""
    n = config.world_size
    tiny = Config(world_size=n, dim=2 * n, hidden=2 * n, hidden_layers=1, batch=2, steps=2)
    data = batches(tiny, 0, rank)
    for kind in KINDS:
        if kind != "single" or rank == 0:
            phase(kind, tiny, 0, data, probe, mesh)
        dist.barrier()
    phase("single", config, 0, batches(config, 0, rank)[:1], probe, mesh)
    dist.barrier()


def _worker(rank: int, config: Config, seeds: tuple[int, ...], port: int, conn: Connection) -> None:
    """One rank: warm-up, then per seed the single-process baseline (rank 0), DDP, ZeRO-1 and
    FSDP. Sends ("step", rank) per training step, then ("result", rank, dict) or ("error",
    rank, traceback)."""
    # Warnings are recorded and sent back: a forked rank inherits the parent's filters (pytest's
    # "error"), a spawned one its -W flags; neither may turn a library notice into a crash.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # One core per rank; also keeps a forked rank off the parent's OpenMP pool.
            torch.set_num_threads(1)
            probe = MemoryProbe(config.mmap_threshold)
            started = time.perf_counter()
            dist.init_process_group(
                "gloo",
                init_method=f"tcp://127.0.0.1:{port}",
                rank=rank,
                world_size=config.world_size,
                # at least a minute: the parent enforces timeout_seconds by killing the ranks,
                # so a short one reaches the caller as a timeout, not a rank's network error
                timeout=timedelta(seconds=max(config.timeout_seconds, 60.0)),
            )
            shard = config.shard_size or config.world_size
            mesh = init_device_mesh(
                "cpu",
                (config.world_size // shard, shard),
                mesh_dim_names=("replicate", "shard"),
            )
            result: dict[str, Any] = {"init_seconds": time.perf_counter() - started, "seeds": {}}
            _warm_up(config, probe, mesh, rank)
            result["warmup_seconds"] = time.perf_counter() - started - result["init_seconds"]

            def step() -> None:
                conn.send(("step", rank))

            shard_diff = full_diff = 0.0
            for seed in seeds:
                data = batches(config, seed, rank)
                records: dict[str, Any] = {}
                if rank == 0:
                    records["single"], model = phase(
                        "single", config, seed, data, probe, mesh, step
                    )
                    del model
                dist.barrier()
                records["ddp"], ddp = phase("ddp", config, seed, data, probe, mesh, step)
                ddp_params = [p.detach().clone() for p in ddp.module.parameters()]
                del ddp
                records["zero1"], zero = phase("zero1", config, seed, data, probe, mesh, step)
                del zero
                records["fsdp"], fsdp = phase("fsdp", config, seed, data, probe, mesh, step)
                # From scratch: FSDP2 shards dim 0 like torch.chunk; rank r's local tensor must
                # be chunk r of the full (DDP-trained) parameter, and the gathered whole match.
                shard_rank = mesh.get_local_rank("shard")
                for p, full in zip(fsdp.parameters(), ddp_params, strict=True):
                    mine = full.chunk(shard, dim=0)[shard_rank]
                    shard_diff = max(shard_diff, (p.to_local() - mine).abs().max().item())
                    full_diff = max(full_diff, (p.full_tensor() - full).abs().max().item())
                del fsdp, ddp_params
                result["seeds"][seed] = records
            result["shard_max_abs_diff"] = shard_diff
            result["param_max_abs_diff"] = full_diff
            result["seconds"] = time.perf_counter() - started
            usage = resource.getrusage(resource.RUSAGE_SELF)  # this rank since its fork
            result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
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


def start_method(config: Config) -> str:
    return config.start_method or ("forkserver" if sys.platform.startswith("linux") else "spawn")


def _context(method: str) -> multiprocessing.context.BaseContext:
    """The ranks' start method. "forkserver" forks every rank from one clean server process
    that has imported this module (torch included) once: the ranks start fast, and none
    inherits the malloc heap of a parent that has already run other labs (plain "fork" did:
    FSDP's held memory measured 1 MB more, 0.31 of one process's instead of 0.27, when the
    parent had run the reward-hacking lab first)."""
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload([__name__])
    return ctx


def run_distributed(
    config: Config, seeds: tuple[int, ...] = (0,), on_step: Callable[[], None] = lambda: None
) -> list[dict[str, Any]]:
    """Start ``world_size`` ranks, collect each rank's measurements (sorted by rank), and
    always reap them: on error or timeout the survivors are terminated, then killed."""
    if config.world_size < 1 or config.hidden % config.world_size or config.dim % config.world_size:
        raise ValueError(f"hidden and dim must be divisible by world_size={config.world_size}")
    shard = config.shard_size or config.world_size
    if config.world_size % shard:
        raise ValueError(f"shard_size={shard} must divide world_size={config.world_size}")
    ctx = _context(start_method(config))
    port = _free_port()
    processes, readers = [], []
    results: dict[int, dict[str, Any]] = {}
    try:
        for rank in range(config.world_size):
            reader, writer = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=_worker, args=(rank, config, seeds, port, writer), daemon=True
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
