"""The sharding lab: peak and held memory per rank in a real 4-rank gloo run (FSDP 1/N, DDP a
full copy, ZeRO-1 saving exactly its Adam share), the tensor accounting, equal losses, FSDP's
local shard equal to torch.chunk of the full parameter, the ZeRO verdicts, the memory probe
itself, broken set-ups that flip the verdicts, and ranks that are always reaped."""

from __future__ import annotations

import copy
import doctest
import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from llmiq.labs import memory_model, sharding
from llmiq.labs.report import LabReport
from llmiq.labs.sharding import claims as sharding_claims

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

FAST = sharding.Config.fast()
#: one measured step after the first is enough for the memory verdicts; the mechanics
TWO_STEPS = replace(FAST, steps=2)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("sharding")


# --- the measured claims --------------------------------------------------------------------


def test_every_claim_is_supported_with_an_interval_and_seeds(report: LabReport) -> None:
    assert len(report.claims) == 9
    for claim in report.claims:
        assert claim.supported, claim.evidence
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.seeds == (0,)
        assert claim.measure
    assert report.lab == "sharding"
    assert report.question == "ddp-vs-fsdp"


def test_measured_memory_per_rank(report: LabReport) -> None:
    m = report.metrics
    assert m.world_size == 4
    mb, over = m.memory_mb, m.memory_over_single
    state = 4 * m.model_bytes_fp32 / 1e6  # params + grads + 2 Adam moments, fp32
    # RSS held between steps is the training state, within 2 MB (the honest-RSS set-up)
    assert mb["single"]["held"] == pytest.approx(state, abs=2.0)
    assert mb["fsdp"]["held"] == pytest.approx(state / 4, abs=2.0)
    assert mb["ddp"]["held"] == pytest.approx(state + m.model_bytes_fp32 / 1e6, abs=2.0)  # buckets
    # peaks: FSDP a fraction (its gather buffers on top of 1/N), DDP a full copy and more
    assert 0.25 < over["fsdp"]["peak"] < 0.5
    assert over["ddp"]["peak"] > 1.0
    assert over["fsdp"]["peak"] < over["zero1"]["peak"] < over["ddp"]["peak"]
    assert len(mb["ddp"]["peak_by_rank"]) == 4
    assert len(mb["single"]["peak_by_rank"]) == 1


def test_the_tensor_accounting_on_four_ranks(report: LabReport) -> None:
    m = report.metrics
    full = m.model_bytes_fp32
    assert full == m.model_params * 4
    tensors = 2 * (FAST.hidden_layers + 2)  # a weight and a bias per Linear
    for rank in m.ranks:
        ddp, fsdp = rank["ddp_bytes"], rank["fsdp_bytes"]
        assert ddp["params"] == ddp["grads"] == full
        # Adam: exp_avg + exp_avg_sq per parameter, plus one 4-byte step per tensor
        assert ddp["optimizer"] == 2 * full + 4 * tensors
        assert fsdp["params"] == fsdp["grads"] == full // 4
        assert fsdp["optimizer"] == full // 2 + 4 * tensors
    for part in sharding.PARTS:
        assert m.fsdp_over_ddp[part] == pytest.approx([0.25] * 4, abs=1e-4)


def test_zero1_partitions_adam_state_and_keeps_full_parameters_and_gradients(
    report: LabReport,
) -> None:
    ranks = report.metrics.ranks
    for rank in ranks:
        zero, ddp = rank["zero1_bytes"], rank["ddp_bytes"]
        assert (zero["params"], zero["grads"]) == (ddp["params"], ddp["grads"])
        assert 0 < zero["optimizer"] < ddp["optimizer"]
    assert sum(r["zero1_bytes"]["optimizer"] for r in ranks) == ranks[0]["ddp_bytes"]["optimizer"]


def test_losses_and_final_parameters_agree_and_the_shard_is_a_chunk(report: LabReport) -> None:
    m = report.metrics
    assert m.loss_max_abs_diff <= 1e-6
    assert m.param_max_abs_diff <= 1e-6
    assert m.shard_vs_chunk_max_abs_diff <= 1e-6
    assert len(m.ddp_losses_rank0) == FAST.steps
    assert all(0 < loss < 2 for loss in m.ddp_losses_rank0)
    assert m.worker_warnings == []


def test_report_carries_the_memory_model_and_a_png(report: LabReport) -> None:
    rows = report.metrics.memory_model
    assert {row["params"] for row in rows} == {1e9, 7e9, 70e9}
    ddp_7b = next(r for r in rows if r["params"] == 7e9 and r["strategy"] == "ddp")
    assert ddp_7b["total_gb"] == pytest.approx(112.0)
    assert not ddp_7b["fits"]
    assert "112" in report.key_figure
    assert report.figures
    for figure in report.figures:
        assert Path(figure).read_bytes()[:4] == b"\x89PNG"


# --- the memory probe and helpers checked directly --------------------------------------------


def test_the_memory_probe_sees_a_torch_tensor_come_and_go() -> None:
    """64 MB is above glibc's largest mmap threshold: mapped on allocation, unmapped on free,
    whatever malloc's settings (so this test leaves the test process's malloc alone)."""
    probe = sharding.MemoryProbe(mmap_threshold=0)
    probe.release()
    before = probe.rss()
    probe.reset_peak()
    assert probe.peak() == pytest.approx(before, abs=1e6)
    tensor = torch.ones(16_000_000)  # 64 MB, every page written
    grown = probe.rss() - before
    del tensor
    probe.release()
    assert grown == pytest.approx(64e6, rel=0.05)
    assert probe.peak() - before == pytest.approx(64e6, rel=0.05)
    assert probe.rss() - before < 2e6


def test_local_bytes_counts_plain_tensors_and_skips_missing_grads() -> None:
    assert sharding.local_bytes([torch.zeros(3, 4), None, torch.zeros(5, dtype=torch.float16)]) == (
        48 + 10
    )


def test_build_mlp_has_evenly_shardable_parameters() -> None:
    config = sharding.Config()
    model = sharding.build_mlp(config)
    n = sum(p.numel() for p in model.parameters())
    assert 3_000_000 < n < 5_000_000  # big enough that the state dominates RSS noise
    assert all(p.shape[0] % config.world_size == 0 for p in model.parameters())


def test_memory_model_worked_examples() -> None:
    assert doctest.testmod(memory_model).failed == 0
    gb = memory_model.GB
    assert memory_model.per_gpu_bytes(7e9, 1, "ddp") == 112 * gb
    assert memory_model.per_gpu_bytes(7e9, 8, "ddp") == 112 * gb  # DDP never divides
    assert memory_model.per_gpu_bytes(7e9, 8, "fsdp") == 14 * gb
    # ZeRO-1: 2 + 2 + 12/8 bytes per parameter; ZeRO-2: 2 + (2 + 12)/8
    assert memory_model.per_gpu_bytes(7e9, 8, "zero1") == pytest.approx(7e9 * 5.5)
    assert memory_model.per_gpu_bytes(7e9, 8, "zero2") == pytest.approx(7e9 * 3.75)
    assert memory_model.per_gpu_bytes(7e9, 8, "zero3") == memory_model.per_gpu_bytes(7e9, 8, "fsdp")
    assert not memory_model.fits(7e9, 8, "ddp", 80)
    assert memory_model.fits(7e9, 8, "fsdp", 80)
    assert not memory_model.fits(70e9, 8, "fsdp", 80)  # 140 GB: needs more GPUs
    assert memory_model.fits(70e9, 64, "fsdp", 80)
    with pytest.raises(ValueError, match="unknown strategy"):
        memory_model.per_gpu_bytes(7e9, 8, "tensor-parallel")


def test_memory_table_rows_and_text() -> None:
    rows = memory_model.memory_table([1e9, 7e9, 70e9], [1, 8, 64], 80)
    assert len(rows) == 3 * 3 * len(memory_model.TABLE_STRATEGIES)
    for row in rows:
        assert row["total_gb"] == pytest.approx(
            row["weights_gb"] + row["grads_gb"] + row["optimizer_gb"]
        )
        assert row["fits"] == (row["total_gb"] <= 80)
    text = memory_model.format_memory_table(memory_model.memory_table([7e9], [8], 80))
    lines = text.splitlines()
    assert "16 bytes/parameter" in lines[0]
    assert "DDP" in lines[2]
    assert "FSDP" in lines[2]
    assert lines[-1].split()[:2] == ["7B", "8"]
    assert "112.0 no" in lines[-1]
    assert "14.0 fits" in lines[-1]


def test_memory_model_does_not_import_torch() -> None:
    source = Path(memory_model.__file__).read_text("utf-8")
    assert "import torch" not in source
    assert "from torch" not in source


# --- broken set-ups flip the verdicts -----------------------------------------------------------


def test_shard_groups_of_one_rank_flip_the_fsdp_verdicts() -> None:
    """HSDP with shard groups of one rank (FSDP1's NO_SHARD) replicates like DDP: its memory
    per rank is a full copy, not 1/N."""
    ranks = sharding.run_distributed(replace(TWO_STEPS, shard_size=1), seeds=(0,))
    for claim in (sharding.fsdp_peak_claim(ranks), sharding.fsdp_state_claim(ranks)):
        assert not claim.supported, claim.evidence
        assert claim.interval.low > 0.9  # a full copy again
    rows = sharding_claims.byte_ranks(ranks)
    claim = sharding.fsdp_bytes_claim(rows, FAST.ratio_tolerance, (0,))
    assert not claim.supported
    assert "ratios params 1.000" in claim.evidence
    assert sharding.loss_claim(ranks, FAST.loss_tolerance).supported  # still the same maths


def test_one_rank_flips_the_sharding_verdicts() -> None:
    ranks = sharding.run_distributed(replace(TWO_STEPS, world_size=1), seeds=(0,))
    assert len(ranks) == 1
    rows = sharding_claims.byte_ranks(ranks)
    assert rows[0]["fsdp"] == rows[0]["ddp"]
    for claim in (
        sharding.fsdp_state_claim(ranks),
        sharding.fsdp_peak_claim(ranks),
        sharding.fsdp_bytes_claim(rows, FAST.ratio_tolerance, (0,)),
    ):
        assert not claim.supported, claim.evidence
        assert "one rank shards nothing" in claim.evidence
    assert rows[0]["zero1"] == rows[0]["ddp"]  # one rank owns every Adam tensor
    assert not sharding.zero1_bytes_claim(rows, ranks, FAST.ratio_tolerance).supported
    assert not sharding.zero1_saving_claim(ranks).supported


def _swap(ranks: list[dict], kind: str, into: str) -> list[dict]:
    """The measurements with ``kind``'s records filed as ``into``'s (a mislabelled run)."""
    swapped = copy.deepcopy(ranks)
    for rank in swapped:
        for records in rank["seeds"].values():
            records[into] = records[kind]
    return swapped


@pytest.fixture(scope="module")
def two_step_ranks() -> list[dict]:
    return sharding.run_distributed(TWO_STEPS, seeds=(0,))


def test_a_sharded_ddp_flips_the_full_copy_verdicts(two_step_ranks: list[dict]) -> None:
    ranks = two_step_ranks
    full = 4 * sum(p.numel() for p in sharding.build_mlp(FAST).parameters())
    assert sharding.ddp_peak_claim(ranks).supported
    assert sharding.ddp_bytes_claim(sharding_claims.byte_ranks(ranks), full, 0.01, (0,)).supported
    sharded = _swap(ranks, "fsdp", into="ddp")
    assert not sharding.ddp_peak_claim(sharded).supported
    assert not sharding.ddp_bytes_claim(
        sharding_claims.byte_ranks(sharded), full, 0.01, (0,)
    ).supported


def test_a_zero1_that_saves_nothing_flips_the_saving_verdict(two_step_ranks: list[dict]) -> None:
    ranks = two_step_ranks
    assert sharding.zero1_saving_claim(ranks).supported
    # ZeRO-1's tensor accounting with DDP's memory: the Adam bytes it drops never leave RSS
    unsaved = copy.deepcopy(ranks)
    for rank in unsaved:
        for records in rank["seeds"].values():
            records["zero1"] = {**records["ddp"], "bytes": records["zero1"]["bytes"]}
    claim = sharding.zero1_saving_claim(unsaved)
    assert not claim.supported
    assert claim.interval.estimate == pytest.approx(0.0, abs=0.05)


def test_drifted_losses_flip_the_loss_verdict(two_step_ranks: list[dict]) -> None:
    assert sharding.loss_claim(two_step_ranks, 1e-5).supported
    drifted = copy.deepcopy(two_step_ranks)
    for rank in drifted:
        for records in rank["seeds"].values():
            records["fsdp"]["losses"] = [x + 1e-3 for x in records["fsdp"]["losses"]]
    assert not sharding.loss_claim(drifted, 1e-5).supported


def test_a_strategy_that_does_not_shard_flips_the_memory_verdict() -> None:
    assert sharding.memory_claim(7e9, 8, 80, "fsdp").supported
    assert not sharding.memory_claim(7e9, 8, 80, "ddp").supported
    assert not sharding.memory_claim(70e9, 8, 80, "fsdp").supported  # 140 GB: too big for 8
    assert not sharding.memory_claim(1e9, 8, 80, "fsdp").supported  # DDP fits 1B: no contrast


# --- the ranks are always reaped ------------------------------------------------------------


def test_a_failing_rank_raises_with_its_traceback_and_leaves_no_process() -> None:
    with pytest.raises(RuntimeError, match="Invalid learning rate"):
        sharding.run_distributed(replace(TWO_STEPS, lr=-1.0), seeds=(0,))
    assert multiprocessing.active_children() == []


def test_a_timeout_terminates_the_ranks() -> None:
    with pytest.raises(TimeoutError, match="did not finish"):
        sharding.run_distributed(replace(TWO_STEPS, timeout_seconds=0.05), seeds=(0,))
    assert multiprocessing.active_children() == []


def test_configs_that_cannot_shard_evenly_are_refused() -> None:
    with pytest.raises(ValueError, match="divisible"):
        sharding.run_distributed(replace(TWO_STEPS, hidden=510), seeds=(0,))
    with pytest.raises(ValueError, match="must divide"):
        sharding.run_distributed(replace(TWO_STEPS, shard_size=3), seeds=(0,))
