from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from llmiq.practice.days import end_of_local_day, local_date, start_of_local_day
from llmiq.practice.stats import streak


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_local_midnight_on_the_day_clocks_go_forward(new_york: None) -> None:
    afternoon = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)  # 14:00 EDT
    midnight = start_of_local_day(afternoon)
    assert midnight.astimezone(UTC) == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST
    assert local_date(datetime(2026, 3, 8, 3, 0, tzinfo=UTC)) == date(2026, 3, 7)


def test_the_day_clocks_go_forward_ends_at_the_next_local_midnight(new_york: None) -> None:
    """23 hours after its own midnight: "due today" (practice.stats.due_counts) must not
    take in the first hour of the next day."""
    afternoon = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)  # 14:00 EDT
    end = end_of_local_day(afternoon)
    assert end.astimezone(UTC) == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert end - start_of_local_day(afternoon) == timedelta(hours=23)


def test_streak_counts_back_from_today_or_yesterday() -> None:
    days = {date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 4)}
    assert streak(days, date(2026, 1, 4)) == 1
    assert streak(days, date(2026, 1, 3)) == 2
    assert streak(days, date(2026, 1, 6)) == 0
