"""Asking questions in the terminal: the quiz (immediate feedback), used by review too."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from llmiq.bank.grading import Grade, UnreadableAnswer, grade
from llmiq.errors import LlmiqError
from llmiq.messages import N_, error_text, plural_translator, translator
from llmiq.practice.render import answer_hint, feedback_view, question_view
from llmiq.practice.scheduling import GOOD, rating_for

if TYPE_CHECKING:
    from llmiq.bank.model import AnyBank, AnyQuestion, Lang
    from llmiq.practice.intervals import RatingChoice

#: Reads one line of input after showing a prompt; raises EOFError at end of input.
ReadLine = Callable[[str], str]
#: Called with each answer (question, grade, milliseconds taken) before the next question.
OnAnswer = Callable[["AnyQuestion", Grade, int], object]

#: The four rating buttons for a question just answered, given the suggested rating:
#: ``intervals.card_choices`` over the person's card.
ChoicesFor = Callable[["AnyQuestion", int], Sequence["RatingChoice"]]

RATING_PROMPT = N_("How well did you know it? 1 again, 2 hard, 3 good, 4 easy: ")


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
                N_("no question in bank {bank} has topic {topic}; topics: {known}"),
                bank=repr(bank.id),
                topic=repr(topic),
                known=known,
            )
    if shuffle:
        random.Random(seed).shuffle(questions)
    if limit is not None:
        if limit < 1:
            raise LlmiqError(N_("-n must be at least 1, got {count}"), count=limit)
        questions = questions[:limit]
    return questions


def read_answer(
    question: AnyQuestion, console: Console, read_line: ReadLine, lang: Lang = "en"
) -> Grade:
    """Read until the input is an answer to ``question`` (a choice question re-asks when the
    input names no option)."""
    while True:
        raw = read_line(answer_hint(question, lang))
        if not raw.strip():
            continue
        try:
            return grade(question, raw)
        except UnreadableAnswer as exc:
            console.print(Text(error_text(exc, lang), style="yellow"))


def rating_line(choices: Sequence[RatingChoice]) -> str:
    """The four buttons on one line, the suggested one in brackets, as Anki draws them:
    ``1 Again <1m  2 Hard 6m  [3 Good 1d]  4 Easy 4d``."""
    buttons = (f"{c.rating} {c.label} {c.interval}" for c in choices)
    return "  ".join(
        f"[{button}]" if c.suggested else button for c, button in zip(choices, buttons, strict=True)
    )


def read_rating(
    console: Console,
    read_line: ReadLine,
    choices: Sequence[RatingChoice] = (),
    lang: Lang = "en",
) -> int:
    """The person's rating 1-4, as in Anki. With ``choices`` the prompt is their line (each
    rating's next interval) and Enter takes the suggested one."""
    _ = translator(lang)
    suggested = next((c.rating for c in choices if c.suggested), None)
    prompt = f"{rating_line(choices)} " if choices else _(RATING_PROMPT)
    while True:
        reply = read_line(prompt).strip()
        if reply in {"1", "2", "3", "4"}:
            return int(reply)
        if not reply and suggested is not None:
            return suggested
        if suggested is None:
            console.print(Text(_("answer 1, 2, 3 or 4"), style="yellow"))
        else:
            warning = _("answer 1, 2, 3 or 4, or Enter for {rating}")
            console.print(Text(warning.format(rating=suggested), style="yellow"))


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
    left: int | None = None,
    choices: ChoicesFor | None = None,
    rate_graded: bool = False,
) -> tuple[Grade, int]:
    """Show a question, read the answer, show the feedback; returns the grade and the time
    taken to answer in milliseconds (reading the feedback not included).

    ``left``: questions left in the session, this one included (shown in the header). An
    answer only the person can judge is rated by them; with ``rate_graded`` an answer llmiq
    graded is too, its own rating (wrong: Again; right: Good, Easy or Hard by time) being the
    default Enter takes, as Anki's buttons. The person's choice wins: a wrong answer may be
    rated Good. ``choices`` previews each rating's next interval. At the end of input the
    suggestion stands (a pipe answers without ratings); Ctrl-C there drops the answer, as
    Ctrl-C before answering would."""
    _ = translator(lang)
    shown = _(note) if note else ""  # why review asks it: due, new, learning
    if left is not None:
        counted = _("{count} left").format(count=left)
        shown = f"{shown} · {counted}" if shown else counted
    console.print()
    console.print(question_view(question, lang, position, total, shown))
    started = time.monotonic()
    verdict = read_answer(question, console, read_line, lang)
    duration_ms = int((time.monotonic() - started) * 1000)
    console.print(feedback_view(question, verdict, lang))
    if verdict.correct is None:
        buttons = choices(question, GOOD) if choices is not None else ()
        if buttons:
            console.print(Text(_("How well did you know it?"), style="bold"))
        verdict = self_rated(verdict, read_rating(console, read_line, buttons, lang))
    elif rate_graded:
        suggested = rating_for(verdict, duration_ms)
        buttons = choices(question, suggested) if choices is not None else ()
        try:
            rating = read_rating(console, read_line, buttons, lang) if buttons else suggested
        except EOFError:
            rating = suggested
        verdict = replace(verdict, rating=rating)
    return verdict, duration_ms


def run_quiz(
    questions: list[AnyQuestion],
    *,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    on_answer: OnAnswer | None = None,
    choices: ChoicesFor | None = None,
    rate_graded: bool = False,
) -> QuizResult:
    """Ask every question in turn. End of input or Ctrl-C stops early with the score so far.
    ``choices`` and ``rate_graded``: the rating step, as :func:`ask`."""
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
                left=len(questions) - position + 1,
                choices=choices,
                rate_graded=rate_graded,
            )
            if on_answer is not None:
                on_answer(question, verdict, duration_ms)
            result.answered.append((question, verdict))
    except (EOFError, KeyboardInterrupt):
        result.interrupted = True
        console.print()
    _, ngettext = translator(lang), plural_translator(lang)
    answered = len(result.answered)
    console.print()
    if result.interrupted and answered < result.total:
        stopped = ngettext(
            "Stopped after {answered} of {total} question.",
            "Stopped after {answered} of {total} questions.",
            result.total,
        )
        console.print(stopped.format(answered=answered, total=result.total), style="dim")
    score = _("Score: {right}/{answered}").format(right=result.correct, answered=answered)
    console.print(score, style="bold", highlight=False)
    return result
