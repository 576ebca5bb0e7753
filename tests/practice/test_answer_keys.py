"""Idempotency keys: an answer sent again with its key is recorded once and answered as the
first time, through SQLAlchemy (SQLite and PostgreSQL) and through sqlite3."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import grade
from llmiq.practice.recording import Answer, Recorded, record_answers
from llmiq.practice.scheduling import make_scheduler
from llmiq.store import progress
from llmiq.store.database import Database, open_database
from llmiq.store.errors import ConstraintViolation
from llmiq.store.lite import open_lite_database
from llmiq.store.models import AnswerKey, Card, Review

SEED = resolve_bank("seed")
QUESTIONS = {q.id: q for q in SEED.questions}
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _answer(qid: str, raw: str, minutes: int, key: str | None, duration_ms: int = 4000) -> Answer:
    question = QUESTIONS[qid]
    at = START + timedelta(minutes=minutes)
    return Answer("ada", "seed", question, grade(question, raw), duration_ms, "review", at, key=key)


def _count(database: Database, model: Any) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _outcome(recorded: Recorded) -> tuple[Any, ...]:
    card = recorded.card
    return (recorded.review_id, card.id, card.state, card.due, card.stability, card.last_rating)


def test_an_answer_sent_again_with_its_key_is_recorded_once(database_url: str) -> None:
    database = open_database(database_url)
    scheduler = make_scheduler(fuzz=False)
    [first] = record_answers(database, scheduler, [_answer("prompt-calibration", "C", 0, "k1")])
    # the retry comes later and took longer: a new answer would be rated differently
    retry = _answer("prompt-calibration", "C", 5, "k1", duration_ms=90_000)
    [again] = record_answers(database, scheduler, [retry])
    assert first.replayed is None
    assert again.replayed is not None
    assert _outcome(again) == _outcome(first)
    assert (again.replayed.answer, again.replayed.correct) == ("C", True)
    assert again.replayed.rating == first.card.last_rating
    assert _count(database, Review) == 1
    # the card was not stepped a second time
    with database.transaction() as session:
        card = session.scalars(select(Card)).one()
        assert (card.due, card.stability) == (first.card.due, first.card.stability)
    # another key, or none, is another answer
    record_answers(database, scheduler, [_answer("prompt-calibration", "C", 9, "k2")])
    record_answers(database, scheduler, [_answer("prompt-calibration", "C", 10, None)])
    record_answers(database, scheduler, [_answer("prompt-calibration", "C", 11, None)])
    assert _count(database, Review) == 4
    assert _count(database, AnswerKey) == 2
    database.close()


def test_a_key_sent_twice_in_one_batch_is_one_answer(database_url: str) -> None:
    database = open_database(database_url)
    batch = [
        _answer("prompt-calibration", "C", 0, "a"),
        _answer("reward-hacking", "B", 1, "b"),
        _answer("prompt-calibration", "C", 2, "a"),
        _answer("reward-hacking", "A", 3, None),
    ]
    done = record_answers(database, make_scheduler(fuzz=False), batch)
    assert [r.replayed is not None for r in done] == [False, False, True, False]
    assert _outcome(done[2]) == _outcome(done[0])
    assert _count(database, Review) == 3
    # kept and read back in a later batch, in the same order of outcomes
    later = record_answers(
        database,
        make_scheduler(fuzz=False),
        [batch[1], batch[0], _answer("ddp-vs-fsdp", "B", 9, "a")],
    )
    assert [_outcome(r) for r in later] == [_outcome(done[i]) for i in (1, 0, 0)]
    assert later[2].card.question_id == "prompt-calibration"  # the caller sees the mismatch
    assert _count(database, Review) == 3
    database.close()


def test_keys_belong_to_one_profile(database_url: str) -> None:
    database = open_database(database_url)
    scheduler = make_scheduler(fuzz=False)
    mine = _answer("prompt-calibration", "C", 0, "same")
    theirs = Answer("bob", *[getattr(mine, f) for f in ("bank_id", "question", "grade",
                    "duration_ms", "mode", "at", "session_id", "key")])  # fmt: skip
    [a] = record_answers(database, scheduler, [mine])
    [b] = record_answers(database, scheduler, [theirs])
    assert b.replayed is None
    assert a.review_id != b.review_id
    with database.transaction() as session:
        assert progress.delete_user(session, "ada")
    assert _count(database, AnswerKey) == 1
    assert _count(database, Review) == 1
    database.close()


def test_the_second_of_two_transactions_keeping_one_key_is_refused(database_url: str) -> None:
    database = open_database(database_url)
    [first] = record_answers(
        database, make_scheduler(), [_answer("prompt-calibration", "C", 0, "k")]
    )
    row = {"user_id": first.card.user_id, "key": "k", "review_id": first.review_id,
           "card_id": first.card.id, "state": 1, "step": 0, "stability": None,
           "difficulty": None, "due": START, "last_review": None}  # fmt: skip
    try:
        with database.writes() as writes:
            writes.insert_answer_keys([row])
    except ConstraintViolation:
        pass
    else:
        raise AssertionError("a key kept twice was accepted")
    database.close()


def test_concurrent_retries_of_one_answer_record_it_once(database_url: str) -> None:
    """Eight connections send the same keyed answer at once; each retries on the constraint,
    as the web's recorder does, and all get the one outcome."""
    open_database(database_url).close()
    databases = [Database(database_url) for _ in range(8)]
    start = threading.Barrier(len(databases))
    outcomes: list[tuple[Any, ...]] = []

    def send(database: Database) -> None:
        answer = _answer("reward-hacking", "B", 0, "retry-me")
        start.wait()
        for _ in range(5):
            try:
                [done] = record_answers(database, make_scheduler(fuzz=False), [answer])
            except ConstraintViolation:
                continue
            outcomes.append(_outcome(done))
            return

    threads = [threading.Thread(target=send, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == len(databases)
    assert len(set(outcomes)) == 1
    assert _count(databases[0], Review) == 1
    for database in databases:
        database.close()


def test_sqlite3_path_replays_what_sqlalchemy_kept(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    database = open_database(f"sqlite:///{path}")
    [first] = record_answers(
        database, make_scheduler(), [_answer("prompt-calibration", "C", 0, "x")]
    )
    lite = open_lite_database(path)
    assert lite is not None
    [again] = record_answers(lite, make_scheduler(), [_answer("prompt-calibration", "C", 3, "x")])
    [other] = record_answers(lite, make_scheduler(), [_answer("reward-hacking", "B", 4, "y")])
    [back] = record_answers(database, make_scheduler(), [_answer("reward-hacking", "B", 6, "y")])
    lite.close()
    assert _outcome(again) == _outcome(first)
    assert again.card == first.card
    assert back.replayed is not None
    assert _outcome(back) == _outcome(other)
    assert back.card == other.card
    assert _count(database, Review) == 2
    database.close()
