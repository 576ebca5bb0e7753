"""The alignment lab: its measured claims in fast mode, the helpers by hand, and a labeller with
the rule inverted flipping the DPO and RLHF verdicts."""

from __future__ import annotations

import doctest
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from llmiq.labs import alignment, preference
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("alignment")


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(alignment)
    assert result.attempted >= 2
    assert result.failed == 0


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 3
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.lab == "alignment"
    assert report.question == "alignment-techniques"


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    win, kl, shares = m.win_rate, m.kl_to_reference_nats, m.reply_shares
    # the reference against its own replies: 0.5 up to sampling noise, KL exactly 0
    assert win["reference"] == pytest.approx(0.5, abs=0.04)
    assert kl["reference"] == pytest.approx(0.0, abs=1e-6)
    assert 0.3 < shares["reference"]["polite"] < 0.7
    assert shares["reference"]["neither"] < 0.05
    # DPO and RLHF move towards the polite replies and away from the reference
    for method in ("dpo", "rlhf"):
        assert win[method] >= 0.6
        assert shares[method]["rude"] < shares["reference"]["rude"] / 2
        assert 0.1 < kl[method] < 20
    assert shares["rlhf"]["polite"] > 0.9
    # augmentation changes the model but not towards the rule
    assert kl["augmentation"] > 0.1
    assert abs(shares["augmentation"]["polite"] - shares["augmentation"]["rude"]) < 0.2
    for method_shares in shares.values():
        assert sum(method_shares.values()) == pytest.approx(1.0)
    assert m.reward_model_held_out_accuracy >= 0.9
    assert m.dpo_loss_vs_torch_abs_error < 1e-6
    assert m.final_losses["sft"] < 0.4  # the reference learnt its six replies
    assert m.preference_pairs == 9 * m.train_requests
    assert m.torch_threads_used == 1


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- helpers ----------------------------------------------------------------------------------


def test_win_rate_by_request_by_hand() -> None:
    # request 0: always polite vs half polite, half rude -> 1/2 * 0.5 + 1/2 * 1 = 0.75
    # request 1: always rude vs always polite -> 0
    assert alignment.win_rate_by_request({0: [1], 1: [-1]}, {0: [1, -1], 1: [1]}) == 0.375
    same = {0: [1, -1, 0], 1: [1, 1, -1]}
    assert alignment.win_rate_by_request(same, same) == pytest.approx(0.5)


def test_augmented_data_is_balanced_and_carries_no_preference() -> None:
    world = preference.request_world(0)
    prompts, responses = alignment.augmented_data(world, copies=4, seed=0)
    assert len(prompts) == len(responses) == 36 * 6 * 5
    originals = [preference.REPLIES[k] for k in ("polite", "rude")]
    # each template reply contributes its five variants: the kinds stay 50/50 by construction
    polite = [world.vocab.response_text(r) for r in responses[::5][:3]]
    assert polite == list(originals[0])
    rng = random.Random(1)
    reply = ["sure", ",", "happy", "to", "help", "."]
    changed = sum(alignment.augment(reply, rng) != reply for _ in range(50))
    assert changed > 25


def test_claims_follow_the_thresholds() -> None:
    def measured(win: float) -> alignment.Measured:
        return alignment.Measured(win, 1.0, {"polite": 0.5, "rude": 0.5, "neither": 0.0}, [])

    assert alignment.moves_claim("DPO", "DPO", measured(0.62)).supported
    assert not alignment.moves_claim("DPO", "DPO", measured(0.55)).supported
    assert not alignment.moves_claim("DPO", "DPO", measured(0.3)).supported
    dpo, rlhf = measured(0.7), measured(0.7)
    assert alignment.augmentation_claim(measured(0.5), dpo, rlhf).supported
    assert not alignment.augmentation_claim(measured(0.6), dpo, rlhf).supported


# --- a broken set-up flips the verdicts ---------------------------------------------------------


def test_swapped_preferences_flip_dpo_and_rlhf(tmp_path: Path) -> None:
    config = replace(alignment.Config.fast(), swap_preferences=True)
    broken = alignment.run(config, LabContext(tmp_path, show_progress=False))
    dpo, rlhf, augmentation = broken.claims
    assert not dpo.supported, dpo.evidence
    assert not rlhf.supported, rlhf.evidence
    assert broken.metrics.win_rate["dpo"] < 0.5
    assert broken.metrics.win_rate["rlhf"] < 0.5
    assert broken.metrics.reward_model_held_out_accuracy < 0.1
    assert augmentation.supported  # it never saw the labels


def test_rlhf_needs_a_faithful_reward_model() -> None:
    moved = alignment.Measured(0.7, 1.0, {"polite": 0.9, "rude": 0.0, "neither": 0.1}, [])
    assert alignment.moves_claim("RLHF", "RLHF", moved, reward_accuracy=1.0).supported
    assert not alignment.moves_claim("RLHF", "RLHF", moved, reward_accuracy=0.5).supported
