"""Recording through sqlite3 (the quiz on the default database) writes exactly what recording
through SQLAlchemy writes, reads what SQLAlchemy wrote, and is used only when the database is
ready for it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.files import bank_to_data
from llmiq.bank.grading import grade
from llmiq.bank.model import Bank
from llmiq.bank.records import bank_record
from llmiq.practice.recording import Practice
from llmiq.practice.scheduling import make_scheduler
from llmiq.store.database import Database, open_database
from llmiq.store.defaults import DATABASE_ENV, SCHEMA_HEAD, default_database_path
from llmiq.store.errors import ConstraintViolation, DatabaseCorrupt, DatabaseUnavailable
from llmiq.store.lite import (
    CARD_COLUMNS,
    REVIEW_COLUMNS,
    LiteDatabase,
    open_default_lite_database,
    open_lite_database,
)
from llmiq.store.models import Card, Review

SEED = resolve_bank("seed")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANSWERS = ["C", "A", "C", "B", "B", "A", "A", "B", "C", "B"]


class Clock:
    """Minutes apart, every other time with a fraction of a second (stored differently)."""

    def __init__(self) -> None:
        self.now = START
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        self.now += timedelta(minutes=7, milliseconds=250 * (self.calls % 2))
        return self.now


def _lite(path: Path, **options: Any) -> LiteDatabase:
    database = open_lite_database(path, **options)
    assert database is not None
    return database


def _practice(database: Any, clock: Clock) -> Practice:
    return Practice(database, "ada", scheduler=make_scheduler(fuzz=False), clock=clock)


def _record(practice: Practice, bank: Any, rounds: int) -> None:
    """Every question of ``bank``, ``rounds`` times over, answered as in ANSWERS."""
    for _ in range(rounds):
        practice.sync(bank)
        for question, answer in zip(bank.questions, ANSWERS, strict=False):
            reply = answer if question.is_choice else "no"
            practice.record(bank.id, question, grade(question, reply), 4000, "quiz")


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of the progress tables, read through SQLAlchemy."""
    database = open_database(f"sqlite:///{path}")
    with database.engine.connect() as connection:
        rows = {
            table: connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("users", "cards", "reviews")
        }
    database.close()
    return {table: [tuple(row) for row in found] for table, found in rows.items()}


@pytest.fixture
def new_database(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        path = tmp_path / f"{name}.db"
        open_database(f"sqlite:///{path}").close()
        return path

    return make


def _edited(bank: Bank) -> Bank:
    """The bank with its first question's prompt changed: its card must be relearnt."""
    first = bank.questions[0]
    changed = first.model_copy(update={"prompt": first.prompt.model_copy(update={"en": "New?"})})
    return bank.model_copy(update={"questions": [changed, *bank.questions[1:]]})


def test_both_ways_write_the_same_rows(new_database: Callable[[str], Path]) -> None:
    through_sqlalchemy, through_sqlite3 = new_database("a"), new_database("b")
    record = bank_record(bank_to_data(SEED))
    for database, bank in (
        (open_database(f"sqlite:///{through_sqlalchemy}"), SEED),
        (_lite(through_sqlite3), record),
    ):
        _record(_practice(database, Clock()), bank, rounds=3)
        _record(_practice(database, Clock()), _edited(SEED), rounds=1)
        database.close()
    written = _rows(through_sqlalchemy)
    assert len(written["reviews"]) == 40
    assert _rows(through_sqlite3) == written


def test_each_way_reads_what_the_other_wrote(new_database: Callable[[str], Path]) -> None:
    only_sqlalchemy, mixed = new_database("a"), new_database("b")
    clock = Clock()
    database = open_database(f"sqlite:///{only_sqlalchemy}")
    for _ in range(3):
        _record(_practice(database, clock), SEED, rounds=1)
    database.close()
    clock = Clock()
    for open_ in (
        lambda: open_database(f"sqlite:///{mixed}"),
        lambda: _lite(mixed),
        lambda: open_database(f"sqlite:///{mixed}"),
    ):
        database = open_()
        _record(_practice(database, clock), SEED, rounds=1)
        database.close()
    assert _rows(mixed) == _rows(only_sqlalchemy)


def test_the_columns_written_are_the_tables_columns() -> None:
    """A migration that adds a column to cards or reviews must not leave this path behind."""
    assert set(CARD_COLUMNS) == {c.name for c in Card.__table__.columns} - {"id"}
    assert set(REVIEW_COLUMNS) == {c.name for c in Review.__table__.columns} - {"id"}


def test_connections_are_set_up_alike(new_database: Callable[[str], Path]) -> None:
    path = new_database("a")
    pragmas = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout",
               "wal_autocheckpoint", "journal_size_limit")  # fmt: skip
    database = open_database(f"sqlite:///{path}")
    with database.engine.connect() as connection:
        through_sqlalchemy = [connection.exec_driver_sql(f"PRAGMA {p}").scalar() for p in pragmas]
    database.close()
    lite = _lite(path)
    through_sqlite3 = [lite._connection.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
    lite.close()
    assert through_sqlite3 == through_sqlalchemy == ["wal", 1, 1, 15000, 1000, 64 * 2**20]


def test_only_a_database_at_the_current_schema_is_opened(
    new_database: Callable[[str], Path], tmp_path: Path
) -> None:
    assert open_lite_database(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not SQLite", "utf-8")
    with pytest.raises(DatabaseCorrupt, match=r"notes\.db is damaged \(file is not a database\)"):
        open_lite_database(not_a_database)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert open_lite_database(empty) is None
    path = new_database("a")
    _lite(path).close()
    for revision in ("0001", "9999"):  # to be migrated; from a newer llmiq
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        assert open_lite_database(path) is None
    assert SCHEMA_HEAD != "9999"


def test_only_the_default_database_is_written_through_sqlite3(
    data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert open_default_lite_database() is None  # not made yet
    open_database().close()
    assert default_database_path().is_relative_to(data_home)
    lite = open_default_lite_database()
    assert lite is not None
    lite.close()
    assert open_default_lite_database(f"sqlite:///{default_database_path()}") is None
    monkeypatch.setenv(DATABASE_ENV, f"sqlite:///{default_database_path()}")
    assert open_default_lite_database() is None


def _fail_after_a_write(database: LiteDatabase, error: type[BaseException]) -> None:
    with database.writes() as writes:
        writes.user_id("ada", START)
        raise error()


def test_a_failed_transaction_leaves_nothing(new_database: Callable[[str], Path]) -> None:
    path = new_database("a")
    database = _lite(path)
    for error in (RuntimeError, KeyboardInterrupt):  # a bug; Ctrl-C
        with pytest.raises(error):
            _fail_after_a_write(database, error)
    with database.writes() as writes:
        assert writes.bank_cards(writes.user_id("bob", START), "seed") == []
    database.close()
    assert [row[1] for row in _rows(path)["users"]] == ["bob"]


def test_a_locked_database_is_unavailable(new_database: Callable[[str], Path]) -> None:
    path = new_database("a")
    database = _lite(path, busy_timeout_ms=50)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable) as caught, database.writes():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(caught.value) == (
        f"the database sqlite:///{path} is locked by another process that is writing to it; "
        "nothing was written: try again when it has finished"
    )
    with database.writes() as writes:  # usable again once the other writer is done
        writes.user_id("ada", START)
    database.close()


def test_a_broken_constraint_is_a_constraint_violation(
    new_database: Callable[[str], Path],
) -> None:
    database = _lite(new_database("a"))
    row = {name: None for name in CARD_COLUMNS} | {
        "bank_id": "seed", "question_id": "q", "content_hash": "h", "state": 1, "due": START,
        "created_at": START,
    }  # fmt: skip
    with database.writes() as writes:
        row["user_id"] = writes.user_id("ada", START)
        writes.insert_cards([row])
    with pytest.raises(ConstraintViolation), database.writes() as writes:
        writes.insert_cards([row])
    with pytest.raises(ValueError, match="naive datetime"), database.writes() as writes:
        writes.insert_cards([row | {"question_id": "r", "due": START.replace(tzinfo=None)}])
    database.close()


def test_sqlalchemy_database_also_records_through_writes(tmp_path: Path) -> None:
    database: Database = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    with database.writes() as writes:
        user = writes.user_id("ada", START)
        assert writes.user_id("ada", START) == user
    database.close()
