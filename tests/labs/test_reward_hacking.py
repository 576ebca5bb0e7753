"""The reward-hacking lab: the measured claims in fast mode, the rewards by hand, and a reward
without a loophole flipping the hacking verdict."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from llmiq.labs import preference, reward_hacking
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("reward-hacking")


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(reward_hacking)
    assert result.attempted >= 2
    assert result.failed == 0


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 3
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.lab == "reward-hacking"
    assert report.question == "reward-hacking"


def test_the_curves_have_the_over_optimisation_shape(report: LabReport) -> None:
    m = report.metrics
    hacked = m.runs["proxy"]
    # before RL, length and the true reward agree
    assert m.proxy_gold_correlation_reference > 0.5
    # the gold reward first rises with the proxy, then falls while the proxy keeps rising
    assert hacked["gold_peak"] > hacked["gold_start"] + 0.2
    assert hacked["gold_final"] < hacked["gold_peak"] - 0.2
    assert hacked["proxy_final"] > hacked["proxy_at_gold_peak"] + 0.5
    assert hacked["kl_final"] > 10 * hacked["kl_at_gold_peak"]
    curves = m.curves["proxy"]
    assert curves["kl"][0] == pytest.approx(0.0, abs=1e-6)  # the first samples are the reference's
    assert max(curves["proxy"]) == pytest.approx(curves["proxy"][-1], abs=0.05)
    # the penalised run and the run on the true reward stay high
    penalised = m.runs[f"proxy + KL penalty {m.kl_coefs[0]:g}"]
    assert penalised["kl_final"] < hacked["kl_final"] / 5
    assert penalised["gold_final"] > hacked["gold_final"] + 0.2
    assert m.runs["gold reward"]["gold_final"] > 0.8


def test_the_samples_show_the_hack(report: LabReport) -> None:
    samples = report.metrics.samples
    before, peak, after = samples["before"], samples["at_gold_peak"], samples["after"]
    assert before["mean_words"] < peak["mean_words"] < after["mean_words"]
    assert after["mean_words"] > 12  # padded towards the 16-token limit
    assert after["mean_gold"] < peak["mean_gold"]
    assert after["mean_proxy"] > peak["mean_proxy"]
    for stage in (before, peak, after):
        assert len(stage["shown"]) == 4
        assert all(s["request"].startswith("can you ") for s in stage["shown"])
    evidence = report.claims[0].evidence
    assert repr(after["most_common"]) in evidence
    assert repr(before["most_common"]) in evidence


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the rewards and the verdict helpers by hand -----------------------------------------------


def test_rewards_by_hand() -> None:
    world = preference.request_world(0)
    polite = world.vocab.encode("gladly , i will happily start now . <end>")
    rude = world.vocab.encode("no way ! <end>")
    padded = world.vocab.encode("gladly , i i i i i i i i i i i i i i")  # 16 words, no <end>
    assert reward_hacking.length_proxy(world, polite) == 1.0
    assert reward_hacking.length_proxy(world, rude) == 3 / 8
    assert reward_hacking.length_proxy(world, padded) == 2.0
    assert world.gold(polite) == 1.0
    assert world.gold(rude) == -1.0
    assert world.gold(padded) == pytest.approx(1.0 - 0.8)
    rewards = reward_hacking.rewards(world, loophole=False)
    assert rewards["proxy"] is rewards["gold"]


def _curve(name: str, proxy: list[float], gold: list[float], kl: list[float]):
    return reward_hacking.Curve(name, proxy, gold, kl, {})


def test_hacking_claim_needs_both_the_fall_and_the_rise() -> None:
    samples = {"before": {"most_common": "a", "most_common_share": 1.0}}
    hack = _curve("proxy", [0.5, 1.0, 2.0], [0.0, 0.9, 0.1], [0.0, 2.0, 50.0])
    assert reward_hacking.hacking_claim(hack, True, samples).supported
    honest = _curve("proxy", [0.0, 0.9, 1.0], [0.0, 0.9, 1.0], [0.0, 2.0, 3.0])
    assert not reward_hacking.hacking_claim(honest, False, samples).supported
    stalled = _curve("proxy", [0.5, 1.0, 1.0], [0.0, 0.9, 0.1], [0.0, 2.0, 3.0])
    assert not reward_hacking.hacking_claim(stalled, True, samples).supported


def test_kl_claim_needs_the_kl_to_fall_and_some_gold_kept() -> None:
    hack = _curve("proxy", [0.5, 1.0, 2.0], [0.0, 0.9, 0.1], [0.0, 2.0, 50.0])
    held = _curve("penalised", [0.5, 0.9, 1.0], [0.0, 0.9, 0.9], [0.0, 1.0, 1.5])
    weak = _curve("weak", [0.5, 1.0, 2.0], [0.0, 0.9, 0.0], [0.0, 2.0, 20.0])
    assert reward_hacking.kl_penalty_claim(hack, [(0.03, weak), (0.3, held)]).supported
    # a penalty that is not applied: the same run again does not stay closer
    assert not reward_hacking.kl_penalty_claim(hack, [(0.3, hack)]).supported
    # closer, but no gold kept
    assert not reward_hacking.kl_penalty_claim(hack, [(0.03, weak)]).supported
    # coefficients out of order cannot show a trend
    assert not reward_hacking.kl_penalty_claim(hack, [(0.3, held), (0.03, weak)]).supported


# --- a broken set-up flips the verdict ----------------------------------------------------------


def test_a_reward_without_a_loophole_shows_no_hacking(tmp_path: Path) -> None:
    config = replace(reward_hacking.Config.fast(), loophole=False)
    broken = reward_hacking.run(config, LabContext(tmp_path, show_progress=False))
    hacking, *_ = broken.claims
    assert not hacking.supported, hacking.evidence
    assert "no loophole" in hacking.evidence
    run = broken.metrics.runs["proxy"]
    assert run["gold_final"] > run["gold_peak"] - 0.1  # optimising the true reward keeps it
    assert run["gold_final"] > 0.8
