"""The alignment lab: its measured claims in fast mode (each with its interval and seeds),
compute counted equal for DPO and RLHF, the win-rate-KL curve, the tuning record, the helpers
by hand, and broken set-ups that flip each verdict: labellers with the rule inverted or a coin
flip, RLHF on fewer replies than DPO, and a chosen-replies arm left untrained."""

from __future__ import annotations

import doctest
import random
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

import pytest

from llmiq.labs import alignment, preference
from llmiq.labs.alignment import tuning
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport, LabResult
from llmiq.labs.uncertainty import TUNING_SEEDS, Interval

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

METHODS = ("dpo", "rlhf", "augmented", "augmented_chosen", "chosen")


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("alignment")


def broken(tmp_path: Path, **changes: object) -> LabResult:
    """The lab in fast mode with ``changes`` to its config (one seed, seed 0)."""
    config = replace(alignment.Config.fast(), **changes)
    return alignment.run(config, LabContext(tmp_path, show_progress=False))


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(alignment)
    assert result.attempted >= 6
    assert result.failed == 0


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 5
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.lab == "alignment"
    assert report.question == "alignment-techniques"


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.interval.low < claim.interval.high  # sampled, not exact
        assert claim.seeds == report.seeds == (0,)
        assert claim.measure
        for value in (claim.interval.estimate, claim.interval.low, claim.interval.high):
            assert f"{abs(value):.3f}" in claim.evidence  # the interval, as "0.703 [0.679, ..."
        assert "8 items" in claim.interval.over  # the held-out requests


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    win, kl, shares = m.win_rate, m.kl_to_reference_nats, m.reply_shares
    # the reference against its own replies: 0.5 up to sampling noise, KL exactly 0
    assert win["reference"] == pytest.approx(0.5, abs=0.05)
    assert kl["reference"] == pytest.approx(0.0, abs=1e-6)
    assert 0.3 < shares["reference"]["polite"] < 0.7
    # the ceiling: an always-polite policy against a reference polite about half the time
    assert 0.7 < m.ceiling["estimate"] < 0.8
    for method in ("dpo", "rlhf", "augmented_chosen", "chosen"):
        assert win[method] <= m.ceiling["ci"][1] + 0.02  # nothing beats the ceiling
        assert shares[method]["rude"] < shares["reference"]["rude"] / 2
        assert 0.05 < kl[method] < 20
    # augmentation without labels changes the model but not towards the rule
    assert kl["augmented"] > 0.5
    assert abs(shares["augmented"]["polite"] - shares["augmented"]["rude"]) < 0.2
    for method_shares in shares.values():
        assert sum(method_shares.values()) == pytest.approx(1.0, abs=3e-4)  # rounded to 4
    assert min(m.reward_model_held_out_accuracy) >= 0.9
    assert m.dpo_loss_vs_torch_abs_error < 1e-6
    assert m.final_losses["sft"] < 0.4  # the reference learnt its six replies
    assert m.preference_pairs == 9 * m.train_requests
    assert m.augmented_peak["steps"] in alignment.Config.fast().checkpoints
    low, high = m.augmented_peak["ci"]
    assert low <= m.augmented_peak["estimate"] <= high
    assert m.augmented_peak["estimate"] >= win["augmented"] - 1e-4  # the highest checkpoint
    assert m.torch_threads_used == 1
    for method in METHODS:
        low, high = m.win_rate_ci[method]
        assert low <= win[method] <= high
        gain = (win[method] - 0.5) / (m.ceiling["estimate"] - 0.5)
        assert m.share_of_achievable_gain[method] == pytest.approx(gain, abs=1e-3)


def test_dpo_and_rlhf_are_counted_at_equal_compute(report: LabReport) -> None:
    config = alignment.Config.fast()
    compute = report.metrics.compute
    assert report.metrics.equal_compute
    for method in METHODS:  # every method: the same updates on the same number of replies
        assert compute[method]["policy_updates"] == config.steps
        assert compute[method]["policy_sequences"] == config.steps * 2 * config.pairs_per_step
    # DPO draws its pairs, the reward model as many; RLHF also samples what it learns from
    assert compute["dpo"]["labelled_pairs"] == compute["rlhf"]["labelled_pairs"]
    assert compute["dpo"]["labelled_pairs"] == config.steps * config.pairs_per_step
    assert compute["rlhf"]["reward_model_updates"] == config.steps
    assert compute["rlhf"]["sampled_replies"] == compute["rlhf"]["policy_sequences"]
    assert compute["dpo"]["sampled_replies"] == compute["dpo"]["reward_model_updates"] == 0


def test_the_curve_has_every_checkpoint_and_ends_at_the_result(report: LabReport) -> None:
    config = alignment.Config.fast()
    m = report.metrics
    for method in ("dpo", "rlhf"):  # and the supervised arms: the whole curve ends at the result
        points = [p for p in m.curve if p["method"] == method]
        assert [p["steps"] for p in points] == list(config.checkpoints)
        assert points[-1]["win_rate"] == pytest.approx(m.win_rate_by_seed[method][0], abs=1e-4)
        assert points[-1]["kl"] == pytest.approx(m.kl_to_reference_nats[method], abs=1e-3)
        assert all(p["kl"] > 0.05 for p in points)  # the policy has left the reference
    for method in ("augmented", "augmented_chosen", "chosen"):  # measured at the same steps
        assert [p["steps"] for p in m.curve if p["method"] == method] == list(config.checkpoints)


def test_tuning_is_recorded_and_was_done_on_tuning_seeds_only(report: LabReport) -> None:
    stored = tuning.tuned()
    assert set(stored["seeds"]) <= set(TUNING_SEEDS)
    assert not set(stored["seeds"]) & set(report.seeds)
    config = alignment.Config()
    for name, value in stored["chosen"].items():  # the defaults are what tuning chose
        assert getattr(config, name) == value, name
        assert getattr(alignment.Config.fast(), name) == value, name
    for grid in tuning.GRIDS.values():
        assert {f.name for f in fields(config)} >= set(grid)
        for name in grid:
            assert report.tuning[tuning.LABELS[name]].startswith(f"{getattr(config, name):g}: best")
    assert config.beta in config.curve_betas
    assert config.kl_coef in config.curve_kl_coefs


def test_tuning_breaks_ties_towards_the_lower_kl() -> None:
    rows = [
        {"lr": 1, "win_rate": 0.75, "kl": 5.0},
        {"lr": 2, "win_rate": 0.745, "kl": 0.7},  # tied with the best
        {"lr": 3, "win_rate": 0.70, "kl": 0.1},  # not tied
    ]
    assert tuning.choose(rows)["lr"] == 2
    with pytest.raises(ValueError, match="tuning seeds"):
        tuning.measure_grid(alignment.Config.fast(), seeds=(0,))


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- helpers ----------------------------------------------------------------------------------


def test_win_rate_and_ceiling_by_hand() -> None:
    # request 0: always polite vs half polite, half rude -> 1/2 * 0.5 + 1/2 * 1 = 0.75
    # request 1: always rude vs always polite -> 0
    assert alignment.win_rate_by_request({0: [1], 1: [-1]}, {0: [1, -1], 1: [1]}) == 0.375
    assert alignment.win_rates_by_request({0: [1], 1: [-1]}, {0: [1, -1], 1: [1]}) == [0.75, 0]
    same = {0: [1, -1, 0], 1: [1, 1, -1]}
    assert alignment.win_rate_by_request(same, same) == pytest.approx(0.5)
    # the ceiling is the always-polite policy's win-rate: 1 - P(ref polite) / 2
    reference = {0: [1, -1, 0, -1], 1: [1, 1, 1, 1]}
    ceiling = alignment.ceiling_by_request(reference)
    assert ceiling == [1 - 0.25 / 2, 0.5]
    always_polite = {0: [1] * 3, 1: [1] * 3}
    assert alignment.win_rates_by_request(always_polite, reference) == ceiling


def test_augmented_data_with_and_without_the_preference_signal() -> None:
    world = preference.request_world(0)
    pairs = world.preference_pairs(world.train_requests)
    kwargs = {"copies": 4, "seed": 0}
    _, both = alignment.augmented_data(pairs, world.vocab, chosen_only=False, **kwargs)
    _, chosen = alignment.augmented_data(pairs, world.vocab, chosen_only=True, **kwargs)
    assert len(both) == 2 * len(chosen) == 2 * 5 * len(pairs)
    # each reply contributes itself and four variants; no dropped or swapped word changes
    # its kind, so the labels-ignored data stay 50/50 and the chosen data all polite
    both_scores = [world.judge(r) for r in both]
    assert both_scores.count(1) == both_scores.count(-1) == len(both) // 2
    assert {world.judge(r) for r in chosen} == {1}
    _, swapped = alignment.augmented_data(
        alignment.swapped(pairs), world.vocab, chosen_only=True, **kwargs
    )
    assert {world.judge(r) for r in swapped} == {-1}
    # the labels-ignored data do not depend on the labels at all
    unlabelled = alignment.augmented_data(
        alignment.swapped(pairs), world.vocab, chosen_only=False, **kwargs
    )
    assert unlabelled[1] == both
    rng = random.Random(1)
    reply = ["sure", ",", "happy", "to", "help", "."]
    changed = sum(alignment.augment(reply, rng) != reply for _ in range(50))
    assert changed > 25


def test_labellers() -> None:
    world = preference.request_world(0)
    pairs = world.preference_pairs(world.train_requests)
    assert alignment.labelled(pairs, "rule", 0) == pairs
    assert all(world.judge(p.chosen) == -1 for p in alignment.labelled(pairs, "swapped", 0))
    coin = [world.judge(p.chosen) for p in alignment.labelled(pairs, "shuffled", 0)]
    assert 0.4 < coin.count(1) / len(coin) < 0.6
    with pytest.raises(ValueError, match="rule, swapped, shuffled"):
        alignment.labelled(pairs, "random", 0)


def _outcome(label: str, low: float, high: float, compute: alignment.Compute | None = None):
    shares = {"polite": 0.9, "rude": 0.05, "neither": 0.05}
    win = Interval((low + high) / 2, low, high, "3 seeds x 8 items")
    return alignment.Outcome(
        label, win, 1.0, shares, compute or alignment.Compute(64, 4096, 0, 2048)
    )


def test_claims_follow_the_thresholds_on_the_interval() -> None:
    ceiling = Interval(0.75, 0.74, 0.76)
    rlhf = _outcome("RLHF", 0.7, 0.8, alignment.Compute(64, 4096, 64, 2048, 4096))
    seeds = (0, 1, 2)
    assert alignment.moves_claim(_outcome("DPO", 0.61, 0.7), rlhf, ceiling, seeds).supported
    assert not alignment.moves_claim(_outcome("DPO", 0.59, 0.7), rlhf, ceiling, seeds).supported
    # the same win-rate at a smaller budget than RLHF's is not the claim
    fewer = _outcome("DPO", 0.61, 0.7, alignment.Compute(16, 1024, 0, 512))
    claim = alignment.moves_claim(fewer, rlhf, ceiling, seeds)
    assert not claim.supported
    assert "NOT the same" in claim.evidence
    # RLHF needs a faithful reward model on every seed
    dpo = _outcome("DPO", 0.61, 0.7)
    assert alignment.moves_claim(rlhf, dpo, ceiling, seeds, reward_accuracy=[1.0, 0.95]).supported
    assert not alignment.moves_claim(rlhf, dpo, ceiling, seeds, [1.0, 0.5]).supported
    peak = (16, Interval(0.53, 0.5, 0.56))
    assert alignment.augmentation_claim(_outcome("aug", 0.45, 0.54), dpo, peak, seeds).supported
    assert not alignment.augmentation_claim(_outcome("aug", 0.45, 0.56), dpo, peak, seeds).supported
    augmented = _outcome("aug", 0.45, 0.54)
    assert alignment.chosen_claim(_outcome("ch", 0.65, 0.7), augmented, seeds).supported
    assert not alignment.chosen_claim(_outcome("ch", 0.55, 0.7), augmented, seeds).supported
    chosen = _outcome("ch", 0.7, 0.75)
    for gain, supported in (
        (Interval(0.0, -0.03, 0.04), True),
        (Interval(0.05, 0.02, 0.08), False),
    ):
        claim = alignment.augmentation_gain_claim(gain, chosen, chosen, (8, 64), seeds)
        assert claim.supported is supported


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_swapped_preferences_flip_dpo_rlhf_and_the_chosen_replies(tmp_path: Path) -> None:
    result = broken(tmp_path, labels="swapped")
    dpo, rlhf, augmentation, chosen, _ = result.claims
    assert not dpo.supported, dpo.evidence
    assert not rlhf.supported, rlhf.evidence
    assert not chosen.supported, chosen.evidence
    for method in ("dpo", "rlhf", "augmented_chosen", "chosen"):
        assert result.metrics.win_rate[method] < 0.5
    assert max(result.metrics.reward_model_held_out_accuracy) < 0.1
    assert augmentation.supported  # it never used the labels


def test_shuffled_preferences_do_not_beat_the_reference(tmp_path: Path) -> None:
    result = broken(tmp_path, labels="shuffled")
    dpo, rlhf, _, chosen, _ = result.claims
    assert not dpo.supported, dpo.evidence
    assert not rlhf.supported, rlhf.evidence
    assert not chosen.supported, chosen.evidence
    for method in ("dpo", "rlhf", "augmented_chosen", "chosen"):
        assert result.metrics.win_rate[method] < 0.6


def test_rlhf_on_fewer_replies_than_dpo_is_not_equal_compute(tmp_path: Path) -> None:
    result = broken(tmp_path, episodes_per_step=32)
    dpo, rlhf, *_ = result.claims
    assert not result.metrics.equal_compute
    assert result.metrics.compute["rlhf"]["policy_sequences"] == 32 * 64
    for claim in (dpo, rlhf):
        assert not claim.supported
        assert "NOT the same" in claim.evidence


def test_an_untrained_chosen_arm_makes_augmentation_look_like_it_aligns(tmp_path: Path) -> None:
    result = broken(tmp_path, chosen_lr=1e-6)
    gain = result.claims[4]
    assert not gain.supported, gain.evidence
    assert gain.interval is not None
    assert gain.interval.low > 0.05
    assert result.claims[3].supported  # the augmented chosen replies still align
