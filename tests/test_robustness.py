"""Progress survives a killed process and two processes practising on one database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow  # real processes killed mid-write, one after another

ANSWERS = ["C", "no", "C", "B", "B", "A", "A", "B", "C", "B"]


def _quiz(url: str, profile: str, home: Path, **popen: object) -> subprocess.Popen[str]:
    env = os.environ | {
        "LLMIQ_DATABASE_URL": url,
        "LLMIQ_HOME": str(home),
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "100",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "llmiq", "quiz", "seed", "--in-order", "--lang", "en",
         "--profile", profile],
        env=env, text=True, **popen,
    )  # type: ignore[call-overload]  # fmt: skip


def _count_reviews(url: str, profile: str | None = None) -> int:
    engine = create_engine(url)
    query = "SELECT count(*) FROM reviews"
    params = {}
    if profile is not None:
        query += " JOIN users ON users.id = reviews.user_id WHERE users.name = :name"
        params = {"name": profile}
    with engine.connect() as connection:
        count = connection.execute(text(query), params).scalar()
    engine.dispose()
    return int(count or 0)


def _lines(stream) -> Iterator[str]:  # type: ignore[no-untyped-def]
    queue: Queue[str | None] = Queue()

    def pump() -> None:
        for line in stream:
            queue.put(line)
        queue.put(None)

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            line = queue.get(timeout=60)
        except Empty:
            raise AssertionError("the quiz printed nothing for 60 s") from None
        if line is None:
            return
        yield line


@pytest.mark.parametrize("answered", [1, 4])
def test_sigkill_mid_quiz_keeps_exactly_the_answers_given(
    database_url: str, tmp_path: Path, answered: int
) -> None:
    process = _quiz(
        database_url, "kill", tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    lines = _lines(process.stdout)
    given = 0
    for line in lines:
        if line.startswith(f"Question {given + 1}/"):
            if given == answered:
                break  # answer N is recorded before question N+1 is shown
            process.stdin.write(ANSWERS[given] + "\n")
            process.stdin.flush()
            given += 1
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    for _ in lines:  # the pipe reaches its end once the process is gone
        pass
    process.stdin.close()
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert _count_reviews(database_url) == answered
    # the database is intact: a new process carries on where this one stopped
    rerun = _quiz(database_url, "kill", tmp_path, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    rerun.communicate("C\n", timeout=60)
    assert rerun.returncode == 0
    assert _count_reviews(database_url) == answered + 1


def test_two_quiz_processes_on_one_database_lose_nothing(database_url: str, tmp_path: Path) -> None:
    piped = "\n".join(ANSWERS) + "\n"
    runs = [
        _quiz(
            database_url,
            profile,
            tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for profile in ("same", "same", "other")
    ]
    outputs = [run.communicate(piped, timeout=120) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stderr
        assert stdout.rstrip().endswith("Score: 10/10")
    assert _count_reviews(database_url, "same") == 20
    assert _count_reviews(database_url, "other") == 10
