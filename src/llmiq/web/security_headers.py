"""Security headers on every response: a Content-Security-Policy without 'unsafe-inline',
no framing, no MIME sniffing, no Referer to other sites.

A plain ASGI middleware (not BaseHTTPMiddleware, which costs a task and a stream per
request): it only adds headers to the ``http.response.start`` message.

The pages run one script, /static/app.js, and one stylesheet, /static/style.css, so the
policy allows this origin and nothing inline. Two responses carry a policy of their own:
- an SVG document (the statistics chart) has no script at all, but matplotlib writes its
  styles inline: it gets ``default-src 'none'; style-src 'unsafe-inline'`` and a sandbox,
  the policy GitHub serves raw SVG files with;
- a response that set its own Content-Security-Policy keeps it (the API docs page allows
  its one inline script by hash, see :func:`page_policy`).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def page_policy(*, script_hashes: Iterable[str] = (), data_images: bool = False) -> str:
    """The Content-Security-Policy of a page. ``script_hashes`` are base64 SHA-256 digests of
    inline scripts the page may run; ``data_images`` allows ``data:`` images (Swagger UI's
    icons are data: URLs in its stylesheet)."""
    scripts = " ".join(["'self'", *(f"'sha256-{digest}'" for digest in script_hashes)])
    images = "'self' data:" if data_images else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            f"img-src {images}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


PAGE_POLICY = page_policy()
#: for SVG documents: no script, no fetch, inline styles only (matplotlib's)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"

_CSP = b"content-security-policy"
_COMMON = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    added = [(name, value) for name, value in _COMMON if name not in present]
    if _CSP not in present:
        svg = any(
            name.lower() == b"content-type" and value.startswith(b"image/svg+xml")
            for name, value in headers
        )
        added.append((_CSP, (SVG_POLICY if svg else PAGE_POLICY).encode()))
    return [*headers, *added]


class SecurityHeadersMiddleware:
    """Adds the headers of this module to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_security_headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)
