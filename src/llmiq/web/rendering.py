"""Render a page: every template gets the language, its words, the CSRF token, who is
signed in and a one-time message."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from llmiq.messages import topic_translator
from llmiq.web.deps import Viewer, lang_of, session_of, web_of
from llmiq.web.i18n import translator


def flash(request: Request, message: str, **fields: object) -> None:
    """A message shown once, on the next page rendered, in the reader's language: ``message``
    is a catalog message (marked ``N_``), a ``str.format`` template over ``fields``."""
    text = translator(lang_of(request))(message)
    session_of(request)["flash"] = text.format(**fields) if fields else text


def render(
    request: Request,
    name: str,
    viewer: Viewer | None,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    web = web_of(request)
    session = session_of(request)
    lang = lang_of(request)
    t = translator(lang)
    base = {
        "lang": lang,
        "t": t,
        "tx": lambda text: text.get(lang) if text is not None else "",
        "topic_name": topic_translator(lang),
        "topic_names": lambda topics: t(", ").join(map(topic_translator(lang), topics)),
        "csrf_token": session.csrf_token,
        "viewer": viewer,
        "multi_user": web.settings.multi_user,
        "flash": session.pop("flash", None),
    }
    return web.templates.TemplateResponse(
        request=request, name=name, context=base | (context or {}), status_code=status_code
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site: a path, never ``//host`` or a URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
