from __future__ import annotations

import io
import random
import time
from collections.abc import Callable

from rich.console import Console

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import Question
from llmiq.practice.mock import (
    TopicScore,
    mock_report,
    pick_across_topics,
    run_mock,
    score_by_topic,
)

SEED = resolve_bank("seed")


def _console() -> Console:
    return Console(file=io.StringIO(), width=100)


def test_questions_are_drawn_across_topics() -> None:
    chosen = pick_across_topics(SEED, 5, random.Random(1))
    assert len({q.topics[0] for q in chosen}) == 5
    assert len({q.id for q in chosen}) == 5
    assert pick_across_topics(SEED, 5, random.Random(1)) == chosen
    assert len(pick_across_topics(SEED, 50, random.Random(1))) == 10


def test_time_running_out_stops_the_interview_and_drops_the_late_answer() -> None:
    now = [0.0]
    answers = iter(["C", "no", "C", "B"])

    def slow_reader(prompt: str) -> str:
        now[0] += 50  # each answer takes 50 s; the limit of 2 minutes falls in the third
        return next(answers)

    logged: list[str] = []
    result = run_mock(
        SEED.questions[:4],
        lang="en",
        console=_console(),
        read_line=slow_reader,
        minutes=2,
        on_answer=lambda q, grade, ms: logged.append(q.id),
        clock=lambda: now[0],
    )
    assert result.timed_out
    assert logged == ["prompt-calibration", "vector-store"]
    assert [a.grade is not None for a in result.answers] == [True, True, False, False]
    assert [round(a.seconds) for a in result.answers[:2]] == [50, 50]
    assert result.correct == 2


def test_reference_only_answers_are_rated_in_the_report(scripted: Callable) -> None:
    question = Question.model_validate(
        {"id": "why", "kind": "open", "prompt": "Why scale by sqrt(d)?", "reference": "Variance."}
    )
    logged = []
    result = run_mock(
        [question, SEED.questions[0]],
        lang="en",
        console=_console(),
        read_line=scripted("keeps softmax soft", "A", "4"),
        minutes=5,
        on_answer=lambda q, grade, ms: logged.append((q.id, grade.rating, grade.correct)),
    )
    assert logged == [("prompt-calibration", None, False), ("why", 4, True)]
    console = _console()
    console.print(mock_report(result, "en"))
    report = console.file.getvalue()
    assert "Mock interview: 1/2 right" in report
    assert "Answer: C. Prompt calibration" in report


def test_the_alarm_stops_a_prompt_that_is_still_waiting() -> None:
    def never_answers(prompt: str) -> str:
        time.sleep(5)
        return "C"

    started = time.monotonic()
    result = run_mock(
        SEED.questions[:2],
        lang="en",
        console=_console(),
        read_line=never_answers,
        minutes=0.3 / 60,  # 0.3 s
        interrupt_at_deadline=True,
    )
    assert time.monotonic() - started < 3
    assert result.timed_out
    assert [a.grade for a in result.answers] == [None, None]


def test_topics_score_right_wrong_and_unanswered_under_the_topic_asked() -> None:
    bank = resolve_bank("seed")
    calibration, rlhf = bank.question("prompt-calibration"), bank.question("alignment-techniques")
    assert calibration is not None
    assert rlhf is not None
    scores = score_by_topic([(calibration, True), (rlhf, False), (calibration, None)])
    assert scores == {
        calibration.topics[0]: TopicScore(right=1, wrong=0, unanswered=1),
        rlhf.topics[0]: TopicScore(right=0, wrong=1, unanswered=0),
    }
    assert sum(score.asked for score in scores.values()) == 3
