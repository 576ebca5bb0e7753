"""Asking questions in the terminal: the quiz (immediate feedback), used by review too."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from llmiq.bank.grading import Grade, UnreadableAnswer, grade
from llmiq.errors import LlmiqError
from llmiq.practice.render import answer_hint, feedback_view, question_view

if TYPE_CHECKING:
    from llmiq.bank.model import AnyBank, AnyQuestion, Lang

#: Reads one line of input after showing a prompt; raises EOFError at end of input.
ReadLine = Callable[[str], str]
#: Called with each answer (question, grade, milliseconds taken) before the next question.
OnAnswer = Callable[["AnyQuestion", Grade, int], object]

RATING_PROMPT = "How well did you know it? 1 again, 2 hard, 3 good, 4 easy: "


@dataclass
class QuizResult:
    total: int
    answered: list[tuple[AnyQuestion, Grade]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def correct(self) -> int:
        return sum(1 for _, g in self.answered if g.correct)


def select_questions(
    bank: AnyBank,
    *,
    topic: str | None = None,
    limit: int | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> list[AnyQuestion]:
    """The questions to ask: those with ``topic`` (case-insensitive), maybe shuffled, at most
    ``limit`` of them."""
    questions = list(bank.questions)
    if topic is not None:
        wanted = topic.casefold()
        questions = [q for q in questions if wanted in (t.casefold() for t in q.topics)]
        if not questions:
            known = ", ".join(bank.topics) or "none"
            raise LlmiqError(
                f"no question in bank {bank.id!r} has topic {topic!r}; topics: {known}"
            )
    if shuffle:
        random.Random(seed).shuffle(questions)
    if limit is not None:
        if limit < 1:
            raise LlmiqError(f"-n must be at least 1, got {limit}")
        questions = questions[:limit]
    return questions


def read_answer(question: AnyQuestion, console: Console, read_line: ReadLine) -> Grade:
    """Read until the input is an answer to ``question`` (a choice question re-asks when the
    input names no option)."""
    while True:
        raw = read_line(answer_hint(question))
        if not raw.strip():
            continue
        try:
            return grade(question, raw)
        except UnreadableAnswer as exc:
            console.print(Text(str(exc), style="yellow"))


def read_rating(console: Console, read_line: ReadLine) -> int:
    """The person's own 1-4 rating, as in Anki."""
    while True:
        reply = read_line(RATING_PROMPT).strip()
        if reply in {"1", "2", "3", "4"}:
            return int(reply)
        console.print(Text("answer 1, 2, 3 or 4", style="yellow"))


def self_rated(verdict: Grade, rating: int) -> Grade:
    """An ungraded answer with the person's rating; Again means it was not known."""
    return Grade(rating > 1, verdict.given, verdict.keys, rating)


def ask(
    question: AnyQuestion,
    *,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    position: int,
    total: int | None,
    note: str = "",
) -> tuple[Grade, int]:
    """Show a question, read the answer, show the feedback; returns the grade and the time
    taken to answer in milliseconds (reading the feedback not included)."""
    console.print()
    console.print(question_view(question, lang, position, total, note))
    started = time.monotonic()
    verdict = read_answer(question, console, read_line)
    duration_ms = int((time.monotonic() - started) * 1000)
    console.print(feedback_view(question, verdict, lang))
    if verdict.correct is None:
        verdict = self_rated(verdict, read_rating(console, read_line))
    return verdict, duration_ms


def run_quiz(
    questions: list[AnyQuestion],
    *,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    on_answer: OnAnswer | None = None,
) -> QuizResult:
    """Ask every question in turn. End of input or Ctrl-C stops early with the score so far."""
    result = QuizResult(total=len(questions))
    try:
        for position, question in enumerate(questions, start=1):
            verdict, duration_ms = ask(
                question,
                lang=lang,
                console=console,
                read_line=read_line,
                position=position,
                total=len(questions),
            )
            if on_answer is not None:
                on_answer(question, verdict, duration_ms)
            result.answered.append((question, verdict))
    except (EOFError, KeyboardInterrupt):
        result.interrupted = True
        console.print()
    answered = len(result.answered)
    console.print()
    if result.interrupted and answered < result.total:
        console.print(f"Stopped after {answered} of {result.total} questions.", style="dim")
    console.print(f"Score: {result.correct}/{answered}", style="bold", highlight=False)
    return result
