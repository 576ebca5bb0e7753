"""The write-ahead log does not keep the size a burst of writers gave it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from llmiq.store import defaults
from llmiq.store.database import open_database

LIMIT = 64 * 1024


def _burst(path: Path, monkeypatch: pytest.MonkeyPatch, limit: int) -> tuple[int, int]:
    """The WAL's size after 200 transactions written while a reader held an old snapshot
    (no checkpoint can get past it), and after the reader left and one more was written."""
    monkeypatch.setattr(defaults, "SQLITE_JOURNAL_SIZE_LIMIT_BYTES", limit)
    monkeypatch.setattr(defaults, "SQLITE_WAL_AUTOCHECKPOINT_PAGES", 10)
    database = open_database(f"sqlite:///{path}")
    insert = text("INSERT INTO users (name, created_at) VALUES (:name, '2026-01-01')")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM users").fetchall()
    for n in range(200):
        with database.transaction() as session:
            session.execute(insert, {"name": f"user-{n:03d}-" + "x" * 2000})
    wal = Path(f"{path}-wal")
    grown = wal.stat().st_size
    reader.execute("COMMIT")
    for n in range(2):  # the first write checkpoints, the next starts the log again
        with database.transaction() as session:
            session.execute(insert, {"name": f"after-{n}"})
    after = wal.stat().st_size
    reader.close()
    database.close()
    return grown, after


def test_the_wal_is_cut_back_to_its_limit_after_a_burst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grown, after = _burst(tmp_path / "a.db", monkeypatch, LIMIT)
    assert grown > 10 * LIMIT
    assert after <= LIMIT
    grown, kept = _burst(tmp_path / "b.db", monkeypatch, -1)  # no limit: SQLite's default
    assert kept >= grown  # what the limit is for: the file keeps its largest size
