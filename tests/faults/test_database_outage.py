"""The database fails under a real server (``llmiq serve --multi-user`` in a process of its
own) while clients post answers:

- PostgreSQL stops and starts again: every page and API call answers 503 with Retry-After
  and a plain sentence (no part of the database URL), every answer acknowledged is stored
  and no refused one is, and the server serves again by itself once PostgreSQL is back;
- another process holds an SQLite file's write lock: static files and the sign-in page keep
  answering at once, and an answer posted meanwhile is recorded when the lock is let go.

The PostgreSQL test stops a server, so it makes one of its own (scripts/test-postgres in a
folder and on a port of its own) instead of the shared one of LLMIQ_TEST_POSTGRES_URL, which
other tests may be using at the time.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
#: An open question: any text is an answer, so each answer's text is its tag in the log.
TAGGED = "/api/banks/seed/questions/vector-store/answer"
START_TIMEOUT_S = 60
RECOVERY_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- a PostgreSQL server of this module's own ------------------------------------------------


@dataclass
class OwnPostgres:
    url: str
    env: dict[str, str]

    def _run(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(REPO / "scripts" / "test-postgres"), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def stop(self) -> None:
        done = self._run("stop")
        assert done.returncode == 0, done.stderr

    def start(self) -> None:
        done = self._run("start")
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def own_postgres(service_missing: Callable[[str], NoReturn]) -> Iterator[OwnPostgres]:
    if not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        service_missing(
            "PostgreSQL's server programs are missing (/usr/lib/postgresql/*/bin/pg_ctl): "
            "run scripts/test-postgres start as root to install them"
        )
    # Under /tmp itself: the postgres user must reach the folder, and pytest's are root's.
    folder = tempfile.mkdtemp(prefix="llmiq-outage-pg-", dir="/tmp")
    env = os.environ | {"LLMIQ_PG_DIR": folder, "LLMIQ_PG_PORT": str(_free_port())}
    server = OwnPostgres("", env)
    started = server._run("start")
    try:
        if started.returncode != 0:
            service_missing(
                f"cannot start a PostgreSQL server for the outage test: {started.stderr[-500:]}"
            )
        server.url = started.stdout.strip()
        yield server
    finally:
        server._run("stop")
        shutil.rmtree(folder, ignore_errors=True)


# --- the app server and its clients ------------------------------------------------------------


class Served:
    """``llmiq serve --multi-user`` on a free port; its output goes to ``log``."""

    def __init__(self, database_url: str, home: Path, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        env = os.environ | {"LLMIQ_HOME": str(home), "LLMIQ_SECRET_KEY": "s" * 40}
        command = [
            *(sys.executable, "-m", "llmiq", "serve", "--multi-user"),
            *("--port", str(self.port), "--database-url", database_url),
        ]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            with suppress(OSError):
                if get(self.port, "/login")[0] == 200:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the server did not start:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, dict[str, str], str, float]:
    """GET on a new connection: status, headers (lower-case names), body, seconds taken."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        found = {name.lower(): value for name, value in response.getheaders()}
        return response.status, found, body, time.monotonic() - started
    finally:
        connection.close()


@dataclass
class Answerer:
    """One signed-in person on a keep-alive connection, posting answers tagged
    ``<name>-<n>`` until told to stop; remembers what each answer got."""

    port: int
    name: str
    cookie: str = ""
    csrf: str = ""
    outcomes: list[tuple[str, int, float]] = field(default_factory=list)  # tag, status, when
    retry_after: set[str] = field(default_factory=set)
    _connection: http.client.HTTPConnection | None = None

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any, dict]:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            self._connection.request(method, path, json.dumps(body), headers)
            response = self._connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self._connection.close()
            self._connection = None
            raise
        found = {name.lower(): value for name, value in response.getheaders()}
        return response.status, json.loads(payload or b"null"), found

    def sign_in(self) -> None:
        status, data, headers = self._request(
            "POST", "/api/login", {"name": self.name, "password": PASSWORD}
        )
        assert status == 200, data
        self.cookie = headers["set-cookie"].split(";", 1)[0]
        self.csrf = data["csrf_token"]

    def run(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            tag = f"{self.name}-{n}"
            try:
                status, _, headers = self._request(
                    "POST", TAGGED, {"answer": tag, "rating": 3, "duration_ms": 1000}
                )
            except (OSError, http.client.HTTPException):
                status, headers = -1, {}
            self.outcomes.append((tag, status, time.monotonic()))
            if status == 503:
                self.retry_after.add(headers.get("retry-after", ""))
                time.sleep(0.05)  # a real client would wait Retry-After seconds

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def add_accounts(database_url: str, names: list[str]) -> None:
    from llmiq.clock import utc_now
    from llmiq.passwords import hash_password
    from llmiq.store import accounts
    from llmiq.store.database import open_database

    database = open_database(database_url)
    try:
        password_hash = hash_password(PASSWORD)
        with database.transaction() as session:
            for name in names:
                assert accounts.create_account(
                    session, name, password_hash, is_admin=False, now=utc_now()
                )
    finally:
        database.close()


def stored_answers(database_url: str) -> Counter[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT answer FROM reviews"))
            return Counter(answer for (answer,) in rows)
    finally:
        engine.dispose()


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# --- PostgreSQL goes away and comes back --------------------------------------------------------


def test_postgres_outage_is_a_503_and_the_server_recovers_by_itself(
    own_postgres: OwnPostgres, data_home: Path, tmp_path: Path
) -> None:
    url = own_postgres.url
    reset_postgres(url)
    names = ["ada", "bob", "cy", "dee"]
    add_accounts(url, names)
    server = Served(url, data_home, tmp_path / "server.log")
    stop = threading.Event()
    answerers = [Answerer(server.port, name) for name in names]
    threads = []
    try:
        for answerer in answerers:
            answerer.sign_in()
            threads.append(threading.Thread(target=answerer.run, args=(stop,)))
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        own_postgres.stop()
        down_at = time.monotonic()
        time.sleep(0.5)
        login = get(server.port, "/login")
        login_zh = get(server.port, "/login", {"Accept-Language": "zh-CN"})
        register = get(server.port, "/register")
        signed_in = {"Cookie": answerers[0].cookie}
        home = get(server.port, "/", signed_in)
        api = get(server.port, "/api/banks", signed_in)
        static = get(server.port, "/static/style.css")
        time.sleep(2)
        own_postgres.start()
        up_at = time.monotonic()
        deadline = up_at + RECOVERY_TIMEOUT_S
        while time.monotonic() < deadline:
            if all(any(o[1] == 200 and o[2] > up_at for o in a.outcomes) for a in answerers):
                break
            time.sleep(0.1)
        recovered_in = time.monotonic() - up_at
        time.sleep(1)
        after = get(server.port, "/", signed_in)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        # A quiet restart: the pool's idle connections are cut while nobody asks; the first
        # requests after it must not be the ones to find out (pool_pre_ping).
        quiet_before = [get(server.port, "/", signed_in)[0] for _ in range(8)]
        own_postgres.stop()
        own_postgres.start()
        quiet_after = [get(server.port, "/", signed_in)[0] for _ in range(8)]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        for answerer in answerers:
            answerer.close()
        server.stop()
    assert server.process.returncode is not None

    # The outage: 503, Retry-After, one sentence, nothing of the URL.
    secrets_of_the_url = ["postgres", "psycopg", "llmiq_test", own_postgres.env["LLMIQ_PG_PORT"]]
    for status, headers, body, _ in (login, login_zh, register, home, api):
        assert status == 503, body
        assert headers["retry-after"] == "5"
        assert [part for part in secrets_of_the_url if part in body] == []
    assert "The database is not answering just now" in login[2]
    assert "数据库暂时没有响应" in login_zh[2]
    assert json.loads(api[2]) == {
        "detail": "The database is not answering just now: try again in a few seconds."
    }
    assert static[0] == 200
    log = server.output()
    assert "database unavailable, answering 503" in log  # the details, for the operator
    assert own_postgres.env["LLMIQ_PG_PORT"] in log
    assert "Traceback" not in log  # no request ended in an unhandled error (a bare 500)

    # Answers: acknowledged == stored; refused ones are not stored; nothing else came back.
    outcomes = [o for a in answerers for o in a.outcomes]
    statuses = Counter(status for _, status, _ in outcomes)
    acknowledged = {tag for tag, status, _ in outcomes if status == 200}
    refused = {tag for tag, status, _ in outcomes if status == 503}
    stored = stored_answers(url)
    print(
        f"\nanswers: {dict(statuses)}; acknowledged {len(acknowledged)}, stored {len(stored)}; "
        f"recovered {recovered_in:.2f} s after PostgreSQL was back "
        f"(down for {up_at - down_at:.1f} s)"
    )
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] > 0  # the clients did meet the outage
    assert set(stored) == acknowledged
    assert max(stored.values()) == 1
    assert not refused & set(stored)
    assert set().union(*(a.retry_after for a in answerers)) == {"5"}

    # Recovery, without a restart: every client was answered again, pages too.
    assert recovered_in < RECOVERY_TIMEOUT_S, server.output()[-3000:]
    # Pooled connections PostgreSQL's restart cut are found out before use (pool_pre_ping):
    # once answered again, nobody meets a refusal.
    back = min(when for _, status, when in outcomes if status == 200 and when > up_at)
    assert [o for o in outcomes if o[2] > back and o[1] != 200] == []
    assert after[0] == 200
    assert quiet_before == [200] * 8
    assert quiet_after == [200] * 8


# --- another process holds the SQLite write lock ----------------------------------------------

HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def test_sqlite_write_lock_leaves_static_files_and_sign_in_fast(
    data_home: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    add_accounts(url, ["ada"])
    server = Served(url, data_home, tmp_path / "server.log")
    hold_seconds = 5.0
    try:
        ada = Answerer(server.port, "ada")
        ada.sign_in()
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "locked.db"), str(hold_seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        locked_at = time.monotonic()
        # While it is held: a signed-in error page (it looks up who is signed in) and an
        # answer (a write: it waits for the lock) are under way in the background ...
        background: dict[str, Any] = {}

        def error_page() -> None:
            background["404"] = get(server.port, "/no-such-page", {"Cookie": ada.cookie})

        def answer() -> None:
            started = time.monotonic()
            status, _, _ = ada._request(
                "POST", TAGGED, {"answer": "under-the-lock", "rating": 3, "duration_ms": 1}
            )
            background["answer"] = (status, time.monotonic() - started)

        workers = [threading.Thread(target=error_page), threading.Thread(target=answer)]
        for worker in workers:
            worker.start()
        # ... and static files and the sign-in page answer at once.
        timings: dict[str, list[float]] = {"/static/style.css": [], "/login": []}
        while time.monotonic() - locked_at < hold_seconds - 1:
            for path, seen in timings.items():
                status, _, _, seconds = get(server.port, path, timeout=hold_seconds + 20)
                assert status == 200, path
                seen.append(seconds)
            time.sleep(0.1)
        for worker in workers:
            worker.join(timeout=60)
        holder.wait(timeout=30)
        holder.stdout.close()
        ada.close()
    finally:
        server.stop()
    slowest = {path: max(seen) for path, seen in timings.items()}
    print(
        f"\nslowest during the lock: {slowest}; signed-in 404 page: {background['404'][0]} in "
        f"{background['404'][3]:.2f} s; answer: {background['answer']}"
    )
    assert all(len(seen) >= 5 for seen in timings.values())
    assert all(seconds < 1.0 for seconds in slowest.values()), slowest
    assert background["404"][0] == 404
    assert background["answer"][0] == 200  # recorded once the lock was let go
    assert stored_answers(url)["under-the-lock"] == 1


def test_a_connection_cut_mid_transaction_is_unavailable_then_replaced(
    own_postgres: OwnPostgres,
) -> None:
    """PostgreSQL ends the session of a pooled connection in the middle of a transaction (as
    a restart or an administrator does): that transaction is DatabaseUnavailable, and the
    next one gets a new connection without anyone reopening the database."""
    from sqlalchemy import text

    from llmiq.store.database import open_database
    from llmiq.store.errors import DatabaseUnavailable

    reset_postgres(own_postgres.url)
    database = open_database(own_postgres.url)
    killer = open_database(own_postgres.url)
    try:
        with pytest.raises(DatabaseUnavailable) as failed, database.transaction() as session:  # noqa: PT012
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with killer.transaction() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            session.execute(text("SELECT 1"))
        assert "is unavailable" in str(failed.value)
        with database.reading() as session:
            assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        killer.close()
        database.close()
