"""When the database fails (PostgreSQL down, an SQLite file locked past the busy timeout or
damaged): a 503 with ``Retry-After`` and one plain sentence in the visitor's language. What
failed and where (the database URL, the driver's message) goes to the server's log only: a
page for strangers must not tell them the database's user, host, port or name."""

from __future__ import annotations

import logging
import threading
import time

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from llmiq.store.errors import DatabaseCorrupt, DatabaseUnavailable
from llmiq.web.rendering import render

logger = logging.getLogger("llmiq.web")

#: Seconds a client is asked to wait before trying again (``Retry-After``).
RETRY_AFTER_SECONDS = 5
#: The API's sentence; pages say it in the visitor's language (unavailable.html).
API_MESSAGE = "The database is not answering just now: try again in a few seconds."
#: During an outage every request fails the same way: one log line per this many seconds,
#: with the number of failures since the last line.
LOG_EVERY_SECONDS = 10.0


class _OutageLog:
    """Logs the first database failure at once, then at most one line per
    :data:`LOG_EVERY_SECONDS` saying how many more there were (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = -LOG_EVERY_SECONDS
        self._unlogged = 0

    def failure(self, request: Request, exc: DatabaseUnavailable) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < LOG_EVERY_SECONDS:
                self._unlogged += 1
                return
            earlier, self._unlogged, self._last = self._unlogged, 0, now
        kind = "damaged" if isinstance(exc, DatabaseCorrupt) else "unavailable"
        more = f" ({earlier} more failed requests since the last report)" if earlier else ""
        logger.error(
            "database %s, answering 503 to %s %s: %s%s",
            kind,
            request.method,
            request.url.path,
            exc,
            more,
        )


_outages = _OutageLog()


def unavailable(request: Request, exc: DatabaseUnavailable, *, json: bool) -> Response:
    """The 503 for a request that needed the database: JSON for the API, else a page (no
    lookup of who is signed in: that would ask the database again)."""
    _outages.failure(request, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if json:
        return JSONResponse({"detail": API_MESSAGE}, status_code=503, headers=headers)
    response = render(request, "unavailable.html", None, {"retry_after": RETRY_AFTER_SECONDS})
    response.status_code = 503
    response.headers.update(headers)
    return response
