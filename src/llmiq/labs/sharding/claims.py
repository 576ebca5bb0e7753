"""The sharding lab's verdicts. The measured ones (RSS per rank) are decided on 95% intervals
over seeds x (ranks x steps); the tensor accounting, the loss agreement and the ZeRO memory
model are exact and say so (``exact``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llmiq.labs import memory_model
from llmiq.labs.report import Claim
from llmiq.labs.sharding.config import FULL_COPY, PEAK_FACTOR, SAVING_TOLERANCE, STATE_TOLERANCE
from llmiq.labs.sharding.workers import PARTS
from llmiq.labs.uncertainty import Interval, exact, nested_interval

Ranks = list[dict[str, Any]]  # run_distributed's results, one per rank


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def seeds_of(ranks: Ranks) -> list[int]:
    return list(ranks[0]["seeds"])


def measured(ranks: Ranks, kind: str, key: str, seed: int) -> list[list[float]]:
    """Per rank, ``key`` ("peak" or "held", bytes) at each step after the first (which
    allocates Adam's state) of strategy ``kind``."""
    return [r["seeds"][seed][kind][key][1:] for r in ranks if kind in r["seeds"][seed]]


def single(ranks: Ranks, key: str, seed: int) -> float:
    """One process alone (rank 0): mean ``key`` over its steps after the first."""
    (values,) = measured(ranks, "single", key, seed)
    return sum(values) / len(values)


def ratio_interval(ranks: Ranks, item: Callable[[int, int, int], float], over: str) -> Interval:
    """Nested interval over seeds of ``item(seed, rank, step)`` for every rank and measured step."""
    seeds = seeds_of(ranks)
    steps = len(ranks[0]["seeds"][seeds[0]]["ddp"]["peak"]) - 1
    groups = [[item(seed, r, t) for r in range(len(ranks)) for t in range(steps)] for seed in seeds]
    return nested_interval(groups, seed=seeds[0], over=f"{len(seeds)} seeds x {over}")


def _share(ranks: Ranks, kind: str, key: str) -> Interval:
    """``kind``'s ``key`` memory per rank and step over one process's, as an interval."""

    def item(seed: int, r: int, t: int) -> float:
        return ranks[r]["seeds"][seed][kind][key][t + 1] / single(ranks, key, seed)

    return ratio_interval(ranks, item, f"{len(ranks)} ranks x steps")


def _mean_mb(ranks: Ranks, kind: str, key: str) -> str:
    values = [
        v for seed in seeds_of(ranks) for row in measured(ranks, kind, key, seed) for v in row
    ]
    return _mb(sum(values) / len(values))


# --- measured: memory per rank -------------------------------------------------------------------


def fsdp_state_claim(ranks: Ranks) -> Claim:
    """Between steps, an FSDP rank holds 1/N (+- STATE_TOLERANCE) of the memory one process
    training alone holds: the sharded parameters, gradients and Adam state."""
    n = len(ranks)
    held = _share(ranks, "fsdp", "held")
    return Claim.on_interval(
        f"FSDP: between steps each of N={n} ranks holds about 1/N of the training memory of one "
        "process training alone (measured RSS)",
        held,
        measure="RSS held by an FSDP rank after a step, over one process's (ranks x steps)",
        evidence=f"held after a step, above the RSS before the model was built: FSDP "
        f"{_mean_mb(ranks, 'fsdp', 'held')} per rank vs one process "
        f"{_mean_mb(ranks, 'single', 'held')}: {held.format('.3f')} (1/N = {1 / n:.3f}, "
        f"needs within +-{STATE_TOLERANCE})" + ("" if n >= 2 else "; one rank shards nothing"),
        seeds=seeds_of(ranks),
        above=1 / n - STATE_TOLERANCE,
        below=1 / n + STATE_TOLERANCE,
        also=n >= 2,
    )


def fsdp_peak_claim(ranks: Ranks) -> Claim:
    """FSDP's peak per rank during a step — all-gathered units, unsharded gradients before the
    reduce-scatter, activations and Adam's temporaries included — stays below PEAK_FACTOR/N of
    one process's peak."""
    n = len(ranks)
    peak = _share(ranks, "fsdp", "peak")
    gather = [
        p - h
        for seed in seeds_of(ranks)
        for rp, rh in zip(
            measured(ranks, "fsdp", "peak", seed),
            measured(ranks, "fsdp", "held", seed),
            strict=True,
        )
        for p, h in zip(rp, rh, strict=True)
    ]
    return Claim.on_interval(
        f"FSDP: each rank's peak memory during a step, gather buffers included, is a fraction "
        f"of one process's, within {PEAK_FACTOR:g}x of the ideal 1/N (N={n})",
        peak,
        measure="peak RSS of an FSDP rank during a step, over one process's (ranks x steps)",
        evidence=f"peak during a step: FSDP {_mean_mb(ranks, 'fsdp', 'peak')} per rank vs one "
        f"process {_mean_mb(ranks, 'single', 'peak')}: {peak.format('.3f')} (needs below "
        f"{PEAK_FACTOR:g}/N = {PEAK_FACTOR / n:.3f}); the step's transient buffers (peak - held) "
        f"add {_mb(sum(gather) / len(gather))} per rank"
        + ("" if n >= 2 else "; one rank shards nothing"),
        seeds=seeds_of(ranks),
        below=PEAK_FACTOR / n,
        also=n >= 2,
    )


def ddp_peak_claim(ranks: Ranks) -> Claim:
    """Every DDP rank peaks at no less than FULL_COPY of one process's peak: a full copy."""
    peak = _share(ranks, "ddp", "peak")
    return Claim.on_interval(
        "DDP keeps a full copy on every rank: each rank's peak memory is that of one process "
        "training alone, or more (measured RSS)",
        peak,
        measure="peak RSS of a DDP rank during a step, over one process's (ranks x steps)",
        evidence=f"peak during a step: DDP {_mean_mb(ranks, 'ddp', 'peak')} per rank vs one "
        f"process {_mean_mb(ranks, 'single', 'peak')}: {peak.format('.3f')} (needs above "
        f"{FULL_COPY}); held after a step {_mean_mb(ranks, 'ddp', 'held')} vs "
        f"{_mean_mb(ranks, 'single', 'held')}: DDP adds its gradient buckets, a flat copy of "
        f"the gradients ({_mb(ranks[0]['seeds'][seeds_of(ranks)[0]]['ddp']['bytes']['grads'])})",
        seeds=seeds_of(ranks),
        above=FULL_COPY,
    )


def zero1_saving_claim(ranks: Ranks) -> Claim:
    """What ZeRO-1 saves on a rank, measured (DDP's RSS held - ZeRO-1's), equals the Adam
    state that rank no longer holds by the tensor accounting (1 +- SAVING_TOLERANCE)."""

    def dropped(r: int, seed: int) -> int:
        rank = ranks[r]["seeds"][seed]
        return rank["ddp"]["bytes"]["optimizer"] - rank["zero1"]["bytes"]["optimizer"]

    if any(dropped(r, s) <= 0 for r in range(len(ranks)) for s in seeds_of(ranks)):
        saving = exact(0.0, "nothing dropped: every rank holds all of Adam's state")
    else:

        def item(seed: int, r: int, t: int) -> float:
            rank = ranks[r]["seeds"][seed]
            saved = rank["ddp"]["held"][t + 1] - rank["zero1"]["held"][t + 1]
            return saved / dropped(r, seed)

        saving = ratio_interval(ranks, item, f"{len(ranks)} ranks x steps")
    first = seeds_of(ranks)[0]
    drops = ", ".join(_mb(dropped(r, first)) for r in range(len(ranks)))
    return Claim.on_interval(
        "ZeRO stage 1 saves exactly the Adam state it shards away: the measured memory a rank "
        "saves against DDP is the optimizer state it no longer holds",
        saving,
        measure="RSS saved by a ZeRO-1 rank against DDP, over the Adam bytes it dropped",
        evidence=f"held after a step: ZeRO-1 {_mean_mb(ranks, 'zero1', 'held')} per rank vs DDP "
        f"{_mean_mb(ranks, 'ddp', 'held')}; Adam bytes dropped by rank {drops} (whole tensors "
        f"per rank, so uneven); measured saving over dropped bytes {saving.format('.3f')} "
        f"(needs 1 +- {SAVING_TOLERANCE}): parameters and gradients stay whole",
        seeds=seeds_of(ranks),
        above=1 - SAVING_TOLERANCE,
        below=1 + SAVING_TOLERANCE,
    )


# --- exact: the tensor accounting, the losses, the ZeRO memory model ------------------------------


def byte_ranks(ranks: Ranks) -> list[dict[str, dict[str, int]]]:
    """Per rank, bytes held by strategy at the end of the first seed's run (the same for every
    seed: shapes do not depend on it)."""
    seed = seeds_of(ranks)[0]
    return [
        {kind: rec["bytes"] for kind, rec in r["seeds"][seed].items() if kind != "single"}
        for r in ranks
    ]


def fsdp_ratios(rows: Sequence[dict[str, dict[str, int]]]) -> dict[str, list[float]]:
    """Per part, FSDP bytes / DDP bytes on each rank."""
    return {part: [r["fsdp"][part] / r["ddp"][part] for r in rows] for part in PARTS}


def fsdp_bytes_claim(
    rows: Sequence[dict[str, dict[str, int]]], tolerance: float, seeds: Sequence[int]
) -> Claim:
    """FSDP holds 1/N of DDP's bytes of each part on every rank, with N >= 2 ranks (one rank
    shards nothing, so it saves nothing)."""
    n = len(rows)
    ratios = fsdp_ratios(rows)
    worst = max((x for values in ratios.values() for x in values), key=lambda x: abs(x - 1 / n))
    r0 = rows[0]
    held = "/".join(_mb(r0["fsdp"][p]) for p in PARTS)
    full = "/".join(_mb(r0["ddp"][p]) for p in PARTS)
    shown = ", ".join(f"{p} {ratios[p][0]:.3f}" for p in PARTS)
    return Claim.on_interval(
        f"FSDP's tensors: each rank holds 1/N of the parameters, gradients and Adam state (N={n})",
        exact(worst, "exact: bytes of the tensors each rank holds"),
        measure="FSDP bytes / DDP bytes, the part and rank furthest from 1/N",
        evidence=f"rank 0 holds {held} (params/grads/Adam) under FSDP vs {full} under DDP: "
        f"ratios {shown}; 1/N = {1 / n:.3f}, furthest over ranks {worst:.4f} (allowed +-"
        f"{tolerance}); exact counts" + ("" if n >= 2 else "; one rank shards nothing"),
        seeds=seeds,
        above=1 / n - tolerance,
        below=1 / n + tolerance,
        also=n >= 2,
    )


def ddp_bytes_claim(
    rows: Sequence[dict[str, dict[str, int]]],
    full_bytes: int,
    tolerance: float,
    seeds: Sequence[int],
) -> Claim:
    """Every DDP rank holds the whole model: params and grads = full size, Adam = 2x."""
    ratios = [r["ddp"]["params"] / full_bytes for r in rows]
    ratios += [r["ddp"]["grads"] / full_bytes for r in rows]
    ratios += [r["ddp"]["optimizer"] / (2 * full_bytes) for r in rows]
    worst = max(ratios, key=lambda x: abs(x - 1))
    r0 = rows[0]["ddp"]
    return Claim.on_interval(
        "DDP's tensors: every rank holds a full copy of parameters, gradients and Adam state",
        exact(worst, "exact: bytes of the tensors each rank holds"),
        measure="DDP bytes over the full model's (Adam: over twice it), furthest from 1",
        evidence=f"the model is {_mb(full_bytes)} in fp32; each of {len(rows)} DDP ranks holds "
        f"{_mb(r0['params'])} of params, {_mb(r0['grads'])} of grads and "
        f"{_mb(r0['optimizer'])} of Adam state (momentum + variance + step counters); furthest "
        f"ratio {worst:.4f} (allowed 1 +- {tolerance}); exact counts",
        seeds=seeds,
        above=1 - tolerance,
        below=1 + tolerance,
    )


def zero1_bytes_claim(
    rows: Sequence[dict[str, dict[str, int]]], ranks: Ranks, tolerance: float
) -> Claim:
    """ZeRO-1 keeps DDP's full parameters and gradients on every rank, splits Adam's state
    among the ranks (whole tensors, so the shares are uneven), and trains the same model."""
    n = len(rows)
    full = all(r["zero1"][p] == r["ddp"][p] for r in rows for p in ("params", "grads"))
    shares = [r["zero1"]["optimizer"] / r["ddp"]["optimizer"] for r in rows]
    diff = loss_gap(ranks, "zero1")
    return Claim.on_interval(
        "ZeRO stage 1's tensors: every rank keeps full parameters and gradients and a share of "
        "the Adam state, the shares adding up to one copy",
        exact(sum(shares), "exact: bytes of the tensors each rank holds"),
        measure="sum over ranks of each rank's Adam bytes over DDP's",
        evidence=f"ZeroRedundancyOptimizer on {n} ranks: params and grads "
        f"{'equal' if full else 'differ from'} DDP's on every rank; Adam state per rank "
        f"{', '.join(f'{x:.2f}' for x in shares)} of DDP's (sum {sum(shares):.3f}; whole "
        f"tensors are assigned to ranks, so 1/N only roughly); losses within {diff:.1e} of "
        f"DDP's; exact counts. Per GPU with mixed-precision Adam: 4 + 12/N bytes per parameter",
        seeds=seeds_of(ranks),
        above=1 - tolerance,
        below=1 + tolerance,
        also=n >= 2 and full and max(shares) < 1 - tolerance and diff <= 1e-5,
    )


def loss_gap(ranks: Ranks, kind: str) -> float:
    """max |loss_DDP - loss_kind| over ranks, seeds and steps."""
    return max(
        abs(a - b)
        for r in ranks
        for rec in r["seeds"].values()
        for a, b in zip(rec["ddp"]["losses"], rec[kind]["losses"], strict=True)
    )


def loss_claim(ranks: Ranks, tolerance: float) -> Claim:
    """DDP and FSDP see the same data from the same start and compute the same losses."""
    diff = loss_gap(ranks, "fsdp")
    steps = len(ranks[0]["seeds"][seeds_of(ranks)[0]]["ddp"]["losses"])
    params = max(r["param_max_abs_diff"] for r in ranks)
    return Claim.on_interval(
        "DDP and FSDP train the same model: the loss curves agree",
        exact(diff, "exact: the largest difference over every rank, seed and step"),
        measure="max |loss_DDP - loss_FSDP| over ranks, seeds and steps",
        evidence=f"max |loss_DDP - loss_FSDP| over {len(ranks)} ranks x {len(seeds_of(ranks))} "
        f"seeds x {steps} steps = {diff:.2e} (allowed {tolerance:g}); final parameters differ by "
        f"at most {params:.2e}",
        seeds=seeds_of(ranks),
        below=tolerance + 1e-12,
    )


def memory_claim(
    params: float,
    gpus: int,
    gpu_mem_gb: float,
    sharded_strategy: str = "fsdp",
    seeds: Sequence[int] = (),
) -> Claim:
    """The ZeRO model's verdict: DDP cannot hold ``params`` on one GPU; the sharded strategy
    over ``gpus`` GPUs can (before activations)."""
    ddp = memory_model.per_gpu_bytes(params, gpus, "ddp") / memory_model.GB
    sharded = memory_model.per_gpu_bytes(params, gpus, sharded_strategy) / memory_model.GB
    ddp_fits = memory_model.fits(params, gpus, "ddp", gpu_mem_gb)
    name = memory_model.STRATEGIES[sharded_strategy].name
    size = memory_model.format_params(params)
    return Claim.on_interval(
        f"DDP cannot fit a {size} model's training state in {gpu_mem_gb:g} GB GPUs; "
        f"{name} over {gpus} GPUs can",
        exact(sharded, "exact: closed form, 16 bytes per parameter"),
        measure=f"GB per GPU under {name} over {gpus} GPUs, before activations",
        evidence=f"16 bytes/parameter: DDP needs {ddp:.1f} GB per GPU "
        f"({'fits' if ddp_fits else 'does not fit'}), {name} over {gpus} GPUs {sharded:.1f} GB "
        f"in {gpu_mem_gb:g} GB, before activations (closed form, no sampling)",
        seeds=seeds,
        below=gpu_mem_gb,
        also=not ddp_fits,
    )
