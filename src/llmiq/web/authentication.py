"""Who may sign in: password checks under rate limits, the session a sign-in starts, and
whether registration is open. Used by the sign-in pages and the API alike."""

from __future__ import annotations

from fastapi import Request

from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.passwords import verify_password
from llmiq.store import accounts
from llmiq.web.login_limits import count_attempt, forget_attempt
from llmiq.web.sessions import Session
from llmiq.web.state import WebApp

REGISTRATION_OPTION = "registration"
LOCKED_OUT = N_("Too many failed sign-ins: wait a few minutes and try again.")


def registration_open(web: WebApp) -> bool:
    with web.database.reading() as session:
        value = accounts.get_option(session, REGISTRATION_OPTION)
    return web.settings.registration if value is None else value == "open"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(web: WebApp, name: str, password: str, address: str) -> tuple[int, int] | None:
    """(user id, session version) for the right password; raises :class:`LlmiqError` when
    this name (from this address) or this address has failed too often lately."""
    with web.database.transaction() as session:
        attempt, over = count_attempt(session, web.settings, name, address, utc_now())
        found = accounts.find_account(session, name)
    if over:
        raise LlmiqError(LOCKED_OUT)
    # an unknown name costs the same time as a wrong password
    if not verify_password(found[1].password_hash if found else None, password):
        return None
    assert found is not None
    with web.database.transaction() as session:
        forget_attempt(session, attempt)
    return found[0].id, found[1].session_version


def sign_in(session: Session, user_id: int, version: int) -> None:
    """A fresh session (new CSRF token) for the person: no token from before sign-in lives on."""
    session.clear()
    session["u"], session["v"] = user_id, version
    session.renew_csrf_token()
