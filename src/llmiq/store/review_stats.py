"""The review log in aggregate, computed by the database: answers per question, reviews per
local day, and whether a day had any. Each query reads index ranges (see migration 0005)
and returns rows in proportion to questions or days, never to reviews, so that a profile
with a million answers costs no more memory than one with ten.

Days are local days without the database knowing the time zone: the caller gives each day
as the UTC intervals whose local date it is (``llmiq.practice.days.moments_of_day``). The
intervals travel as one JSON parameter (``json_each`` on SQLite, ``jsonb_array_elements``
on PostgreSQL), so a statement's text is the same whatever their number (compiled once, not
one bound parameter per interval), and each interval is one range of
``ix_reviews_user_time``: counted, or probed for one row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, text
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


def _stored(moment: datetime, sqlite: bool) -> str:
    """``moment`` as the reviews table holds it: naive UTC, as SQLAlchemy writes datetimes
    to SQLite (text that sorts like the time), or text PostgreSQL casts to a timestamp."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(" ", "microseconds") if sqlite else naive.isoformat()


# The reviews of one interval (``probe``), and the statement over every interval: what it
# returns for each ({select}) and which it keeps ({where}).
_IN_INTERVAL = """SELECT {what} FROM reviews WHERE reviews.user_id = :user_id {bank}
    AND reviews.reviewed_at >= {low} AND reviews.reviewed_at < {high}"""
_INTERVALS = {
    "sqlite": (
        "SELECT CAST(probe.key AS INTEGER){select} FROM json_each(:intervals) AS probe {where}",
        "json_extract(probe.value, '$[0]')",
        "json_extract(probe.value, '$[1]')",
    ),
    "postgresql": (
        "SELECT probe.n - 1{select} FROM jsonb_array_elements(CAST(:intervals AS jsonb))"
        " WITH ORDINALITY AS probe(value, n) {where}",
        "CAST(probe.value ->> 0 AS timestamp)",
        "CAST(probe.value ->> 1 AS timestamp)",
    ),
}


def _per_interval(
    session: Session,
    user_id: int,
    days: Mapping[date, Sequence[tuple[datetime, datetime]]],
    bank_id: str | None,
    counting: bool,
) -> Iterator[tuple[date, int]]:
    """``(day, reviews)`` per interval of ``days`` (``counting``), or ``(day, 1)`` per
    interval that holds a review (an EXISTS probe stops at the first)."""
    listed = [(day, interval) for day, intervals in days.items() for interval in intervals]
    dialect = session.get_bind().dialect.name
    outer, low, high = _INTERVALS[dialect]
    bank = "AND reviews.bank_id = :bank_id" if bank_id is not None else ""
    inner = _IN_INTERVAL.format(what="count(*)" if counting else "1", bank=bank, low=low, high=high)
    statement = text(
        outer.format(select=f", ({inner})", where="")
        if counting
        else outer.format(select=", 1", where=f"WHERE EXISTS ({inner})")
    )
    sqlite = dialect == "sqlite"
    for first in range(0, len(listed), _INTERVALS_PER_STATEMENT):
        chunk = listed[first : first + _INTERVALS_PER_STATEMENT]
        intervals = [[_stored(a, sqlite), _stored(b, sqlite)] for _, (a, b) in chunk]
        parameters: dict[str, Any] = {"intervals": json.dumps(intervals), "user_id": user_id}
        if bank_id is not None:
            parameters["bank_id"] = bank_id
        for n, reviews in session.execute(statement, parameters):
            yield chunk[n][0], reviews


def reviews_per_day(
    session: Session,
    user_id: int,
    days: Mapping[date, Sequence[tuple[datetime, datetime]]],
    bank_id: str | None = None,
) -> dict[date, int]:
    """Reviews on each of ``days`` (each given as its UTC intervals); days with none are left
    out. Counts index entries: the cost grows with the reviews of those days only."""
    counts: dict[date, int] = {}
    for day, reviews in _per_interval(session, user_id, days, bank_id, counting=True):
        if reviews:
            counts[day] = counts.get(day, 0) + reviews
    return counts


def days_reviewed(
    session: Session,
    user_id: int,
    days: Mapping[date, Sequence[tuple[datetime, datetime]]],
    bank_id: str | None = None,
) -> set[date]:
    """Which of ``days`` (each given as its UTC intervals) had at least one review: one index
    probe per interval, so the cost grows with the days asked about, not with the reviews
    in them."""
    return {day for day, _ in _per_interval(session, user_id, days, bank_id, counting=False)}
