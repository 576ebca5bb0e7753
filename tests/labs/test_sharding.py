"""The sharding lab: bytes per rank in a real gloo run (DDP full copies, FSDP 1/N), equal
losses, FSDP's local shard equal to torch.chunk of the full parameter, the ZeRO verdicts,
broken inputs that flip them, and ranks that are always reaped."""

from __future__ import annotations

import doctest
import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from llmiq.labs import memory_model, sharding
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

#: one step is enough to fill grads and Adam state; the mechanics, not the curve
ONE_STEP = replace(sharding.Config.fast(), steps=1)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("sharding")


# --- the measured claims --------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 5
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.supported
    assert report.lab == "sharding"
    assert report.question == "ddp-vs-fsdp"


def test_fsdp_holds_half_and_ddp_a_full_copy_on_each_of_two_ranks(report: LabReport) -> None:
    m = report.metrics
    assert m.world_size == 2
    full = m.model_bytes_fp32
    assert full == m.model_params * 4
    assert len(m.ranks) == 2
    for rank in m.ranks:
        ddp, fsdp = rank["ddp_bytes"], rank["fsdp_bytes"]
        assert ddp["params"] == ddp["grads"] == full
        # Adam: exp_avg + exp_avg_sq per parameter, plus one 4-byte step per tensor (6 here)
        assert ddp["optimizer"] == 2 * full + 4 * 6
        assert fsdp["params"] == fsdp["grads"] == full // 2
        assert fsdp["optimizer"] == full + 4 * 6
    for part in sharding.PARTS:
        assert m.fsdp_over_ddp[part] == pytest.approx([0.5, 0.5], abs=1e-4)


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
    assert len(m.ddp_losses_rank0) == sharding.Config.fast().steps
    assert all(0 < loss < 2 for loss in m.ddp_losses_rank0)
    assert m.worker_warnings == []


def test_report_carries_the_memory_model_and_a_png(report: LabReport) -> None:
    rows = report.metrics.memory_model
    sizes = {row["params"] for row in rows}
    assert sizes == {1e9, 7e9, 70e9}
    ddp_7b = next(r for r in rows if r["params"] == 7e9 and r["strategy"] == "ddp")
    assert ddp_7b["total_gb"] == pytest.approx(112.0)
    assert not ddp_7b["fits"]
    assert "112" in report.key_figure
    assert report.figures
    for figure in report.figures:
        assert Path(figure).read_bytes()[:4] == b"\x89PNG"


# --- helpers checked directly ---------------------------------------------------------------


def test_local_bytes_counts_plain_tensors_and_skips_missing_grads() -> None:
    assert sharding.local_bytes([torch.zeros(3, 4), None, torch.zeros(5, dtype=torch.float16)]) == (
        48 + 10
    )


def test_build_mlp_has_evenly_shardable_parameters() -> None:
    config = sharding.Config()
    model = sharding.build_mlp(config)
    n = sum(p.numel() for p in model.parameters())
    assert 2_000_000 < n < 5_000_000  # "a few M parameters"
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


# --- broken inputs flip the verdicts --------------------------------------------------------


def test_shard_groups_of_one_rank_flip_the_fsdp_verdict() -> None:
    """HSDP with shard groups of one rank replicates like DDP: ratio 1, not 1/N."""
    config = replace(ONE_STEP, shard_size=1)
    ranks = sharding.run_distributed(config, seed=0)
    claim = sharding.fsdp_claim(ranks, config.ratio_tolerance)
    assert not claim.supported
    assert "ratios params 1.000" in claim.evidence
    assert sharding.loss_claim(ranks, config.loss_tolerance).supported  # still the same maths


def test_one_rank_flips_the_fsdp_verdict() -> None:
    config = replace(ONE_STEP, world_size=1)
    ranks = sharding.run_distributed(config, seed=0)
    assert len(ranks) == 1
    assert ranks[0]["fsdp"] == ranks[0]["ddp"]
    claim = sharding.fsdp_claim(ranks, config.ratio_tolerance)
    assert not claim.supported
    assert "one rank shards nothing" in claim.evidence
    assert ranks[0]["zero1"] == ranks[0]["ddp"]  # one rank owns every Adam tensor
    assert not sharding.zero1_claim(ranks, config.ratio_tolerance).supported


def test_other_broken_measurements_flip_their_verdicts(report: LabReport) -> None:
    ranks = [
        {"ddp": rank["ddp_bytes"], "fsdp": rank["fsdp_bytes"]} for rank in report.metrics.ranks
    ]
    full = report.metrics.model_bytes_fp32
    assert sharding.ddp_claim(ranks, full, 0.01).supported
    assert not sharding.ddp_claim(ranks, 2 * full, 0.01).supported  # a sharded "DDP"
    losses = report.metrics.ddp_losses_rank0
    same = [{"ddp_losses": losses, "fsdp_losses": losses, "param_max_abs_diff": 0.0}]
    drifted = [{**same[0], "fsdp_losses": [x + 1e-3 for x in losses]}]
    assert sharding.loss_claim(same, 1e-5).supported
    assert not sharding.loss_claim(drifted, 1e-5).supported


def test_a_strategy_that_does_not_shard_flips_the_memory_verdict() -> None:
    assert sharding.memory_claim(7e9, 8, 80, "fsdp").supported
    assert not sharding.memory_claim(7e9, 8, 80, "ddp").supported
    assert not sharding.memory_claim(70e9, 8, 80, "fsdp").supported  # 140 GB: too big for 8
    assert not sharding.memory_claim(1e9, 8, 80, "fsdp").supported  # DDP fits 1B: no contrast


# --- the ranks are always reaped ------------------------------------------------------------


def test_a_failing_rank_raises_with_its_traceback_and_leaves_no_process() -> None:
    with pytest.raises(RuntimeError, match="Invalid learning rate"):
        sharding.run_distributed(replace(ONE_STEP, lr=-1.0), seed=0)
    assert multiprocessing.active_children() == []


def test_a_timeout_terminates_the_ranks() -> None:
    with pytest.raises(TimeoutError, match="did not finish"):
        sharding.run_distributed(replace(ONE_STEP, timeout_seconds=0.05), seed=0)
    assert multiprocessing.active_children() == []


def test_configs_that_cannot_shard_evenly_are_refused() -> None:
    with pytest.raises(ValueError, match="divisible"):
        sharding.run_distributed(replace(ONE_STEP, hidden=511), seed=0)
    with pytest.raises(ValueError, match="must divide"):
        sharding.run_distributed(replace(ONE_STEP, shard_size=3), seed=0)
