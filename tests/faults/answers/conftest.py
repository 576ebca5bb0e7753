"""Faults while answers are recorded: a real ``uvicorn`` server process, killed or starved of
disk, and clients that answer through the JSON API with idempotency keys."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"
START_TIMEOUT_S = 60
#: An open question: any text is an answer, so each answer's text can be its tag, and the
#: review log shows which answers were stored, independently of the keys' table.
TAGGED_QUESTION = "/api/banks/seed/questions/vector-store/answer"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """``uvicorn llmiq.web.main:create_app`` in a process of its own (single-user mode, one
    process: no supervisor between the test and the process it kills)."""

    def __init__(self, database_url: str, log: Path, port: int | None = None) -> None:
        self.database_url = database_url
        self.log = log
        self.port = port or _free_port()
        command = [
            *(sys.executable, "-m", "uvicorn", "llmiq.web.main:create_app", "--factory"),
            *("--host", HOST, "--port", str(self.port), "--log-level", "warning"),
            "--no-access-log",
        ]
        env = os.environ | {"LLMIQ_DATABASE_URL": database_url}
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.tail()}")
            with suppress(OSError):
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                try:
                    connection.request("GET", "/api/banks")
                    if connection.getresponse().status == 200:
                        return
                finally:
                    connection.close()
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{self.tail()}")
            time.sleep(0.1)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no flush, whatever was in flight is cut off."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Client:
    """One HTTP/1.1 keep-alive connection posting tagged answers."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def answer(self, tag: str, key: str | None = None) -> tuple[int, dict[str, Any]]:
        """Post the answer ``tag`` with the idempotency key ``key`` (the tag by default);
        its status and JSON body. A connection that fails raises :class:`OSError` (or
        :class:`http.client.HTTPException`): the answer is unacknowledged."""
        if self._connection is None:
            self._connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        body = json.dumps({"answer": tag, "rating": 3, "duration_ms": 1000})
        headers = {"Content-Type": "application/json", "Idempotency-Key": key or tag}
        try:
            self._connection.request("POST", TAGGED_QUESTION, body, headers)
            response = self._connection.getresponse()
            payload = response.read()
        except BaseException:
            self.close()
            raise
        try:
            data = json.loads(payload)
        except ValueError:
            data = {"raw": payload[:200].decode(errors="replace")}
        return response.status, data

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def stored_tags(database_url: str) -> dict[str, int]:
    """How many times each answer text is in the review log."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT answer, count(*) FROM reviews GROUP BY answer"))
            return {answer: count for answer, count in rows}
    finally:
        engine.dispose()


def answer_times(database_url: str, tags: list[str]) -> dict[str, datetime]:
    """When the answers ``tags`` were recorded (their reviews' ``reviewed_at``, UTC)."""
    from sqlalchemy import bindparam, create_engine, text

    if not tags:
        return {}
    engine = create_engine(database_url)
    query = text("SELECT answer, reviewed_at FROM reviews WHERE answer IN :tags")
    try:
        with engine.connect() as connection:
            rows = connection.execute(query.bindparams(bindparam("tags", expanding=True)),
                                      {"tags": tags})  # fmt: skip
            return {
                answer: datetime.fromisoformat(str(at)).replace(tzinfo=UTC) for answer, at in rows
            }
    finally:
        engine.dispose()


def count_rows(database_url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``serve(database_url, port=None)``: a started server; every one is stopped at the end."""
    servers: list[Server] = []

    def start(database_url: str, port: int | None = None) -> Server:
        server = Server(database_url, tmp_path / "server.log", port)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def answering() -> Any:
    """Client, stored_tags, answer_times and count_rows, for the test modules (conftests are
    not importable under --import-mode=importlib)."""
    return types.SimpleNamespace(
        Client=Client, stored_tags=stored_tags, answer_times=answer_times, count_rows=count_rows
    )
