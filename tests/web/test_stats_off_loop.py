"""The statistics page, its figure, /api/stats and the home page query the database in the
thread pool: a person with a long history must not stall everyone else's requests."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("path", ["/stats", "/stats.svg", "/api/stats", "/"])
def test_review_queries_run_off_the_event_loop(make_app: Any, client_of: Any, path: str) -> None:
    app = make_app()
    client = client_of(app)
    answered = client.post(
        "/api/banks/seed/questions/prompt-calibration/answer", json={"answer": "C"}
    )
    assert answered.status_code == 200
    seen: list[bool] = []

    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "FROM reviews" in statement:
            seen.append(_on_event_loop())

    engine = app.state.web.database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert seen  # the review log was read
    assert not any(seen)
