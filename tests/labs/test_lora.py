"""The LoRA lab: the from-scratch adapter against its definition and against peft, the
measured claims in fast mode, and broken set-ups that flip each verdict."""

from __future__ import annotations

import copy
import doctest
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

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
    target_chars=20_000,
    finetune_steps=20,
    eval_batches=4,
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


def test_domains_are_prose_then_code() -> None:
    prose, prose_val, code, _code_val = lora.domains(20_000, 20_000, 0.1)
    assert len(prose) + len(prose_val) == len(tinylm.encode(lora.data.stdlib_corpus(20_000)))
    code_text = tinylm.decode(code.tolist())
    assert "def " in code_text
    assert "self." in code_text
    assert '"""' not in lora.python_code(5_000)  # docstrings are removed


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert report.lab == "lora"
    assert report.question == "lora-trainable-parameters"
    assert len(report.claims) == 4
    for claim in report.claims:
        assert claim.supported, claim.evidence


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
    assert honest.claims[1].supported, honest.claims[1].evidence
    broken = lora.run(
        replace(TINY, alpha_per_rank=0.0), LabContext(tmp_path / "broken", show_progress=False)
    )
    assert not broken.claims[1].supported
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


def test_the_approach_verdict_follows_the_numbers() -> None:
    losses = {"full": 2.0, "r=1": 2.4, "r=4": 2.3, "r=16": 2.1}
    assert lora.approach_claim((1, 4, 16), losses, 3.0).supported
    assert not lora.approach_claim((1, 4, 16), losses | {"r=16": 2.35}, 3.0).supported
    assert not lora.approach_claim((1, 4, 16), losses, 2.2).supported  # r=1 worse than base
    below_full = {"full": 2.0, "r=1": 1.99, "r=4": 1.9, "r=16": 1.8}
    claim = lora.approach_claim((1, 4, 16), below_full, 3.0)
    assert claim.supported
    assert "-0.010" in claim.evidence
