"""Group commit: answers recorded together end as if recorded one by one, and one answer
that cannot be stored does not take the others down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import Grade, grade
from llmiq.practice.recording import Answer, record_answers
from llmiq.practice.scheduling import make_scheduler
from llmiq.store.database import open_database
from llmiq.web.recorder import AnswerRecorder

SEED = resolve_bank("seed")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def answers(profile: str) -> list[Answer]:
    """Answers to three questions, some twice, a minute apart."""
    plan = [("prompt-calibration", "C"), ("reward-hacking", "A"), ("prompt-calibration", "C"),
            ("ddp-vs-fsdp", "B"), ("reward-hacking", "B"), ("reward-hacking", "B")]  # fmt: skip
    questions = {q.id: q for q in SEED.questions}
    return [
        Answer(
            profile,
            "seed",
            questions[qid],
            grade(questions[qid], raw),
            4000,
            "review",
            START + timedelta(minutes=n),
        )
        for n, (qid, raw) in enumerate(plan)
    ]


def test_one_batch_equals_one_answer_at_a_time(database_url: str) -> None:
    database = open_database(database_url)
    scheduler = make_scheduler(fuzz=False)
    recorded = record_answers(database, scheduler, answers("batch"))
    together = [r.card for r in recorded]
    alone = [record_answers(database, scheduler, [a])[0].card for a in answers("single")]
    fields = ("question_id", "state", "step", "stability", "difficulty", "due", "last_rating")
    assert [tuple(getattr(c, f) for f in fields) for c in together] == [
        tuple(getattr(c, f) for f in fields) for c in alone
    ]
    # the same card answered twice in one batch keeps one id
    assert together[0].id == together[2].id
    assert together[1].id == together[4].id == together[5].id
    # each answer has its own row in the review log
    assert len({r.review_id for r in recorded}) == len(recorded)
    database.close()


def test_an_answer_that_cannot_be_stored_fails_alone(tmp_path: Path, run_async: Any) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'p.db'}")
    recorder = AnswerRecorder(database, make_scheduler(fuzz=False))
    good = answers("ada")[:3]
    question = good[0].question
    unstorable = Answer("ada", "seed", question, Grade(True, object()), 10, "review", START)  # type: ignore[arg-type]

    async def submit_all() -> list[object]:
        return await asyncio.gather(
            *(recorder.record(a) for a in [*good, unstorable]), return_exceptions=True
        )

    recorder.start()
    try:
        results = run_async(submit_all)
    finally:
        recorder.stop()
    assert [type(r).__name__ for r in results[:3]] == ["Recorded"] * 3
    assert isinstance(results[3], Exception)
    from sqlalchemy import func, select

    from llmiq.store.models import Review

    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 3
    database.close()


def test_recording_before_start_is_an_error(tmp_path: Path, run_async: Any) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'p.db'}")
    recorder = AnswerRecorder(database, make_scheduler())
    with pytest.raises(RuntimeError, match="not running"):
        run_async(lambda: recorder.record(answers("ada")[0]))
    database.close()
