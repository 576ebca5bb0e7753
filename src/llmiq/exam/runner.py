"""A model takes a bank: the questions chosen, scored by the method asked (letter, cloze or
generate; see ``prompts``), debiased (see ``debias``), and reported (see ``results``).

Choice questions with one answer choose the most probable option; with several answers,
the k most probable, k being the number of right answers (the model is told how many, as a
person would be by "select two"). Open questions are scored only by generation, and only
when the bank gives short accepted answers to grade against (with the quiz's grader);
otherwise they are skipped and counted as skipped.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass

from llmiq.bank.model import Bank, Lang, Question
from llmiq.errors import LlmiqError
from llmiq.exam.backends import ModelBackend
from llmiq.exam.debias import DEBIAS_METHODS, letter_scores, pride_sample_size, score_cached
from llmiq.exam.prompts import (
    LETTERS,
    Shown,
    cloze_request,
    letter_request,
    parse_written_letter,
    question_prompt,
)
from llmiq.exam.results import ExamReport, QuestionOutcome
from llmiq.messages import N_

SCORING_METHODS = ("letter", "cloze", "generate")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExamConfig:
    scoring: str = "letter"
    debias: str = "none"
    lang: Lang = "en"
    limit: int | None = None  # the first N questions of the bank
    shots: int = 0  # worked examples from other questions of the bank
    options_only: bool = False  # remove the stems: do the options give the answer away?
    seed: int = 0  # PriDe's sample and the choice of worked examples

    def check(self) -> None:
        if self.scoring not in SCORING_METHODS:
            raise LlmiqError(
                N_("no scoring {name}; scorings: {known}"),
                name=repr(self.scoring),
                known=", ".join(SCORING_METHODS),
            )
        if self.debias not in DEBIAS_METHODS:
            raise LlmiqError(
                N_("no debiasing {name}; methods: {known}"),
                name=repr(self.debias),
                known=", ".join(DEBIAS_METHODS),
            )
        if self.scoring != "letter" and self.debias != "none":
            raise LlmiqError(
                N_("--debias {method} needs letter scoring (--scoring letter)"), method=self.debias
            )
        if self.options_only and self.scoring != "letter":
            raise LlmiqError(N_("--options-only needs letter scoring"))
        if self.shots < 0 or (self.limit is not None and self.limit < 1):
            raise LlmiqError(N_("--shots must be 0 or more and --limit 1 or more"))


def _choice(probabilities: Sequence[float], question: Question) -> list[int]:
    k = len(question.answer) if question.kind.value == "multiple" else 1
    ranked = sorted(range(len(probabilities)), key=lambda i: (-probabilities[i], i))
    return sorted(ranked[:k])


def _outcome(question: Question) -> QuestionOutcome:
    gold = list(question.answer) if question.is_choice else list(question.accepted)
    outcome = QuestionOutcome(question.id, question.kind.value, gold)
    if question.kind.value == "single":
        keys = [o.key for o in question.options]
        outcome.gold_position = keys.index(question.answer[0])
    return outcome


def _shot_picker(bank: Bank, config: ExamConfig) -> Callable[[Question], Sequence[Shown]]:
    pool = [q for q in bank.questions if q.kind.value == "single"]

    def pick(question: Question) -> Sequence[Shown]:
        if not config.shots:
            return ()
        others = [q for q in pool if q.id != question.id]
        rng = random.Random(f"{config.seed}:{question.id}")
        chosen = rng.sample(others, min(config.shots, len(others)))
        return [Shown(q, tuple(range(len(q.options)))) for q in chosen]

    return pick


def _fill_letter(
    outcome: QuestionOutcome, question: Question, raw: list[float], fixed: list[float]
) -> None:
    keys = [o.key for o in question.options]
    outcome.raw_probabilities = dict(zip(keys, raw, strict=True))
    outcome.probabilities = dict(zip(keys, fixed, strict=True))
    raw_pick, pick = _choice(raw, question), _choice(fixed, question)
    outcome.raw_choice = [keys[i] for i in raw_pick]
    outcome.choice = [keys[i] for i in pick]
    outcome.raw_correct = sorted(outcome.raw_choice) == sorted(question.answer)
    outcome.correct = sorted(outcome.choice) == sorted(question.answer)
    if question.kind.value == "single":
        outcome.raw_chosen_position, outcome.chosen_position = raw_pick[0], pick[0]


def _cloze(
    backend: ModelBackend,
    questions: list[Question],
    config: ExamConfig,
    progress: Progress,
    cache: MutableMapping[str, list[float]] | None,
) -> list[QuestionOutcome]:
    requests = [
        cloze_request(Shown(q, tuple(range(len(q.options)))), config.lang) for q in questions
    ]
    measured = score_cached(backend, requests, progress, cache)
    outcomes = []
    for question, request, logprobs in zip(questions, requests, measured, strict=True):
        outcome = _outcome(question)
        shifted = [math.exp(lp - max(logprobs)) for lp in logprobs]
        probs = [p / sum(shifted) for p in shifted]
        _fill_letter(outcome, question, probs, probs)
        keys = [o.key for o in question.options]
        # lm-eval divides by the length of the choice itself, not of " " + choice
        texts = [c.removeprefix(" ") for c in request.continuations]
        for field, size in (("correct_norm", len), ("correct_bytes", _utf8_len)):
            per_unit = [lp / max(1, size(t)) for lp, t in zip(logprobs, texts, strict=True)]
            pick = [keys[i] for i in _choice(per_unit, question)]
            setattr(outcome, field, sorted(pick) == sorted(question.answer))
        outcome.passes = 1.0
        outcomes.append(outcome)
    return outcomes


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _generate(
    backend: ModelBackend,
    questions: list[Question],
    config: ExamConfig,
    shots: Callable[[Question], Sequence[Shown]],
    progress: Progress,
) -> list[QuestionOutcome]:
    from llmiq.bank.grading import grade

    prompts = []
    for q in questions:
        if q.is_choice:
            shown = Shown(q, tuple(range(len(q.options))))
            prompts.append(letter_request(shown, config.lang, shots=shots(q)).prompt)
        else:
            prompts.append(question_prompt(q, config.lang))
    outcomes = []
    for start in range(0, len(prompts), 8):
        chunk = questions[start : start + 8]
        written = backend.generate(prompts[start : start + 8], max_new_tokens=24)
        for question, text in zip(chunk, written, strict=True):
            outcome = _outcome(question)
            outcome.written, outcome.passes = text, 1.0
            if question.is_choice:
                letter = parse_written_letter(text, len(question.options))
                keys = [o.key for o in question.options]
                outcome.choice = [keys[LETTERS.index(letter)]] if letter else []
                outcome.raw_choice = outcome.choice
                outcome.correct = outcome.raw_correct = outcome.choice == sorted(question.answer)
                if letter and question.kind.value == "single":
                    outcome.chosen_position = outcome.raw_chosen_position = LETTERS.index(letter)
            else:
                outcome.correct = outcome.raw_correct = bool(grade(question, text).correct)
            outcomes.append(outcome)
        progress(len(chunk))
    return outcomes


def exam_questions(bank: Bank, config: ExamConfig) -> tuple[list[Question], list[Question]]:
    """(to score, to skip): open questions are scored only by generation, against accepted
    answers."""
    chosen = bank.questions[: config.limit] if config.limit else list(bank.questions)
    scorable = [q for q in chosen if q.is_choice or (config.scoring == "generate" and q.accepted)]
    return scorable, [q for q in chosen if q not in scorable]


def run_exam(
    bank: Bank,
    backend: ModelBackend,
    config: ExamConfig,
    *,
    progress: Progress = lambda n: None,
    cache: MutableMapping[str, list[float]] | None = None,
) -> ExamReport:
    """Score the bank's questions with ``backend``; see the module docstring. ``cache``
    holds the log-probabilities measured so far (a stored run's, to resume it)."""
    config.check()
    scorable, skipped = exam_questions(bank, config)
    if not scorable:
        raise LlmiqError(
            N_(
                "bank {bank} has no question this exam can score: letter and cloze scoring "
                "need choice questions, generation needs choice questions or accepted answers"
            ),
            bank=repr(bank.id),
        )
    report = ExamReport(backend.model_id, bank.id, config.scoring, config.debias, config.lang,
                        config.shots, config.options_only)  # fmt: skip
    shots = _shot_picker(bank, config)
    started = time.perf_counter()
    if config.scoring == "letter":
        scores = letter_scores(backend, scorable, config.lang, config.debias, shots=shots,
                               stem=not config.options_only, seed=config.seed,
                               progress=progress, cache=cache)  # fmt: skip
        outcomes = []
        for question, score in zip(scorable, scores, strict=True):
            outcome = _outcome(question)
            _fill_letter(outcome, question, score.raw, score.debiased)
            outcome.passes = score.passes
            outcomes.append(outcome)
    elif config.scoring == "cloze":
        outcomes = _cloze(backend, scorable, config, progress, cache)
    else:
        outcomes = _generate(backend, scorable, config, shots, progress)
    report.seconds = time.perf_counter() - started
    by_id = {o.id: o for o in outcomes}
    for question in skipped:
        by_id[question.id] = QuestionOutcome(
            question.id,
            question.kind.value,
            [],
            skipped="open question without accepted answers"
            if not question.is_choice
            else "not scored",
        )
    chosen = bank.questions[: config.limit] if config.limit else bank.questions
    report.questions = [by_id[q.id] for q in chosen]
    return report


def planned_requests(bank: Bank, config: ExamConfig) -> int:
    """How many requests a run sends (for its progress bar)."""
    scorable, _ = exam_questions(bank, config)
    if config.scoring != "letter" or config.debias in ("none",):
        return len(scorable)
    if config.debias == "contextual":
        return len(scorable) + 3 * len({len(q.options) for q in scorable})
    if config.debias == "permute":
        return sum(len(q.options) for q in scorable)
    total = 0
    for options, count in Counter(len(q.options) for q in scorable).items():
        sampled = pride_sample_size(count)
        total += (count - sampled) + sampled * options
    return total
