"""The current time, always timezone-aware UTC: every timestamp llmiq stores comes from here."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
