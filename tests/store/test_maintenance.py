"""``llmiq doctor``, ``backup`` and ``restore`` below the CLI: the checks, the copies, and
what is refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from llmiq.errors import LlmiqError
from llmiq.store.database import open_database
from llmiq.store.defaults import SCHEMA_HEAD
from llmiq.store.maintenance import (
    backup,
    doctor,
    free_space_check,
    postgres_advice,
    restore,
    size_text,
)

REVIEWS = 3000  # answers in each filled database


def answers(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM reviews").fetchone()[0]
    finally:
        connection.close()


def statuses(url: str, **options: int) -> dict[str, str]:
    return {check.name: check.status for check in doctor(url, **options)}


def test_doctor_on_a_sound_database_says_ok_to_every_check(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    checks = doctor(f"sqlite:///{path}", low_disk_bytes=1)
    assert [(c.name, c.status) for c in checks] == [
        ("database", "ok"),
        ("schema", "ok"),
        ("integrity", "ok"),
        ("free space", "ok"),
        ("built-in banks", "ok"),
        ("imported banks", "ok"),
    ]
    assert checks[1].detail == f"revision {SCHEMA_HEAD}, this llmiq's newest"
    assert checks[5].detail == "none imported"


def test_doctor_names_damage_a_newer_schema_and_a_full_disk(
    tmp_path: Path, filled: Callable[..., Any], damage: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    before = path.read_bytes()
    assert statuses(f"sqlite:///{path}", low_disk_bytes=10**18)["free space"] == "warning"
    assert path.read_bytes() == before  # the doctor writes nothing
    damage(path)
    checks = {c.name: c for c in doctor(f"sqlite:///{path}", low_disk_bytes=1)}
    assert checks["integrity"].status == "problem"
    assert checks["integrity"].detail.startswith("database disk image is malformed")
    assert "imported banks" not in checks  # not read from a damaged file
    newer = filled(tmp_path / "b.db", REVIEWS)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    assert statuses(f"sqlite:///{newer}", low_disk_bytes=1)["schema"] == "problem"


def test_doctor_on_a_database_not_made_yet_makes_none(tmp_path: Path) -> None:
    path = tmp_path / "later" / "a.db"
    checks = doctor(f"sqlite:///{path}", low_disk_bytes=1)
    assert checks[0].detail == f"none yet at {path}; it is made on first use"
    assert all(check.status == "ok" for check in checks)
    assert not path.parent.exists()


def test_free_space_warns_under_twice_the_database(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    assert free_space_check(path, low_disk_bytes=1).status == "ok"
    low = free_space_check(path, low_disk_bytes=10**18)
    assert low.status == "warning"
    assert "make room" in low.detail
    assert size_text(1_234_567) == "1.2 MB"
    assert size_text(999) == "999 bytes"


def test_backup_copies_a_database_in_use_and_refuses_to_overwrite(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    url = f"sqlite:///{path}"
    live = sqlite3.connect(path, isolation_level=None)  # another process, writing
    live.execute("BEGIN IMMEDIATE")
    live.execute("INSERT INTO users (name, created_at) VALUES ('bob', '2026-01-02')")
    target = tmp_path / "copy.db"
    done = backup(url, target)
    live.execute("ROLLBACK")
    live.close()
    assert (done.answers, answers(target)) == (3000, 3000)
    assert done.size == target.stat().st_size
    assert not Path(f"{target}-wal").exists()  # one self-contained file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(LlmiqError, match=r"copy\.db exists; add --force to replace it"):
        backup(url, target)
    backup(url, target, force=True)
    with pytest.raises(LlmiqError, match="is the database itself"):
        backup(url, path, force=True)
    with pytest.raises(LlmiqError, match=r"no database at .* yet"):
        backup(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "x.db")


def test_backup_refuses_a_damaged_database_and_writes_no_file(
    tmp_path: Path, filled: Callable[..., Any], damage: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    damage(path)
    with pytest.raises(LlmiqError, match=r"is damaged .* so a backup of it would be too"):
        backup(f"sqlite:///{path}", tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "a.migrate-lock"]


def test_restore_puts_the_backup_back_and_keeps_what_it_replaced(
    tmp_path: Path, filled: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    url = f"sqlite:///{path}"
    backup(url, tmp_path / "copy.db")
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM reviews WHERE id > 1000")
    reader = sqlite3.connect(path)  # another process with the database open
    reader.execute("SELECT count(*) FROM users").fetchall()
    done = restore(url, tmp_path / "copy.db", now=datetime(2026, 12, 3, 22, 0, 0))
    assert done.previous == tmp_path / "a.db.before-restore-20261203-220000"
    assert (answers(path), answers(done.previous), done.answers) == (3000, 1000, 3000)
    assert reader.execute("SELECT count(*) FROM reviews").fetchone() == (3000,)
    reader.close()
    database = open_database(url)  # sound, and llmiq writes into it again
    with database.writes() as writes:
        writes.user_id("bob", datetime(2026, 12, 3, 22, 0).astimezone())
    database.close()


def test_restore_replaces_a_damaged_database(
    tmp_path: Path, filled: Callable[..., Any], damage: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    backup(f"sqlite:///{path}", tmp_path / "copy.db")
    damage(path)
    done = restore(f"sqlite:///{path}", tmp_path / "copy.db")
    assert answers(path) == 3000
    assert done.previous is not None
    assert {c.name: c.status for c in doctor(f"sqlite:///{path}")}["integrity"] == "ok"


def test_restore_checks_the_backup_first_and_changes_nothing_if_it_fails(
    tmp_path: Path, filled: Callable[..., Any], damage: Callable[..., Any]
) -> None:
    path = filled(tmp_path / "a.db", REVIEWS)
    url = f"sqlite:///{path}"
    before = path.read_bytes()
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n" * 40, "utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    damaged = filled(tmp_path / "damaged.db", REVIEWS)
    damage(damaged)
    newer = filled(tmp_path / "newer.db", REVIEWS)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    refusals = {
        notes: "notes.txt is not an SQLite database",
        other: "other.db is an SQLite database but not llmiq's",
        damaged: "damaged.db is damaged",
        newer: "newer.db is at schema revision 9999, newer than this llmiq knows",
        tmp_path / "missing.db": "missing.db: no such file",
        path: "is the database itself",
    }
    for source, sentence in refusals.items():
        with pytest.raises(LlmiqError, match=sentence.replace(".", r"\.")):
            restore(url, source)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_postgres_is_told_about_pg_dump_without_its_password() -> None:
    url = "postgresql+psycopg://alice:s3cret@db.example:5433/llmiq"
    advice = str(postgres_advice(url, "backup"))
    assert advice == (
        "llmiq backup copies SQLite databases; the database llmiq is on the postgresql server "
        "db.example: use `pg_dump -h db.example -p 5433 -U alice -Fc -f FILE llmiq`"
    )
    assert "s3cret" not in str(postgres_advice(url, "restore"))
    with pytest.raises(LlmiqError, match="pg_dump"):
        backup(url, Path("copy.db"))
