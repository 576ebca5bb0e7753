"""The scaling lab: the power-law fit against scipy's curve_fit, the held-out loss and the
parameter count worked by hand, the measured claims in fast mode, and broken set-ups (sizes
that do not differ, a badly scaled init, shuffled labels) that flip the verdicts."""

from __future__ import annotations

import doctest
import itertools
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.optimize import curve_fit
from torch import nn
from torch.nn import functional as F

from llmiq.labs import scaling as lab
from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, seed_everything, torch_threads
from llmiq.labs.report import Claim, LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train models

LN_256 = math.log(256)
FAST = lab.Config.fast()
#: fast mode cut to a few seconds: the mechanics, not the measurements
TINY = replace(FAST, corpus_chars=60_000, steps=40, checkpoints=3, eval_windows=32)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("scaling")


def _run(config: lab.Config, out: Path) -> LabReport:
    seed_everything(0)
    return lab.run(config, LabContext(out, show_progress=False))


# --- the pieces -----------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(lab)
    assert result.attempted >= 10
    assert result.failed == 0


def _law(n: np.ndarray, e: float, a: float, alpha: float) -> np.ndarray:
    return e + a * np.power(n, -alpha)


def test_power_law_fit_recovers_known_parameters() -> None:
    n = np.geomspace(1e3, 1e5, 5)
    fit = lab.fit_power_law(n, _law(n, 2.1, 9.0, 0.35))
    assert abs(fit.E - 2.1) < 2e-3
    assert fit.alpha == pytest.approx(0.35, abs=5e-3)
    assert abs(fit.A / 9.0 - 1) < 0.03
    assert fit.r2 == pytest.approx(1.0, abs=1e-6)
    pure = lab.fit_power_law(n, 3.0 * n**-0.1, with_constant=False)
    assert (pure.E, round(pure.alpha, 6), round(pure.A, 6)) == (0.0, 0.1, 3.0)


def test_power_law_fit_is_as_good_as_scipy_curve_fit() -> None:
    n = np.geomspace(3e3, 1e5, 5)
    noise = np.random.default_rng(0).normal(0, 0.01, len(n))
    loss = _law(n, 2.0, 6.0, 0.3) + noise
    ours = lab.fit_power_law(n, loss)
    params, _ = curve_fit(_law, n, loss, p0=(1.5, 5.0, 0.3), maxfev=20_000)
    theirs = float(((loss - _law(n, *params)) ** 2).sum())
    mine = float(((loss - ours.predict(n)) ** 2).sum())
    assert mine <= theirs * 1.01 + 1e-9  # the grid over E costs at most 1% of the squared error
    assert ours.r2 == pytest.approx(lab.r_squared(loss, _law(n, *params)), abs=2e-3)


def test_r_squared_by_hand_and_a_fit_needs_two_sizes() -> None:
    assert lab.r_squared([1, 2, 3], [1, 2, 3]) == 1.0
    assert lab.r_squared([1, 2, 3], [2, 2, 2]) == 0.0  # the mean explains nothing
    assert lab.r_squared([1, 2, 3], [3, 2, 1]) == -3.0
    with pytest.raises(ValueError, match="two different sizes"):
        lab.fit_power_law([1e3, 1e3, 1e3], [3.0, 2.9, 2.8])


def test_tokens_to_reach_interpolates_and_says_never() -> None:
    tokens, losses = [0, 1_000, 10_000], [5.5, 3.0, 2.0]
    assert lab.tokens_to_reach(tokens, losses, 3.0) == 1_000
    assert lab.tokens_to_reach(tokens, losses, 2.5) == pytest.approx(math.sqrt(1e3 * 1e4), 0.01)
    assert lab.tokens_to_reach(tokens, losses, 1.9) is None


def test_non_embedding_parameters_by_hand() -> None:
    # a block: qkv 3d^2+3d, proj d^2+d, MLP 8d^2+5d, two LayerNorms 4d; plus the final LayerNorm
    for layers, d in [(1, 16), (2, 32), (2, 64)]:
        model = lab.build_model(lab.Size(layers, d), FAST, seed=0)
        expected = layers * (12 * d * d + 13 * d) + 2 * d
        assert lab.non_embedding_params(model) == expected
        embeddings = (tinylm.VOCAB + FAST.block_size) * d  # the output layer is tied
        assert model.num_params() == expected + embeddings


def test_held_out_loss_is_torch_cross_entropy_over_every_window() -> None:
    ids = torch.randint(0, 256, (5_000,), generator=torch.Generator().manual_seed(0))
    x, y = lab.held_out_windows(ids, 32, 20)
    assert x.shape == y.shape == (20, 32)
    assert torch.equal(x[:, 1:], y[:, :-1])
    model = lab.build_model(lab.Size(1, 16), FAST, seed=0)
    with torch_threads(1), torch.no_grad():
        ours = lab.held_out_loss(model, x, y, chunk=7)
        theirs = F.cross_entropy(model(x).view(-1, 256), y.view(-1)).item()
    assert ours == pytest.approx(theirs, rel=1e-6)


class _ConstantBias(nn.Module):
    """A "model" whose logits are one learned bias vector, whatever the input."""

    def __init__(self, bias: torch.Tensor) -> None:
        super().__init__()
        self.bias = nn.Parameter(bias)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.bias.expand(*idx.shape, -1)  # (B, T, V)


def test_uniform_output_costs_ln_256_and_a_scaled_bias_does_not() -> None:
    ids = torch.randint(0, 256, (3_000,), generator=torch.Generator().manual_seed(1))
    held = lab.held_out_windows(ids, 32, 16)
    uniform = lab.window_losses(_ConstantBias(torch.zeros(256)), *held).double().numpy()
    assert uniform == pytest.approx(LN_256, abs=1e-5)  # float32, every window
    assert lab.initial_loss_claim(["zero bias"], [[uniform]], 0.05, 3.3, (0,)).supported
    scaled = torch.randn(256, generator=torch.Generator().manual_seed(2)) * 3
    broken = lab.window_losses(_ConstantBias(scaled), *held).double().numpy()
    assert broken.mean() > LN_256 + 1
    assert not lab.initial_loss_claim(["scaled bias"], [[broken]], 0.05, 3.3, (0,)).supported


def test_a_badly_scaled_init_does_not_start_at_ln_256() -> None:
    ids = torch.tensor(tinylm.encode("the quick brown fox jumps over the lazy dog. " * 40))
    held = lab.held_out_windows(ids, 32, 16)
    with torch_threads(1):
        good = lab.held_out_loss(lab.build_model(lab.Size(1, 32), FAST, 0), *held)
        bad = lab.held_out_loss(
            lab.build_model(lab.Size(1, 32), replace(FAST, init_std=1.0), 0), *held
        )
    assert abs(good - LN_256) < 0.05
    assert bad > 2 * LN_256


def test_sampled_windows_share_no_byte_and_differ_by_seed() -> None:
    ids = torch.arange(2_000)
    x, y = lab.sampled_windows(ids, 32, 40, torch.Generator().manual_seed(0))
    assert torch.equal(x[:, 1:], y[:, :-1])
    starts = sorted(x[:, 0].tolist())
    assert all(b - a >= 33 for a, b in itertools.pairwise(starts))
    other, _ = lab.sampled_windows(ids, 32, 40, torch.Generator().manual_seed(1))
    assert not torch.equal(x, other)
    with pytest.raises(ValueError, match="windows"):
        lab.sampled_windows(ids, 32, 100, torch.Generator().manual_seed(0))


def test_schedule_and_checkpoints() -> None:
    config = replace(FAST, learning_rate=1.0, warmup_fraction=0.1, final_lr_fraction=0.1)
    rates = [lab.learning_rate(s, 200, config) for s in range(200)]
    assert rates[0] == pytest.approx(0.05)
    assert max(rates) == pytest.approx(1.0)
    assert rates.index(max(rates)) == 19
    assert rates[-1] == pytest.approx(0.1)
    assert all(b <= a for a, b in itertools.pairwise(rates[19:]))
    assert lab.checkpoint_steps(300, 4) == [0, 38, 75, 150, 300]


def test_the_same_size_and_seed_give_the_same_run_and_shuffling_keeps_the_bytes() -> None:
    ids = torch.tensor(tinylm.encode("scaling laws, " * 500))
    held = lab.held_out_windows(ids, 32, 8)
    config = replace(TINY, steps=12)
    with torch_threads(1):
        runs = [
            lab.train_run(lab.build_model(lab.Size(1, 16), config, 0), ids, held, 12, config, 1)
            for _ in range(2)
        ]
    assert runs[0].held_out == runs[1].held_out
    assert runs[0].train_losses == runs[1].train_losses
    assert runs[0].tokens == [s * config.batch_size * config.block_size for s in runs[0].steps]


# --- the lab, fast mode ---------------------------------------------------------------------


def test_fast_claims(report: LabReport) -> None:
    assert (report.lab, report.question) == ("scaling", "initial-loss-uniform")
    initial, efficiency, law = report.claims  # no compute-budget runs in fast mode
    assert initial.supported, initial.evidence
    assert efficiency.supported, efficiency.evidence
    assert not law.supported  # three sizes fit three parameters: not a test
    assert "only 3 sizes" in law.evidence.lower()
    assert not report.supported


def test_fast_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    assert m.uniform_loss == pytest.approx(LN_256, abs=1e-4)
    assert all(abs(v - LN_256) < 0.05 for v in m.initial_loss)
    assert 3.0 < m.unigram_loss < 3.7  # English bytes without context
    assert m.final_loss == sorted(m.final_loss, reverse=True)
    assert m.final_loss[-1] < m.unigram_loss - 0.2  # the largest uses the context
    n = [s["non_embedding_params"] for s in m.sizes]
    assert n == sorted(n)
    assert n[-1] / n[0] > 10
    assert m.checkpoint_tokens[-1] == FAST.steps * FAST.batch_size * FAST.block_size
    assert m.tokens_to_smallest_final[0] == m.checkpoint_tokens[-1]
    for reached in m.tokens_to_smallest_final[1:]:  # larger models get there sooner
        assert reached is not None
        assert reached < m.checkpoint_tokens[-1]
    assert m.power_law_fit["points"] == 3
    assert m.alpha_ci[0] <= m.power_law_fit["alpha"] <= m.alpha_ci[1]
    assert [len(v) for v in m.final_loss_by_seed] == [1, 1, 1]
    assert m.isoflop_compute is None
    assert m.isoflop_tokens == []


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.measure, claim.text
        assert claim.seeds == report.seeds == (0,), claim.text
        assert claim.interval.low < claim.interval.high, claim.text  # over windows
        assert "95% interval" in claim.evidence
    assert report.claims[2].interval.over == f"1 seeds x {FAST.eval_windows} windows, refitted"
    assert "not tuned" in report.tuning["peak learning rate per size"]  # fast: a priori


def test_two_seeds_are_nested_in_every_interval(tmp_path: Path) -> None:
    seed_everything(0)
    result = lab.run(TINY, LabContext(tmp_path, show_progress=False, replicates=2))
    for claim in result.claims:
        assert claim.seeds == (0, 1), claim.text
    assert result.claims[1].interval.over == f"2 seeds x {TINY.eval_windows} held-out windows"
    for by_seed in result.metrics.final_loss_by_seed:
        assert by_seed[0] != by_seed[1]  # other weights, batches and windows


def test_figure_is_a_png(report: LabReport) -> None:
    assert len(report.figures) == 1
    assert Path(report.figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compute_budget_runs_spend_one_budget(tmp_path: Path) -> None:
    config = replace(TINY, isoflop=True, isoflop_anchor=1)
    result = _run(config, tmp_path)
    m = result.metrics
    n = [s["non_embedding_params"] for s in m.sizes]
    per_step = config.batch_size * config.block_size
    assert m.isoflop_tokens[1] == m.checkpoint_tokens[-1]
    assert m.isoflop_final_loss[1] == m.final_loss[1]  # the anchor's main run, reused
    for size, tokens in zip(n, m.isoflop_tokens, strict=True):
        assert abs(6 * size * tokens - m.isoflop_compute) <= 6 * size * per_step / 2
    assert len(result.claims) == 4


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_sizes_that_do_not_differ_show_no_size_effect(tmp_path: Path) -> None:
    same = replace(FAST, sizes=(lab.Size(1, 16),) * 3, steps=120)
    result = _run(same, tmp_path)
    initial, efficiency, law = result.claims
    assert initial.supported
    assert not efficiency.supported
    assert not law.supported
    assert "do not differ" in law.evidence
    assert len(set(result.metrics.final_loss)) == 1


def test_shuffled_labels_learn_nothing_beyond_byte_frequencies(tmp_path: Path) -> None:
    result = _run(replace(FAST, shuffle_labels=True), tmp_path)
    m = result.metrics
    assert all(v > m.unigram_loss - 0.02 for v in m.final_loss)
    assert max(m.final_loss) - min(m.final_loss) < 0.05
    initial, efficiency, _ = result.claims
    assert initial.supported  # step 0 comes before any label is seen
    assert not efficiency.supported


def test_a_broken_init_scale_flips_the_initial_loss(tmp_path: Path) -> None:
    result = _run(replace(TINY, init_std=1.0, steps=5), tmp_path)
    initial = result.claims[0]
    assert not initial.supported
    assert "NOT within" in initial.evidence
    assert min(result.metrics.initial_loss) > LN_256 + 1


def _windows(curves: list[list[float]], noise: float = 0.01, seeds: int = 3) -> list:
    """Per size, per checkpoint, one array per seed of 64 window losses around ``curves``,
    every size of a seed on the same windows (a shared difficulty per window)."""
    rng = np.random.default_rng(0)
    difficulty = [rng.normal(0, 0.2, 64) for _ in range(seeds)]
    return [
        [[v + d + rng.normal(0, noise, 64) for d in difficulty] for v in curve] for curve in curves
    ]


def test_size_effect_claim_needs_growing_sizes_and_gaps() -> None:
    tokens = [0, 100, 200, 400]
    curves = [[5.5, 3.4, 3.0, 2.8], [5.5, 3.2, 2.8, 2.6], [5.5, 3.0, 2.6, 2.4]]
    seeds = (0, 1, 2)

    def claim(losses: list[list[float]], n: list[int], noise: float = 0.01) -> Claim:
        return lab.sample_efficiency_claim(
            ["a", "b", "c"], n, tokens, _windows(losses, noise), 0.02, seeds
        )

    assert claim(curves, [1, 2, 4]).supported
    assert not claim(curves, [4, 2, 1]).supported  # the sizes shrink
    tied = [curves[0], curves[1], [5.5, 3.0, 2.79, 2.4]]  # a tie at half the budget
    assert not claim(tied, [1, 2, 4]).supported
    noisy = claim(curves, [1, 2, 4], noise=1.5)  # the same means, windows far noisier
    assert not noisy.supported
    assert noisy.interval.low < 0.02
    assert "NOT every one above" in noisy.evidence


def test_power_law_claim_flips_for_shapes_it_does_not_fit() -> None:
    n = np.geomspace(3e3, 1e5, 5)
    honest = _law(n, 2.0, 6.0, 0.3) + np.array([0.004, -0.003, 0.002, -0.004, 0.001])

    def claim(loss: np.ndarray, spread: float = 0.01) -> Claim:
        fit = lab.fit_power_law(n, loss)
        pure = lab.fit_power_law(n, loss, with_constant=False)
        rng = np.random.default_rng(0)
        runs = [loss[:, None] + rng.normal(0, spread, (5, 64)) for _ in range(3)]
        alpha = lab.alpha_interval(n, runs, resamples=300)
        return lab.power_law_claim(
            fit, pure, None, list(n), list(loss), 0.95, 1000, None, alpha, (0, 1, 2)
        )

    assert claim(honest).supported
    assert not claim(honest[::-1].copy()).supported  # loss rising with size
    assert not claim(np.array([3.0, 2.2, 3.1, 2.3, 3.0])).supported  # no shape at all
    assert not claim(np.array([2.9, 2.9, 2.9, 2.9, 2.1])).supported  # a cliff at the largest


def test_an_exponent_inside_the_noise_is_not_supported() -> None:
    """A shallow fall (0.02 nats/byte over 30x) fits a power law with a positive point
    exponent, but with windows this noisy its interval reaches 0: not supported."""
    n = np.geomspace(3e3, 1e5, 5)
    shallow = np.array([2.51, 2.505, 2.5, 2.495, 2.49])
    rng = np.random.default_rng(1)
    runs = [shallow[:, None] + rng.normal(0, 0.5, (5, 64)) for _ in range(3)]
    fit = lab.fit_power_law(n, shallow)
    alpha = lab.alpha_interval(n, runs, resamples=300)
    assert fit.alpha > 0
    assert alpha.low <= 0
    claim = lab.power_law_claim(
        fit, None, None, list(n), list(shallow), 0.9, 1000, None, alpha, (0, 1, 2)
    )
    assert not claim.supported
    assert "interval reaches 0" in claim.evidence


def test_compute_optimal_claim_needs_an_interior_minimum() -> None:
    n, d = [1_000, 4_000, 16_000], [64_000, 16_000, 4_000]

    def claim(finals: list[float]) -> bool:
        windows = [size[0] for size in _windows([[v] for v in finals])]
        return lab.compute_optimal_claim(n, d, windows, 3.8e8, 0.02, (0, 1, 2)).supported

    assert claim([2.6, 2.4, 2.7])
    assert not claim([2.4, 2.5, 2.7])
    assert not claim([2.7, 2.5, 2.4])
    assert not claim([2.41, 2.40, 2.7])
