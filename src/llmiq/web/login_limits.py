"""Sign-in rate limiting, kept in the database so that every app process counts the same
failures: a few wrong passwords per name, more per address, within a sliding window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from llmiq.store import accounts
from llmiq.web.settings import WebSettings


def locked_out(
    session: Session, settings: WebSettings, name: str, address: str, now: datetime
) -> bool:
    since = now - timedelta(minutes=settings.login_window_minutes)
    return (
        accounts.count_login_failures(session, since=since, username=name.casefold())
        >= settings.login_failures_per_name
        or accounts.count_login_failures(session, since=since, address=address)
        >= settings.login_failures_per_address
    )


def note_failure(
    session: Session, settings: WebSettings, name: str, address: str, now: datetime
) -> None:
    accounts.record_login_failure(session, name.casefold(), address, now)
    # old failures only matter for the window: drop them as new ones come in
    accounts.forget_login_failures(
        session, before=now - timedelta(minutes=settings.login_window_minutes)
    )
