"""The decoding lab: greedy, beam and no-repeat searches token for token against
transformers' generate, the key/value cache against full forwards, the recorded
likelihoods against a rescoring, the measured claims in fast mode on the real SmolLM2, and a
broken set-up that flips each verdict."""

from __future__ import annotations

import doctest
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from transformers.generation.logits_process import NoRepeatNGramLogitsProcessor

from llmiq.labs import decoding, pretrained
from llmiq.labs.decoding import Decoded, MethodResult
from llmiq.labs.report import LabReport

# loads (and on first use converts) the real SmolLM2, on one torch thread
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread_in_module")]

TOKENS = 16  # new tokens per continuation in the direct tests
N = 4  # seq-rep-n
P = 4  # prompts in the direct tests: two English, two Chinese
SEEDS = [0] * P  # the seed each prompt was drawn with


@pytest.fixture(scope="module")
def loaded(model_home: Path) -> pretrained.LoadedModel:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        return pretrained.load_smollm2("decoding")


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("decoding")


@pytest.fixture(scope="module")
def prompts(loaded: pretrained.LoadedModel) -> torch.Tensor:
    batch, languages = decoding.prompt_batch(loaded.tokenizer, {"en": 2, "zh": 2}, 16)
    assert languages == ["en", "en", "zh", "zh"]
    return batch


@pytest.fixture(scope="module")
def runs(loaded: pretrained.LoadedModel, prompts: torch.Tensor) -> dict[str, Decoded]:
    """Each method once on the four prompts (sampling: two seeds)."""
    model, eos = loaded.model, loaded.tokenizer.eos_token_id
    return {
        "greedy": decoding.greedy_search(model, prompts, TOKENS, eos),
        "beam": decoding.beam_search(model, prompts, TOKENS, eos, 4),
        "worst beam": decoding.beam_search(model, prompts, TOKENS, eos, 4, keep="worst"),
        "sampling": decoding.sample(model, prompts, TOKENS, eos, [0, 1], top_p=0.9),
        "cold sampling": decoding.sample(model, prompts, TOKENS, eos, [0, 1], temperature=0.0),
    }


def results(runs: dict[str, Decoded], greedy: str, beam: str, sampled: str) -> list[MethodResult]:
    return [
        MethodResult.of("greedy", runs[greedy], N),
        MethodResult.of("beam", runs[beam], N),
        MethodResult.of("sampling", runs[sampled], N, rows_per_prompt=2),
    ]


def claim(report: LabReport, start: str):
    (found,) = [c for c in report.claims if c.text.startswith(start)]
    return found


# --- the searches against their definitions and transformers --------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(decoding)
    assert result.attempted >= 5
    assert result.failed == 0


def test_ngram_ban_matches_transformers() -> None:
    rng = random.Random(0)
    for _ in range(200):
        n = rng.choice([1, 2, 3, 4])
        sequence = [rng.randrange(6) for _ in range(rng.randrange(1, 25))]
        scores = torch.zeros(1, 6)
        theirs = NoRepeatNGramLogitsProcessor(n)(torch.tensor([sequence]), scores)
        banned = {i for i in range(6) if theirs[0, i] == -torch.inf}
        assert decoding.banned_by_ngrams(sequence, n) == banned, (sequence, n)


def test_repetition_measures_by_hand() -> None:
    looping = [7, 8, 9] * 4  # 9 four-grams, 3 distinct
    assert decoding.seq_rep(looping, 4) == pytest.approx(1 - 3 / 9)
    assert decoding.seq_rep(list(range(12)), 4) == 0.0
    assert decoding.distinct([1, 1, 1, 1], 2) == pytest.approx(1 / 3)


def test_searches_equal_generate(
    loaded: pretrained.LoadedModel, prompts: torch.Tensor, runs: dict[str, Decoded]
) -> None:
    eos = loaded.tokenizer.eos_token_id
    ours = {"greedy": runs["greedy"], "beam": runs["beam"]}
    compared = decoding.library_comparison(loaded.model, prompts, TOKENS, eos, 4, 3, ours)
    assert compared["greedy_prompts_identical"] == P
    assert compared["beam_prompts_identical"] == P
    assert compared["no_repeat_prompts_identical"] == P
    assert decoding.library_claim(compared, [0]).supported


def test_cached_greedy_equals_full_forwards(
    loaded: pretrained.LoadedModel, prompts: torch.Tensor, runs: dict[str, Decoded]
) -> None:
    """Feeding only the newest token with the cache gives what a full forward of the whole
    sequence gives at every step."""
    ids = prompts.clone()
    with torch.inference_mode():
        for _ in range(6):
            logits = loaded.model(input_ids=ids).logits[:, -1]
            logits[:, loaded.tokenizer.eos_token_id] = -torch.inf
            ids = torch.cat([ids, logits.argmax(-1, keepdim=True)], 1)
    assert torch.equal(ids[:, prompts.shape[1] :], runs["greedy"].tokens[:, :6])


@pytest.mark.parametrize("method", ["greedy", "beam", "sampling"])
def test_recorded_logprobs_equal_a_rescoring(
    loaded: pretrained.LoadedModel, prompts: torch.Tensor, runs: dict[str, Decoded], method: str
) -> None:
    decoded = runs[method]
    rows = prompts.repeat(len(decoded.tokens) // len(prompts), 1)  # sampling: seed-major
    whole = torch.cat([rows, decoded.tokens], 1)
    with torch.inference_mode():
        logprobs = torch.log_softmax(loaded.model(input_ids=whole).logits.float(), -1)
    start = prompts.shape[1] - 1
    rescored = logprobs[:, start:-1].gather(-1, decoded.tokens[..., None])[..., 0]
    torch.testing.assert_close(decoded.logprobs, rescored, atol=2e-4, rtol=0)


def test_sampling_is_reproducible_per_seed(
    loaded: pretrained.LoadedModel, prompts: torch.Tensor, runs: dict[str, Decoded]
) -> None:
    eos = loaded.tokenizer.eos_token_id
    again = decoding.sample(loaded.model, prompts, TOKENS, eos, [1], top_p=0.9)
    assert torch.equal(again.tokens, runs["sampling"].tokens[P:])  # seed 1's rows
    assert not torch.equal(runs["sampling"].tokens[:P], runs["sampling"].tokens[P:])
    # a row's draws depend on its key, not on the batch it is decoded in
    alone = decoding.sample_rows(loaded.model, prompts[2:3], TOKENS, eos, [(1, 2)], top_p=0.9)
    assert torch.equal(alone.tokens[0], runs["sampling"].tokens[P + 2])


def test_temperature_zero_sampling_is_greedy(runs: dict[str, Decoded]) -> None:
    cold = runs["cold sampling"].tokens
    assert torch.equal(cold[:P], runs["greedy"].tokens)
    assert torch.equal(cold[P:], runs["greedy"].tokens)


# --- the claims, measured in fast mode ------------------------------------------------------


def test_fast_report_shape(report: LabReport) -> None:
    metrics = report.metrics
    assert metrics.prompt_languages == ["en", "en", "zh"]
    assert metrics.prompt_seeds == [0, 0, 0]
    assert set(metrics.methods) == {"greedy", "beam", "sampling"}
    assert all(m["mean_length"] == metrics.new_tokens for m in metrics.methods.values())
    assert metrics.vs_generate["prompts"] == 0  # fast mode leaves generate to these tests
    assert Path(report.figures[0]).is_file()
    assert [model["id"] for model in report.models] == ["smollm2-135m-instruct"]


def test_every_claim_has_an_interval_and_the_runs_seeds(report: LabReport) -> None:
    assert len(report.claims) == 3
    for found in report.claims:
        assert found.interval is not None, found.text
        assert found.interval.low <= found.interval.estimate <= found.interval.high
        assert found.measure, found.text
        assert found.interval.over == "1 seed x 3 prompts", found.text
        assert found.seeds == report.seeds == (0,)
        assert "[" in found.evidence  # the interval is quoted


def test_greedy_and_beam_are_likelier_than_sampling(report: LabReport) -> None:
    found = claim(report, "Greedy and beam search find likelier")
    assert found.supported
    assert found.interval.low > 0
    methods = report.metrics.methods
    assert (
        methods["sampling"]["mean_logprob_per_token"] < methods["greedy"]["mean_logprob_per_token"]
    )


def test_greedy_and_beam_repeat_more(report: LabReport) -> None:
    found = claim(report, "Greedy and beam search repeat")
    assert found.supported == (found.interval.low > 0)


def test_beam_is_at_least_as_likely_as_greedy_on_average(report: LabReport) -> None:
    found = claim(report, "Beam search (b = 4)")
    assert found.supported
    gaps = report.metrics.beam_minus_greedy_total_logprob
    assert found.interval.estimate == pytest.approx(sum(gaps) / len(gaps), abs=1e-2)
    assert found.interval.low > -1e-4


def test_seeds_draw_their_own_prompts(loaded: pretrained.LoadedModel) -> None:
    counts = {"en": 3, "zh": 2}
    prompts, languages, seeds = decoding.sampled_prompts(loaded.tokenizer, counts, 16, [4, 5])
    assert prompts.shape == (10, 16)
    assert languages == ["en", "en", "en", "zh", "zh"] * 2
    assert seeds == [4] * 5 + [5] * 5
    assert len({tuple(row) for row in prompts.tolist()}) == 10
    again, _, _ = decoding.sampled_prompts(loaded.tokenizer, counts, 16, [5])
    assert torch.equal(again, prompts[5:])  # a seed's prompts depend on that seed only


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_a_beam_keeping_the_worst_flips_the_likelihood_claim(runs: dict[str, Decoded]) -> None:
    assert decoding.likelihood_claim(*results(runs, "greedy", "beam", "sampling"), SEEDS).supported
    broken = decoding.likelihood_claim(*results(runs, "greedy", "worst beam", "sampling"), SEEDS)
    assert not broken.supported
    assert broken.measure.startswith("log-probability per token, beam minus sampling")


def test_a_gap_that_changes_sign_between_prompts_supports_nothing() -> None:
    """The verdict rests on the interval: greedy and beam above sampling on average, but
    below it on half the prompts, is not evidence that they find likelier text."""

    def method(name: str, logprobs: list[float], rows: int = 1) -> MethodResult:
        return MethodResult(name, rows, logprobs, [8 * v for v in logprobs], [0.0] * len(logprobs),
                            [1.0] * len(logprobs), [8] * len(logprobs))  # fmt: skip

    greedy = method("greedy", [-1.0] * 8)
    beam = method("beam", [-0.9] * 8)
    swinging = method("sampling", [-1.5, -0.6] * 4 + [-1.5, -0.6] * 4, rows=2)
    assert sum(swinging.mean_logprob) / 16 < -1.0  # the means alone would say "supported"
    claim = decoding.likelihood_claim(greedy, beam, swinging, [0] * 4 + [1] * 4)
    assert claim.interval.low < 0 < claim.interval.high
    assert not claim.supported


def test_a_cold_sampler_flips_the_repetition_claim(runs: dict[str, Decoded]) -> None:
    """At temperature 0 the sampler is greedy: it repeats exactly as much."""
    cold = decoding.repetition_claim(*results(runs, "greedy", "beam", "cold sampling"), N, SEEDS)
    assert not cold.supported
    greedy, _, sampled = results(runs, "greedy", "beam", "cold sampling")
    assert sum(greedy.seq_rep) / P == sum(sampled.seq_rep) / (2 * P)


def test_a_beam_keeping_the_worst_flips_the_beam_claim(runs: dict[str, Decoded]) -> None:
    greedy, beam, _ = results(runs, "greedy", "beam", "sampling")
    assert decoding.beam_claim(greedy, beam, 4, SEEDS).supported
    _, worst, _ = results(runs, "greedy", "worst beam", "sampling")
    assert not decoding.beam_claim(greedy, worst, 4, SEEDS).supported


def test_a_beam_keeping_the_worst_flips_the_library_claim(
    loaded: pretrained.LoadedModel, prompts: torch.Tensor, runs: dict[str, Decoded]
) -> None:
    eos = loaded.tokenizer.eos_token_id
    ours = {"greedy": runs["greedy"], "beam": runs["worst beam"]}
    compared = decoding.library_comparison(loaded.model, prompts, TOKENS, eos, 4, 0, ours)
    assert compared["beam_prompts_identical"] == 0
    verdict = decoding.library_claim(compared, [0])
    assert not verdict.supported
    assert verdict.interval.estimate == P  # every prompt's worst beam differs
