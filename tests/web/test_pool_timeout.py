"""Every pooled connection taken (under load, or held by a stuck request) for the pool's
timeout: the request answers 503 with Retry-After, as for a database that is down, not a
500 from SQLAlchemy's TimeoutError."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from llmiq.store.database import Database


def test_a_request_that_finds_the_pool_full_is_a_503_with_retry_after(
    make_app: Any, client_of: Any, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    app = make_app(database_url=url)
    client = client_of(app)
    assert client.get("/api/banks").status_code == 200
    # the app's database again, on a pool of one connection that waits half a second
    small = Database(url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    app.state.web.database = small
    held = small.engine.connect()  # the one connection, taken as a stuck request would
    try:
        started = time.perf_counter()
        full = client.get("/api/banks")
        seconds = time.perf_counter() - started
    finally:
        held.close()
    assert full.status_code == 503, full.text
    assert full.headers["Retry-After"] == "5"
    assert full.json() == {
        "detail": "The database is not answering just now: try again in a few seconds."
    }
    assert 0.4 < seconds < 5
    assert client.get("/api/banks").status_code == 200  # the connection back: served again
    small.close()
