"""The progress store as the layers above see it: its own exceptions instead of SQLAlchemy's,
and the queries that used to be written inline in the web app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from llmiq.errors import LlmiqError
from llmiq.store import progress
from llmiq.store.database import Database, open_database
from llmiq.store.errors import ConstraintViolation, DatabaseUnavailable

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def card_row(user_id: int, question_id: str = "q1") -> dict[str, Any]:
    return {
        "user_id": user_id, "bank_id": "seed", "question_id": question_id, "content_hash": "h",
        "state": 1, "step": 0, "stability": None, "difficulty": None, "due": NOW,
        "last_review": None, "last_rating": None, "created_at": NOW,
    }  # fmt: skip


def review_row(user_id: int, at: datetime) -> dict[str, Any]:
    return {
        "user_id": user_id, "bank_id": "seed", "question_id": "q1", "content_hash": "h",
        "answer": "C", "correct": True, "rating": 3, "duration_ms": 1000, "reviewed_at": at,
        "mode": "review", "session_id": None,
    }  # fmt: skip


@pytest.fixture
def database(database_url: str) -> Any:
    database = open_database(database_url)
    yield database
    database.close()


def test_a_second_card_for_one_question_is_a_constraint_violation(database: Database) -> None:
    with database.transaction() as session:
        user_id = progress.ensure_user(session, "ada", NOW).id
        progress.insert_cards(session, [card_row(user_id)])
    with pytest.raises(ConstraintViolation), database.transaction() as session:
        progress.insert_cards(session, [card_row(user_id, "q2"), card_row(user_id)])
    with database.transaction() as session:  # rolled back: q2 is not kept either
        assert [c.question_id for c in progress.cards_of(session, user_id)] == ["q1"]


def test_a_database_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}")  # a folder, not a database file
    with pytest.raises(DatabaseUnavailable, match="is unavailable"), database.transaction() as s:
        progress.find_user(s, "ada")
    assert issubclass(DatabaseUnavailable, LlmiqError)  # still one sentence for the CLI
    database.close()


def test_updated_cards_and_appended_reviews_keep_their_order(database: Database) -> None:
    with database.transaction() as session:
        user_id = progress.ensure_user(session, "ada", NOW).id
        ids = progress.insert_cards(session, [card_row(user_id, f"q{i}") for i in range(3)])
        progress.update_cards(
            session, [{"id": ids[i], "state": 2, "stability": float(i)} for i in (2, 0)]
        )
        review_ids = progress.append_reviews(
            session, [review_row(user_id, NOW + timedelta(seconds=s)) for s in (3, 1, 2)]
        )
    with database.transaction() as session:
        cards = {c.id: c for c in progress.cards_of(session, user_id)}
        reviews = {r.id: r for r in progress.reviews_of(session, user_id)}
    assert [(cards[i].state, cards[i].stability) for i in ids] == [(2, 0.0), (1, None), (2, 2.0)]
    assert [reviews[i].reviewed_at.second for i in review_ids] == [3, 1, 2]


def test_review_times_since_starts_at_since(database: Database) -> None:
    since = NOW - timedelta(days=400)
    with database.transaction() as session:
        ada = progress.ensure_user(session, "ada", NOW).id
        bob = progress.ensure_user(session, "bob", NOW).id
        progress.append_reviews(
            session,
            [
                review_row(ada, since - timedelta(seconds=1)),
                review_row(ada, since),
                review_row(ada, NOW),
                review_row(bob, NOW),
            ],
        )
    with database.transaction() as session:
        assert sorted(progress.review_times_since(session, ada, since)) == [since, NOW]


def test_a_card_is_found_by_id_only_for_its_owner(database: Database) -> None:
    with database.transaction() as session:
        ada = progress.ensure_user(session, "ada", NOW).id
        bob = progress.ensure_user(session, "bob", NOW).id
        [card_id] = progress.insert_cards(session, [card_row(ada)])
    with database.transaction() as session:
        found = progress.find_card_of_user(session, ada, card_id)
        assert found is not None
        assert found.question_id == "q1"
        assert progress.find_card_of_user(session, bob, card_id) is None
