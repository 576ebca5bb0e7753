"""Reading without the write lock, and refusing to write into a damaged SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from llmiq.store import database as store_database
from llmiq.store import integrity
from llmiq.store.database import open_database
from llmiq.store.errors import DatabaseCorrupt, DatabaseUnavailable
from llmiq.store.integrity import check_header, is_corruption, quick_check
from llmiq.store.lite import open_lite_database

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_a_reading_session_is_not_held_up_by_another_processs_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filled: Callable[..., Any]
) -> None:
    monkeypatch.setattr(store_database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = filled(tmp_path / "a.db")
    database = open_database(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO users (name, created_at) VALUES ('bob', '2026-01-02')")
    try:
        with database.reading() as session:  # the snapshot before bob
            assert session.execute(text("SELECT count(*) FROM reviews")).scalar() == 4000
            assert session.execute(text("SELECT name FROM users")).scalars().all() == ["ada"]
        locked = pytest.raises(DatabaseUnavailable, match="is locked by another process")
        with locked, database.transaction() as session:
            session.execute(text("SELECT 1"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    database.close()


def test_a_reading_session_cannot_write_and_leaves_writers_able_to(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    database = open_database(f"sqlite:///{filled(tmp_path / 'a.db')}")
    insert = text("INSERT INTO users (name, created_at) VALUES (:name, '2026-01-02')")
    with pytest.raises(DatabaseUnavailable, match="readonly"), database.reading() as session:
        session.execute(insert, {"name": "bob"})
    with database.transaction() as session:  # the same pooled connection, writing again
        session.execute(insert, {"name": "cy"})
    with database.reading() as session:
        assert session.execute(text("SELECT name FROM users")).scalars().all() == ["ada", "cy"]
    database.close()


def test_a_damaged_small_database_is_refused_when_opened_and_left_as_it_is(
    tmp_path: Path, filled: Callable[..., Any], damage: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db")
    damaged = damage(path)
    with pytest.raises(DatabaseCorrupt) as caught:
        open_database(f"sqlite:///{path}")
    assert str(caught.value) == (
        f"the database {path} is damaged (database disk image is malformed); llmiq will not "
        "write into it: restore a backup with `llmiq restore FILE`, or run `llmiq doctor` "
        "for details"
    )
    with pytest.raises(DatabaseCorrupt):
        open_lite_database(path)
    assert path.read_bytes() == damaged


def test_a_large_one_is_checked_before_the_first_write_and_never_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filled: Callable[..., Any],
    damage: Callable[..., Any],
) -> None:
    monkeypatch.setattr(integrity, "QUICK_CHECK_ON_OPEN_BYTES", 0)  # every file is "large"
    path = filled(tmp_path / "a.db")
    damaged = damage(path)
    database = open_database(f"sqlite:///{path}")  # opening reads only the header and schema
    with database.reading() as session:  # pages the damage missed still read
        assert session.execute(text("SELECT name FROM users")).scalars().all() == ["ada"]
    for _ in range(2):  # the second refusal needs no second check
        with pytest.raises(DatabaseCorrupt, match="is damaged"), database.transaction() as s:
            s.execute(text("INSERT INTO users (name, created_at) VALUES ('bob', '2026-01-02')"))
    database.close()
    lite = open_lite_database(path)
    assert lite is not None
    with pytest.raises(DatabaseCorrupt), lite.writes() as writes:
        writes.user_id("bob", NOW)
    lite.close()
    assert path.read_bytes() == damaged


def test_damage_one_handle_reads_stops_the_writes_of_the_others(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filled: Callable[..., Any],
    damage: Callable[..., Any],
) -> None:
    """The web app opens the file twice (its engine, and its answer writer's sqlite3
    connection) and shares one guard: damage a page read meets through the engine is refused
    by the writer, which had already passed its check."""
    monkeypatch.setattr(integrity, "QUICK_CHECK_ON_OPEN_BYTES", 0)
    path = filled(tmp_path / "a.db")
    database = open_database(f"sqlite:///{path}")
    database.check_before_writing()  # sound at start, as the web app checks it
    assert database.guard is not None
    writer = open_lite_database(path, guard=database.guard)
    assert writer is not None
    damaged = damage(path)
    database.engine.dispose()  # new connections, no pages cached from before the damage
    with pytest.raises(DatabaseCorrupt), database.reading() as session:
        session.execute(text("SELECT count(*), sum(length(answer)) FROM reviews")).all()
    with pytest.raises(DatabaseCorrupt), writer.writes() as writes:
        writes.user_id("bob", NOW)
    writer.close()
    database.close()
    assert path.read_bytes() == damaged


def test_a_file_that_is_not_sqlite_or_was_cut_short_is_refused(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("my notes, not a database\n" * 10, "utf-8")
    with pytest.raises(DatabaseCorrupt, match="file is not a database"):
        open_database(f"sqlite:///{notes}")
    assert notes.read_text("utf-8") == "my notes, not a database\n" * 10
    path = filled(tmp_path / "a.db")
    path.write_bytes(path.read_bytes()[: 20 * 4096])
    with pytest.raises(DatabaseCorrupt, match="shorter than its header says"):
        check_header(path)
    check_header(filled(tmp_path / "b.db"))  # a sound one passes


def test_quick_check_and_corruption_errors_say_what_sqlite_says(
    tmp_path: Path, filled: Callable[..., Any], damage: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db")
    connection = sqlite3.connect(path)
    assert quick_check(connection) == []
    connection.close()
    damage(path)
    errors = []
    with sqlite3.connect(path) as connection:
        problems = quick_check(connection, full=True)
        indexes = [row[1] for row in connection.execute("PRAGMA index_list(reviews)")]
        scans = ["SELECT * FROM reviews NOT INDEXED"]
        scans += [f"SELECT * FROM reviews INDEXED BY {name}" for name in indexes]
        for scan in scans:  # some of them read the damaged pages
            try:
                connection.execute(scan).fetchall()
            except sqlite3.DatabaseError as exc:
                errors.append(exc)
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n" * 10, "utf-8")
    with sqlite3.connect(notes) as connection, pytest.raises(sqlite3.DatabaseError) as caught:
        connection.execute("SELECT * FROM sqlite_master").fetchall()
    assert problems
    assert errors
    assert [exc for exc in errors if not is_corruption(exc)] == []
    assert is_corruption(caught.value)
    assert not is_corruption(sqlite3.OperationalError("database is locked"))


def test_closing_after_writing_checkpoints_the_wal_away(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db")
    database = open_database(f"sqlite:///{path}")
    reader = sqlite3.connect(path)  # keeps the WAL file in place after the writer leaves
    reader.execute("SELECT count(*) FROM users").fetchall()
    with database.transaction() as session:
        session.execute(text("UPDATE reviews SET answer = 'B'"))
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0
    database.close()
    assert wal.stat().st_size == 0  # TRUNCATE: copied into the database, cut to nothing
    reader.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM reviews WHERE answer = 'B'").fetchone()


def test_a_damaged_database_is_not_migrated(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filled: Callable[..., Any],
    damage: Callable[..., Any],
) -> None:
    monkeypatch.setattr(integrity, "QUICK_CHECK_ON_OPEN_BYTES", 0)  # not checked on open
    path = filled(tmp_path / "a.db")
    connection = sqlite3.connect(path)
    with connection:  # as if an older llmiq had written it
        connection.execute("UPDATE alembic_version SET version_num = '0005'")
    connection.close()
    damaged = damage(path)
    with pytest.raises(DatabaseCorrupt, match="is damaged"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == damaged
