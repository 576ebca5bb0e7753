"""Helpers of the fault tests: the real CLI in a process of its own, a database filled
with real answers, and a second process holding SQLite's write lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

PROFILE = "ada"

#: Holds the write lock (BEGIN IMMEDIATE, with a row written) until its stdin closes.
_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute(
    "INSERT INTO users (name, created_at) VALUES ('holder', '2026-01-01 00:00:00.000000')"
)
print("locked", flush=True)
sys.stdin.read()
connection.execute("ROLLBACK")
"""


def _run_llmiq(
    home: Path, *args: str, input: str | None = None, timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``llmiq ARGS`` in a new process with ``LLMIQ_HOME=home``, and its wall time."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "llmiq", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        env={**os.environ, "LLMIQ_HOME": str(home), "LLMIQ_PROFILE": PROFILE},
    )
    return proc, time.perf_counter() - started


def _one_sentence(proc: subprocess.CompletedProcess[str]) -> str:
    """The one ``Error: ...`` line of a failed command, checked to be all it said there."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert [line[:7] for line in lines] == ["Error: "], proc.stderr
    return lines[0]


def fill_database(home: Path, answers: int) -> Path:
    """The default database of ``home`` with ``answers`` answers of :data:`PROFILE` to the
    built-in banks' questions, recorded as the quiz records them, over the last year."""
    from llmiq.bank.catalog import builtin_entries, load_entry
    from llmiq.bank.grading import Grade
    from llmiq.clock import utc_now
    from llmiq.practice.recording import Answer, record_answers
    from llmiq.practice.scheduling import make_scheduler
    from llmiq.store.database import open_database

    path = home / "llmiq.db"
    questions = [
        (bank.id, question)
        for bank in (load_entry(entry) for entry in builtin_entries())
        for question in bank.questions
    ]
    database = open_database(f"sqlite:///{path}")
    scheduler = make_scheduler(fuzz=False)
    end = utc_now()
    step = timedelta(days=365) / answers
    batch = []
    for n in range(answers):
        bank_id, question = questions[n * 7919 % len(questions)]
        grade = Grade(n % 5 != 0, "A")
        at = end - timedelta(days=365) + step * n
        batch.append(Answer(PROFILE, bank_id, question, grade, 8000, "review", at))
    record_answers(database, scheduler, batch)
    database.close()
    return path


@pytest.fixture
def run_llmiq() -> Callable[..., tuple[subprocess.CompletedProcess[str], float]]:
    """``run_llmiq(home, *args, input=None)``: the real CLI in a new process with
    ``LLMIQ_HOME=home`` and ``LLMIQ_PROFILE=ada``; the finished process and its wall time."""
    return _run_llmiq


@pytest.fixture
def one_sentence() -> Callable[[subprocess.CompletedProcess[str]], str]:
    """The one ``Error: ...`` line of a failed command, checked to be all it said on
    standard error, with no traceback."""
    return _one_sentence


@pytest.fixture
def filled_home(data_home: Path) -> Path:
    """A data directory whose database holds 3,000 answers."""
    fill_database(data_home, 3000)
    return data_home


@pytest.fixture
def write_lock_holder() -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    """Starts a process that holds the write lock of a database until the test ends."""
    holders: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> subprocess.Popen[str]:
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(holder)
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        return holder

    yield hold
    for holder in holders:
        if holder.poll() is None:
            holder.communicate("", timeout=30)
