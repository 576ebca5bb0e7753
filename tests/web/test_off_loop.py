"""No request touches the database on the event loop: a query there stalls every other
request of the process (static files included) for as long as it waits, and a locked SQLite
file makes it wait for the busy timeout. Pages, the API, and the error pages (which look up
who is signed in) are checked for every statement they run."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from llmiq.bank.catalog import resolve_bank
from llmiq.store.saved_banks import save_bank


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@contextmanager
def statements_on_the_loop(app: Any) -> Iterator[list[str]]:
    """The SQL statements that ran on an event loop while the block ran."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if _on_event_loop():
            seen.append(statement.split("\n")[0][:80])

    engine = app.state.web.database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def signed_in(make_app: Any, client_of: Any, web_helpers: Any) -> tuple[Any, Any, str]:
    """A multi-user app with an imported bank ``imp``, and an admin's client and CSRF token."""
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "ada", admin=True)
    save_bank(app.state.web.database, resolve_bank("seed").model_copy(update={"id": "imp"}))
    client = client_of(app)
    web_helpers.sign_in(client, "ada")
    return app, client, web_helpers.csrf_token(client)


GETS = [
    ("/", 200),
    ("/stats", 200),
    ("/banks/imp", 200),
    ("/admin", 200),
    ("/exams", 200),
    ("/practice/imp/review", 200),
    ("/no-such-page", 404),  # error pages show who is signed in
    ("/banks/no-such-bank", 404),
    ("/api/banks", 200),
    ("/api/banks/imp/next", 200),
]


@pytest.mark.parametrize(("path", "status"), GETS)
def test_pages_query_off_the_event_loop(
    signed_in: tuple[Any, Any, str], path: str, status: int
) -> None:
    app, client, _ = signed_in
    with statements_on_the_loop(app) as seen:
        assert client.get(path).status_code == status
    assert seen == []


def test_answers_query_off_the_event_loop(signed_in: tuple[Any, Any, str]) -> None:
    app, client, token = signed_in
    with statements_on_the_loop(app) as seen:
        api = client.post(
            "/api/banks/imp/questions/prompt-calibration/answer",
            json={"answer": "C"},
            headers={"X-CSRF-Token": token},
        )
        assert api.status_code == 200
        card = client.post(
            f"/api/cards/{api.json()['card']['id']}/answer",
            json={"answer": "A"},
            headers={"X-CSRF-Token": token},
        )
        assert card.status_code == 200
        form = client.post(
            "/practice/imp/answer",
            data={"csrf_token": token, "mode": "review", "question_id": "self-attention",
                  "choice": "A"},
        )  # fmt: skip
        assert form.status_code == 200  # the feedback page, after the redirect
    assert seen == []
