"""Another rating for an answer already recorded: the card before it, rebuilt from the review
log, is the one recording started from; re-rating rewrites that review and its card only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import grade
from llmiq.practice.recording import Practice
from llmiq.practice.rerating import RatingRefused, rerate, schedule_before
from llmiq.practice.scheduling import apply_fsrs, make_scheduler, to_fsrs
from llmiq.store import progress, ratings
from llmiq.store.database import Database, open_database

SEED = resolve_bank("seed")
QUESTION = SEED.questions[0]  # prompt-calibration, key C
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.close()


def _history(database: Database) -> tuple[list, object]:
    with database.transaction() as session:
        user = progress.find_user(session, "ada")
        assert user is not None
        history = ratings.card_history(session, user.id, SEED.id, QUESTION.id, 10**9)
        card = progress.find_card(session, user.id, SEED.id, QUESTION.id)
        session.expunge_all()
    return history, card


def _practice(database: Database, at: datetime) -> Practice:
    return Practice(database, "ada", scheduler=make_scheduler(fuzz=False), clock=lambda: at)


def test_the_rebuilt_card_is_the_one_recording_started_from(database: Database) -> None:
    scheduler = make_scheduler(fuzz=False)
    edited = QUESTION.model_copy(
        update={"prompt": QUESTION.prompt.model_copy(update={"en": "Edited: which technique?"})}
    )
    steps = [(QUESTION, "C", 0), (QUESTION, "A", 2), (QUESTION, "C", 3), (edited, "C", 9),
             (edited, "C", 30)]  # fmt: skip
    for question, answer, days in steps:
        _practice(database, START + timedelta(days=days)).record(
            SEED.id, question, grade(question, answer), 10_000, "review"
        )
        history, card = _history(database)
        # the card before the latest answer, reviewed with that answer's rating, is the card
        before = schedule_before(history, scheduler)
        last = history[-1]
        scheduled, _ = scheduler.review_card(
            to_fsrs(before), fsrs.Rating(last.rating), review_datetime=last.reviewed_at
        )
        apply_fsrs(before, scheduled)
        assert (before.state, before.step, before.due, before.last_review) == (
            card.state, card.step, card.due, card.last_review,
        )  # fmt: skip
        assert before.stability == pytest.approx(card.stability)
        assert before.difficulty == pytest.approx(card.difficulty)


def test_rerating_rewrites_the_latest_answer_and_refuses_an_older_one(database: Database) -> None:
    scheduler = make_scheduler(fuzz=False)
    practice = _practice(database, START)
    practice.record(SEED.id, QUESTION, grade(QUESTION, "A"), 10_000, "review")  # Again
    history, card_after_again = _history(database)
    first = history[0].id
    done = rerate(database, scheduler, "ada", SEED.id, first, 4)
    assert done.changed
    history, card = _history(database)
    assert (history[0].rating, card.last_rating) == (4, 4)
    assert card.due > card_after_again.due  # Easy: days away, not a minute
    assert not rerate(database, scheduler, "ada", SEED.id, first, 4).changed  # idempotent
    rerate(database, scheduler, "ada", SEED.id, first, 1)
    assert _history(database)[1].due == card_after_again.due  # back to Again's schedule

    _practice(database, START + timedelta(minutes=5)).record(
        SEED.id, QUESTION, grade(QUESTION, "C"), 10_000, "review"
    )
    with pytest.raises(RatingRefused, match="answered again since"):
        rerate(database, scheduler, "ada", SEED.id, first, 3)
    with pytest.raises(RatingRefused, match="no answer"):
        rerate(database, scheduler, "bob", SEED.id, first, 3)
    with pytest.raises(RatingRefused, match="must be 1"):
        rerate(database, scheduler, "ada", SEED.id, first, 5)


def test_rerating_is_refused_once_the_question_was_edited(database: Database) -> None:
    practice = _practice(database, START)
    practice.record(SEED.id, QUESTION, grade(QUESTION, "A"), 10_000, "review")
    edited = QUESTION.model_copy(
        update={"prompt": QUESTION.prompt.model_copy(update={"en": "Edited: which technique?"})}
    )
    bank = SEED.model_copy(update={"questions": [edited, *SEED.questions[1:]]})
    assert _practice(database, START + timedelta(days=1)).sync(bank) == 1  # a lapse, due now
    history, synced = _history(database)
    with pytest.raises(RatingRefused, match="edited since"):
        rerate(database, make_scheduler(fuzz=False), "ada", SEED.id, history[0].id, 4)
    assert _history(database)[1].due == synced.due
