"""The fine-tuning lab: the loss against torch's and tinylm's, the effect measures worked by
hand and against a least-squares fit, the measured claims in fast mode, and broken set-ups
(pre-training on random bytes, bases that differ in nothing) that flip the verdicts."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from llmiq.labs import finetune_base as lab
from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

FAST = lab.Config.fast()
SMALL_PAIR = (FAST.bases[0], FAST.bases[1])  # the same shape, fresh and pre-trained
#: fast mode cut to one shape and the smallest data size: the pre-training comparison, quickly
PAIR = replace(FAST, bases=SMALL_PAIR, data_sizes=(1_000,))


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("finetune-base")


def _run(
    config: lab.Config, out: Path, cache_dir: Path | None = None, fresh: bool = False
) -> LabReport:
    context = LabContext(out, show_progress=False, cache_dir=cache_dir, fresh=fresh)
    return lab.run(config, context)


# --- the pieces -----------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(lab)
    assert result.attempted >= 6
    assert result.failed == 0


def test_next_token_loss_matches_torch_cross_entropy() -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 5, 256, generator=g) * 4  # (B, T, V)
    targets = torch.randint(0, 256, (3, 5), generator=g)
    ours = lab.next_token_loss(logits, targets)
    theirs = F.cross_entropy(logits.view(-1, 256), targets.view(-1))
    torch.testing.assert_close(ours, theirs)
    # by hand: a model that knows nothing pays log V per byte
    uniform = lab.next_token_loss(torch.zeros(1, 4, 256), torch.tensor([[7, 0, 255, 104]]))
    assert uniform.item() == pytest.approx(math.log(256))


def test_held_out_loss_matches_tinylm_evaluate() -> None:
    torch.manual_seed(0)
    model = tinylm.GPT(tinylm.GPTConfig(block_size=16, n_layer=1, n_head=2, n_embd=16)).eval()
    ids = torch.tensor(tinylm.encode(lab.target_corpus(2_000, 0)))
    with torch_threads(1), torch.no_grad():
        theirs = tinylm.evaluate(
            model, ids, batches_=3, batch_size=8, generator=torch.Generator().manual_seed(5)
        )
        g = torch.Generator().manual_seed(5)
        ours = [
            lab.next_token_loss(model(x), y).item()
            for x, y in (tinylm.batches(ids, 16, 8, g) for _ in range(3))
        ]
        # and the deterministic cover: every window, chunked, equals one big cross-entropy
        x, y = lab.windows(ids, 16)
        whole = F.cross_entropy(model(x).view(-1, 256), y.view(-1)).item()
        chunked = lab.held_out_loss(model, ids, chunk=7)
    assert sum(ours) / 3 == pytest.approx(theirs, rel=1e-5)
    assert chunked == pytest.approx(whole, rel=1e-5)
    assert len(x) == (len(ids) - 1) // 16
    assert torch.equal(x[:, 1:], y[:, :-1])


def test_target_corpus_is_seeded_nested_and_not_docstrings() -> None:
    text = lab.target_corpus(4_000, 3)
    assert len(text) == 4_000
    assert text == lab.target_corpus(4_000, 3)
    assert lab.target_corpus(16_000, 3).startswith(text)
    assert lab.target_corpus(4_000, 4) != text
    for mark in ("Once upon a time", "~ ", "said the"):
        assert mark in text
    assert not any(word in text for word in ("Return", "def ", "argument", "()"))
    assert text.isascii()


def test_effects_by_hand() -> None:
    # rows are bases, columns data sizes; the base moves the loss by 1.0, data by 0.2
    grid = [[3.0, 2.9, 2.8], [2.0, 1.9, 1.8]]
    e = lab.effects(grid)
    assert e["base_range_by_size"] == pytest.approx([1.0, 1.0, 1.0])
    assert e["data_range_by_base"] == pytest.approx([0.2, 0.2])
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


def test_fine_tune_keeps_the_best_dev_weights_and_stops_early() -> None:
    # a rate high enough to overfit 300 bytes: the dev loss turns up and the run stops
    config = replace(
        FAST,
        block_size=16,
        finetune_steps=400,
        finetune_lr=3e-2,
        eval_every=10,
        patience=2,
        grace_steps=20,
    )
    base = lab.pretrain(lab.Base("b", 1, 16, pretrained=False), config, 0, None)
    before = base.state_dict()["tok.weight"].clone()
    train = torch.tensor(tinylm.encode(lab.target_corpus(300, 0)))
    dev = torch.tensor(tinylm.encode(lab.target_corpus(1_000, 1)))
    steps: list[int] = []
    with torch_threads(1):
        tuned = lab.fine_tune(base, train, dev, config, 0, steps.append)
        kept = lab.held_out_loss(tuned.model, dev)
    assert tuned.converged
    assert tuned.steps < 400
    assert sum(steps) == 400  # the progress bar is told about the skipped budget too
    assert len(tuned.dev_curve) == tuned.steps // 10 + 1
    assert kept == pytest.approx(min(tuned.dev_curve), rel=1e-5)
    assert tuned.dev_curve[tuned.best_step // 10] == min(tuned.dev_curve)
    assert tuned.dev_curve[-1] > min(tuned.dev_curve)  # it did overfit
    assert torch.equal(base.state_dict()["tok.weight"], before)  # the base is untouched


def test_a_run_cut_by_its_budget_is_not_converged() -> None:
    config = replace(FAST, block_size=16, finetune_steps=30, eval_every=10)
    base = lab.pretrain(lab.Base("b", 1, 16, pretrained=False), config, 0, None)
    train = torch.tensor(tinylm.encode(lab.target_corpus(4_000, 0)))
    dev = torch.tensor(tinylm.encode(lab.target_corpus(1_000, 1)))
    with torch_threads(1):
        tuned = lab.fine_tune(base, train, dev, config, 0)
    assert tuned.steps == 30
    assert not tuned.converged


# --- the lab, fast mode ---------------------------------------------------------------------


def test_report_identity_and_claims(report: LabReport) -> None:
    assert report.lab == "finetune-base"
    assert report.question == "finetune-base"
    assert len(report.claims) == 4
    main, pretraining, _size, data = report.claims
    m = report.metrics
    # the debatable claim: its verdict is whatever the numbers say, never fixed
    assert main.supported == (m.base_effect > m.data_effect and m.unconverged_runs == 0)
    assert f"{m.base_effect:.3f}" in main.evidence
    assert f"{m.data_effect:.3f}" in main.evidence
    # what pre-training buys where data is scarce holds even in fast mode
    assert pretraining.supported, pretraining.evidence
    assert min(g[0] for g in m.pretraining_gain_by_size.values()) > FAST.min_gain
    assert data.supported == (min(r[0] - r[-1] for r in m.test_loss_grid) > FAST.min_gain)


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    grid = np.array(m.test_loss_grid)
    assert grid.shape == (4, 3)
    assert m.data_sizes == [1_000, 4_000, 16_000]
    assert (grid > 0.3).all()  # not perfect
    assert (grid < m.uniform_loss).all()  # learnt something
    before = m.base_test_loss_before_fine_tuning
    assert before[0] == pytest.approx(math.log(256), abs=0.05)  # a fresh base knows nothing
    assert before[1] < before[0] - 1.5  # a pre-trained one already spells English
    assert (grid.min(axis=1) < np.array(before)).all()  # fine-tuning helped every base
    general = m.base_general_held_out_loss
    assert max(general[1], general[3]) < 3.5  # pre-trained: below the unigram level
    assert min(general[0], general[2]) > 5.0  # fresh: near log 256
    params = [b["params"] for b in m.bases]
    assert params[0] == params[1] < params[2] == params[3]
    assert m.bases_from_cache == [False] * 4
    assert 0 <= m.unconverged_runs <= 12
    shares = m.variance_share
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-5)
    assert m.torch_threads_used == 1
    assert "Once upon a time" in m.target_sample


def test_figure_is_a_png_file(report: LabReport) -> None:
    assert len(report.figures) == 1
    assert Path(report.figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_pretraining_on_random_bytes_is_no_pretraining(tmp_path: Path) -> None:
    honest = _run(PAIR, tmp_path / "honest")
    broken = _run(replace(PAIR, pretrain_data="random"), tmp_path / "random")
    none = _run(replace(PAIR, pretrain_steps=0), tmp_path / "none")
    assert honest.claims[1].supported, honest.claims[1].evidence
    for bad in (broken, none):
        assert not bad.claims[1].supported, bad.claims[1].evidence
        gain = bad.metrics.pretraining_gain_by_size["small, pre-trained"][0]
        assert gain < honest.metrics.pretraining_gain_by_size["small, pre-trained"][0] - 0.1
    # a random-bytes "pre-trained" base predicts nothing about English
    assert broken.metrics.base_test_loss_before_fine_tuning[1] > 5.0
    assert none.metrics.test_loss_grid[0] == none.metrics.test_loss_grid[1]


def test_bases_that_differ_in_nothing_show_no_base_effect(
    tmp_path: Path, report: LabReport
) -> None:
    twins = (lab.Base("fresh A", 1, 16, pretrained=False), lab.Base("fresh B", 1, 16, False))
    sizes = (1_000, 4_000)
    broken = _run(replace(PAIR, bases=twins, data_sizes=sizes), tmp_path)
    assert broken.metrics.base_effect == 0.0
    assert broken.metrics.data_effect > 0.0
    assert report.metrics.base_effect > 0.1  # the real bases do differ
    assert not broken.claims[0].supported
    # not for want of convergence: even counting every run as converged, the base lost
    assert not lab.base_vs_data_claim(sizes, broken.metrics.test_loss_grid).supported
    assert not broken.claims[1].supported  # no pre-trained base, nothing to credit


def test_the_main_verdict_follows_the_numbers() -> None:
    sizes = [1_000, 4_000, 16_000]
    base_wins = [[3.0, 2.9, 2.8], [2.0, 1.9, 1.8]]
    data_wins = [[3.0, 2.0, 1.0], [2.9, 1.9, 0.9]]
    assert lab.base_vs_data_claim(sizes, base_wins).supported
    assert not lab.base_vs_data_claim(sizes, data_wins).supported
    inconclusive = lab.base_vs_data_claim(sizes, base_wins, unconverged=2)
    assert not inconclusive.supported
    assert "inconclusive" in inconclusive.evidence


def test_pretrained_bases_are_cached_and_fresh_retrains(tmp_path: Path) -> None:
    config = replace(PAIR, finetune_steps=20)
    cache = tmp_path / "cache"
    first = _run(config, tmp_path / "a", cache_dir=cache)
    second = _run(config, tmp_path / "b", cache_dir=cache)
    again = _run(config, tmp_path / "c", cache_dir=cache, fresh=True)
    assert first.metrics.bases_from_cache == [False, False]
    assert second.metrics.bases_from_cache == [False, True]  # a fresh base is not cached
    assert again.metrics.bases_from_cache == [False, False]
    assert [p.name.startswith("finetune-base-") for p in cache.iterdir()] == [True]
    assert first.metrics.test_loss_grid == second.metrics.test_loss_grid
    assert first.metrics.test_loss_grid == again.metrics.test_loss_grid
