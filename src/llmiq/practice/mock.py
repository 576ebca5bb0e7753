"""A timed mock interview: questions across topics, a countdown, no feedback until the end,
then a report. Answers are recorded as they are given (mode "mock")."""

from __future__ import annotations

import contextlib
import random
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from llmiq.bank.grading import Grade
from llmiq.bank.model import Bank, Lang, Question
from llmiq.errors import LlmiqError
from llmiq.messages import N_, topic_translator, translator
from llmiq.practice.quiz import OnAnswer, ReadLine, read_answer, read_rating, self_rated
from llmiq.practice.render import explanation_view, question_view
from llmiq.terminal import shorten


def pick_across_topics(bank: Bank, count: int, rng: random.Random) -> list[Question]:
    """``count`` random questions, taking topics in turn so no topic crowds out the others."""
    if count < 1:
        raise LlmiqError(N_("-n must be at least 1, got {count}"), count=count)
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for question in bank.questions:
        by_topic[question.topics[0] if question.topics else ""].append(question)
    pools = list(by_topic.values())
    for pool in pools:
        rng.shuffle(pool)
    rng.shuffle(pools)
    chosen: list[Question] = []
    while len(chosen) < count and any(pools):
        for pool in pools:
            if pool and len(chosen) < count:
                chosen.append(pool.pop())
    return chosen


NO_TOPIC = N_("(no topic)")


@dataclass
class TopicScore:
    """How the questions asked on one topic went."""

    right: int = 0
    wrong: int = 0
    unanswered: int = 0

    @property
    def asked(self) -> int:
        return self.right + self.wrong + self.unanswered


def score_by_topic(answers: Iterable[tuple[Question, bool | None]]) -> dict[str, TopicScore]:
    """Right, wrong and unanswered per topic, from (question, verdict) pairs (verdict None:
    not answered); topics in order of first appearance. A question counts under the topic it
    was drawn for (its first, as :func:`pick_across_topics` draws them; none: ``"(no
    topic)"``), so there is one row per topic asked and the rows add up to the questions. For
    example a right answer on topics [a, b], a wrong one on [b] and none on [a] give
    ``{"a": TopicScore(1, 0, 1), "b": TopicScore(0, 1, 0)}``. The report of ``llmiq mock``
    and the web's mock report both score this way."""
    scores: dict[str, TopicScore] = {}
    for question, verdict in answers:
        score = scores.setdefault(question.topics[0] if question.topics else NO_TOPIC, TopicScore())
        if verdict is None:
            score.unanswered += 1
        elif verdict:
            score.right += 1
        else:
            score.wrong += 1
    return scores


@dataclass
class MockAnswer:
    question: Question
    grade: Grade | None  # None: time ran out first
    seconds: float


@dataclass
class MockResult:
    answers: list[MockAnswer] = field(default_factory=list)
    timed_out: bool = False
    interrupted: bool = False

    @property
    def correct(self) -> int:
        return sum(1 for a in self.answers if a.grade is not None and a.grade.correct)


def _clock_text(seconds_left: float, lang: Lang = "en") -> str:
    seconds = max(0, int(seconds_left))
    clock = f"{seconds // 60:02d}:{seconds % 60:02d}"
    _ = translator(lang)
    return _("{clock} left").format(clock=clock)


class TimeUp(Exception):
    """Raised into the waiting prompt when the interview's time runs out."""


@contextmanager
def alarm_at(seconds: float) -> Iterator[None]:
    """Interrupt a waiting prompt with :class:`TimeUp` after ``seconds`` (SIGALRM; only in
    the main thread on POSIX, elsewhere the time is checked after each answer)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_mock(
    questions: list[Question],
    *,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    minutes: float,
    on_answer: OnAnswer | None = None,
    clock: Callable[[], float] = time.monotonic,
    interrupt_at_deadline: bool = False,
) -> MockResult:
    """Ask ``questions`` against the clock; each prompt shows the time left. When time runs out
    the interview ends (at once with ``interrupt_at_deadline``, else at the next answer, which
    is then not taken). Questions only the person can grade are rated at the end."""
    result = MockResult()
    deadline = clock() + minutes * 60
    alarm = alarm_at(minutes * 60) if interrupt_at_deadline else contextlib.nullcontext()
    try:
        with alarm:
            for position, question in enumerate(questions, start=1):
                left = deadline - clock()
                if left <= 0:
                    raise TimeUp
                console.print()
                note = f"⏱ {_clock_text(left, lang)}"
                console.print(question_view(question, lang, position, len(questions), note))
                started = clock()
                verdict = read_answer(
                    question,
                    console,
                    lambda prompt: read_line(f"[{_clock_text(deadline - clock(), lang)}] {prompt}"),
                    lang,
                )
                if clock() > deadline:
                    raise TimeUp
                answer = MockAnswer(question, verdict, clock() - started)
                result.answers.append(answer)
                if verdict.correct is not None and on_answer is not None:
                    on_answer(question, verdict, int(answer.seconds * 1000))
    except TimeUp:
        result.timed_out = True
        console.print()
        _ = translator(lang)
        console.print(Text(_("Time is up."), style="bold yellow"))
    except (EOFError, KeyboardInterrupt):
        result.interrupted = True
        console.print()
    _rate_open_answers(result, lang, console, read_line, on_answer)
    asked = {a.question.id for a in result.answers}
    result.answers += [MockAnswer(q, None, 0.0) for q in questions if q.id not in asked]
    return result


def _rate_open_answers(
    result: MockResult,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    on_answer: OnAnswer | None,
) -> None:
    """Show the reference of each answer only the person can grade and take their rating;
    stopping (Ctrl-C, end of input) leaves the rest unrated, reported as not answered."""
    stopped = False
    for answer in result.answers:
        given = answer.grade
        if given is None or given.correct is not None:
            continue
        if stopped:
            answer.grade = None
            continue
        _ = translator(lang)
        reference = answer.question.answer_text(lang)
        console.print()
        console.print(Text(answer.question.prompt.get(lang), style="bold"))
        console.print(Text(_("Your answer: ") + given.given))
        console.print(Text(_("Reference answer: {answer}").format(answer=reference), style="bold"))
        try:
            answer.grade = self_rated(given, read_rating(console, read_line, lang=lang))
        except (EOFError, KeyboardInterrupt):
            answer.grade, stopped = None, True
            continue
        if on_answer is not None:
            on_answer(answer.question, answer.grade, int(answer.seconds * 1000))


def report_data(result: MockResult, bank_id: str, minutes: float) -> dict:
    """The report as plain data, to keep beside the review log."""
    return {
        "bank": bank_id,
        "minutes": minutes,
        "right": result.correct,
        "questions": len(result.answers),
        "timed_out": result.timed_out,
        "answers": [
            {
                "question_id": a.question.id,
                "topics": a.question.topics,
                "answer": a.grade.given if a.grade else None,
                "correct": a.grade.correct if a.grade else None,
                "seconds": round(a.seconds, 1),
            }
            for a in result.answers
        ],
    }


def mock_report(result: MockResult, lang: Lang) -> RenderableType:
    """Score by topic, time per question, and what was missed with its explanation."""
    _, label = translator(lang), topic_translator(lang)
    total = len(result.answers)
    score = _("Mock interview: {right}/{total} right").format(right=result.correct, total=total)
    unanswered = sum(1 for answer in result.answers if answer.grade is None)
    wrong = _("{wrong} wrong, {unanswered} not answered").format(
        wrong=total - result.correct - unanswered, unanswered=unanswered
    )
    parts: list[RenderableType] = [Text(score, style="bold"), Text(wrong)]
    if result.timed_out:
        parts.append(Text(_("Time ran out before the end."), style="yellow"))
    topics = score_by_topic(
        (answer.question, None if answer.grade is None else bool(answer.grade.correct))
        for answer in result.answers
    )
    by_topic = Table(
        _("topic"), _("right"), _("wrong"), _("not answered"), box=None, pad_edge=False
    )
    for topic, score in sorted(topics.items()):
        by_topic.add_row(
            Text(_(topic) if topic == NO_TOPIC else label(topic)),
            str(score.right),
            str(score.wrong),
            str(score.unanswered),
        )
    parts += [Text(""), by_topic, Text("")]
    times = Table("#", _("question"), _("answer"), _("time"), box=None, pad_edge=False)
    # the whole question, wrapped between words in its column: cut to a width, it lost words
    times.columns[1].overflow = "fold"
    for position, answer in enumerate(result.answers, start=1):
        if answer.grade is None:
            mark, given, spent = "-", _("(not answered)"), ""
        else:
            mark = "✓" if answer.grade.correct else "✗"
            given = answer.grade.given
            spent = _("{seconds} s").format(seconds=f"{answer.seconds:.0f}")
        prompt = answer.question.prompt.get(lang)
        times.add_row(str(position), Text(prompt), Text(shorten(f"{mark} {given}", 30)), spent)
    parts += [times]
    for answer in result.answers:
        if answer.grade is None or not answer.grade.correct:
            parts += [
                Text(""),
                Text(answer.question.prompt.get(lang), style="bold"),
                Text(
                    _("Answer: {answer}").format(answer=answer.question.answer_text(lang)),
                    style="bold green",
                ),
                explanation_view(
                    answer.question, lang, answer.grade.keys if answer.grade else frozenset()
                ),
            ]
    return Group(*parts)
