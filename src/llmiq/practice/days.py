"""Days as the person lives them: in the local time zone, daylight saving included.

A moment's day is ``local_date``: the date of the moment plus the UTC offset in force at that
moment (what ``datetime.astimezone()`` gives). The database groups reviews by the same rule
without knowing the time zone: :func:`offset_spans` cuts a stretch of time into spans of one
constant offset, and within a span the local date is the date of ``utc + offset``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

#: How far apart the offset is sampled when looking for its changes. Time zones change their
#: offset at most a few times a year; two changes within six hours that cancel out would be
#: missed, and none has happened since 1970.
_SAMPLE_STEP = timedelta(hours=6)


def local_date(moment: datetime) -> date:
    return moment.astimezone().date()


def start_of_local_day(moment: datetime) -> datetime:
    """Local midnight of ``moment``'s day, as an aware datetime (its UTC offset is the one in
    force at midnight, which differs from noon's on the days clocks change)."""
    day = local_date(moment)
    return datetime(day.year, day.month, day.day).astimezone()


def end_of_local_day(moment: datetime) -> datetime:
    """The next local midnight after ``moment``: the start of the next local date, which is
    23 or 25 hours after this one's on the days clocks change."""
    day = local_date(moment) + timedelta(days=1)
    return datetime(day.year, day.month, day.day).astimezone()


@dataclass(frozen=True)
class OffsetSpan:
    """``[start, end)`` in UTC, throughout which local time is UTC plus ``offset``."""

    start: datetime
    end: datetime
    offset: timedelta


def utc_offset(moment: datetime) -> timedelta:
    """The local zone's UTC offset in force at ``moment`` (aware)."""
    offset = moment.astimezone().utcoffset()
    assert offset is not None  # astimezone() always gives an aware datetime
    return offset


def offset_spans(start: datetime, end: datetime) -> list[OffsetSpan]:
    """``[start, end)`` cut where the local UTC offset changes, each change found to the
    second (offsets are looked up per whole second, as ``astimezone`` does).

    Example, with TZ=America/New_York (clocks went forward at 2026-03-08 07:00 UTC): the
    spans of 2026-03-08 00:00 to 2026-03-09 00:00 UTC are 00:00-07:00 at -5 h and
    07:00-24:00 at -4 h.
    """
    spans: list[OffsetSpan] = []
    span_start, offset = start, utc_offset(start)
    probe = start
    while probe < end:
        following = min(probe + _SAMPLE_STEP, end)
        next_offset = utc_offset(following)
        if next_offset != offset and following < end:
            change = _first_second_with_new_offset(probe, following, offset)
            spans.append(OffsetSpan(span_start, change, offset))
            span_start, offset = change, utc_offset(change)
            probe = change
            continue
        probe = following
    spans.append(OffsetSpan(span_start, end, offset))
    return [span for span in spans if span.start < span.end]


def _first_second_with_new_offset(before: datetime, after: datetime, offset: timedelta) -> datetime:
    """The first whole second in ``(before, after]`` whose offset is not ``offset``, given that
    ``after``'s is not."""
    low = _whole_seconds(before)  # a second known to have ``offset``
    high = _whole_seconds(after)  # a second known to have another
    while high - low > 1:
        middle = (low + high) // 2
        if utc_offset(_EPOCH + timedelta(seconds=middle)) == offset:
            low = middle
        else:
            high = middle
    return _EPOCH + timedelta(seconds=high)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _whole_seconds(moment: datetime) -> int:
    """Seconds since the epoch, rounded down (exactly: no float)."""
    return (moment - _EPOCH) // timedelta(seconds=1)


def local_day_window(first: date, last: date) -> tuple[datetime, datetime]:
    """A stretch of UTC time that holds every moment whose local date is in
    ``[first, last]`` (a little more: offsets lie within a day of UTC)."""
    return (
        datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1),
        datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2),
    )


def moments_of_day(day: date, spans: list[OffsetSpan]) -> list[tuple[datetime, datetime]]:
    """The UTC intervals ``[start, end)`` whose local date is ``day``, from ``spans`` that
    cover it: one interval on most days; two when the clocks are set back across midnight
    (the date goes back to the day before for an hour)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    found = []
    for span in spans:
        start = max(span.start, midnight - span.offset)
        end = min(span.end, midnight + timedelta(days=1) - span.offset)
        if start < end:
            found.append((start, end))
    return found
