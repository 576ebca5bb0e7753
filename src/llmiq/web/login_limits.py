"""Sign-in rate limiting, kept in the database so that every app process counts the same
attempts: a few wrong passwords per name from one address, more per address, within a
sliding window.

An attempt is written (and committed) before the password is checked and counted with the
ones before it, so that attempts sent all at once cannot slip past the count while their
password hashes are computed; a successful sign-in removes its own row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from llmiq.store import accounts
from llmiq.store.database import Session
from llmiq.web.settings import WebSettings


def count_attempt(
    session: Session, settings: WebSettings, name: str, address: str, now: datetime
) -> tuple[int, bool]:
    """Record an attempt; returns its row id and whether it is over a limit."""
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    accounts.forget_login_failures(session, before=window_start)
    attempt = accounts.add_login_attempt(session, name.casefold(), address, now)
    per_name = accounts.count_login_failures(
        session, since=window_start, username=name.casefold(), address=address
    )
    per_address = accounts.count_login_failures(session, since=window_start, address=address)
    over = (
        per_name > settings.login_failures_per_name
        or per_address > settings.login_failures_per_address
    )
    return attempt, over


def forget_attempt(session: Session, attempt_id: int) -> None:
    """A sign-in that succeeded is no failure."""
    accounts.remove_login_attempt(session, attempt_id)
