"""The web app checks a large SQLite database for damage when it starts, not when the first
answer is written (``PRAGMA quick_check``: 0.6-1.0 s on a million answers, which the first
answer paid); ``llmiq serve`` refuses a damaged one in one sentence before serving."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmiq.store.database import open_database
from llmiq.store.integrity import QUICK_CHECK_ON_OPEN_BYTES

ANSWER = "/api/banks/seed/questions/prompt-calibration/answer"


def _large_database(path: Path) -> Path:
    """An llmiq database past the size checked on every open: a table of filler rows that
    llmiq never reads, so damage there is found by ``quick_check`` alone."""
    open_database(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE filler (data BLOB)")
    rows = QUICK_CHECK_ON_OPEN_BYTES // 3900 + 200
    connection.executemany("INSERT INTO filler VALUES (randomblob(3900))", [()] * rows)
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    assert path.stat().st_size > QUICK_CHECK_ON_OPEN_BYTES
    return path


def _damage(path: Path) -> None:
    """Random bytes over four pages in the middle of the file (filler rows there)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 4096 // 2
    data[middle * 4096 : (middle + 4) * 4096] = random.Random(3).randbytes(4 * 4096)
    path.write_bytes(bytes(data))


def test_the_check_runs_at_start_so_the_first_answer_does_not_run_it(
    make_app: Any, client_of: Any, tmp_path: Path
) -> None:
    path = _large_database(tmp_path / "large.db")
    client = client_of(make_app(database_url=f"sqlite:///{path}"))
    # Damage that only quick_check sees, after the start: a first answer that ran the check
    # itself would be refused (503), as it was before the check moved to the start.
    _damage(path)
    answered = client.post(ANSWER, json={"answer": "C"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["correct"] is True


def test_a_damaged_large_database_is_logged_at_start_and_refused(
    make_app: Any, client_of: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _large_database(tmp_path / "large.db")
    _damage(path)
    damaged = path.read_bytes()
    with caplog.at_level(logging.ERROR, logger="llmiq.web"):
        client = client_of(make_app(database_url=f"sqlite:///{path}"))
        started = [record.getMessage() for record in caplog.records]
    assert started == [
        f"the database {path} is damaged (database disk image is malformed); llmiq will not "
        "write into it: restore a backup with `llmiq restore FILE`, or run `llmiq doctor` "
        "for details"
    ]
    refused = client.post(ANSWER, json={"answer": "C"})
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert path.read_bytes() == damaged


@pytest.mark.slow
def test_llmiq_serve_refuses_a_damaged_large_database_in_one_sentence(tmp_path: Path) -> None:
    path = _large_database(tmp_path / "large.db")
    _damage(path)
    served = subprocess.run(
        [sys.executable, "-m", "llmiq", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "LLMIQ_HOME": str(tmp_path), "LLMIQ_DATABASE_URL": f"sqlite:///{path}"},
    )
    assert served.returncode == 1
    assert served.stdout == ""  # never said it was serving
    assert served.stderr.splitlines() == [
        f"Error: the database {path} is damaged (database disk image is malformed); llmiq "
        "will not write into it: restore a backup with `llmiq restore FILE`, or run `llmiq "
        "doctor` for details"
    ]
