"""Statistics computed by the database equal a plain Python count over the whole review log:
a random history (seeded) with answers on local midnights and on the instants clocks change,
in time zones with daylight saving (also across midnight, and by 30 minutes), odd offsets
and none; on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.practice.days import local_date, moments_of_day, offset_spans, utc_offset
from llmiq.practice.recording import Practice
from llmiq.practice.stats import HEATMAP_DAYS, load_stats, streak_in_database
from llmiq.store import progress
from llmiq.store.database import Database, open_database

SEED = resolve_bank("seed")
ZONES = [
    "America/New_York",  # DST at 02:00
    "America/Santiago",  # DST ends at midnight: 00:00 becomes 23:00 of the day before
    "Australia/Lord_Howe",  # DST of 30 minutes
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",  # +05:30, no DST
    "UTC",
]
#: noon UTC on days clocks change in some of ZONES, forward or back
CHANGE_DAYS = [
    datetime(2026, 4, 5, 12, tzinfo=UTC),  # Santiago, Lord Howe, Chatham back
    datetime(2026, 9, 27, 12, tzinfo=UTC),  # Chatham forward
    datetime(2026, 11, 1, 15, tzinfo=UTC),  # New York back
    datetime(2026, 3, 8, 20, tzinfo=UTC),  # New York forward
]


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.close()


def _changes(start: datetime, end: datetime) -> list[datetime]:
    """The instants the local offset changes between ``start`` and ``end``, hour by hour and
    then to the second: found without :func:`offset_spans`, which is under test."""
    found = []
    moment = start
    while moment < end:
        after = moment + timedelta(hours=1)
        if utc_offset(after) != utc_offset(moment):
            low, high = moment, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                low, high = (
                    (middle, high) if utc_offset(middle) == utc_offset(low) else (low, middle)
                )
            found.append(high)
        moment = after
    return found


def _history(rng: random.Random, now: datetime) -> list[datetime]:
    """When one profile answered: most days of the last 400 (a run of every day for the
    last ~200, so the streak reaches past the heatmap), plus answers on each local midnight
    and on each change of offset, a microsecond and a second either side."""
    moments = []
    today = local_date(now)
    run = rng.randrange(150, 260)  # days of the unbroken streak, ending today or yesterday
    end_of_run = 0 if rng.random() < 0.5 else 1
    for back in range(400):
        day = today - timedelta(days=back)
        if end_of_run <= back < end_of_run + run or (
            back > end_of_run + run and rng.random() < 0.7
        ):
            midnight = datetime(day.year, day.month, day.day).astimezone().astimezone(UTC)
            for _ in range(rng.randrange(1, 4)):
                moments.append(midnight + timedelta(seconds=rng.uniform(0, 86_399)))
            if rng.random() < 0.3:
                edge = rng.choice([midnight, midnight + timedelta(days=1)])
                moments.append(edge + rng.choice([timedelta(0), timedelta(microseconds=-1),
                                                  timedelta(seconds=-1)]))  # fmt: skip
    for change in _changes(now - timedelta(days=400), now + timedelta(days=1)):
        for delta in (-1, 0, 1):
            moments.append(change + timedelta(microseconds=delta))
            moments.append(change + timedelta(seconds=delta))
    return [m for m in moments if m <= now + timedelta(hours=30)]


def _rows(user_id: int, moments: list[datetime], rng: random.Random) -> list[dict[str, Any]]:
    questions = [(SEED.id, q.id) for q in SEED.questions] + [("seed", "gone"), ("old", "q1")]
    rows = []
    for at in moments:
        bank_id, question_id = rng.choice(questions)
        rows.append({
            "user_id": user_id, "bank_id": bank_id, "question_id": question_id,
            "content_hash": "h", "answer": "A", "correct": rng.choice([True, True, False, None]),
            "rating": 3, "duration_ms": 1000, "reviewed_at": at, "mode": "quiz",
            "session_id": None,
        })  # fmt: skip
    return rows


def _expected(reviews: list[Any], today: date) -> dict[str, Any]:
    """The review figures of ``llmiq stats``, counted in Python from every review."""
    topics_of = {(SEED.id, q.id): q.topics or ["(no topic)"] for q in SEED.questions}
    by_topic: dict[str, dict[str, Any]] = defaultdict(lambda: {"reviews": 0, "correct": 0})
    for review in reviews:
        for topic in topics_of.get((review.bank_id, review.question_id), ["(removed)"]):
            by_topic[topic]["reviews"] += 1
            by_topic[topic]["correct"] += review.correct is True
    per_day = Counter(r.reviewed_at.astimezone().date() for r in reviews)
    day = today if per_day[today] else today - timedelta(days=1)
    streak = 0
    while per_day[day]:
        streak, day = streak + 1, day - timedelta(days=1)
    correct = sum(1 for r in reviews if r.correct)
    return {
        "reviews": len(reviews),
        "correct": correct,
        "accuracy": round(correct / len(reviews), 4),
        "by_topic": {
            topic: {
                "reviews": n["reviews"],
                "correct": n["correct"],
                "accuracy": round(n["correct"] / n["reviews"], 4),
            }
            for topic, n in sorted(by_topic.items())
        },
        "heatmap": {
            (today - timedelta(days=n)).isoformat(): per_day[today - timedelta(days=n)]
            for n in range(HEATMAP_DAYS - 1, -1, -1)
        },
        "streak_days": streak,
    }


def _figures(stats: dict[str, Any]) -> dict[str, Any]:
    keys = ("reviews", "correct", "accuracy", "heatmap", "streak_days")
    return {key: stats[key] for key in keys} | {
        "by_topic": {
            topic: {k: row[k] for k in ("reviews", "correct", "accuracy")}
            for topic, row in stats["by_topic"].items()
        }
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_database_figures_equal_a_count_in_python(database: Database, zone: str, seed: int) -> None:
    rng = random.Random(f"{zone}-{seed}")
    # "now" on a day the clocks change in the zones that have them (either direction)
    now = rng.choice(CHANGE_DAYS)
    with database.transaction() as session:
        ada = progress.ensure_user(session, "ada", now).id
        bob = progress.ensure_user(session, "bob", now).id
        progress.append_reviews(session, _rows(ada, _history(rng, now), rng))
        progress.append_reviews(session, _rows(bob, _history(rng, now)[::3], rng))
    practice = Practice(database, "ada", clock=lambda: now)
    today = local_date(now)
    with database.transaction() as session:
        reviews = progress.reviews_of(session, ada)
        home_streak = streak_in_database(session, ada, today)
    expected = _expected(reviews, today)
    assert expected["streak_days"] > HEATMAP_DAYS  # the streak is also asked of the database
    assert _figures(load_stats(practice, {SEED.id: SEED}, now)) == expected
    assert home_streak == expected["streak_days"]
    seed_only = [r for r in reviews if r.bank_id == SEED.id]
    assert _figures(load_stats(practice, {SEED.id: SEED}, now, SEED.id)) == _expected(
        seed_only, today
    )


def test_offset_spans_give_every_moment_its_local_date(zone: str) -> None:
    rng = random.Random(zone)
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    spans = offset_spans(start, end)
    assert (spans[0].start, spans[-1].end) == (start, end)
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    changes = _changes(start, end)
    assert [s.start for s in spans[1:]] == changes
    for moment in [start + (end - start) * rng.random() for _ in range(2000)] + changes:
        (span,) = [s for s in spans if s.start <= moment < s.end]
        assert (moment + span.offset).date() == local_date(moment)
        day = local_date(moment)
        assert any(a <= moment < b for a, b in moments_of_day(day, spans))
        assert not any(a <= moment < b for a, b in moments_of_day(day - timedelta(days=1), spans))
