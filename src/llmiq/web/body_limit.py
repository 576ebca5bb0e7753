"""Refuse request bodies larger than the app takes, before anything reads them: forms are
small, and only the importer takes an article (up to the importer's own limit)."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llmiq.textfile import MAX_TEXT_BYTES

FORM_LIMIT = 1024 * 1024
#: an article as large as the importer reads, plus room for the form around it
IMPORT_LIMIT = MAX_TEXT_BYTES + 256 * 1024


def body_limit(path: str) -> int:
    return IMPORT_LIMIT if path.startswith("/import/") else FORM_LIMIT


class _TooLarge(Exception):
    pass


def _too_large(path: str, limit: int) -> Response:
    message = (
        f"The request is larger than {limit // 1024 // 1024 or 1} MiB, the most this page takes."
    )
    if path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=413)
    page = (
        '<!doctype html><meta charset="utf-8"><title>Too large · llmiq</title>'
        f'<p role="alert">{escape(message)}</p><p><a href="/">llmiq</a></p>'
    )
    return HTMLResponse(page, status_code=413)


class BodyLimitMiddleware:
    """413 for a body over :func:`body_limit`, by its Content-Length or, when that is missing
    or wrong, as soon as the bytes received pass the limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        too_large = _too_large(scope["path"], limit)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await too_large(scope, receive, send)
                return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await too_large(scope, receive, send)
