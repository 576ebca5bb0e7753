"""How long the store waits for a database that does not answer: a PostgreSQL server that
never answers is given up after the connect timeout, and a pool whose every connection is
taken is given up after its pool timeout; both are DatabaseUnavailable (a 503 on the web),
never a thread held for minutes or a 500."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from llmiq.store.database import PG_CONNECT_TIMEOUT_S, Database, open_database
from llmiq.store.errors import DatabaseUnavailable

pytest.importorskip("psycopg")


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose socket listens but never accepts: the kernel completes the TCP handshake
    and then nobody says a word, as a hung server or a black-holing firewall would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def _open_seconds(url: str) -> tuple[DatabaseUnavailable, float]:
    started = time.perf_counter()
    with pytest.raises(DatabaseUnavailable) as refused:
        open_database(url)
    return refused.value, time.perf_counter() - started


@pytest.mark.slow
def test_a_postgresql_server_that_never_answers_is_given_up_after_the_connect_timeout(
    silent_port: int,
) -> None:
    error, seconds = _open_seconds(f"postgresql+psycopg://ada:secret@127.0.0.1:{silent_port}/x")
    assert PG_CONNECT_TIMEOUT_S - 0.5 < seconds < PG_CONNECT_TIMEOUT_S + 3
    assert str(error).startswith("cannot open the database postgresql+psycopg://ada:***@")
    assert "secret" not in str(error)


@pytest.mark.slow
def test_the_urls_own_connect_timeout_is_kept(silent_port: int) -> None:
    url = f"postgresql+psycopg://ada@127.0.0.1:{silent_port}/x?connect_timeout=2"
    _, seconds = _open_seconds(url)
    assert 1.5 < seconds < PG_CONNECT_TIMEOUT_S - 1


def _hold_a_connection(database: Database, held: threading.Event, done: threading.Event) -> None:
    with database.transaction() as session:
        session.execute(text("SELECT 1"))
        held.set()
        done.wait(10)


def test_a_full_pool_is_database_unavailable_after_the_pool_timeout(database_url: str) -> None:
    open_database(database_url).close()  # the schema, on a pool of its own
    database = Database(database_url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    held, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_a_connection, args=(database, held, done))
    holder.start()
    try:
        assert held.wait(10)
        started = time.perf_counter()
        busy = "every connection of its pool is busy"
        with pytest.raises(DatabaseUnavailable, match=busy), database.reading() as session:
            session.execute(text("SELECT 1"))
        assert 0.4 < time.perf_counter() - started < 3
    finally:
        done.set()
        holder.join()
    with database.reading() as session:  # the connection back in the pool serves again
        assert session.execute(text("SELECT 1")).scalar() == 1
    database.close()
