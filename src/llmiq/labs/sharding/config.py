"""The sharding lab's configuration: the full run, and the seconds-long ``fast()`` one. Every
setting was fixed before measuring (nothing here was tuned)."""

from __future__ import annotations

from dataclasses import dataclass

# What the measured verdicts ask of the 95% intervals (fixed before measuring).
STATE_TOLERANCE = 0.05  # FSDP's memory held between steps within 1/N +- this, of one process's
FULL_COPY = 0.9  # DDP's peak per rank at least this share of one process's: nothing sharded
PEAK_FACTOR = 2.0  # FSDP's peak per rank, gather buffers included, below this x 1/N
SAVING_TOLERANCE = 0.1  # ZeRO-1's measured saving within 1 +- this of the Adam bytes it drops


@dataclass
class Config:
    world_size: int = 4  # ranks (processes) in the gloo group, on this machine's 2 cores
    shard_size: int | None = None  # ranks an FSDP shard group spans; None = all of them (full
    #                                shard); 1 = replicate everywhere (HSDP that shards nothing,
    #                                FSDP1's NO_SHARD)
    dim: int = 256  # MLP input and output width
    hidden: int = 768  # MLP hidden width (divisible by world_size: even shards)
    hidden_layers: int = 6  # hidden -> hidden Linear layers: 8 FSDP units, 3.9M parameters,
    #                         63 MB of fp32 training state (4 + 4 + 8 bytes per parameter)
    batch: int = 32  # examples per rank per step (global batch = batch x world_size)
    steps: int = 4  # Adam steps per strategy and seed; the first allocates Adam's state and
    #                 is left out of the memory intervals
    lr: float = 1e-3  # Adam learning rate
    mmap_threshold: int = 65536  # glibc's M_MMAP_THRESHOLD pinned in every rank, so a freed
    #                              tensor goes back to the OS and RSS follows live memory
    #                              (0: malloc's default, which keeps freed buffers; see workers)
    ratio_tolerance: float = 0.01  # allowed |FSDP bytes / DDP bytes - 1/N| (tensor accounting)
    loss_tolerance: float = 1e-5  # allowed max |loss_DDP - loss_FSDP| over ranks and steps
    timeout_seconds: float = 300.0  # the workers are killed if they have not reported by then
    start_method: str | None = None  # None: "forkserver" on Linux (ranks forked from one
    #                                  clean process that imported torch once), else "spawn"
    model_params: tuple[float, ...] = (1e9, 7e9, 70e9)  # memory model: model sizes
    model_gpus: tuple[int, ...] = (1, 8, 64)  # memory model: GPU counts
    gpu_mem_gb: float = 80.0  # memory model: one GPU's memory (A100/H100 80 GB)
    sharded_strategy: str = "fsdp"  # memory model: the strategy said to fit 7B on 8 GPUs
    verdict_model: tuple[float, int] = (7e9, 8)  # (params, GPUs) of that verdict

    @classmethod
    def fast(cls) -> Config:
        return cls(hidden=512, hidden_layers=4, steps=3)
