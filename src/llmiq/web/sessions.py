"""Signed session cookies and the CSRF token they carry.

The session lives in the cookie itself (signed with the secret key, not encrypted: it holds
only ids and a token), so any app process behind a load balancer can read it and nothing is
kept in memory. The cookie is HttpOnly and SameSite=Lax, and Secure whenever the request came
over HTTPS (directly or through a reverse proxy whose headers uvicorn trusts).
"""

from __future__ import annotations

import hmac
import json
import secrets
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "llmiq_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class Session(dict[str, Any]):
    """The session's data; remembers whether the response must send a new cookie."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self.modified = False

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.modified = True

    def pop(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key in self:
            self.modified = True
        return super().pop(key, default)

    def clear(self) -> None:
        super().clear()
        self.modified = True

    @property
    def csrf_token(self) -> str:
        """This session's CSRF token, made on first use."""
        token = self.get("csrf")
        if not isinstance(token, str):
            token = self["csrf"] = secrets.token_urlsafe(32)
        return token

    def renew_csrf_token(self) -> str:
        """A new token (at sign-in: no token from before it stays valid)."""
        self["csrf"] = secrets.token_urlsafe(32)
        return self["csrf"]

    def csrf_matches(self, given: str | None) -> bool:
        token = self.get("csrf")
        return bool(token and given) and hmac.compare_digest(str(token), str(given))


class SessionMiddleware:
    """Puts a :class:`Session` at ``scope["session"]`` and writes it back when it changed."""

    def __init__(self, app: ASGIApp, *, secret_key: str, max_age_seconds: int) -> None:
        self.app = app
        self.max_age = max_age_seconds
        self.serializer = URLSafeTimedSerializer(secret_key, salt="llmiq-session")

    def _load(self, scope: Scope) -> Session:
        for name, value in scope.get("headers", ()):
            if name != b"cookie":
                continue
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session, not an error page
                continue
            morsel = cookie.get(COOKIE_NAME)
            if morsel is None:
                continue
            try:
                data = self.serializer.loads(morsel.value, max_age=self.max_age)
            except (BadSignature, json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(data, dict):
                return Session(data)
        return Session()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self._load(scope)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                headers = MutableHeaders(scope=message)
                flags = "Path=/; HttpOnly; SameSite=Lax"
                if scope.get("scheme") == "https":
                    flags += "; Secure"
                if session:
                    value = self.serializer.dumps(dict(session))
                    headers.append(
                        "Set-Cookie", f"{COOKIE_NAME}={value}; Max-Age={self.max_age}; {flags}"
                    )
                else:
                    headers.append("Set-Cookie", f"{COOKIE_NAME}=; Max-Age=0; {flags}")
            await send(message)

        await self.app(scope, receive, send_with_cookie)
