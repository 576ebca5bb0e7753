"""The attention lab: from-scratch attention equals torch's, a real model's weights are
context-dependent distributions, and broken inputs flip the verdicts."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from llmiq.labs import attention
from llmiq.labs.attention import Config, ContextItem, ContextPair
from llmiq.labs.attention import claims as verdicts
from llmiq.labs.attention.mechanics import future_leak, scale_rows, top_weight_gaps
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("attention")


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny tensors: one thread, as the lab itself uses (two only wait on a busy machine)."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def minilm() -> tuple[object, object]:
    return attention.load_minilm()


def test_every_claim_is_supported(report: LabReport) -> None:
    assert (report.lab, report.question) == ("attention", "self-attention")
    assert len(report.claims) == 8
    for claim in report.claims:
        assert claim.supported, claim
    assert "does not predict the next word" in report.title


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.seeds == (0,), claim.text
        assert claim.measure, claim.text
    net = report.claims[4].interval
    assert net is not None
    assert net.over == "1 seeds x 6 items"
    assert report.models[0]["id"] == "all-minilm-l6-v2"
    assert report.models[0]["parameters"] > 20_000_000


def test_metrics_are_in_sane_ranges(report: LabReport) -> None:
    m = report.metrics
    assert 0 <= m.max_abs_error < 1e-5
    assert m.row_sum_deviation < 1e-5
    assert m.minilm_row_sum_deviation < 1e-5
    assert m.causal_future_weight == 0.0
    assert m.minilm_replay_weight_error < 1e-5
    assert m.minilm_replay_output_error < 1e-5
    assert 0 < m.context_tv_control_mean < m.context_tv_word_mean < 1
    assert m.context_items == 6  # 3 words x 2 frame pairs
    assert m.context_items_word_moves_more >= 4
    assert m.context_net_ci[0] > 0
    assert 0.3 < m.context_share_from_context < 1  # most of any word's shift is the context
    assert m.context_tv["bank"] > m.context_tv["control_bank"] > 0
    assert (m.attention_output_dim, m.vocab_size) == (384, 30522)


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 3
    for figure in report.figures:
        assert Path(figure).read_bytes().startswith(b"\x89PNG")


def test_report_json_is_written_beside_the_figures(report: LabReport) -> None:
    assert (Path(report.figures[0]).parent / "report.json").is_file()


def test_worked_example_by_hand() -> None:
    # q = (0, 1) against keys (1, 0) and (0, 1): scores (0, 1/sqrt(2)) before the softmax.
    q = torch.tensor([[[0.0, 1.0]]])
    k = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    v = torch.tensor([[[1.0], [3.0]]])
    out, weights = attention.scaled_dot_product_attention(q, k, v)
    e = math.exp(1 / math.sqrt(2))
    assert weights[0, 0].tolist() == pytest.approx([1 / (1 + e), e / (1 + e)])
    assert out.item() == pytest.approx(1 / (1 + e) + 3 * e / (1 + e))


def test_causal_rows_see_only_the_past() -> None:
    q, k, v = (torch.randn(2, 3, 5, 8) for _ in range(3))
    _, weights = attention.scaled_dot_product_attention(q, k, v, causal=True)
    assert torch.all(weights.triu(1) == 0)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5))
    assert torch.all(weights[..., 0, 0] == 1)  # the first word can only attend to itself


def test_from_scratch_equals_torch_called_directly() -> None:
    q, k, v = (torch.randn(2, 4, 9, 16) for _ in range(3))
    for causal in (False, True):
        ours, _ = attention.scaled_dot_product_attention(q, k, v, causal=causal)
        ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        assert (ours - ref).abs().max().item() < 1e-5
    errors = attention.compare_with_torch(((2, 16, 64, 4), (1, 7, 24, 3)))
    for key in ("sdpa", "sdpa_causal", "mha_output", "mha_weights", "mha_causal_output",
                "mha_causal_weights"):  # fmt: skip
        assert errors[key] < 1e-5, key


def test_unscaled_attention_is_caught() -> None:
    errors = attention.compare_with_torch(((2, 16, 64, 4),), scale=1.0)
    assert errors["sdpa"] > 1e-3
    assert errors["mha_weights"] > 1e-3


def test_broken_attention_flips_the_equality_verdict(tmp_path: Path) -> None:
    config = Config(shapes=((2, 16, 64, 4),), words=attention.DEFAULT_WORDS[:1], scale=1.0)
    broken = attention.run(config, LabContext(tmp_path, show_progress=False))
    verdicts = [claim.supported for claim in broken.claims]
    assert verdicts[0] is False  # from scratch no longer equals torch
    assert broken.metrics.max_abs_error > 1e-3
    assert verdicts[6] is False  # unscaled logits grow with d_k: the sqrt(d_k) claim fails


def test_scores_grow_as_sqrt_dk_without_the_scale() -> None:
    rows = scale_rows([16, 256], generator=torch.Generator().manual_seed(0))
    assert [round(r.logit_std_scaled, 1) for r in rows] == [1.0, 1.0]
    ratio = rows[1].logit_std_unscaled / rows[0].logit_std_unscaled
    assert ratio == pytest.approx(math.sqrt(256 / 16), rel=0.15)
    assert rows[1].max_weight_unscaled > rows[0].max_weight_unscaled > rows[0].max_weight_scaled
    gaps = {0: top_weight_gaps(256, generator=torch.Generator().manual_seed(1))}
    assert verdicts.scale_claim(rows, gaps, [0]).supported
    unscaled = {0: top_weight_gaps(256, scale=1.0)}
    assert unscaled[0].abs().max().item() == 0.0  # "scaled" by 1 is the unscaled softmax
    assert not verdicts.scale_claim(scale_rows([16, 256], scale=1.0), unscaled, [0]).supported


def test_a_mask_that_sees_one_step_ahead_flips_the_causal_verdict() -> None:
    generator = torch.Generator().manual_seed(0)
    sound = future_leak(generator=generator)
    assert sound.masked == 0.0 < sound.unmasked
    assert verdicts.causal_claim(sound, 1e-5).supported
    leaky = future_leak(mask_offset=2, generator=generator)
    assert leaky.masked > 1e-3
    assert not verdicts.causal_claim(leaky, 1e-5).supported


def test_torch_threads_are_restored() -> None:
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        with torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before


def test_minilm_attention_is_the_from_scratch_formula(minilm: tuple[object, object]) -> None:
    model, tokenizer = minilm
    run = attention.minilm_pass(model, tokenizer, "she sat on the river bank")
    assert run.tokens == ["[CLS]", "she", "sat", "on", "the", "river", "bank", "[SEP]"]
    assert run.attentions.shape == (6, 12, 8, 8)
    assert torch.allclose(run.attentions.sum(-1), torch.ones(6, 12, 8), atol=1e-5)
    assert run.replay_weight_error < 1e-5
    assert run.replay_output_error < 1e-5
    assert run.block_outputs[0].shape == (1, 8, 384)  # model width, not the 30,522 vocabulary
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_total_variation_by_hand() -> None:
    p = {"a": torch.tensor(0.5), "b": torch.tensor(0.3), "x": torch.tensor(0.2)}
    q = {"a": torch.tensor(0.2), "b": torch.tensor(0.4), "y": torch.tensor(0.4)}
    union = attention.total_variation(p, q, shared_only=False)
    assert union.item() == pytest.approx(0.5 * (0.3 + 0.1 + 0.2 + 0.4))
    shared = attention.total_variation(p, q, shared_only=True)  # (5/8, 3/8) vs (1/3, 2/3)
    assert shared.item() == pytest.approx(5 / 8 - 1 / 3)


ITEM = ContextItem(
    "bank",
    "road",
    "the {} by the river was muddy after the flood",
    "the {} by the office was closed after the robbery",
)


def test_an_item_measures_both_words_in_the_same_frames(minilm: tuple[object, object]) -> None:
    model, tokenizer = minilm
    shift = attention.item_shift(model, tokenizer, ITEM)
    assert shift.word.pair.sentence_a == "the bank by the river was muddy after the flood"
    assert shift.control.pair.sentence_b == "the road by the office was closed after the robbery"
    assert shift.word.tv > 0
    assert shift.control.tv > 0
    assert shift.net == pytest.approx(shift.word.tv - shift.control.tv)
    assert shift.word.tv_per_head.shape == (6, 12)


def test_unchanged_context_flips_both_context_verdicts(minilm: tuple[object, object]) -> None:
    model, tokenizer = minilm
    same = ContextItem("bank", "road", ITEM.frame_a, ITEM.frame_a)
    shift = attention.item_shift(model, tokenizer, same)
    assert shift.word.tv == 0.0
    assert shift.control.tv == 0.0
    assert attention.context_claim({0: [shift]}).supported is False
    assert attention.ambiguity_claim({0: [shift]}).supported is False


@pytest.mark.parametrize("weights", ["uniform", "self"])
def test_weights_where_context_cannot_matter_flip_the_ambiguity_verdict(
    weights: str, tmp_path: Path
) -> None:
    """The broken set-up: attention rows that ignore the words (uniform over the sentence, or
    each word attending only to itself). The ambiguous word and its control then move the
    same (the frames are the same), so the net effect is exactly 0 and the verdict is lost;
    a word that attends only to itself does not move at all."""
    config = dataclasses.replace(Config.fast(), weights=weights)
    broken = attention.run(config, LabContext(tmp_path, show_progress=False))
    context, ambiguity = broken.claims[3], broken.claims[4]
    assert ambiguity.supported is False, ambiguity.evidence
    assert ambiguity.interval is not None
    assert ambiguity.interval.estimate == pytest.approx(0.0, abs=1e-6)
    assert broken.metrics.context_weights == weights
    if weights == "self":
        assert context.supported is False, context.evidence
        assert broken.metrics.context_tv_word_mean == 0.0


def test_swapped_roles_flip_the_ambiguity_verdict(minilm: tuple[object, object]) -> None:
    # Ask whether the control moves more than the ambiguous word: it should not.
    model, tokenizer = minilm
    items = attention.draw_items(attention.DEFAULT_WORDS[:3], 0)
    swapped = [ContextItem(i.control, i.word, i.frame_a, i.frame_b) for i in items]
    shifts = [attention.item_shift(model, tokenizer, item) for item in swapped]
    claim = attention.ambiguity_claim({0: shifts})
    assert claim.supported is False
    assert claim.interval is not None
    assert claim.interval.estimate < 0


def test_a_word_missing_from_a_sentence_is_a_clear_error(minilm: tuple[object, object]) -> None:
    model, tokenizer = minilm
    pair = ContextPair("the cat sat", "the dog sat", "bank")
    with pytest.raises(ValueError, match="'bank' must be one token"):
        attention.word_shift(model, tokenizer, pair)


def test_every_control_and_word_is_one_token_once_in_its_frames(
    minilm: tuple[object, object],
) -> None:
    _, tokenizer = minilm
    for entry in attention.DEFAULT_WORDS:
        assert entry.word not in entry.controls
        for frame_a, frame_b in entry.frames:
            for filler in (entry.word, *entry.controls):
                for frame in (frame_a, frame_b):
                    tokens = tokenizer.tokenize(frame.format(filler))  # type: ignore[attr-defined]
                    assert tokens.count(filler) == 1, (filler, frame)


def test_seeds_draw_the_controls_and_keep_the_frames() -> None:
    words = attention.DEFAULT_WORDS
    draws = [attention.draw_items(words, seed) for seed in range(3)]
    assert all(len(items) == 16 for items in draws)
    assert [i.frame_a for i in draws[0]] == [i.frame_a for i in draws[2]]
    assert [i.control for i in draws[0]] != [i.control for i in draws[1]]
    assert attention.draw_items(words, 7) == attention.draw_items(words, 7)
