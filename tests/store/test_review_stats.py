"""The statistics queries read index ranges, not the whole review log: SQLite's query plans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from llmiq.store import progress, review_stats
from llmiq.store.database import Database, open_database

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'plans.db'}")
    with database.transaction() as session:
        ada = progress.ensure_user(session, "ada", NOW).id
        bob = progress.ensure_user(session, "bob", NOW).id
        progress.append_reviews(
            session,
            [
                {
                    "user_id": (ada, bob)[n % 2],
                    "bank_id": ("seed", "rag")[n % 3 == 0],
                    "question_id": f"q{n % 17}",
                    "content_hash": "h",
                    "answer": "A",
                    "correct": n % 5 != 0,
                    "rating": 3,
                    "duration_ms": 1000,
                    "reviewed_at": NOW - timedelta(hours=n),
                    "mode": "quiz",
                    "session_id": None,
                }
                for n in range(2000)
            ],
        )
        # the planner's statistics, as a long-used database has them
        session.connection().exec_driver_sql("ANALYZE")
    yield database
    database.close()


def _plans(database: Database, work: Any) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of every statement ``work(session)`` runs on ``reviews``."""
    statements: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM reviews" in statement:
            statements.append((statement, parameters))

    with database.transaction() as session:
        event.listen(database.engine, "before_cursor_execute", grab)
        try:
            work(session)
        finally:
            event.remove(database.engine, "before_cursor_execute", grab)
        connection = session.connection()
        return [
            " / ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
            for s, p in statements
        ]


@pytest.mark.parametrize("bank_id", [None, "seed"])
def test_answers_per_question_read_only_the_covering_index(
    database: Database, bank_id: str | None
) -> None:
    (plan,) = _plans(database, lambda s: review_stats.answers_by_question(s, 1, bank_id))
    assert "USING COVERING INDEX ix_reviews_user_question" in plan
    assert "SCAN reviews" not in plan
    assert "TEMP B-TREE" not in plan  # grouped in the index's order


def test_reviews_per_day_and_days_reviewed_search_the_time_index(database: Database) -> None:
    days = {NOW.date() - timedelta(days=n): [(NOW - timedelta(days=n + 1), NOW)] for n in range(9)}
    plans = _plans(
        database,
        lambda s: (
            review_stats.reviews_per_day(s, 1, days),
            review_stats.days_reviewed(s, 1, days),
        ),
    )
    assert len(plans) == 2
    for plan in plans:
        # one range of the index per interval, read from the index alone
        assert (
            "COVERING INDEX ix_reviews_user_time (user_id=? AND reviewed_at>? AND reviewed_at<?)"
            in plan
        )
        assert "SCAN reviews" not in plan


def test_history_reads_the_newest_entries_of_an_index(database: Database) -> None:
    (plan,) = _plans(database, lambda s: progress.reviews_of(s, 1, limit=20, newest_first=True))
    assert "USING INDEX ix_reviews_user_id (user_id=?)" in plan
    assert "TEMP B-TREE" not in plan
