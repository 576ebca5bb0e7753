"""The exam runner on the seed bank with a synthetic model of known position bias: a model
that prefers position A by a fixed margin but knows the right answer by a smaller one.
Plain scoring shows the bias (it picks A); each correction removes it as it should."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.errors import LlmiqError
from llmiq.exam.backends import BACKENDS, ModelBackend, Scores, ScoringRequest
from llmiq.exam.results import ExamReport, QuestionOutcome
from llmiq.exam.runner import ExamConfig, planned_requests, run_exam

SEED = resolve_bank("seed")
OPTION_LINE = re.compile(r"^([A-J])\. (.*)$", re.M)


class PositionBiased(ModelBackend):
    """log P(letter at position i) = bias * [i == 0] + knowledge * [the option shown there
    is right]; blanked options ("N/A") carry no knowledge, only the bias. Counts requests."""

    def __init__(self, right_texts: set[str], bias: float = 3.0, knowledge: float = 1.0) -> None:
        super().__init__("position-biased")
        self.right, self.bias, self.knowledge = right_texts, bias, knowledge
        self.requests = 0

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        out = []
        for request in requests:
            self.requests += 1
            question = request.prompt.rsplit("\n\n", 1)[-1]
            shown = dict(OPTION_LINE.findall(question))
            logits = [
                self.bias * (i == 0) + self.knowledge * (shown.get(letter.strip()) in self.right)
                for i, letter in enumerate(request.continuations)
            ]
            norm = math.log(sum(math.exp(x) for x in logits))
            logprobs = tuple(x - norm for x in logits)
            out.append(Scores(logprobs, tuple(lp == max(logprobs) for lp in logprobs)))
        return out


def _right_texts() -> set[str]:
    return {o.text.get("en") for q in SEED.questions if q.is_choice for o in q.options
            if o.key in q.answer}  # fmt: skip


@pytest.fixture
def model() -> PositionBiased:
    return PositionBiased(_right_texts())


def test_plain_scoring_exposes_the_position_bias(model: PositionBiased) -> None:
    summary = run_exam(SEED, model, ExamConfig()).summary()
    assert summary["choice_shares"] == {"A": 1.0}
    assert summary["rstd"] > 0.3
    gold_a = [q for q in SEED.questions if q.kind.value == "single" and q.answer == ["A"]]
    singles = [q for q in SEED.questions if q.kind.value == "single"]
    assert summary["position_recall"]["A"] == 1.0
    assert summary["skipped"] == 1  # the open question, without generation
    assert summary["accuracy"] <= (len(gold_a) + 1) / len(singles)


@pytest.mark.parametrize("method", ["contextual", "pride", "permute"])
def test_each_correction_removes_the_bias(model: PositionBiased, method: str) -> None:
    report = run_exam(SEED, model, ExamConfig(debias=method))
    summary = report.summary()
    assert summary["accuracy"] == 1.0, [q.id for q in report.scored if not q.correct]
    assert summary["rstd"] == 0.0
    assert summary["accuracy_before_debiasing"] < 0.5


def test_the_cost_of_each_correction_in_passes(model: PositionBiased) -> None:
    for method in ("none", "contextual", "pride", "permute"):
        model.requests = 0
        config = ExamConfig(debias=method)
        run_exam(SEED, model, config)
        assert model.requests == planned_requests(SEED, config), method
    permute = run_exam(SEED, model, ExamConfig(debias="permute")).summary()
    options = [len(q.options) for q in SEED.questions if q.is_choice]
    assert permute["passes_per_question"] == pytest.approx(sum(options) / len(options))


def test_cloze_and_generation_need_no_debiasing() -> None:
    with pytest.raises(LlmiqError, match="needs letter scoring"):
        ExamConfig(scoring="cloze", debias="pride").check()
    with pytest.raises(LlmiqError, match="cannot generate"):
        run_exam(SEED, BACKENDS.load("chance"), ExamConfig(scoring="generate"))


def test_a_bank_of_open_questions_only_is_one_sentence() -> None:
    open_only = SEED.model_copy(
        update={"questions": [q for q in SEED.questions if not q.is_choice]}
    )
    with pytest.raises(LlmiqError, match="has no question this exam can score"):
        run_exam(open_only, BACKENDS.load("chance"), ExamConfig())


def test_json_report_names_every_question(run_cli: Callable) -> None:
    result = run_cli("exam", "run", "seed", "--model", "chance", "--format", "json")
    data = json.loads(result.output)
    assert {"model", "bank", "scoring", "debias", "accuracy", "rstd", "position_recall"} <= set(
        data
    )
    assert [q["id"] for q in data["questions"]] == [q.id for q in SEED.questions]
    first = data["questions"][0]
    assert {"id", "choice", "correct", "probabilities"} <= set(first)
    assert math.isclose(sum(first["probabilities"].values()), 1.0)


def test_options_only_flags_questions_answered_without_their_stem() -> None:
    """This model knows the right option from its text alone, stem or not: every question
    it answers confidently without the stem is flagged; a weakly knowing one flags none."""
    singles = {q.id for q in SEED.questions if q.kind.value == "single"}
    knowing = PositionBiased(_right_texts(), knowledge=4.0)
    report = run_exam(SEED, knowing, ExamConfig(options_only=True, debias="permute"))
    assert set(report.leaking()) == singles
    guessing = PositionBiased(_right_texts(), knowledge=0.2)
    report = run_exam(SEED, guessing, ExamConfig(options_only=True, debias="permute"))
    assert report.leaking() == []


def test_options_only_compares_a_multiple_answer_key_with_its_own_chance() -> None:
    """Two keys of four hold half the mass by chance: a near-uniform model that happens to
    pick them is not a leak; one that puts most of the mass on them is."""
    near_uniform = {"A": 0.255, "B": 0.248, "C": 0.242, "D": 0.255}
    confident = {"A": 0.45, "B": 0.05, "C": 0.05, "D": 0.45}
    outcomes = [
        QuestionOutcome(qid, "multiple", ["A", "D"], ["A", "D"], True, probabilities)
        for qid, probabilities in (("uniform", near_uniform), ("confident", confident))
    ]
    report = ExamReport("m", "b", "letter", "permute", "en", options_only=True, questions=outcomes)
    assert report.leaking(chance_factor=1.5) == ["confident"]


def test_a_run_resumes_from_its_measurements(model: PositionBiased) -> None:
    """Everything measured is kept in the cache as it is measured; a second run with the
    same cache sends nothing and reports the same."""
    cache: dict[str, list[float]] = {}
    first = run_exam(SEED, model, ExamConfig(debias="pride"), cache=cache)
    sent = model.requests
    again = run_exam(SEED, model, ExamConfig(debias="pride"), cache=cache)
    assert model.requests == sent
    assert again.summary()["accuracy"] == first.summary()["accuracy"]
    half = dict(list(cache.items())[: len(cache) // 2])
    model.requests = 0
    run_exam(SEED, model, ExamConfig(debias="pride"), cache=half)
    assert model.requests == len(cache) - len(dict(list(cache.items())[: len(cache) // 2]))


class FixedLogprobs(ModelBackend):
    """Every request gets the same log-likelihoods, one per option."""

    def __init__(self, logprobs: tuple[float, ...]) -> None:
        super().__init__("fixed")
        self.logprobs = logprobs

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        return [Scores(self.logprobs, (False,) * len(self.logprobs)) for _ in requests]


def test_cloze_norms_divide_by_the_choice_as_lm_eval_does() -> None:
    """acc_norm divides by len(choice), without the space before it: with options "ab" and
    "abcde", -2.2/2 < -5.2/5 (the second wins), though -2.2/3 > -5.2/6."""
    from llmiq.bank.model import Bank

    bank = Bank.model_validate({"id": "norm", "title": {"en": "Norm"}, "questions": [
        {"id": "q", "kind": "single", "prompt": {"en": "Pick the long one."}, "answer": "B",
         "options": [{"key": "A", "text": {"en": "ab"}}, {"key": "B", "text": {"en": "abcde"}}]},
    ]})  # fmt: skip
    (outcome,) = run_exam(bank, FixedLogprobs((-2.2, -5.2)), ExamConfig(scoring="cloze")).questions
    assert outcome.correct is False  # by raw log-likelihood, "ab"
    assert outcome.correct_norm is True
    assert outcome.correct_bytes is True


class Recording(ModelBackend):
    """Scores each option by its request's prompt (so a mix-up would show) and records the
    prompts of every batch it is sent."""

    def __init__(self) -> None:
        super().__init__("recording")
        self.batches: list[list[str]] = []

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        self.batches.append([r.prompt for r in requests])
        return [
            Scores(
                tuple(-float(len(r.prompt) + i) for i in range(len(r.continuations))),
                (False,) * len(r.continuations),
            )
            for r in requests
        ]


def test_requests_go_out_in_batches_and_come_back_in_order() -> None:
    """Batches of the backend's size (or the one given), each result belonging to its own
    request, and a resumed run skipping what is cached."""
    from llmiq.exam.debias import score_cached

    lengths = [5, 90, 12, 61, 33, 7, 88, 40] * 9
    requests = [ScoringRequest("x" * n + f"#{i}", (" A", " B")) for i, n in enumerate(lengths)]
    model = Recording()
    cache: dict[str, list[float]] = {}
    measured = score_cached(model, requests, lambda n: None, cache, batch=16)
    assert measured == [[-float(len(r.prompt)), -float(len(r.prompt) + 1)] for r in requests]
    assert [len(b) for b in model.batches] == [16, 16, 16, 16, 8]
    model.batches.clear()
    cache.clear()
    score_cached(model, requests, lambda n: None, cache)
    assert [len(b) for b in model.batches] == [model.batch] * 9
    model.batches.clear()
    assert score_cached(model, requests, lambda n: None, cache) == measured
    assert model.batches == []
