"""The review log in aggregate, computed by the database: answers per question, reviews per
local day, and whether a day had any. Each query reads an index range (see migration 0005)
and returns rows in proportion to questions or days, never to reviews, so that a profile
with a million answers costs no more memory than one with ten.

Days are local days without the database knowing the time zone: the caller cuts time into
spans of one UTC offset (``llmiq.practice.days.offset_spans``), given here as
``(start, end, offset_seconds)``; within a span a review's day is the date of
``reviewed_at + offset``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Date, String, cast, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from llmiq.store.models import Review

#: Intervals (about one per day) probed per statement when looking for the days with reviews.
_INTERVALS_PER_STATEMENT = 1000


class QuestionTally(NamedTuple):
    bank_id: str
    question_id: str
    answers: int
    right: int


def _of(user_id: int, bank_id: str | None) -> list[ColumnElement[bool]]:
    where = [Review.user_id == user_id]
    if bank_id is not None:
        where.append(Review.bank_id == bank_id)
    return where


def answers_by_question(
    session: Session, user_id: int, bank_id: str | None = None
) -> list[QuestionTally]:
    """How often each question was answered, and how often right (an ungraded answer is not
    right), from the covering index ``ix_reviews_user_question``."""
    rows = session.execute(
        select(
            Review.bank_id,
            Review.question_id,
            func.count(),
            func.count().filter(Review.correct.is_(True)),
        )
        .where(*_of(user_id, bank_id))
        .group_by(Review.bank_id, Review.question_id)
    )
    return [QuestionTally(*row) for row in rows]


def _local_date(session: Session, offset_seconds: int) -> ColumnElement[Any]:
    """The date of ``reviewed_at + offset``: exact to the second on both databases (SQLite's
    date functions would round fractions of a second, so they are cut off first; the offset
    is a whole number of seconds)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(
            func.substr(Review.reviewed_at, 1, 19), f"{offset_seconds:+d} seconds", type_=String
        )
    shifted = Review.reviewed_at + literal_column(f"interval '{int(offset_seconds)} seconds'")
    return cast(shifted, Date)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def reviews_per_day(
    session: Session,
    user_id: int,
    spans: Iterable[tuple[datetime, datetime, int]],
    bank_id: str | None = None,
) -> dict[date, int]:
    """Reviews per local day over ``spans`` (``(start, end, offset_seconds)``, UTC); days
    with none are left out. One index range scan per span."""
    counts: dict[date, int] = {}
    for start, end, offset in spans:
        day = _local_date(session, offset).label("day")
        rows = session.execute(
            select(day, func.count())
            .where(*_of(user_id, bank_id), Review.reviewed_at >= start, Review.reviewed_at < end)
            .group_by(day)
        )
        for value, count in rows:
            key = _as_date(value)
            counts[key] = counts.get(key, 0) + count
    return counts


def _stored(moment: datetime, sqlite: bool) -> str:
    """``moment`` as the reviews table holds it: naive UTC, as SQLAlchemy writes datetimes
    to SQLite (text that sorts like the time), or text PostgreSQL casts to a timestamp."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(" ", "microseconds") if sqlite else naive.isoformat()


# The intervals travel as one JSON parameter, so the statement is the same whatever their
# number (compiled once, not one bound parameter per interval); each one is an index probe.
_PROBE = {
    "sqlite": """
        SELECT CAST(probe.key AS INTEGER) FROM json_each(:intervals) AS probe
        WHERE EXISTS (
            SELECT 1 FROM reviews WHERE reviews.user_id = :user_id {bank}
            AND reviews.reviewed_at >= json_extract(probe.value, '$[0]')
            AND reviews.reviewed_at < json_extract(probe.value, '$[1]'))""",
    "postgresql": """
        SELECT probe.n - 1 FROM jsonb_array_elements(CAST(:intervals AS jsonb))
            WITH ORDINALITY AS probe(value, n)
        WHERE EXISTS (
            SELECT 1 FROM reviews WHERE reviews.user_id = :user_id {bank}
            AND reviews.reviewed_at >= CAST(probe.value ->> 0 AS timestamp)
            AND reviews.reviewed_at < CAST(probe.value ->> 1 AS timestamp))""",
}


def days_reviewed(
    session: Session,
    user_id: int,
    days: Mapping[date, Sequence[tuple[datetime, datetime]]],
    bank_id: str | None = None,
) -> set[date]:
    """Which of ``days`` (each given as its UTC intervals) had at least one review: one index
    probe (EXISTS) per interval, so the cost grows with the days asked about, not with the
    reviews in them."""
    listed = [(day, interval) for day, intervals in days.items() for interval in intervals]
    dialect = session.get_bind().dialect.name
    sql = _PROBE[dialect].format(
        bank="AND reviews.bank_id = :bank_id" if bank_id is not None else ""
    )
    statement = text(sql)
    found: set[date] = set()
    for first in range(0, len(listed), _INTERVALS_PER_STATEMENT):
        chunk = listed[first : first + _INTERVALS_PER_STATEMENT]
        intervals = [
            [_stored(start, dialect == "sqlite"), _stored(end, dialect == "sqlite")]
            for _, (start, end) in chunk
        ]
        parameters: dict[str, Any] = {"intervals": json.dumps(intervals), "user_id": user_id}
        if bank_id is not None:
            parameters["bank_id"] = bank_id
        found.update(chunk[n][0] for n in session.scalars(statement, parameters))
    return found
