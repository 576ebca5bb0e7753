"""The sampling lab: the knobs against their definitions and transformers' warpers, the
measured claims in fast mode, and broken inputs that flip each verdict."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from transformers.generation.logits_process import (
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from llmiq.labs import sampling
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

#: a few seconds less than --fast: enough for the mechanics, not for a good model
TINY = replace(
    sampling.Config.fast(),
    corpus_chars=30_000,
    train_steps=40,
    eval_positions=300,
    samples=8,
    sample_length=60,
)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("sampling")


@pytest.fixture(scope="module")
def logits() -> torch.Tensor:
    return torch.randn(64, 50, generator=torch.Generator().manual_seed(1)) * 3  # (N, V)


# --- the knobs ------------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(sampling)
    assert result.attempted >= 8
    assert result.failed == 0


def test_temperature_one_is_softmax_and_zero_is_argmax(logits: torch.Tensor) -> None:
    torch.testing.assert_close(
        sampling.softmax_with_temperature(logits, 1.0), torch.softmax(logits, -1)
    )
    greedy = sampling.softmax_with_temperature(logits, 0.0)
    assert torch.equal(greedy.argmax(-1), logits.argmax(-1))
    assert torch.equal(greedy.sum(-1), torch.ones(len(logits)))
    near_zero = sampling.softmax_with_temperature(logits, 1e-4)
    assert near_zero.gather(-1, logits.argmax(-1, keepdim=True)).min() > 0.999


def test_temperature_by_hand() -> None:
    # p_i ∝ exp(z_i / T): at T = 0.5 the ratio of the first two is e^(1 / 0.5) = e^2
    probs = sampling.softmax_with_temperature(torch.tensor([2.0, 1.0, 0.0]), 0.5)
    assert probs[0] / probs[1] == pytest.approx(math.e**2, rel=1e-5)
    assert probs.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("temperature", [0.3, 0.7, 1.0, 1.6, 3.0])
def test_temperature_matches_transformers(logits: torch.Tensor, temperature: float) -> None:
    ids = torch.zeros(len(logits), 1, dtype=torch.long)
    theirs = torch.softmax(TemperatureLogitsWarper(temperature)(ids, logits), -1)
    torch.testing.assert_close(sampling.softmax_with_temperature(logits, temperature), theirs)


@pytest.mark.parametrize("k", [1, 2, 7, 50, 80])
def test_top_k_keeps_exactly_k_and_matches_transformers(logits: torch.Tensor, k: int) -> None:
    filtered = sampling.top_k_filter(logits, k)
    assert torch.equal((filtered > -math.inf).sum(-1), torch.full((len(logits),), min(k, 50)))
    ids = torch.zeros(len(logits), 1, dtype=torch.long)
    theirs = torch.softmax(TopKLogitsWarper(k)(ids, logits), -1)
    torch.testing.assert_close(sampling.next_token_distribution(logits, top_k=k), theirs)


def test_top_k_renormalises_without_changing_ranking_or_ratios(logits: torch.Tensor) -> None:
    probs = torch.softmax(logits, -1)
    kept = sampling.next_token_distribution(logits, top_k=5)
    top = probs.topk(5, -1)
    assert torch.equal(kept.topk(5, -1).indices, top.indices)
    torch.testing.assert_close(kept.gather(-1, top.indices), top.values / top.values.sum(-1, True))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 0.99, 1.0])
def test_top_p_is_the_smallest_prefix_and_matches_transformers(
    logits: torch.Tensor, p: float
) -> None:
    probs = torch.softmax(logits, -1)
    kept = sampling.next_token_distribution(logits, top_p=p) > 0
    sorted_probs, order = probs.sort(-1, descending=True)
    for row in range(len(logits)):
        size = int(kept[row].sum())
        assert set(order[row, :size].tolist()) == set(kept[row].nonzero().flatten().tolist())
        assert sorted_probs[row, :size].sum() >= p - 1e-6
        # one token fewer would hold < p, i.e. the kept last token and the rest hold > 1 - p
        assert sorted_probs[row, size - 1 :].sum() > 1 - p
    ids = torch.zeros(len(logits), 1, dtype=torch.long)
    theirs = torch.softmax(TopPLogitsWarper(p)(ids, logits), -1)
    torch.testing.assert_close(sampling.next_token_distribution(logits, top_p=p), theirs)


def test_top_p_by_hand() -> None:
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    assert (sampling.top_p_filter(logits, 0.75) > -math.inf).tolist() == [1, 1, 0, 0]
    assert (sampling.top_p_filter(logits, 0.85) > -math.inf).tolist() == [1, 1, 1, 0]
    assert (sampling.top_p_filter(logits, 0.2) > -math.inf).tolist() == [1, 0, 0, 0]


def test_inverse_cdf_sampling_has_the_right_frequencies() -> None:
    probs = torch.tensor([0.1, 0.0, 0.6, 0.3])
    uniform = torch.rand(40_000, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(sampling.sample_from(probs, uniform), minlength=4) / 40_000
    assert counts[1] == 0
    torch.testing.assert_close(counts, probs, atol=0.01, rtol=0)


def test_entropy_and_distinct_n_by_hand() -> None:
    assert sampling.entropy_bits(torch.full((8,), 1 / 8)).item() == pytest.approx(3.0)
    assert sampling.entropy_bits(torch.tensor([1.0, 0.0])).item() == 0.0
    assert sampling.distinct_n(["aaaa"], 2) == pytest.approx(1 / 3)
    assert sampling.distinct_n(["abc", "abc"], 3) == pytest.approx(1 / 2)


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 4
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.supported
    assert report.lab == "sampling"
    assert report.question == "output-randomness"


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    temperature, *checks = report.claims
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.seeds == (0,), claim.text
        assert claim.measure, claim.text
    assert temperature.interval is not None
    assert temperature.interval.over == f"1 seeds x {sampling.Config.fast().samples} items"
    assert temperature.interval.low > 0
    for claim in checks:  # definition checks: exact maxima, and said so
        assert claim.interval is not None
        assert claim.interval.low == claim.interval.high
        assert claim.interval.over.startswith("exact")
        assert "definition check" in claim.evidence


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    vocab = m.vocab_size
    assert 60 <= vocab <= 100
    assert m.held_out_loss_nats < 0.6 * math.log(vocab)  # learnt something real
    entropies = m.entropy_bits_by_temperature
    assert entropies == sorted(entropies)
    assert entropies[0] < 1.5
    assert 3.5 < entropies[-1] < math.log2(vocab)
    distinct = m.distinct_by_temperature
    assert m.to_dict()["distinct_3_by_temperature"] == distinct
    assert distinct == sorted(distinct)
    assert 0 < distinct[0] < 0.8  # distinct-3 within each sample, then averaged
    assert distinct[-1] > 0.9
    assert len(m.distinct_gain_ci) == len(m.temperatures) - 1
    assert all(low > 0 for low, _ in m.distinct_gain_ci)
    samples = m.sample_entropy_bits_by_temperature
    assert samples == sorted(samples)
    assert samples[0] < 1.5 < 4.0 < samples[-1]
    for k, support in zip(m.top_k, m.top_k_max_support, strict=True):
        assert support == min(k, vocab)
    assert m.top_k_entropy_bits[0] == 0.0  # k = 1 is greedy
    assert m.top_k_entropy_bits[-1] == pytest.approx(m.untruncated_entropy_bits, abs=1e-3)
    assert m.top_k_max_ratio_change < 1e-4
    assert m.top_p_mean_support == sorted(m.top_p_mean_support)
    lengths = m.max_new_tokens
    assert lengths["prefix_fraction"] == 1.0
    assert lengths["max_entropy_difference"] == 0.0
    assert max(m.vs_transformers_max_abs.values()) < 1e-5
    checks = m.definition_checks
    assert checks["mean_argmax_mass_by_small_t"] == sorted(checks["mean_argmax_mass_by_small_t"])
    assert checks["mean_argmax_mass_by_small_t"][-1] > 0.999
    assert checks["t0_is_argmax"]
    assert checks["top_k_exact_k"]
    assert checks["top_p_smallest_prefix"]


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_gives_the_same_report(tmp_path: Path) -> None:
    first, second = (
        sampling.run(TINY, LabContext(tmp_path / name, show_progress=False))
        for name in ("first", "second")
    )
    for key in ("entropy_bits_by_temperature", "distinct_by_temperature", "held_out_loss_nats"):
        assert getattr(first.metrics, key) == getattr(second.metrics, key)


# --- broken inputs flip the verdicts --------------------------------------------------------


def test_a_sampler_that_ignores_temperature_is_not_supported(tmp_path: Path) -> None:
    config = replace(TINY, temperature_applied=False)
    broken = sampling.run(config, LabContext(tmp_path, show_progress=False))
    temperature, *others = broken.claims
    assert not temperature.supported
    assert "does NOT rise" in temperature.evidence
    assert all(claim.supported for claim in others)


def _per_prompt(means: list[float]) -> list[dict[int, list[float]]]:
    """Per temperature, one seed of 8 prompts scattered around each mean (by a different
    pattern at each temperature, so the gains differ from prompt to prompt)."""
    return [
        {0: [m + 0.01 * ((i * (t + 3)) % 7 - 3) for i in range(8)]} for t, m in enumerate(means)
    ]


def test_a_decreasing_sweep_does_not_support_a_rise(logits: torch.Tensor) -> None:
    temps = [2.0, 1.0, 0.5]
    entropies = sampling.entropy_by_temperature(logits, temps)
    assert entropies[0] > entropies[1] > entropies[2]
    claim = sampling.temperature_claim(
        temps, entropies, _per_prompt([4.0, 3.0, 2.0]), _per_prompt([0.9, 0.5, 0.2]), 3
    )
    assert not claim.supported
    rising = sampling.temperature_claim(
        temps[::-1], entropies[::-1], _per_prompt([2.0, 3.0, 4.0]), _per_prompt([0.2, 0.5, 0.9]), 3
    )  # the same numbers in T order
    assert rising.supported
    assert rising.interval is not None
    assert rising.interval.estimate == pytest.approx(0.3, abs=0.02)


def test_a_diversity_gain_within_the_noise_is_not_supported(logits: torch.Tensor) -> None:
    """Samples whose diversity does not really change between two temperatures (gains that
    scatter around 0 across prompts) do not support a rise, whatever the mean says."""
    temps = [0.5, 1.0]
    entropies = sampling.entropy_by_temperature(logits, temps)
    flat = [{0: [0.5, 0.6, 0.4, 0.55]}, {0: [0.52, 0.45, 0.5, 0.6]}]
    claim = sampling.temperature_claim(temps, entropies, _per_prompt([1.0, 2.0]), flat, 3)
    assert not claim.supported
    assert claim.interval is not None
    assert claim.interval.low < 0 < claim.interval.high


def test_seeds_draw_different_held_out_paragraphs() -> None:
    text = "\n\n".join(f"paragraph {i}" for i in range(200))
    (train_a, held_a), (_, held_b) = (sampling.held_out_split(text, s) for s in (0, 1))
    assert held_a != held_b
    assert 5 < held_a.count("paragraph") < 40
    assert sampling.held_out_split(text, 0) == (train_a, held_a)
    assert train_a.count("paragraph") + held_a.count("paragraph") == 200


def test_a_filter_that_rescales_or_keeps_too_many_is_caught(logits: torch.Tensor) -> None:
    probs = torch.softmax(logits, -1)
    ks = [1, 3, 10]
    full = sampling.entropy_bits(probs).mean().item()
    honest = sampling.top_k_measurements(probs, ks)
    assert sampling.top_k_claim(ks, honest, full).supported

    def rescaling(z: torch.Tensor, k: int) -> torch.Tensor:
        return sampling.top_k_filter(z / 0.5, k)  # top-k plus a temperature

    def one_too_many(z: torch.Tensor, k: int) -> torch.Tensor:
        return sampling.top_k_filter(z, k + 1)

    for broken in (rescaling, one_too_many):
        measured = sampling.top_k_measurements(probs, ks, truncate=broken)
        assert not sampling.top_k_claim(ks, measured, full).supported


def test_max_new_tokens_with_another_seed_is_caught() -> None:
    torch.manual_seed(0)
    model = sampling.CharMLP(vocab_size=20, context=4, embed_dim=8, hidden=16).eval()
    prefix = torch.randint(0, 20, (6, 4), generator=torch.Generator().manual_seed(0))
    measure = sampling.max_new_tokens_measurements
    with torch_threads(1):
        same = measure(model, prefix, 10, 40, seed_short=3, seed_long=3)
        other = measure(model, prefix, 10, 40, seed_short=3, seed_long=4)
    assert sampling.max_new_tokens_claim(10, 40, same).supported
    assert other["prefix_fraction"] < 1.0
    assert not sampling.max_new_tokens_claim(10, 40, other).supported
