"""Schema migrations, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from llmiq.errors import LlmiqError
from llmiq.store.database import SCHEMA_HEAD, alembic_config, make_engine, open_database
from llmiq.store.models import Base

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _upgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), revision)
        connection.commit()
    engine.dispose()


def test_schema_head_constant_is_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_first_use_creates_the_schema_and_it_matches_the_models(database_url: str) -> None:
    database = open_database(database_url)
    tables = set(inspect(database.engine).get_table_names())
    assert {"users", "banks", "cards", "reviews", "alembic_version"} <= tables
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    database.close()


def test_upgrade_from_the_previous_revision_keeps_the_data(database_url: str) -> None:
    _upgrade(database_url, "0001")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO users (id, name, created_at) VALUES (1, 'ada', :t)"),
            {"t": NOW.replace(tzinfo=None)},
        )
        connection.execute(
            text(
                "INSERT INTO reviews (user_id, bank_id, question_id, content_hash, answer, "
                "correct, rating, duration_ms, reviewed_at, mode) "
                "VALUES (1, 'seed', 'q1', 'h', 'C', :yes, 3, 1200, :t, 'quiz')"
            ),
            {"t": NOW.replace(tzinfo=None), "yes": True},
        )
    engine.dispose()
    database = open_database(database_url)  # migrates 0001 -> head on first use
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_HEAD
        )
        assert connection.execute(text("SELECT count(*) FROM reviews")).scalar() == 1
        assert connection.execute(text("SELECT name FROM users")).scalar() == "ada"
    assert "banks" in inspect(database.engine).get_table_names()
    database.close()


def test_alembic_upgrade_head_from_empty(database_url: str) -> None:
    _upgrade(database_url, "head")
    engine = make_engine(database_url)
    assert "cards" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_database_from_a_newer_llmiq_is_refused(database_url: str) -> None:
    open_database(database_url).close()
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(LlmiqError, match="newer than this llmiq knows"):
        open_database(database_url)


def test_sqlite_settings(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    database.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "cannot read 'not a url' as a database URL"),
        ("nosuchdb://x/y", "no database driver for 'nosuchdb'"),
        ("sqlite:////proc/llmiq/x.db", "cannot create /proc/llmiq for the database"),
    ],
)
def test_bad_database_urls_are_one_sentence(url: str, message: str) -> None:
    with pytest.raises(LlmiqError, match=message):
        open_database(url)
