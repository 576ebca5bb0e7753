"""The attention lab: from-scratch attention equals torch's, a real model's weights are
context-dependent distributions, and broken inputs flip the verdicts."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from llmiq.labs import attention
from llmiq.labs.attention import Config, ContextPair
from llmiq.labs.attention import claims as verdicts
from llmiq.labs.attention.mechanics import future_leak, scale_rows
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
    assert len(report.claims) == 7
    for claim in report.claims:
        assert claim.supported, claim
    assert "does not predict the next word" in report.title


def test_metrics_are_in_sane_ranges(report: LabReport) -> None:
    m = report.metrics
    assert 0 <= m.max_abs_error < 1e-5
    assert m.row_sum_deviation < 1e-5
    assert m.minilm_row_sum_deviation < 1e-5
    assert m.causal_future_weight == 0.0
    assert m.minilm_replay_weight_error < 1e-5
    assert m.minilm_replay_output_error < 1e-5
    assert 0 < m.context_tv_control_mean < m.context_tv_word_mean < 1
    assert m.context_pairs == 3
    assert m.context_pairs_word_moves_more >= 2
    assert m.context_tv["bank"] > m.context_tv["control_weather"] > 0
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
    config = Config(shapes=((2, 16, 64, 4),), pairs=attention.DEFAULT_PAIRS[:1], scale=1.0)
    broken = attention.run(config, LabContext(tmp_path, show_progress=False))
    verdicts = [claim.supported for claim in broken.claims]
    assert verdicts[0] is False  # from scratch no longer equals torch
    assert broken.metrics.max_abs_error > 1e-3
    assert verdicts[5] is False  # unscaled logits grow with d_k: the sqrt(d_k) claim fails


def test_scores_grow_as_sqrt_dk_without_the_scale() -> None:
    rows = scale_rows([16, 256], generator=torch.Generator().manual_seed(0))
    assert [round(r.logit_std_scaled, 1) for r in rows] == [1.0, 1.0]
    ratio = rows[1].logit_std_unscaled / rows[0].logit_std_unscaled
    assert ratio == pytest.approx(math.sqrt(256 / 16), rel=0.15)
    assert rows[1].max_weight_unscaled > rows[0].max_weight_unscaled > rows[0].max_weight_scaled
    assert verdicts.scale_claim(rows).supported
    assert not verdicts.scale_claim(scale_rows([16, 256], scale=1.0)).supported


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


def test_unchanged_context_flips_the_context_verdict(minilm: tuple[object, object]) -> None:
    model, tokenizer = minilm
    sentence = "she sat on the river bank . the weather was nice"
    same = attention.context_shift(
        model, tokenizer, ContextPair(sentence, sentence, "bank", "weather")
    )
    assert same.word_tv == 0.0
    assert same.control_tv == 0.0
    assert attention.context_claim([same]).supported is False


def test_swapped_roles_flip_the_context_verdict(minilm: tuple[object, object]) -> None:
    # Ask whether the control word moves more than the ambiguous one: it should not.
    model, tokenizer = minilm
    swapped = [
        ContextPair(p.sentence_a, p.sentence_b, p.control, p.word)
        for p in attention.DEFAULT_PAIRS[:3]
    ]
    shifts = [attention.context_shift(model, tokenizer, pair) for pair in swapped]
    assert attention.context_claim(shifts).supported is False


def test_a_word_missing_from_a_sentence_is_a_clear_error(minilm: tuple[object, object]) -> None:
    model, tokenizer = minilm
    pair = ContextPair("the cat sat", "the dog sat", "bank", "sat")
    with pytest.raises(ValueError, match="'bank' must be one token"):
        attention.context_shift(model, tokenizer, pair)
