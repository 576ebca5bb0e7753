"""The fine-tuning lab: the cached prefix and the trainable top against SmolLM2's own forward,
the samples, the effect measures worked by hand and against a least-squares fit, the
fine-tuning loop, the measured claims in fast mode, and broken set-ups (random weights for the
pre-trained bases, one text for every data size, two identical pre-trained bases) that flip
the verdicts."""

from __future__ import annotations

import doctest
import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from llmiq.labs import finetune_base as lab
from llmiq.labs.context import LabContext
from llmiq.labs.finetune_base import backbone, training
from llmiq.labs.finetune_base.data import encode, sample
from llmiq.labs.pretrained import LoadedModel
from llmiq.labs.report import LabReport, LabResult

pytestmark = pytest.mark.slow  # torch and SmolLM2; most tests here train or run the model

FAST = lab.Config.fast()


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("finetune-base")


@pytest.fixture(scope="module")
def in_model_home(model_home: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        yield


@pytest.fixture(scope="module")
def loaded(in_model_home: None, one_torch_thread_in_module: None) -> LoadedModel:
    return backbone.smollm2()


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One lab cache for this module's runs: the broken set-ups reuse the prefix states."""
    return tmp_path_factory.mktemp("finetune-base-cache")


def _run(config: lab.Config, out: Path, cache: Path | None = None) -> LabResult:
    context = LabContext(out, show_progress=False, cache_dir=cache)
    return lab.run(config, context)


# --- the pieces -----------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(lab)
    assert result.attempted >= 8
    assert result.failed == 0


def test_documents_are_seeded_nested_creative_and_not_docstrings() -> None:
    docs = lab.documents(4_000, "pool")
    assert docs == lab.documents(4_000, "pool")
    assert lab.documents(16_000, "pool")[: len(docs)] == docs
    assert lab.documents(4_000, "test")[:5] != docs[:5]
    text = "\n\n".join(docs)
    for mark in ("Once upon a time", "~ ", "said the"):
        assert mark in text
    assert not any(word in text for word in ("Return", "def ", "argument", "()"))
    assert text.isascii()


def test_samples_are_nested_and_hold_their_characters(loaded: LoadedModel) -> None:
    pool = encode(loaded.tokenizer, lab.documents(6_000, "pool"), backbone.SEPARATOR)
    picks = [sample(pool, n, random.Random("s")) for n in (500, 1_000, 4_000)]
    for small, large in itertools.pairwise(picks):
        assert [i for i, _ in small[:-1]] == [i for i, _ in large[: len(small) - 1]]
    for n, chosen in zip((500, 1_000, 4_000), picks, strict=True):
        chars = sum(pool[i].ends[k - 1] for i, k in chosen)  # where each read stops
        assert n - 12 <= chars <= n  # cut at the last whole token that fits
    assert sample(pool, 4_000, random.Random("t")) != picks[-1]  # the seed draws the sample
    with pytest.raises(ValueError, match="fewer than"):
        sample(pool[:3], 4_000, random.Random(0))


def test_effects_by_hand() -> None:
    # rows are bases, columns data sizes; the base moves the loss by 1.0, data by 0.2
    grid = [[3.0, 2.9, 2.8], [2.0, 1.9, 1.8]]
    e = lab.effects(grid)
    assert e["base_range_by_size"] == pytest.approx([1.0, 1.0, 1.0])
    assert e["data_range_by_base"] == pytest.approx([0.2, 0.2])
    assert lab.base_minus_data(np.array(grid)) == pytest.approx(0.8)
    shares = lab.variance_shares(grid)
    # sums of squares: base 6 cells x 0.5^2 = 1.5; data 2 rows x (0.1^2 + 0 + 0.1^2) = 0.04
    assert shares["base"] == pytest.approx(1.5 / 1.54, abs=1e-6)
    assert shares["data"] == pytest.approx(0.04 / 1.54, abs=1e-6)
    assert shares["interaction"] == pytest.approx(0.0, abs=1e-6)


def test_variance_shares_match_a_least_squares_fit() -> None:
    rng = np.random.default_rng(0)
    grid = rng.normal(size=(4, 3)) + np.arange(4)[:, None] * 0.7 - np.arange(3)[None, :] * 0.4
    rows, cols = np.indices(grid.shape)
    y = grid.ravel()
    total = ((y - y.mean()) ** 2).sum()

    def explained(*factors: np.ndarray) -> float:
        design = np.column_stack(
            [np.ones_like(y)]
            + [(f.ravel()[:, None] == np.unique(f)[None, 1:]).astype(float) for f in factors]
        )
        fit = design @ np.linalg.lstsq(design, y, rcond=None)[0]
        return float(((fit - y.mean()) ** 2).sum() / total)

    shares = lab.variance_shares(grid.tolist())
    assert shares["base"] == pytest.approx(explained(rows), abs=1e-6)
    assert shares["data"] == pytest.approx(explained(cols), abs=1e-6)
    additive = explained(rows, cols)  # balanced design: the two main effects add up
    assert shares["interaction"] == pytest.approx(1 - additive, abs=1e-6)


def test_grid_interval_resamples_seeds_and_documents() -> None:
    rng = np.random.default_rng(1)
    losses = rng.normal(1.0, 0.1, size=(3, 12, 2, 2))  # seeds, documents, bases, sizes
    losses[:, :, 1, :] += 0.5  # the second base is worse by 0.5 everywhere
    gap = lab.grid_interval(losses, lambda g: g[1, 0] - g[0, 0])
    assert gap.over == "3 seeds x 12 test documents"
    assert gap.low < 0.5 < gap.high
    assert gap.above(0.3)
    assert gap.estimate == pytest.approx(losses[:, :, 1, 0].mean() - losses[:, :, 0, 0].mean())
    same = lab.grid_interval(losses, lambda g: g[0, 1] - g[0, 1])
    assert (same.low, same.high) == (0.0, 0.0)


# --- the model cut in two -------------------------------------------------------------------


def _columns(vocabulary: list[int], size: int = 49_152) -> torch.Tensor:
    column = torch.full((size,), -1)
    column[torch.tensor(vocabulary)] = torch.arange(len(vocabulary))
    return column


def test_cached_states_and_top_reproduce_smollm2(loaded: LoadedModel) -> None:
    docs = encode(loaded.tokenizer, lab.documents(600, "test"), backbone.SEPARATOR)[:3]
    vocabulary = backbone.style_vocabulary(docs)
    model, column = loaded.model, _columns(vocabulary)
    top = backbone.Top(model, vocabulary)
    exact = backbone.frozen_states(model, 29, docs, torch.float32)
    fast = backbone.frozen_states(model, 29, docs, torch.bfloat16)
    for doc, states in zip(docs, exact, strict=True):
        assert states.shape == (len(doc.ids), 2, 576)
        with torch.no_grad():
            theirs = model(torch.tensor([doc.ids])).logits[0][:, vocabulary]  # (T, V)
            ours = top(states)
        torch.testing.assert_close(ours, theirs, atol=2e-3, rtol=1e-3)
    # bf16 for the frozen blocks raises each document's loss by about 1% (measured 1.3%)
    exact_losses = training.document_losses(top, exact, docs, column)
    fast_losses = training.document_losses(top, fast, docs, column)
    assert fast_losses == pytest.approx(exact_losses, rel=0.02)
    # and the loss per character is the mean cross-entropy times tokens per character
    x, y, _ = training.token_batch(exact, docs, [(0, len(docs[0].ids) - 1)], column)
    with torch.autocast("cpu", dtype=torch.bfloat16), torch.no_grad():
        ce = F.cross_entropy(top(x).float(), y).item()
    assert exact_losses[0] == pytest.approx(ce * (len(docs[0].ids) - 1) / len(docs[0].text))


def test_a_pruned_base_runs_its_first_blocks_then_its_last(loaded: LoadedModel) -> None:
    docs = encode(loaded.tokenizer, lab.documents(300, "dev"), backbone.SEPARATOR)[:1]
    model = loaded.model
    states = backbone.frozen_states(model, 9, docs, torch.float32)[0]
    inner = model.model
    with torch.no_grad():
        h = inner.embed_tokens(torch.tensor([docs[0].ids]))
        rotary = inner.rotary_emb(h, torch.arange(h.shape[1])[None])
        for layer in [*inner.layers[:9], inner.layers[29]]:
            h = layer(h, position_embeddings=rotary)
        logits = inner.norm(h)[0] @ inner.embed_tokens.weight.T  # by hand, 10 blocks
        vocabulary = list(range(model.config.vocab_size))
        ours = backbone.Top(model, vocabulary)(states)
    torch.testing.assert_close(ours, logits, atol=2e-3, rtol=1e-3)


def test_a_top_of_zeros_pays_log_v_per_token(loaded: LoadedModel) -> None:
    docs = encode(loaded.tokenizer, lab.documents(300, "dev"), backbone.SEPARATOR)[:2]
    vocabulary = backbone.style_vocabulary(docs)
    top = backbone.Top(loaded.model, vocabulary)
    with torch.no_grad():
        top.head.zero_()
    states = [torch.randn(len(d.ids), 2, 576) for d in docs]
    losses = training.document_losses(top, states, docs, _columns(vocabulary))
    for doc, loss in zip(docs, losses, strict=True):
        expected = (len(doc.ids) - 1) * math.log(len(vocabulary)) / len(doc.text)
        assert loss == pytest.approx(expected)


def test_a_random_top_is_redrawn_per_seed(loaded: LoadedModel) -> None:
    model = loaded.model
    one = backbone.Top(model, [5, 6, 7]).redraw(torch.Generator().manual_seed(1))
    two = backbone.Top(model, [5, 6, 7]).redraw(torch.Generator().manual_seed(2))
    same = backbone.Top(model, [5, 6, 7]).redraw(torch.Generator().manual_seed(1))
    up = "mlp.up_proj.weight"
    assert not torch.equal(one.state_dict()[up], two.state_dict()[up])
    assert torch.equal(one.state_dict()[up], same.state_dict()[up])
    assert one.state_dict()[up].std().item() == pytest.approx(0.02, rel=0.05)
    assert torch.equal(one.norm.weight, torch.ones(576))
    assert not torch.equal(model.model.layers[29].mlp.up_proj.weight, one.state_dict()[up])
    params = backbone.trainable_parameters(one)
    assert params == sum(p.numel() for p in one.parameters()) == 3 * 576 * 1536 + 576 + 3 * 576


def test_fine_tune_keeps_the_best_dev_weights_and_stops_early(loaded: LoadedModel) -> None:
    pool = encode(loaded.tokenizer, lab.documents(1_200, "pool"), backbone.SEPARATOR)
    dev = encode(loaded.tokenizer, lab.documents(600, "dev"), backbone.SEPARATOR)
    vocabulary = backbone.style_vocabulary([*pool, *dev])
    column = _columns(vocabulary)
    states = backbone.frozen_states(loaded.model, 29, [*pool, *dev])
    top = backbone.Top(loaded.model, vocabulary)
    before = top.state_dict()["head"].clone()
    one_doc = [(0, len(pool[0].ids) - 1)]  # a high rate on one document overfits at once
    budget = training.Budget(steps=40, batch_docs=2, eval_every=2, patience=2)
    dev_part = (states[len(pool) :], dev)
    steps: list[int] = []
    tuned = training.fine_tune(
        top, states, pool, one_doc, dev_part, column, 1e-2, budget, 0, steps.append
    )
    kept = training.document_losses(tuned.top, *dev_part, column)
    assert tuned.converged
    assert tuned.steps < 40
    assert sum(steps) == 40  # the progress bar is told about the unused cap too
    assert len(tuned.dev_curve) == tuned.steps // 2 + 1
    assert sum(kept) / len(kept) == pytest.approx(min(tuned.dev_curve), rel=1e-4)
    assert tuned.dev_curve[tuned.best_step // 2] == min(tuned.dev_curve)
    assert torch.equal(top.state_dict()["head"], before)  # the base's top is untouched
    every_doc = [(i, len(pool[i].ids) - 1) for i in range(len(pool))]
    cut = training.fine_tune(
        top, states, pool, every_doc, dev_part, column, 1e-3, replace(budget, steps=4), 0
    )
    assert cut.steps == 4
    assert not cut.converged  # still improving when the cap came


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    assert report.lab == "finetune-base"
    assert report.question == "finetune-base"
    assert len(report.claims) == 5
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.measure, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.seeds == report.seeds == (0,)
        assert claim.interval.format(".3f") in claim.evidence


def test_the_verdicts_are_decided_on_their_intervals(report: LabReport) -> None:
    main, pretraining, size, data, pretraining_vs_data = report.claims
    m = report.metrics
    assert main.supported == (main.interval.above(0) and m.unconverged_runs == 0)
    assert main.interval.estimate == pytest.approx(m.base_effect - m.data_effect, abs=2e-4)
    assert pretraining.supported, pretraining.evidence  # holds even in fast mode
    assert pretraining.interval.estimate == pytest.approx(m.pretraining_gain_by_size[0], abs=2e-4)
    assert size.supported == size.interval.above(0)
    assert pretraining_vs_data.supported == pretraining_vs_data.interval.above(0)
    assert data.supported == (data.interval.above(0) and "every interval above 0" in data.evidence)


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    grid = np.array(m.test_loss_grid)
    assert grid.shape == (3, 3)
    assert m.data_sizes == [500, 1_000, 2_000]
    assert (grid > 0.1).all()
    uniform = math.log(m.style_vocabulary) / m.chars_per_token
    zero_shot = m.zero_shot_test_loss
    assert zero_shot[2] == pytest.approx(uniform, rel=0.05)  # a random base knows nothing
    assert zero_shot[0] < uniform - 0.2  # SmolLM2 already predicts the style
    assert m.zero_shot_full_vocabulary_loss > zero_shot[0]  # restricting the output helps it
    assert (grid.min(axis=1) < np.array(zero_shot)).all()  # fine-tuning helped every base
    assert 200 <= m.style_vocabulary <= 320
    assert m.style_tokens_only_in_lab_text == 0
    assert [b["blocks"] for b in m.bases] == [30, 10, 30]
    assert m.bases[0]["parameters"] == 134_515_008  # SmolLM2-135M
    assert m.bases[1]["parameters"] < m.bases[0]["parameters"] == m.bases[2]["parameters"]
    assert len({b["trainable_parameters"] for b in m.bases}) == 1  # the same recipe for all
    assert np.array(m.steps_run_grid).max() <= FAST.steps
    assert m.unconverged_runs == (~np.array(m.converged_grid)).sum()
    assert sum(m.variance_share.values()) == pytest.approx(1.0, abs=1e-5)
    for row, cis in zip(grid, m.test_loss_ci, strict=True):
        for value, (low, high) in zip(row, cis, strict=True):
            assert low <= value <= high
    assert m.torch_threads_used == 1
    assert m.frozen_from_cache == [False] * 3


def test_report_names_the_model_and_the_tuning(report: LabReport) -> None:
    assert [card["id"] for card in report.models] == ["smollm2-135m-instruct"]
    assert report.models[0]["parameters"] == 134_515_008
    assert {f"learning rate, {b.name}" for b in FAST.bases} <= set(report.tuning)
    assert all("1000-1002" in how for how in report.tuning.values())


def test_figure_is_a_png_file(report: LabReport) -> None:
    assert len(report.figures) == 1
    assert Path(report.figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- broken set-ups flip the verdicts -------------------------------------------------------


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory, cache: Path, in_model_home: None) -> LabResult:
    return _run(FAST, tmp_path_factory.mktemp("honest"), cache)


def test_random_weights_for_the_pretrained_bases_remove_the_base_effect(
    tmp_path: Path, cache: Path, honest: LabResult, in_model_home: None
) -> None:
    broken = _run(replace(FAST, weights="random"), tmp_path, cache)
    assert honest.claims[1].supported
    pretraining = broken.claims[1]
    assert not pretraining.supported, pretraining.evidence
    # the "pre-trained" base is now the random one: the same weights, the same runs
    assert pretraining.interval.estimate == 0.0 == pretraining.interval.high
    assert not broken.claims[4].supported  # pre-training now moves nothing
    grid = np.array(broken.metrics.test_loss_grid)
    assert (grid[0] == grid[2]).all()
    assert broken.metrics.base_effect < honest.metrics.base_effect / 2
    assert not broken.claims[0].supported, broken.claims[0].evidence
    assert honest.metrics.frozen_from_cache == [False] * 3
    assert broken.metrics.frozen_from_cache == [True, False, True]  # the random 30 blocks


def test_one_text_for_every_data_size_removes_the_data_effect(
    tmp_path: Path, cache: Path, honest: LabResult, in_model_home: None
) -> None:
    broken = _run(replace(FAST, data="same"), tmp_path, cache)
    assert broken.metrics.frozen_from_cache == [True] * 3  # the same documents and weights
    grid = np.array(broken.metrics.test_loss_grid)
    assert (grid == grid[:, :1]).all()  # every size trains the same, run for run
    assert [r[0] for r in grid.tolist()] == [r[0] for r in honest.metrics.test_loss_grid]
    data = broken.claims[3]
    assert data.interval.estimate == 0.0
    assert not data.supported, data.evidence
    assert broken.metrics.data_effect == 0.0
    assert broken.claims[0].supported  # now only the base moves the loss
    assert honest.metrics.data_effect > 0.05


def test_two_identical_pretrained_bases_show_no_size_effect(
    tmp_path: Path, cache: Path, honest: LabResult, in_model_home: None
) -> None:
    full, _pruned, fresh = FAST.bases
    twins = (full, replace(full, name="SmolLM2-135M again"), fresh)
    broken = _run(replace(FAST, bases=twins), tmp_path, cache)
    size = broken.claims[2]
    assert size.interval.estimate == 0.0
    assert not size.supported, size.evidence
    assert broken.metrics.size_gain_by_size == [0.0, 0.0, 0.0]
    assert broken.metrics.frozen_from_cache == [True, True, True]
    assert honest.claims[2].interval.estimate != 0.0
