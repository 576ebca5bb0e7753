"""The adaptive-softmax lab: Zipf's law on the corpus, full vs adaptive softmax timing, and
the uniform-target contrast that shows where the speed-up comes from."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from llmiq.labs import adaptive_softmax as lab
from llmiq.labs.context import LabContext, seed_everything
from llmiq.labs.corpus import stdlib_corpus, words
from llmiq.labs.report import LabReport, LabResult

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("adaptive-softmax")


def _claim(report: LabReport | LabResult, start: str) -> lab.Claim:
    (claim,) = [c for c in report.claims if c.text.startswith(start)]
    return claim


SUPPORTED_IN_FAST = (
    "Word frequencies",
    "Adaptive softmax makes training the whole model faster",
    "At equal training steps",
    "At equal training time",
    "Adaptive softmax trains faster than the full softmax",
    "The gain comes from Zipf",
)


def _broken(tmp_path: Path, **changes: object) -> LabResult:
    seed_everything(0)
    config = dataclasses.replace(lab.Config.fast(), **changes)
    return lab.run(config, LabContext(tmp_path, fast=True, show_progress=False))


def test_the_claims_and_their_fast_verdicts(report: LabReport) -> None:
    assert report.lab == "adaptive-softmax"
    assert report.question == "adaptive-softmax"
    assert len(report.claims) == 7
    for start in SUPPORTED_IN_FAST:
        claim = _claim(report, start)
        assert claim.supported, claim.evidence
    # the whole model's Zipf gain is decided in the full run (its fast interval is wide)
    assert _claim(report, "For the whole model too").interval is not None


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.seeds == (0,), claim.text
        assert claim.measure, claim.text
    assert "1 seeds x 39 items" in _claim(report, "Adaptive softmax makes").evidence


def test_metrics_are_in_sane_ranges(report: LabReport) -> None:
    m = report.metrics
    assert -1.3 <= m.zipf_slope <= -0.7
    assert m.zipf_slope_ci[0] <= m.zipf_slope <= m.zipf_slope_ci[1]
    assert m.zipf_r_squared > 0.9
    assert m.zipf_ranks_used > 100
    assert m.targets == "zipf"
    assert m.frequencies == "zipf"
    assert 1000 < m.model_vocab < 5000
    assert m.model_cutoffs == lab.cutoffs_for(m.model_vocab, lab.Config().cutoff_fractions)
    assert m.model_parameters_adaptive < m.model_parameters_full
    assert m.step_ms_adaptive < m.step_ms_full
    (curves,) = m.curves.values()
    assert [c["output"] for c in curves] == ["full", "adaptive"]
    for curve in curves:
        assert curve["steps"] == [0, 10, 20, 30, 40]
        assert curve["cpu_seconds"][0] == 0.0
        assert curve["perplexity"][-1] < curve["perplexity"][0]  # both arms learn
        assert curve["perplexity"][-1] < m.model_vocab  # better than a uniform guess
    rows = m.by_vocab
    assert [r["vocab"] for r in rows] == list(lab.Config.fast().vocab_sizes)
    for row in rows:
        assert all(0 < c < row["vocab"] for c in row["cutoffs"])
        main, uniform = row["main"], row["uniform"]
        assert main["speedup"] > 1.0  # adaptive wins at every V with Zipf targets
        assert main["head_share"] > 0.4  # Zipf: most targets are frequent words
        assert uniform["head_share"] < 0.1  # uniform: ~1/50 of targets are in the head
        assert sum(main["cluster_shares"]) == pytest.approx(1.0, abs=1e-3)
        assert main["flop_ratio"] > uniform["flop_ratio"] > 10
        assert main["logit_ratio"] > 2 * uniform["logit_ratio"]
    assert m.speedup_largest_v >= lab.MIN_SPEEDUP
    assert m.speedup_largest_v > m.speedup_largest_v_uniform
    assert "x faster at V=50,000" in report.key_figure


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 3
    assert Path(report.figures[0]).name == "perplexity_vs_time.png"
    for figure in report.figures:
        path = Path(figure)
        assert path.suffix == ".png"
        assert path.read_bytes()[:8] == PNG_MAGIC


def test_uniform_targets_flip_the_zipf_verdict(tmp_path: Path) -> None:
    """The deliberately broken input: uniform targets as the main distribution. The timing
    still runs, but the advantage no longer shrinks against uniform targets."""
    broken = _broken(tmp_path, targets="uniform", vocab_sizes=(5_000, 20_000), steps=10)
    zipf_claim = _claim(broken, "The gain comes from Zipf")
    assert not zipf_claim.supported, zipf_claim.evidence
    assert broken.metrics.by_vocab[-1]["main"]["head_share"] < 0.1
    assert _claim(broken, "Word frequencies").supported  # the corpus did not change


def test_uniform_word_frequencies_leave_no_zipf_gain_in_the_whole_model(tmp_path: Path) -> None:
    """Training on a corpus whose ids were redrawn uniformly, compared with the same uniform
    corpus: no gain from frequencies is shown (its interval's low end stays under half the
    bar's gain; it is near 1 but, as a ratio of two wall-clock speeds, not always across it:
    one full-suite run measured [1.05, 1.18]) and the models learn nothing a uniform guess
    does not know."""
    broken = _broken(tmp_path, frequencies="uniform", vocab_sizes=(5_000,), steps=30)
    gain = _claim(broken, "For the whole model too")
    assert not gain.supported
    assert gain.interval is not None
    assert gain.interval.low < 1.0 + (lab.MIN_ZIPF_GAIN - 1.0) / 2
    m = broken.metrics
    assert m.frequencies == "uniform"
    for ppl in (*m.perplexity_full, *m.perplexity_adaptive):
        assert ppl > 0.9 * m.model_vocab


def test_a_head_holding_the_whole_vocabulary_flips_the_speed_verdicts(tmp_path: Path) -> None:
    """Cutoff at 99% of V: the "adaptive" softmax is a full softmax plus a tiny tail, so it
    can neither train faster nor get ahead at equal time."""
    broken = _broken(tmp_path, cutoff_fractions=(0.99,), vocab_sizes=(5_000, 20_000))
    for start in ("Adaptive softmax makes training", "At equal training time",
                  "Adaptive softmax trains faster"):  # fmt: skip
        claim = _claim(broken, start)
        assert not claim.supported, claim.evidence
    assert _claim(broken, "At equal training steps").supported  # same model, same perplexity


def test_a_starved_head_and_one_dimensional_tails_flip_the_perplexity_verdicts(
    tmp_path: Path,
) -> None:
    """Two words in the head and tails projected to one dimension: the model can no longer
    tell the words apart, so the perplexity claims fail. (Its speed-up sits near the claim's
    1.3x bar, 1.26x [1.25, 1.28] in a fresh CI run on a loaded 2-core machine, so that
    wall-clock verdict is not asserted here; the speed claim is held in
    ``test_the_claims_and_their_fast_verdicts``, where it is about 3x.)"""
    broken = _broken(tmp_path, cutoff_fractions=(0.001,), div_value=64.0, vocab_sizes=(5_000,))
    for start in ("At equal training steps", "At equal training time"):
        claim = _claim(broken, start)
        assert not claim.supported, claim.evidence


# ----------------------------------------------------------------- the whole model


def test_word_corpus_ranks_ids_by_training_frequency() -> None:
    text = "a a a b b c\n\nb a d\n\na a b e\n\nc c a"
    corpus = lab.word_corpus(text, seed=0, held_out=0.0, min_count=2)
    assert corpus.vocab[:3] == ["a", "<p>", "b"]  # a x7, <p> x4, b x4 (ties by name)
    assert "d" not in corpus.vocab
    assert "<unk>" in corpus.vocab
    assert len(corpus.train) == 20  # 16 words and 4 paragraph ends
    assert corpus.train[0].item() == 0
    flat = lab.word_corpus(text, seed=0, held_out=0.0, min_count=2, frequencies="uniform")
    assert flat.vocab == corpus.vocab
    assert len(flat.train) == len(corpus.train)
    assert not torch.equal(flat.train, corpus.train)


def test_seeds_draw_different_held_out_paragraphs() -> None:
    text = stdlib_corpus(60_000)
    a, b = (lab.word_corpus(text, seed=s) for s in (0, 1))
    assert len(a.valid) != len(b.valid) or not torch.equal(a.valid, b.valid)
    assert lab.word_corpus(text, seed=0).train.equal(a.train)


def test_both_outputs_are_normalised_distributions_over_the_vocabulary() -> None:
    torch.manual_seed(0)
    for output in ("full", "adaptive"):
        model = lab.WordLM(300, 16, 8, 1, 2, output, [20, 100], 4.0).eval()
        ids = torch.randint(0, 300, (2, 9))
        nll = model.token_nll(ids[:, :-1], ids[:, 1:])
        h = model.hidden(ids[:, :-1])
        log_p = F.log_softmax(model.head(h), dim=-1) if output == "full" else model.head.log_prob(h)
        torch.testing.assert_close(log_p.exp().sum(-1), torch.ones(16))
        torch.testing.assert_close(nll, -log_p.gather(1, ids[:, 1:].reshape(-1, 1)).squeeze(1))


def test_curves_interpolate_by_hand() -> None:
    curve = lab.Curve("full", steps=[0, 10, 20], cpu_seconds=[0.0, 1.0, 3.0],
                      chunk_nll=[[6.0, 8.0], [5.0, 7.0], [4.0, 4.0]])  # fmt: skip
    assert curve.nll_at(2.0).tolist() == [4.5, 5.5]
    assert curve.nll_at(9.0).tolist() == [4.0, 4.0]  # held at the end
    assert curve.perplexity[-1] == pytest.approx(np.exp(4.0))


def test_zipf_slope_interval_brackets_a_perfect_zipf_law() -> None:
    rng = np.random.default_rng(0)
    weights = 1.0 / np.arange(1, 2001)
    matrix = rng.multinomial(20_000, weights / weights.sum(), size=30).astype(float)
    slope, r2 = lab.zipf_slope_interval(matrix, 5, seed=0, resamples=100)
    assert slope.low <= slope.estimate <= slope.high
    assert -1.1 < slope.low < slope.high < -0.9
    assert r2.low > 0.95


# ------------------------------------------------------------------------- Zipf fit


def test_fit_zipf_by_hand_and_against_polyfit() -> None:
    perfect = np.array([1200.0 / r for r in range(1, 201)])
    fit = lab.fit_zipf(perfect)
    assert fit.slope == pytest.approx(-1.0)
    assert fit.exponent == pytest.approx(1.0)
    assert fit.intercept == pytest.approx(np.log(1200.0))
    assert fit.r_squared == pytest.approx(1.0)

    counts = lab.rank_frequencies(words(stdlib_corpus(50_000)))
    fit = lab.fit_zipf(counts, min_count=3)
    keep = counts >= 3
    x, y = np.log(np.arange(1, len(counts) + 1)[keep]), np.log(counts[keep])
    slope, intercept = np.polyfit(x, y, 1)
    assert fit.slope == pytest.approx(slope)
    assert fit.intercept == pytest.approx(intercept)
    assert fit.r_squared == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2)
    assert fit.ranks_used == int(keep.sum())


def test_flat_counts_are_not_zipf() -> None:
    fit = lab.fit_zipf(np.full(500, 40.0))
    assert fit.slope == pytest.approx(0.0, abs=1e-9)
    assert fit.r_squared == 0.0


def test_rank_frequencies_sorts_counts() -> None:
    assert lab.rank_frequencies(["b", "a", "b", "c", "b", "a"]).tolist() == [3.0, 2.0, 1.0]


def test_sample_targets() -> None:
    zipf = lab.sample_targets("zipf", 1000, 20_000, 1.0, np.random.default_rng(0))
    again = lab.sample_targets("zipf", 1000, 20_000, 1.0, np.random.default_rng(0))
    assert torch.equal(zipf, again)
    assert zipf.dtype == torch.long
    assert int(zipf.min()) >= 0
    assert int(zipf.max()) < 1000
    harmonic = (1.0 / np.arange(1, 1001)).sum()
    assert (zipf == 0).float().mean().item() == pytest.approx(1 / harmonic, abs=0.01)
    uniform = lab.sample_targets("uniform", 1000, 20_000, 1.0, np.random.default_rng(0))
    assert (uniform < 20).float().mean().item() == pytest.approx(0.02, abs=0.005)
    with pytest.raises(ValueError, match="unknown target distribution"):
        lab.sample_targets("normal", 10, 5, 1.0, np.random.default_rng(0))  # type: ignore[arg-type]


# ----------------------------------------------------------- clusters and cost models


def test_cutoffs_are_valid_for_torch() -> None:
    assert lab.cutoffs_for(200_000, (1 / 50, 1 / 10, 1 / 3)) == [4000, 20_000, 66_667]
    assert lab.cutoffs_for(100, (0.001, 0.5, 0.5, 1.0)) == [50]  # 0 and V dropped, deduped
    for vocab in (5_000, 10_000, 50_000):
        cutoffs = lab.cutoffs_for(vocab, lab.Config().cutoff_fractions)
        nn.AdaptiveLogSoftmaxWithLoss(256, vocab, cutoffs, div_value=4.0)  # accepted


def test_cluster_shares() -> None:
    targets = torch.tensor([0, 9, 10, 49, 50, 99])
    assert lab.cluster_shares(targets, [10, 50]) == pytest.approx([2 / 6, 2 / 6, 2 / 6])


def test_macs_per_token_by_hand() -> None:
    # D=8, V=100, cutoffs [10, 50], div 2: head 8*(10+2) = 96; tail 0: 8->4->40 words,
    # 0.3*(32+160) = 57.6; tail 1: 8->2->50 words, 0.2*(16+100) = 23.2.
    macs = lab.adaptive_macs_per_token(8, 100, [10, 50], 2.0, [0.5, 0.3, 0.2])
    assert macs == pytest.approx(96 + 57.6 + 23.2)
    assert lab.adaptive_logits_per_token(100, [10, 50], [0.5, 0.3, 0.2]) == pytest.approx(34.0)
    module = nn.AdaptiveLogSoftmaxWithLoss(8, 100, [10, 50], div_value=2.0)
    assert [tail[0].out_features for tail in module.tail] == [4, 2]  # torch sizes them so


# --------------------------------------------------- from scratch vs torch's module


def test_adaptive_log_prob_equals_torch() -> None:
    torch.manual_seed(0)
    module = nn.AdaptiveLogSoftmaxWithLoss(64, 500, [20, 100, 250], div_value=4.0)  # tails 16, 4, 1
    hidden = torch.randn(300, 64, requires_grad=True)
    targets = torch.randint(0, 500, (300,))
    targets[:5] = torch.tensor([0, 19, 20, 100, 499])  # every cluster's edges

    ours = lab.adaptive_log_prob(module, hidden, targets)
    theirs = module(hidden, targets)
    torch.testing.assert_close(ours, theirs.output)
    torch.testing.assert_close(-ours.mean(), theirs.loss)
    full = module.log_prob(hidden)  # (N, V): the whole distribution
    torch.testing.assert_close(ours, full.gather(1, targets[:, None]).squeeze(1))
    torch.testing.assert_close(full.exp().sum(dim=1), torch.ones(300))

    (grad_ours,) = torch.autograd.grad(-ours.mean(), hidden)
    (grad_theirs,) = torch.autograd.grad(theirs.loss, hidden)
    torch.testing.assert_close(grad_ours, grad_theirs)


def test_the_timed_steps_compute_the_gradients_of_their_losses() -> None:
    """The two steps the lab times are the whole forward and backward pass of each layer:
    the gradients they leave equal those of the loss written by hand (a step that skipped
    work would leave none, or different ones)."""
    torch.manual_seed(0)
    layer = nn.Linear(16, 50)
    hidden = torch.randn(8, 16, requires_grad=True)
    targets = torch.randint(0, 50, (8,))
    lab.full_softmax_step(layer, hidden, targets)
    by_hand = -F.log_softmax(hidden @ layer.weight.T + layer.bias, dim=1)
    expected = by_hand[torch.arange(8), targets].mean()
    grads = torch.autograd.grad(expected, [layer.weight, layer.bias, hidden])
    torch.testing.assert_close(layer.weight.grad, grads[0])
    torch.testing.assert_close(layer.bias.grad, grads[1])
    torch.testing.assert_close(hidden.grad, grads[2])

    adaptive = nn.AdaptiveLogSoftmaxWithLoss(16, 50, [10, 30], div_value=2.0)
    hidden.grad = None
    lab.adaptive_softmax_step(adaptive, hidden, targets)
    loss = -lab.adaptive_log_prob(adaptive, hidden, targets).mean()
    params = [adaptive.head.weight, hidden]
    expected_head, expected_hidden = torch.autograd.grad(loss, params)
    torch.testing.assert_close(adaptive.head.weight.grad, expected_head)
    torch.testing.assert_close(hidden.grad, expected_hidden)
