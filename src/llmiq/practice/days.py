"""Days as the person lives them: in the local time zone, daylight saving included."""

from __future__ import annotations

from datetime import date, datetime


def local_date(moment: datetime) -> date:
    return moment.astimezone().date()


def start_of_local_day(moment: datetime) -> datetime:
    """Local midnight of ``moment``'s day, as an aware datetime (its UTC offset is the one in
    force at midnight, which differs from noon's on the days clocks change)."""
    day = local_date(moment)
    return datetime(day.year, day.month, day.day).astimezone()
