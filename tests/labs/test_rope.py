"""The RoPE lab: the from-scratch rotation against transformers and by hand, the measured
claims in fast mode, and a broken set-up that flips each verdict."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

from llmiq.labs import rope, tinylm
from llmiq.labs.context import torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import LabReport
from llmiq.labs.rope import Config
from llmiq.labs.uncertainty import Interval, nested_interval

pytestmark = pytest.mark.slow  # trains a model and imports transformers

#: a model small and short enough to train in a couple of seconds
TINY = replace(Config.fast(), corpus_chars=60_000, train_length=16, eval_windows=32)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("rope")


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def texts() -> tuple[torch.Tensor, torch.Tensor]:
    train_text, held_text = split_held_out(stdlib_corpus(TINY.corpus_chars))
    return torch.tensor(tinylm.encode(train_text)), torch.tensor(tinylm.encode(held_text))


# --- the fast run's claims and numbers ---------------------------------------------------


def test_claims_are_as_measured(report: LabReport) -> None:
    assert (report.lab, report.question) == ("rope", "rope-relative-position")
    relative, library, extrapolation, interpolation, finetuned, decay = report.claims
    assert relative.supported
    assert library.supported
    # interpolation, zero-shot and after the same fine-tuning, does not help this tiny byte
    # model: the whole interval of its gain is below zero, not just around it
    for found in (interpolation, finetuned):
        assert not found.supported
        assert found.interval.high < 0
    assert decay.supported
    # one seed of 64 windows: the rise past L is there on average; whether its interval
    # clears zero is what the verdict says
    assert extrapolation.interval.estimate > 0
    assert extrapolation.supported == (extrapolation.interval.low > 0)
    assert not report.supported


def test_every_claim_has_an_interval_and_the_runs_seeds(report: LabReport) -> None:
    assert report.models == []  # no pretrained weights: SmolLM2's rotary geometry only
    for found in report.claims:
        assert found.interval is not None, found.text
        assert found.interval.low <= found.interval.estimate <= found.interval.high
        assert found.measure, found.text
        assert found.seeds == report.seeds == (0,)
        assert "[" in found.evidence or "exact" in found.interval.over
    worst_cases = [c for c in report.claims if c.interval.over.startswith("exact")]
    assert len(worst_cases) == 2  # the relative property and the library check


def test_metrics_are_in_sane_ranges(report: LabReport) -> None:
    m = report.metrics
    assert m.rope_spread < 1e-9
    assert m.rope_spread_fp32 < 1e-3
    assert min(m.sinusoidal_spread[1], m.learned_spread[1]) > 0.1  # interval's low end
    assert m.vs_transformers_same_rounding < 1e-6
    assert 1e-6 < m.vs_transformers_float64_angles < 1e-2  # the library's float32 angles
    assert m.eval_lengths == [32, 64, 128]
    assert m.loss_past_length[0] is None
    assert m.rise_past_length[0] is None
    assert m.loss_past_length[-1] > m.loss_before_length[-1]
    assert m.loss_plain[0] == m.loss_interpolated[0]  # at L, interpolation is the identity
    assert m.interpolation_gain[0] == [0.0, 0.0, 0.0]
    assert m.finetuned_plain < m.loss_plain[-1]  # fine-tuning at 4L helps both
    assert m.finetuned_interpolated < m.loss_interpolated[-1]
    assert m.decay_edges[0] == 1
    assert m.decay_edges[-1] == 1025
    estimate, low, high = m.decay_last_over_first
    assert low <= estimate <= high < 0.5


def test_figure_and_report_are_written(report: LabReport) -> None:
    assert len(report.figures) == 1
    figure = Path(report.figures[0])
    assert figure.read_bytes().startswith(b"\x89PNG")
    assert (figure.parent / "report.json").is_file()


# --- the rotation, by hand and against the library ----------------------------------------


def test_docstring_examples(run_doctests: Callable[..., Any]) -> None:
    results = run_doctests(rope)
    assert results.failed == 0
    assert results.attempted >= 4


def test_a_pair_turns_by_position_times_theta() -> None:
    # d = 4, base 100: theta = (1, 0.1); position 2 turns pair 0 by 2 rad, pair 1 by 0.2 rad
    x = torch.tensor([[1.0, 0.0, 0.0, 1.0]], dtype=torch.float64)  # pairs (x0, x2), (x1, x3)
    out = rope.rotate(x, torch.tensor([2]), base=100.0)
    a, b = torch.tensor(2.0, dtype=torch.float64), torch.tensor(0.2, dtype=torch.float64)
    # pair 0: (1, 0) -> (cos a, sin a); pair 1: (0, 1) -> (-sin b, cos b)
    expected = torch.stack([a.cos(), -b.sin(), a.sin(), b.cos()])[None]
    assert torch.allclose(out, expected, atol=1e-12)


def test_rotation_keeps_norms_and_only_the_difference_matters() -> None:
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(2, 5, 32, generator=g, dtype=torch.float64)
    m, n = torch.tensor([3, 100, 7, 0, 4000]), torch.tensor([1, 90, 7, 12, 3999])
    qm, kn = rope.rotate(q, m), rope.rotate(k, n)
    assert torch.allclose(qm.norm(dim=-1), q.norm(dim=-1))
    # <R_m q, R_n k> = <q, R_(n - m) k>
    assert torch.allclose((qm * kn).sum(-1), (q * rope.rotate(k, n - m)).sum(-1), atol=1e-10)


def test_equals_transformers_apply_rotary_pos_emb() -> None:
    for offset in (0, 10_000):
        assert rope.compare_with_transformers(tokens=64, offset=offset) < 1e-6
    exact = rope.compare_with_transformers(tokens=64, offset=10_000, angle_dtype=torch.float64)
    assert exact > 1e-5  # the library rounds position x theta in float32


def test_the_papers_interleaved_layout_is_a_permutation() -> None:
    d = 16
    x = torch.randn(3, 7, d, dtype=torch.float64)
    positions = torch.arange(7) * 13
    # interleaved pairs (2i, 2i+1) <-> half-split pairs (i, i + d/2)
    order = torch.cat([torch.arange(0, d, 2), torch.arange(1, d, 2)])
    ours = rope.rotate(x[..., order], positions)
    paper = rope.rotate_interleaved(x, positions)[..., order]
    assert torch.allclose(ours, paper, atol=1e-12)


def test_shifting_every_position_leaves_the_model_unchanged() -> None:
    torch.manual_seed(0)
    model = rope.RotaryGPT(tinylm.GPTConfig(block_size=16, n_layer=2, n_head=4, n_embd=32))
    ids = torch.randint(0, 256, (2, 24))
    with torch.no_grad():
        here = model(ids)
        there = model(ids, position_offset=1000.0)
        halved = model(ids, position_scale=0.5)
    assert (here - there).abs().max().item() < 1e-4
    assert (here - halved).abs().max().item() > 1e-3  # interpolation is not a shift


def test_seeds_draw_their_own_held_out_windows(texts: tuple[torch.Tensor, torch.Tensor]) -> None:
    _, held = texts
    draw = [rope.held_out_windows(held, 32, 8, torch.Generator().manual_seed(s)) for s in (0, 1)]
    assert not torch.equal(draw[0][0], draw[1][0])
    again = rope.held_out_windows(held, 32, 8, torch.Generator().manual_seed(0))
    assert torch.equal(again[0], draw[0][0])
    assert torch.equal(draw[0][1][:, :-1], draw[0][0][:, 1:])  # targets: the next byte


def test_the_decay_interval_resamples_vectors_and_seeds() -> None:
    config = replace(Config.fast(), decay_vectors=32)
    matched = [rope.matched_by_vector(config, torch.Generator().manual_seed(s)) for s in (0, 1)]
    one = rope.long_term_decay(config, matched[:1])
    two = rope.long_term_decay(config, matched)
    for decay in (one, two):
        assert decay.ratio.low <= decay.ratio.estimate <= decay.ratio.high
    assert two.ratio.over == "2 seeds x 32 random vectors"
    # the estimate is the envelope ratio of the pooled mean score
    assert two.ratio.estimate == pytest.approx(two.matched_bins[-1] / two.matched_bins[0], rel=1e-5)


def test_a_rise_above_zero_only_on_average_does_not_support_extrapolation() -> None:
    """The verdict rests on the interval: windows whose loss past L rises in some and falls
    in others about as much do not show that RoPE fails to extrapolate."""
    swings = torch.tensor([0.30, -0.26] * 24)
    rise = rope.paired(swings)
    assert rise.estimate > 0 > rise.low
    claim = rope.extrapolation_claim(16, [1, 4], [2.0, 2.0], [None, 2.02], [None, rise], [0])
    assert not claim.supported
    steady = rope.paired(torch.tensor([0.30, 0.26] * 24))
    claim = rope.extrapolation_claim(16, [1, 4], [2.0, 2.0], [None, 2.28], [None, steady], [0])
    assert claim.supported


# --- broken set-ups flip each verdict ---------------------------------------------------


def test_keys_at_another_index_flip_the_relative_verdict() -> None:
    def claim(config: Config) -> bool:
        measured = rope.relative_position(config, torch.Generator().manual_seed(0))
        spreads = measured.spreads
        absolute = {
            key: nested_interval([spreads[key].tolist()]) for key in ("sinusoidal", "learned")
        }
        return rope.relative_claim(
            rope_spread=float(spreads["rope"].max()),
            rope_spread_fp32=float(spreads["rope_fp32"].max()),
            sinusoidal=absolute["sinusoidal"],
            learned=absolute["learned"],
            key_position_scale=config.key_position_scale,
            max_position=measured.max_position,
            pairs="16 pairs",
            seeds=[0],
        ).supported

    broken = replace(Config.fast(), key_position_scale=0.5)
    assert (
        rope.relative_position(broken, torch.Generator().manual_seed(0)).spreads["rope"].max() > 0.1
    )
    assert not claim(broken)
    assert claim(Config.fast())


def test_a_wrong_base_flips_the_library_verdict() -> None:
    wrong = rope.compare_with_transformers(tokens=64, base=10000.0, library_base=100000.0)
    assert wrong > 1e-2
    assert not rope.library_claim(wrong, wrong, 64, 0, [0]).supported
    right = rope.compare_with_transformers(tokens=64, seed=3)
    assert rope.library_claim(right, right, 64, 0, [3]).supported


def test_a_model_trained_on_the_long_length_does_not_degrade(
    texts: tuple[torch.Tensor, torch.Tensor],
) -> None:
    """The control: trained on 4L, positions past L are in range, and the extrapolation
    verdict flips (the rise seen in the lab is extrapolation, not the text)."""
    data, held = texts
    L, long = TINY.train_length, 4 * TINY.train_length
    model = rope.RotaryGPT(tinylm.GPTConfig(block_size=long, n_layer=2, n_head=4, n_embd=64))
    generator = torch.Generator().manual_seed(0)
    rope.train(model, data, length=long, steps=150, batch_size=8, lr=3e-3, generator=generator)
    x, y = rope.held_out_windows(held, long, 64)
    losses = rope.position_losses(model, x, y)
    before, past = losses[:, :L], losses[:, L:]
    rise = rope.paired(past.mean(1) - before.mean(1))
    claim = rope.extrapolation_claim(
        L, [1, 4], [before.mean().item()] * 2, [None, past.mean().item()], [None, rise], [0]
    )
    assert not claim.supported


def test_a_broken_baseline_flips_the_interpolation_verdicts(
    texts: tuple[torch.Tensor, torch.Tensor],
) -> None:
    """Against a 'plain' model whose rotations are switched off (every position 0), position
    interpolation wins, before and after the same fine-tuning: both interpolation verdicts
    can come out supported."""
    data, held = texts
    L, long = TINY.train_length, 4 * TINY.train_length
    model = rope.RotaryGPT(tinylm.GPTConfig(block_size=L, n_layer=2, n_head=4, n_embd=64))
    generator = torch.Generator().manual_seed(0)
    rope.train(model, data, length=L, steps=150, batch_size=32, lr=3e-3, generator=generator)
    x, y = rope.held_out_windows(held, long, 32)
    scales = {"broken": 0.0, "interpolated": L / long}
    before = {name: rope.position_losses(model, x, y, s) for name, s in scales.items()}
    gain = rope.paired(before["broken"].mean(1) - before["interpolated"].mean(1))
    plain = [0.0, before["broken"].mean().item()]
    interpolated = [0.0, before["interpolated"].mean().item()]
    nothing = Interval(0.0, 0.0, 0.0)  # at L itself: not judged
    claim = rope.interpolation_claim([1, 4], L, plain, interpolated, [nothing, gain], [0])
    assert claim.supported

    after = {}
    for name, scale in scales.items():
        tuned = copy.deepcopy(model)
        rope.train(
            tuned,
            data,
            length=long,
            steps=20,
            batch_size=8,
            lr=1e-3,
            generator=torch.Generator().manual_seed(1),
            position_scale=scale,
        )
        after[name] = rope.position_losses(tuned, x, y, scale)
    tuned_gain = rope.paired(after["broken"].mean(1) - after["interpolated"].mean(1))
    means = (after["broken"].mean().item(), after["interpolated"].mean().item())
    before = (plain[1], interpolated[1])
    assert rope.finetuned_claim(long, 20, before, means, tuned_gain, [0]).supported


def test_one_frequency_flips_the_decay_verdict() -> None:
    def decay(config: Config) -> rope.Decay:
        vectors = rope.matched_by_vector(config, torch.Generator().manual_seed(0))
        return rope.long_term_decay(config, [vectors])

    broken = decay(replace(Config.fast(), single_frequency=True))
    assert max(broken.bound_bins) - min(broken.bound_bins) < 1e-9  # no decay at all
    assert broken.ratio.low > 0.5
    claim = rope.decay_claim(
        broken.edges, broken.bound_bins, broken.matched_bins, True, broken.ratio, [0]
    )
    assert not claim.supported
    working = decay(Config.fast())
    assert rope.decay_claim(
        working.edges, working.bound_bins, working.matched_bins, False, working.ratio, [0]
    ).supported
