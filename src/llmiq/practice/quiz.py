"""The terminal quiz: ask, grade at once, explain, and keep the score."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from llmiq.bank.model import Bank, Lang, Question
from llmiq.errors import LlmiqError
from llmiq.practice.grading import Grade, UnreadableAnswer, grade
from llmiq.practice.render import answer_hint, feedback_view, question_view

#: Reads one line of input after showing a prompt; raises EOFError at end of input.
ReadLine = Callable[[str], str]


@dataclass
class QuizResult:
    total: int
    answered: list[tuple[Question, Grade]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def correct(self) -> int:
        return sum(1 for _, g in self.answered if g.correct)


def select_questions(
    bank: Bank,
    *,
    topic: str | None = None,
    limit: int | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> list[Question]:
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


def _ask(question: Question, console: Console, read_line: ReadLine) -> Grade:
    while True:
        raw = read_line(answer_hint(question))
        if not raw.strip():
            continue
        try:
            return grade(question, raw)
        except UnreadableAnswer as exc:
            console.print(Text(str(exc), style="yellow"))


def _self_assess(console: Console, read_line: ReadLine) -> bool:
    while True:
        reply = read_line("Did you get it right? (y/n): ").strip().casefold()
        if reply in {"y", "yes", "是", "对"}:
            return True
        if reply in {"n", "no", "否", "不"}:
            return False
        console.print(Text("answer y or n", style="yellow"))


def run_quiz(
    questions: list[Question], *, lang: Lang, console: Console, read_line: ReadLine
) -> QuizResult:
    """Ask every question in turn. End of input or Ctrl-C stops early with the score so far."""
    result = QuizResult(total=len(questions))
    try:
        for position, question in enumerate(questions, start=1):
            console.print()
            console.print(question_view(question, lang, position, len(questions)))
            verdict = _ask(question, console, read_line)
            console.print(feedback_view(question, verdict, lang))
            if verdict.correct is None:
                verdict = Grade(_self_assess(console, read_line), verdict.given)
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
