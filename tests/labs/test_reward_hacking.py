"""The reward-hacking lab: the measured claims in fast mode, the reward models and their data
by hand, and broken set-ups that flip each verdict (an RM fitted without the loophole, a
penalised run that beats early stopping, the clean-RM verdict read on the hacked run)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from llmiq.labs import preference, reward_hacking
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport
from llmiq.labs.reward_hacking import CLEAN, HACKED, claims, reward_model, tuning
from llmiq.labs.reward_hacking.replicate import penalised, run_seed

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("reward-hacking")


@pytest.fixture(scope="module")
def seed_runs(one_torch_thread_in_module: None) -> list[reward_hacking.SeedRun]:
    """The fast configuration's replicate for seed 0, with every stage kept."""
    from llmiq.labs.context import seed_everything

    seed_everything(0)
    return [run_seed(reward_hacking.Config.fast(), 0, lambda _: None)]


def test_docstring_examples_hold(run_doctests: Callable) -> None:
    result = run_doctests(reward_hacking)
    assert result.attempted >= 6
    assert result.failed == 0


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported_with_an_interval_and_seeds(report: LabReport) -> None:
    assert report.lab == "reward-hacking"
    assert report.question == "reward-hacking"
    assert len(report.claims) == 5
    for claim in report.claims:
        assert claim.supported, claim.evidence
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.seeds == (0,)
        assert claim.measure
        assert any(claim.interval.format(f) in claim.evidence for f in (".1f", ".2f", ".3f"))


def test_the_stages_show_the_over_optimisation(report: LabReport) -> None:
    stages = report.metrics.stages
    before, peak, final = (stages[s] for s in ("before", f"{HACKED} peak", f"{HACKED} final"))
    # polite first (the true reward rises), then padded to the length limit
    assert peak["gold"][0] > before["gold"][0] + 0.3
    assert final["gold"][0] < peak["gold"][0] - 0.3
    assert final["proxy"][0] > peak["proxy"][0] + 1.0
    assert before["words"][0] < 8.5 < final["words"][0]
    assert final["words"][0] > 14
    assert final["kl"][0] > 10 * peak["kl"][0]
    # the clean RM's run ends polite and unpadded
    clean = stages[f"{CLEAN} final"]
    assert clean["gold"][0] > 0.9
    assert clean["words"][0] <= 8.5
    # the strongest penalty stays near the reference
    assert stages[f"{penalised(1.0)} final"]["kl"][0] < 2.0


def test_the_reward_models_learned_what_their_data_allow(report: LabReport) -> None:
    rms = report.metrics.reward_models
    proxy, clean = rms[HACKED], rms[CLEAN]
    assert proxy["data"] == "loophole"
    assert clean["data"] == "clean"
    # no loophole pair is longer than 8 words: the excess-length weight never moves from 0
    assert proxy["length_over_8_weight"] == [0.0]
    assert proxy["length_weight"][0] > 0.1  # length separates every pair: the RM pays for it
    assert clean["length_over_8_weight"][0] < -0.1  # padding costs, once the data show it
    assert proxy["held_out_accuracy"] == clean["held_out_accuracy"] == [1.0]
    assert proxy["prefers_padded"] == [1.0]
    assert clean["prefers_padded"] == [0.0]


def test_the_gao_fit_turns_down(report: LabReport) -> None:
    (fit,) = report.metrics.gao_fit
    assert fit["beta"] > 0
    assert fit["r2"] > 0.8
    assert report.tuning["rl_steps"].startswith("110: ")


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the reward model and its data by hand ---------------------------------------------------


def test_features_by_hand() -> None:
    world = preference.request_world(0)
    padded = world.vocab.encode("gladly , i i i i i i i i i i i i i i")  # 16 words, no <end>
    x = reward_model.features(world, [padded])[0]
    assert x[-2:].tolist() == [16.0, 8.0]  # length, and length beyond the longest reply (8)
    assert int(x[:-2].sum()) == 3  # presence: "gladly", ",", "i"
    assert world.gold(padded) == pytest.approx(1.0 - 0.8)


def test_the_fit_recovers_a_rule_it_can_express() -> None:
    """Pairs labelled by a known linear rule: the fitted weights rank like it."""
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(300, 4, generator=generator), torch.randn(300, 4, generator=generator)
    rule = torch.tensor([2.0, -1.0, 0.0, 0.5])
    first = (a @ rule > b @ rule)[:, None]
    chosen, rejected = torch.where(first, a, b), torch.where(first, b, a)
    w = reward_model.fit_bradley_terry(chosen, rejected, l2=1e-3)
    agree = ((chosen - rejected) @ w > 0).float().mean().item()
    assert agree > 0.95
    assert w[0] > abs(w[2])
    assert w[1] < -abs(w[2])


def test_the_two_data_sets() -> None:
    world = preference.request_world(0)
    g = torch.Generator().manual_seed(0)
    loophole = reward_model.loophole_pairs(world, 100, g)
    for chosen, rejected in loophole:
        assert world.gold(chosen) > world.gold(rejected)
        assert len(world.words(chosen)) > len(world.words(rejected))  # the confound
        assert len(world.words(chosen)) <= world.longest_reply
    clean = reward_model.clean_pairs(world, 200, g)
    assert all(world.gold(c) > world.gold(r) for c, r in clean)
    longest = [max(len(world.words(c)), len(world.words(r))) for c, r in clean]
    assert sum(n > world.longest_reply for n in longest) > 20  # padded replies appear
    assert sum(len(world.words(c)) < len(world.words(r)) for c, r in clean) > 20
    for concise, padded in reward_model.padding_pairs(world, 50, g):
        assert len(world.words(padded)) > world.longest_reply
        assert world.gold(concise) > world.gold(padded)


def test_rl_steps_is_what_the_tuning_rule_chose() -> None:
    stored = json.loads(tuning.PATH.read_text("utf-8"))
    assert stored["chosen"] == reward_hacking.Config().rl_steps
    assert stored["chosen"] == tuning.choose(stored["rows"])
    assert {row["seed"] for row in stored["rows"]} <= set(range(1000, 1010))


# --- broken set-ups flip the verdicts -----------------------------------------------------------


def test_an_rm_fitted_without_the_loophole_shows_no_hacking(tmp_path: Path) -> None:
    config = replace(reward_hacking.Config.fast(), loophole=False)
    broken = reward_hacking.run(config, LabContext(tmp_path, show_progress=False))
    hacking, validation, clean, *_ = broken.claims
    assert not hacking.supported, hacking.evidence
    assert "clean pairs" in hacking.evidence
    assert not validation.supported, validation.evidence  # it no longer prefers padding
    assert clean.supported, clean.evidence
    final = broken.metrics.stages[f"{HACKED} final"]
    assert final["gold"][0] > 0.8


def test_the_clean_verdict_fails_on_the_hacked_run(seed_runs: list) -> None:
    assert claims.clean_claim(seed_runs).supported
    assert not claims.clean_claim(seed_runs, run=HACKED).supported


def test_a_penalty_that_beat_early_stopping_would_flip_that_verdict(seed_runs: list) -> None:
    coefs = reward_hacking.Config.fast().kl_coefs
    assert claims.early_stopping_claim(seed_runs, coefs).supported
    repaired = copy.copy(seed_runs[0])
    repaired.stages = dict(repaired.stages)
    # as if the strongest penalty had ended where the clean RM's run did
    repaired.stages[f"{penalised(coefs[-1])} final"] = repaired.stages[f"{CLEAN} final"]
    assert not claims.early_stopping_claim([repaired], coefs).supported


def test_a_penalty_that_is_not_applied_does_not_bound_the_drift(seed_runs: list) -> None:
    coefs = reward_hacking.Config.fast().kl_coefs
    assert claims.kl_drift_claim(seed_runs, coefs).supported
    unpenalised = copy.copy(seed_runs[0])
    unpenalised.stages = dict(unpenalised.stages)
    unpenalised.stages[f"{penalised(coefs[-1])} final"] = unpenalised.stages[f"{HACKED} final"]
    claim = claims.kl_drift_claim([unpenalised], coefs)
    assert not claim.supported
    assert "does NOT always lower" in claim.evidence
