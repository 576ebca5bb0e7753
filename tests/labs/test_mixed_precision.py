"""The mixed-precision lab: the formats against IEEE 754, the from-scratch loss scaler
against torch.amp.GradScaler, the measured claims in fast mode, and broken set-ups that flip
each verdict."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from llmiq.labs import mixed_precision as mp
from llmiq.labs import tinylm
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; several tests train a model

#: a couple of seconds: the mechanics, not a good model
TINY = replace(
    mp.Config.fast(),
    block_size=16,
    corpus_chars=20_000,
    steps=20,
    batch_size=8,
    growth_interval=4,
    rounding_samples=5_000,
)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("mixed-precision")


def _data() -> torch.Tensor:
    return torch.tensor(tinylm.encode(mp.experiment.stdlib_corpus(20_000)))


# --- formats --------------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(mp)
    assert result.attempted >= 3
    assert result.failed == 0


def test_formats_are_ieee_754_binary16_and_bfloat16() -> None:
    table = mp.format_table(["float32", "float16", "bfloat16"])
    fp16, bf16, fp32 = table["float16"], table["bfloat16"], table["float32"]
    assert fp16["max"] == (2 - 2**-10) * 2**15 == 65504
    assert fp16["tiny"] == 2**-14
    assert fp16["smallest_subnormal"] == 2**-24
    assert fp16["eps"] == 2**-10
    assert bf16["eps"] == 2**-7
    assert fp16["mantissa_bits"] == 10
    assert bf16["mantissa_bits"] == 7
    assert bf16["tiny"] == fp32["tiny"] == 2**-126
    assert bf16["max"] == (2 - 2**-7) * 2**127


def test_casts_by_hand() -> None:
    probes = mp.cast_probes([7e4, 3e-5, 1e-8, 1.0], ["float16", "bfloat16"])
    assert probes["70000"] == {"float16": "inf", "bfloat16": "normal"}
    assert probes["3e-05"] == {"float16": "subnormal", "bfloat16": "normal"}
    assert probes["1e-08"] == {"float16": "0", "bfloat16": "normal"}
    assert probes["1"] == {"float16": "normal", "bfloat16": "normal"}


def test_rounding_error_follows_the_mantissa_bits() -> None:
    values = mp.in_range_values(20_000, torch.Generator().manual_seed(0))
    assert values.abs().min() >= 1e-3
    assert values.abs().max() <= 1e3
    fp16, bf16 = mp.rounding_error(values, "float16"), mp.rounding_error(values, "bfloat16")
    # round to nearest: relative error <= eps / 2, about eps / 4 on average (log-uniform)
    assert fp16 <= 2**-11
    assert bf16 <= 2**-8
    assert 6 < bf16 / fp16 < 10
    assert mp.rounding_error(values, "float32") < 1e-7


def test_overflow_examples_and_the_exp_threshold() -> None:
    assert mp.exp_overflow_threshold("float16") == pytest.approx(math.log(65504))
    assert math.isinf(float(torch.exp(torch.tensor(12.0).half())))
    assert math.isfinite(float(torch.exp(torch.tensor(11.0).half())))
    generator = torch.Generator().manual_seed(0)
    examples = mp.overflow_examples(4096, 5.0, "bfloat16", generator)
    assert all(e["finite"] for e in examples.values())
    assert all(e["relative_error"] < 2**-6 for e in examples.values())
    assert examples["sum_of_squares"]["fp32"] > 65504


def test_accumulation_stalls_in_bf16() -> None:
    assert mp.accumulate(1.0, 1e-3, 100, "bfloat16") == 1.0
    assert mp.accumulate(1.0, 1e-3, 100, "float32") == pytest.approx(1.1, abs=1e-5)
    assert 1.09 < mp.accumulate(1.0, 1e-3, 100, "float16") < 1.1


# --- gradients and loss scaling -------------------------------------------------------------


def test_underflow_shares_by_hand() -> None:
    values = torch.tensor([1.0, 1e-5, 1e-6, 1e-9, 1e-10, 0.0])
    shares = mp.underflow(values, "float16")
    assert shares["zero"] == pytest.approx(2 / 5)
    assert shares["subnormal"] == pytest.approx(2 / 5)
    assert mp.underflow(values, "bfloat16")["underflow"] == 0.0
    scaled = mp.underflow(values, "float16", scale=2.0**16)
    assert scaled["zero"] == 0.0
    assert scaled["overflow"] == pytest.approx(1 / 5)


def test_store_in_fp16_overflows_and_flushes() -> None:
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.tensor([1e5, 1e-9, 0.1])
    mp.store_in_fp16([p])
    assert math.isinf(p.grad[0])
    assert p.grad[1] == 0.0
    assert p.grad[2] == torch.tensor(0.1).half().float()


def test_scaled_backward_divided_by_s_is_the_gradient() -> None:
    """The lab measures S * g / S: for S a power of two that is g, bit for bit."""
    torch.manual_seed(0)
    model = tinylm.GPT(tinylm.GPTConfig(block_size=16))
    x, y = tinylm.batches(_data(), 16, 4, torch.Generator().manual_seed(0))
    loss = F.cross_entropy(model(x).view(-1, 256), y.view(-1))
    plain = torch.autograd.grad(loss, list(model.parameters()), retain_graph=True)
    scaled = torch.autograd.grad(loss * 2.0**20, list(model.parameters()))
    for a, b in zip(plain, scaled, strict=True):
        assert torch.equal(a, b / 2.0**20)


def test_our_scaler_makes_grad_scaler_s_choices() -> None:
    """Same run, same schedule: the same scale at every step, the same skipped steps and the
    same weights, with a schedule unlike the lab's (growth 4, back-off 1/4)."""
    data = _data()
    logs, models = [], []
    settings = {
        "init_scale": 2.0**26,
        "growth_factor": 4.0,
        "backoff_factor": 0.25,
        "growth_interval": 3,
    }
    for scaler in (
        mp.DynamicLossScaler(settings["init_scale"], 4.0, 0.25, 3),
        torch.amp.GradScaler("cpu", **settings),
    ):
        torch.manual_seed(0)
        model = tinylm.GPT(tinylm.GPTConfig(block_size=16))
        logs.append(
            mp.train_scaled(
                model,
                data,
                steps=25,
                batch_size=4,
                lr=3e-3,
                scaler=scaler,
                generator=torch.Generator().manual_seed(1),
            )
        )
        models.append(model)
    ours, theirs = logs
    assert ours.skipped
    assert len(set(ours.scales)) > 2
    assert ours.scales == theirs.scales
    assert ours.skipped == theirs.skipped
    for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
        assert torch.equal(a, b)


def test_a_scaler_that_never_skips_would_poison_the_weights() -> None:
    """Why the check matters: stepping with an inf gradient makes the weights NaN."""
    torch.manual_seed(0)
    model = tinylm.GPT(tinylm.GPTConfig(block_size=16))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = tinylm.batches(_data(), 16, 4, torch.Generator().manual_seed(0))
    (F.cross_entropy(model(x).view(-1, 256), y.view(-1)) * 2.0**30).backward()
    mp.store_in_fp16(model.parameters())
    optimizer.step()
    assert not all(bool(torch.isfinite(p).all()) for p in model.parameters())


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert report.lab == "mixed-precision"
    assert report.question == "bf16-vs-fp16"
    assert len(report.claims) == 5
    for claim in report.claims:
        assert claim.supported, claim.evidence


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    range_, gradients, scaling, overflow, precision = report.claims
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.measure, claim.text
        assert claim.seeds == report.seeds == (0,), claim.text
    for exact_claim in (range_, overflow):
        assert exact_claim.interval.low == exact_claim.interval.high
        assert exact_claim.interval.over.startswith("exact")
    for sampled in (gradients, scaling, precision):
        assert sampled.interval.low < sampled.interval.high, sampled.text
        assert "95% interval" in sampled.evidence
    assert gradients.interval.low > 0.01
    assert scaling.interval.low > 0.9


def test_two_seeds_are_nested_in_every_interval(tmp_path: Path) -> None:
    result = mp.run(TINY, LabContext(tmp_path, show_progress=False, replicates=2))
    for claim in result.claims:
        assert claim.seeds == (0, 1), claim.text
    assert result.claims[1].interval.over.startswith("2 seeds x ")
    first, second = result.metrics.gradient_underflow_by_seed
    assert first != second  # other weights, other batches
    assert result.metrics.vs_grad_scaler["same_scales"]  # the first seed, replayed


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    assert m.formats["fp16"]["max"] == 65504
    shares = m.gradient_underflow
    assert shares["fp16"]["all_underflow"] > 0.01
    assert shares["bf16"]["all_underflow"] == 0.0
    assert shares["fp16_scaled"]["all_underflow"] < 0.1 * shares["fp16"]["all_underflow"]
    assert m.vs_grad_scaler["same_scales"]
    assert m.vs_grad_scaler["same_skipped_steps"]
    assert m.vs_grad_scaler["max_abs_weight_diff"] == 0.0
    assert m.loss_scaler["overflow_steps"] > 0  # started too high, backed off
    assert m.train_loss_first_last[1] < m.train_loss_first_last[0]
    assert 7 < m.rounding["bf16_over_fp16"] < 9
    assert m.accumulation["bf16"] == 1.0
    assert Path(report.figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_gives_the_same_report(tmp_path: Path) -> None:
    first, second = (
        mp.run(TINY, LabContext(tmp_path / name, show_progress=False))
        for name in ("first", "second")
    )
    assert first.metrics.gradient_underflow == second.metrics.gradient_underflow
    assert first.metrics.scale_by_step == second.metrics.scale_by_step


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_a_loss_scale_of_one_leaves_the_underflow(tmp_path: Path) -> None:
    honest = mp.run(TINY, LabContext(tmp_path / "honest", show_progress=False))
    assert honest.claims[2].supported, honest.claims[2].evidence
    broken = mp.run(
        replace(TINY, init_scale=1.0, dynamic_scaling=False),
        LabContext(tmp_path / "broken", show_progress=False),
    )
    scaling = broken.claims[2]
    assert not scaling.supported
    shares = broken.metrics.gradient_underflow
    assert shares["fp16_scaled"]["all_underflow"] == shares["fp16"]["all_underflow"] > 0
    assert broken.metrics.vs_grad_scaler == {}


def test_fp16_in_bf16_s_place_flips_range_gradients_overflow_and_precision(tmp_path: Path) -> None:
    broken = mp.run(replace(TINY, wide_dtype="float16"), LabContext(tmp_path, show_progress=False))
    range_, gradients, scaling, overflow, precision = broken.claims
    assert not range_.supported
    assert not gradients.supported
    assert not overflow.supported
    assert not precision.supported
    assert scaling.supported  # fp16 loss scaling itself is not affected


def test_a_static_scale_too_large_skips_every_step(tmp_path: Path) -> None:
    """2^24 kept fixed: every step overflows and is skipped, nothing is rescued or learnt."""
    broken = mp.run(replace(TINY, dynamic_scaling=False), LabContext(tmp_path, show_progress=False))
    scaling = broken.claims[2]
    assert not scaling.supported
    assert scaling.interval.over == "no measured step was applied"
    assert broken.metrics.loss_scaler["overflow_steps"] == TINY.steps
    assert broken.claims[1].supported  # the unscaled gradients underflow all the same


def _rows(values: list[list[float]]) -> list[list[dict[str, float]]]:
    return [[{"all_underflow": v} for v in seed] for seed in values]


def test_the_gradient_verdict_follows_the_interval() -> None:
    means = {
        "fp16": {
            "weights_zero": 0.0,
            "weights_subnormal": 0.0,
            "activations_zero": 0.0,
            "activations_subnormal": 0.0,
            "all_underflow": 0.02,
        },
        "bf16": {"all_underflow": 0.0},
    }
    seeds = (0, 1, 2)
    steady = {"fp16": _rows([[0.2, 0.21, 0.19, 0.2]] * 3), "bf16": _rows([[0.0] * 4] * 3)}
    assert mp.gradient_claim(means, steady, 0.01, seeds).supported
    small = {"fp16": _rows([[0.005, 0.004, 0.006, 0.005]] * 3), "bf16": steady["bf16"]}
    assert not mp.gradient_claim(means, small, 0.01, seeds).supported  # too small to matter
    # a mean of 2% that is one seed's outlier: the interval reaches below 1%
    outlier = {"fp16": _rows([[0.0, 0.0, 0.0, 0.0], [0.0] * 4, [0.06] * 4]), "bf16": steady["bf16"]}
    claim = mp.gradient_claim(means, outlier, 0.01, seeds)
    assert not claim.supported
    assert claim.interval.estimate == pytest.approx(0.02)
    one_step = {"fp16": steady["fp16"], "bf16": _rows([[0.0, 0.0, 1e-6, 0.0]] + [[0.0] * 4] * 2)}
    assert not mp.gradient_claim(means, one_step, 0.01, seeds).supported
