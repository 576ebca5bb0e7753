"""Dependencies of the routes: who is asking, in which language, and the CSRF check.

Single-user mode: everyone who can reach the loopback address is the local profile, an admin.
Multi-user mode: the person signed in with the session cookie, checked against the database
on every request (so signing out everywhere, a password change or deleting the account end
old sessions at once, in every app process).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from llmiq.bank.model import Lang
from llmiq.practice.recording import Practice
from llmiq.store import accounts, progress
from llmiq.web.body_limit import body_limit
from llmiq.web.sessions import CSRF_FIELD, CSRF_HEADER, Session
from llmiq.web.state import WebApp

LANG_COOKIE = "llmiq_lang"


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the profile whose progress a request reads and writes."""

    name: str
    is_admin: bool
    signed_in: bool  # False in single-user mode, where nobody signs in


class SignInRequired(Exception):
    """A page needs a signed-in person; the app answers with a redirect to /login."""


class AdminRequired(Exception):
    """A page for admins was asked for by someone else."""


class CsrfRejected(Exception):
    """A form or API write came without this session's CSRF token."""


# Dependencies are ``async def`` unless they block: FastAPI runs plain ``def`` dependencies
# in its thread pool, a thread hop per dependency per request.


def web_of(request: Request) -> WebApp:
    return request.app.state.web


def session_of(request: Request) -> Session:
    return request.scope["session"]


async def get_web(request: Request) -> WebApp:
    return web_of(request)


async def get_session(request: Request) -> Session:
    return session_of(request)


WebDep = Annotated[WebApp, Depends(get_web)]
SessionDep = Annotated[Session, Depends(get_session)]


async def lang_dep(request: Request) -> Lang:
    return lang_of(request)


def lang_of(request: Request) -> Lang:
    """The language cookie, else the browser's first choice of zh/en."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("zh", "en"):
        return chosen  # type: ignore[return-value]
    header = request.headers.get("accept-language", "").lower()
    return "zh" if header.startswith("zh") else "en"


LangDep = Annotated[Lang, Depends(lang_dep)]


async def optional_viewer_dep(web: WebDep, session: SessionDep) -> Viewer | None:
    if not web.settings.multi_user:
        return Viewer(web.profile, is_admin=True, signed_in=False)
    return await run_in_threadpool(optional_viewer, web, session)


def optional_viewer(web: WebApp, session: Session) -> Viewer | None:
    """Who the session belongs to (checked in the database), or None."""
    if not web.settings.multi_user:
        return Viewer(web.profile, is_admin=True, signed_in=False)
    user_id, version = session.get("u"), session.get("v")
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    with web.database.reading() as db:
        account = accounts.account_of(db, user_id)
        if account is None or account.session_version != version:
            session.pop("u")
            session.pop("v")
            return None
        user = progress.find_user_by_id(db, user_id)
        assert user is not None  # an account always has its profile (foreign key)
        return Viewer(user.name, is_admin=account.is_admin, signed_in=True)


OptionalViewerDep = Annotated[Viewer | None, Depends(optional_viewer_dep)]


async def page_viewer(viewer: OptionalViewerDep) -> Viewer:
    if viewer is None:
        raise SignInRequired()
    return viewer


async def page_admin(viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise AdminRequired()
    return viewer


async def api_viewer(viewer: OptionalViewerDep) -> Viewer:
    if viewer is None:
        raise HTTPException(401, "sign in first: POST /api/login", {"WWW-Authenticate": "Cookie"})
    return viewer


PageViewer = Annotated[Viewer, Depends(page_viewer)]
PageAdmin = Annotated[Viewer, Depends(page_admin)]
ApiViewer = Annotated[Viewer, Depends(api_viewer)]


async def check_form_csrf(request: Request, session: SessionDep) -> AsyncIterator[None]:
    """Every form carries the session's token; a form from another site cannot know it.
    Only the importer's fields may be as large as an article; uploaded files are closed when
    the response is sent."""
    form = await request.form(max_part_size=body_limit(request.url.path))
    try:
        given = form.get(CSRF_FIELD)
        if not session.csrf_matches(given if isinstance(given, str) else None):
            raise CsrfRejected()
        yield
    finally:
        await form.close()


async def check_api_csrf(request: Request, web: WebDep, session: SessionDep) -> None:
    """API writes authenticated by the session cookie carry its token in a header.

    Single-user mode has no cookie-based identity to steal: its JSON endpoints refuse other
    content types (so a cross-site form cannot post to them) and the Host header must be a
    loopback name (so DNS rebinding cannot reach them).
    """
    if web.settings.multi_user and not session.csrf_matches(request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")


async def api_writer(request: Request) -> tuple[WebApp, Viewer]:
    """The app and the person, for an API write: one dependency instead of four, since
    FastAPI's per-dependency cost shows on the hottest endpoint (answer submission)."""
    web, session = web_of(request), session_of(request)
    viewer = await api_viewer(await optional_viewer_dep(web, session))
    await check_api_csrf(request, web, session)
    return web, viewer


ApiWriter = Annotated[tuple[WebApp, Viewer], Depends(api_writer)]
FormCsrf = Depends(check_form_csrf)
ApiCsrf = Depends(check_api_csrf)


def practice_for(web: WebApp, viewer: Viewer) -> Practice:
    return Practice(web.database, viewer.name, scheduler=web.scheduler)
