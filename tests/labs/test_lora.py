"""The LoRA lab: the from-scratch adapter against its definition and against peft, the
measured claims in fast mode, and broken set-ups that flip each verdict."""

from __future__ import annotations

import copy
import doctest
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from llmiq.labs import lora, tinylm
from llmiq.labs.context import LabContext
from llmiq.labs.lora.library import compare_with_peft, copy_adapters, peft_model
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train a model

TARGETS = ("qkv", "proj", "mlp.0", "mlp.2")

#: a few seconds: enough for the mechanics, not for a good model
TINY = replace(
    lora.Config.fast(),
    pretrain_chars=30_000,
    pretrain_steps=40,
    target_chars=30_000,
    finetune_steps=20,
    eval_windows=32,
)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("lora")


@pytest.fixture(scope="module")
def base() -> tinylm.GPT:
    torch.manual_seed(0)
    return tinylm.GPT(tinylm.GPTConfig(block_size=16))


@pytest.fixture(scope="module")
def ids() -> torch.Tensor:
    return torch.randint(0, 256, (3, 16), generator=torch.Generator().manual_seed(1))


def _trained(model: nn.Module, seed: int = 2) -> nn.Module:
    """Adapters moved off their start (B no longer zero), as training would."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in lora.lora_modules(model).values():
            module.lora_B.normal_(0.0, 0.05, generator=generator)
    return model


# --- the adapter ----------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(lora)
    assert result.attempted >= 3
    assert result.failed == 0


def test_lora_linear_is_w_plus_scaled_b_a_by_hand() -> None:
    linear = nn.Linear(3, 2)
    adapter = lora.LoRALinear(linear, r=1, alpha=4.0)
    with torch.no_grad():
        adapter.lora_A.copy_(torch.tensor([[1.0, 0.0, 2.0]]))  # (1, 3)
        adapter.lora_B.copy_(torch.tensor([[0.5], [-1.0]]))  # (2, 1)
    x = torch.tensor([[1.0, 1.0, 1.0]])
    # A x = 3; B A x = (1.5, -3); alpha / r = 4 -> (6, -12) on top of W x + b
    torch.testing.assert_close(adapter(x), linear(x) + torch.tensor([[6.0, -12.0]]))


def test_counts_follow_the_formula_and_only_adapters_train(base: tinylm.GPT) -> None:
    shapes = lora.target_shapes(base, TARGETS)
    assert len(shapes) == 4 * base.config.n_layer
    for r in (1, 2, 8):
        model = lora.add_lora(base, r, 2.0 * r, TARGETS)
        assert lora.trainable_parameters(model) == lora.lora_formula(shapes, r)
        trainable = {n for n, p in model.named_parameters() if p.requires_grad}
        assert trainable
        assert all(n.endswith(("lora_A", "lora_B")) for n in trainable)
    assert lora.trainable_parameters(base) == base.num_params()  # add_lora copies the base


def test_a_base_left_unfrozen_trains_everything(base: tinylm.GPT) -> None:
    model = lora.add_lora(base, 4, 8.0, TARGETS, freeze_base=False)
    shapes = lora.target_shapes(base, TARGETS)
    assert lora.trainable_parameters(model) == base.num_params() + lora.lora_formula(shapes, 4)


def test_zero_b_starts_at_the_base_and_random_b_does_not(
    base: tinylm.GPT, ids: torch.Tensor
) -> None:
    with torch.no_grad():
        reference = base(ids)
        assert torch.equal(lora.add_lora(base, 4, 8.0, TARGETS)(ids), reference)
        moved = lora.add_lora(base, 4, 8.0, TARGETS, init_b="random")(ids)
    assert (moved - reference).abs().max() > 1e-3


def test_merging_keeps_the_outputs_and_removes_the_adapters(
    base: tinylm.GPT, ids: torch.Tensor
) -> None:
    model = _trained(lora.add_lora(base, 4, 8.0, TARGETS))
    merged = lora.merge_lora(model)
    assert not lora.lora_modules(merged)
    assert merged.num_params() == base.num_params()
    with torch.no_grad():
        torch.testing.assert_close(merged(ids), model(ids), atol=1e-5, rtol=0)
        unscaled = lora.merge_lora(model, scaled=False)(ids)
        assert (unscaled - model(ids)).abs().max() > 1e-3


def test_matches_peft_count_and_output(base: tinylm.GPT, ids: torch.Tensor) -> None:
    for r in (1, 4, 16):
        ours = _trained(lora.add_lora(base, r, 2.0 * r, TARGETS), seed=r)
        compared = compare_with_peft(base, ours, r, 2.0 * r, TARGETS, ids)
        assert compared["peft_trainable"] == compared["ours_trainable"]
        assert compared["adapted_modules"] == 4 * base.config.n_layer
        assert compared["max_abs_output_diff"] <= 1e-6


def test_peft_disagrees_when_our_adapters_are_not_copied(
    base: tinylm.GPT, ids: torch.Tensor
) -> None:
    """The comparison can fail: peft's own (zero) B gives the base, not our trained model."""
    ours = _trained(lora.add_lora(base, 4, 8.0, TARGETS))
    theirs = peft_model(base, 4, 8.0, TARGETS)
    with torch.no_grad():
        assert (ours(ids) - theirs(ids)).abs().max() > 1e-3
        copy_adapters(ours, theirs)
        torch.testing.assert_close(ours(ids), theirs(ids))


def test_peft_with_our_alpha_merges_like_ours(base: tinylm.GPT, ids: torch.Tensor) -> None:
    ours = _trained(lora.add_lora(base, 2, 4.0, TARGETS))
    theirs = peft_model(base, 2, 4.0, TARGETS)
    copy_adapters(ours, theirs)
    merged_theirs = copy.deepcopy(theirs).merge_and_unload()
    with torch.no_grad():
        torch.testing.assert_close(lora.merge_lora(ours)(ids), merged_theirs(ids))


def test_sampled_windows_share_no_byte_and_differ_by_seed() -> None:
    data = torch.arange(1_000)
    x, y = lora.sampled_windows(data, 16, 40, torch.Generator().manual_seed(0))
    assert torch.equal(x[:, 1:], y[:, :-1])
    starts = sorted(x[:, 0].tolist())
    assert all(b - a >= 17 for a, b in pairwise(starts))  # no overlap
    other, _ = lora.sampled_windows(data, 16, 40, torch.Generator().manual_seed(1))
    assert not torch.equal(x, other)
    with pytest.raises(ValueError, match="windows"):
        lora.sampled_windows(data, 16, 100, torch.Generator().manual_seed(0))


def test_domains_are_prose_then_code() -> None:
    prose, prose_val, code, _code_val = lora.domains(20_000, 20_000, 0.1)
    assert len(prose) + len(prose_val) == len(tinylm.encode(lora.data.stdlib_corpus(20_000)))
    code_text = tinylm.decode(code.tolist())
    assert "def " in code_text
    assert "self." in code_text
    assert '"""' not in lora.python_code(5_000)  # docstrings are removed


# --- the lab, fast mode ---------------------------------------------------------------------


def test_the_exact_claims_are_supported_and_the_approach_follows_its_interval(
    report: LabReport,
) -> None:
    assert report.lab == "lora"
    assert report.question == "lora-trainable-parameters"
    fraction, approach, start, merge = report.claims
    for claim in (fraction, start, merge):
        assert claim.supported, claim.evidence
    m = report.metrics
    low, high = m.ranks
    step = np.mean(m.val_loss_by_seed[f"r={low}"]) - np.mean(m.val_loss_by_seed[f"r={high}"])
    assert approach.interval.estimate == pytest.approx(step, abs=1e-3)
    assert approach.supported == (approach.interval.low > 0 and "does NOT" not in approach.evidence)


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.measure, claim.text
        assert claim.seeds == report.seeds == (0,), claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
    fraction, approach, start, merge = report.claims
    for exact_claim in (fraction, start, merge):
        assert exact_claim.interval.low == exact_claim.interval.high  # a count, exact arithmetic
        assert "exact" in exact_claim.evidence
    assert approach.interval.low < approach.interval.high  # bootstrapped over windows
    assert "[" in approach.evidence  # the interval is in the sentence
    assert report.tuning["LoRA lr (every rank)"].startswith(f"{lora.Config().lora_lr:g}")


def test_two_seeds_are_nested_in_every_interval(tmp_path: Path) -> None:
    result = lora.run(TINY, LabContext(tmp_path, show_progress=False, replicates=2))
    for claim in result.claims:
        assert claim.seeds == (0, 1), claim.text
    assert result.claims[1].interval.over == f"2 seeds x {TINY.eval_windows} held-out windows"
    by_seed = result.metrics.val_loss_by_seed["full"]
    assert len(by_seed) == 2
    assert by_seed[0] != by_seed[1]  # other batches, other windows


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    assert m.ranks == list(lora.Config.fast().ranks)
    for r in m.ranks:
        key = f"r={r}"
        assert m.trainable_counted[key] == m.trainable_formula[key] == r * 2048
        assert m.start_max_abs_diff[key] == 0.0
        assert m.merge_max_abs_diff[key] < 1e-5
        assert m.val_loss[key] < m.base_val_loss
    assert m.trainable_counted["full"] == m.base_parameters
    assert m.val_loss["full"] < m.base_val_loss
    assert m.vs_peft == {}  # fast mode leaves peft to the tests
    assert Path(report.figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_gives_the_same_report(tmp_path: Path) -> None:
    first, second = (
        lora.run(TINY, LabContext(tmp_path / name, show_progress=False))
        for name in ("first", "second")
    )
    assert first.metrics.val_loss == second.metrics.val_loss


def test_the_full_run_checks_peft(tmp_path: Path) -> None:
    result = lora.run(replace(TINY, peft_check=True), LabContext(tmp_path, show_progress=False))
    for key, row in result.metrics.vs_peft.items():
        assert row["peft_trainable"] == result.metrics.trainable_counted[key]
        assert row["max_abs_output_diff"] <= 1e-6


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_forgetting_to_freeze_the_base_breaks_the_count(tmp_path: Path) -> None:
    broken = lora.run(replace(TINY, freeze_base=False), LabContext(tmp_path, show_progress=False))
    fraction = broken.claims[0]
    assert not fraction.supported
    assert "!=" in fraction.evidence


def test_an_adapter_scaled_to_zero_learns_nothing(tmp_path: Path) -> None:
    honest = lora.run(TINY, LabContext(tmp_path / "honest", show_progress=False))
    assert "Every LoRA run improves on the base" in honest.claims[1].evidence
    broken = lora.run(
        replace(TINY, alpha_per_rank=0.0), LabContext(tmp_path / "broken", show_progress=False)
    )
    assert not broken.claims[1].supported
    assert "Every LoRA run does NOT improve on the base" in broken.claims[1].evidence
    assert all(
        broken.metrics.val_loss[f"r={r}"] == broken.metrics.base_val_loss for r in TINY.ranks
    )


def test_random_b_does_not_start_at_the_base(tmp_path: Path) -> None:
    broken = lora.run(replace(TINY, init_b="random"), LabContext(tmp_path, show_progress=False))
    assert not broken.claims[2].supported
    assert min(broken.metrics.start_max_abs_diff.values()) > 0


def test_a_merge_without_alpha_over_r_changes_the_outputs(tmp_path: Path) -> None:
    broken = lora.run(replace(TINY, merge_scaled=False), LabContext(tmp_path, show_progress=False))
    assert not broken.claims[3].supported
    assert broken.claims[0].supported
    assert broken.claims[2].supported


def _windows(means: dict[str, float], noise: float, seeds: int = 3) -> dict:
    """Per-window losses around ``means``: the same window difficulty for every method of a
    seed (paired), plus independent noise of size ``noise`` per method and window."""
    rng = np.random.default_rng(0)
    difficulty = [rng.normal(0, 0.3, 64) for _ in range(seeds)]
    return {m: [v + d + rng.normal(0, noise, 64) for d in difficulty] for m, v in means.items()}


def test_the_approach_verdict_follows_the_intervals() -> None:
    means = {"base": 3.0, "full": 2.0, "r=1": 2.4, "r=4": 2.3, "r=16": 2.1}
    seeds = (0, 1, 2)
    assert lora.approach_claim((1, 4, 16), _windows(means, 0.05), seeds).supported
    flat = _windows(means | {"r=16": 2.35}, 0.05)  # r=16 no better than r=4
    assert not lora.approach_claim((1, 4, 16), flat, seeds).supported
    unlearnt = _windows(means | {"base": 2.2}, 0.05)  # r=1 worse than the base
    assert not lora.approach_claim((1, 4, 16), unlearnt, seeds).supported
    below_full = {"base": 3.0, "full": 2.0, "r=1": 1.99, "r=4": 1.9, "r=16": 1.8}
    claim = lora.approach_claim((1, 4, 16), _windows(below_full, 0.05), seeds)
    assert claim.supported
    assert "r=1: -0.01" in claim.evidence  # the gap to full, with its sign


def test_a_rank_step_inside_the_noise_is_not_supported() -> None:
    """The point estimates shrink at every step, but r=4 -> r=16 gains 0.01 nats/byte with
    window-to-window noise of 0.3: its interval straddles 0, so the verdict is not supported
    (a point estimate alone would have said it was)."""
    means = {"base": 3.0, "full": 2.0, "r=1": 2.4, "r=4": 2.3, "r=16": 2.3}
    losses = _windows(means, 0.05)
    wobble = np.where(np.arange(64) % 2 == 0, 0.3, -0.3)  # mean exactly 0
    losses["r=16"] = [w - 0.01 + wobble for w in losses["r=4"]]
    gain = np.concatenate(losses["r=4"]).mean() - np.concatenate(losses["r=16"]).mean()
    assert gain == pytest.approx(0.01)
    claim = lora.approach_claim((1, 4, 16), losses, (0, 1, 2))
    assert not claim.supported, claim.evidence
    assert claim.interval.low < 0 < claim.interval.high
    assert "NOT every step above 0" in claim.evidence
