"""Intervals the labs decide their verdicts on: they cover the truth about as often as they
say, widen with the spread between runs, and seeds for tuning are never reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from llmiq.errors import LlmiqError
from llmiq.labs.report import Claim
from llmiq.labs.runner import run_lab
from llmiq.labs.uncertainty import (
    TUNING_SEEDS,
    Interval,
    bootstrap_interval,
    exact,
    nested_interval,
    paired_interval,
    seeds_for,
)


def test_the_module_examples(run_doctests: Callable) -> None:
    from llmiq.labs import uncertainty

    failed, attempted = run_doctests(uncertainty)
    assert attempted >= 5
    assert failed == 0


def test_a_95_percent_interval_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    trials = 120
    covered = 0
    for t in range(trials):
        interval = bootstrap_interval(rng.exponential(2.0, size=60), seed=t, resamples=600)
        covered += interval.low < 2.0 < interval.high
    assert 0.86 <= covered / trials <= 0.99


def test_an_interval_is_wider_with_fewer_items_and_contains_its_estimate() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(0.5, 0.2, size=400)
    small, large = bootstrap_interval(values[:25]), bootstrap_interval(values)
    assert small.high - small.low > 2 * (large.high - large.low)
    for interval in (small, large):
        assert interval.low <= interval.estimate <= interval.high
    assert large.over == "400 values"


def test_a_constant_sample_has_a_point_interval_and_bad_samples_are_refused() -> None:
    point = bootstrap_interval([0.25] * 10)
    assert point == Interval(0.25, 0.25, 0.25, "10 values")
    assert exact(12).low == exact(12).high == 12.0
    with pytest.raises(ValueError, match="non-empty"):
        bootstrap_interval([])
    with pytest.raises(ValueError, match="non-finite"):
        bootstrap_interval([1.0, float("nan")])
    with pytest.raises(ValueError, match="differ in shape"):
        paired_interval([1.0, 2.0], [1.0])


def test_a_statistic_flat_on_every_jackknife_sample_still_gets_an_interval() -> None:
    values = [1.0] * 30 + [2.0]  # the median is 1 with any one value left out: BCa is 0/0
    interval = bootstrap_interval(values, statistic="median")  # pytest: warnings are errors
    assert (interval.estimate, interval.low, interval.high) == (1.0, 1.0, 1.0)


def test_pairing_removes_the_spread_the_items_share() -> None:
    rng = np.random.default_rng(3)
    difficulty = rng.normal(0, 1.0, size=80)  # items differ a lot; the gain is small
    before = difficulty + rng.normal(0, 0.05, size=80)
    after = difficulty + 0.1 + rng.normal(0, 0.05, size=80)
    assert paired_interval(after, before).above(0)
    unpaired = bootstrap_interval(after).low - bootstrap_interval(before).high
    assert unpaired < 0  # compared as two separate means, the gain drowns in item spread


def test_the_nested_interval_carries_the_spread_between_seeds() -> None:
    rng = np.random.default_rng(5)
    runs = [rng.normal(offset, 0.1, size=100) for offset in (0.0, 0.5, 1.0)]
    nested = nested_interval(runs)
    pooled = bootstrap_interval(np.concatenate(runs))
    assert nested.over == "3 seeds x 100 items"
    assert (nested.high - nested.low) > 3 * (pooled.high - pooled.low)
    assert nested_interval(runs[:1]).over == "1 seeds x 100 items"


def test_a_claim_is_decided_on_its_interval_not_its_estimate() -> None:
    straddles = Interval(0.04, -0.01, 0.09, "12 prompts")
    claim = Claim.on_interval("gain", straddles, measure="gain", evidence="", seeds=[0], above=0)
    assert not claim.supported  # the estimate is above 0; the interval is not
    clear = Interval(0.04, 0.02, 0.06)
    assert Claim.on_interval("g", clear, measure="g", evidence="", seeds=[0], above=0).supported
    assert not Claim.on_interval(
        "g", clear, measure="g", evidence="", seeds=[0], above=0, below=0.05
    ).supported
    assert not Claim.on_interval(
        "g", clear, measure="g", evidence="", seeds=[0], above=0, also=False
    ).supported
    with pytest.raises(ValueError, match="needs a threshold"):
        Claim.on_interval("g", clear, measure="g", evidence="", seeds=[0])
    data = Claim.on_interval("g", clear, measure="g", evidence="e", seeds=(0, 1, 2), above=0)
    assert data.to_dict()["ci"] == [0.02, 0.06]
    assert data.to_dict()["seeds"] == [0, 1, 2]


def test_tuning_seeds_are_never_reported(tmp_path: Path) -> None:
    assert seeds_for(997, 3) == (997, 998, 999)
    with pytest.raises(ValueError, match="kept for choosing"):
        seeds_for(998, 3)
    with pytest.raises(LlmiqError, match="1000-1009 are kept"):
        run_lab("subword", seed=TUNING_SEEDS.start - 1, out_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # refused before anything ran


@pytest.mark.slow
def test_the_cli_runs_and_reports_the_seeds_asked_for(run_cli: Callable, tmp_path: Path) -> None:
    import json

    result = run_cli(
        "lab", "run", "subword", "--fast", "--seed", "4", "--seeds", "2", "--format", "json",
        "--out", str(tmp_path),
    )  # fmt: skip
    report = json.loads(result.output)
    assert report["seed"] == 4
    assert report["seeds"] == [4, 5]
    refused = run_cli("lab", "run", "subword", "--seed", "999", "--out", str(tmp_path / "no"))
    assert refused.exit_code == 1
    assert "kept for choosing the labs' hyperparameters" in refused.output
    assert not (tmp_path / "no").exists()


def test_the_terminal_shows_an_interval_and_says_when_a_value_is_exact() -> None:
    from llmiq.labs.view import interval_line

    measured = Claim("t", True, "e", "net TV", Interval(0.0156, 0.0104, 0.0209, "3 seeds"), (0, 1))
    assert interval_line(measured) == (
        "net TV: 0.0156 [0.0104, 0.0209] (95% interval over 3 seeds; seeds 0, 1)"
    )
    counted = Claim("t", True, "e", "max error", exact(9.5e-07, "exact: a maximum"), (0,))
    assert interval_line(counted) == "max error: 9.5e-07 (exact: a maximum; seeds 0)"
