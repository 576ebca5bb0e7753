"""Banks saved in the database: one module for every way in (import, 0.1's files), with the
columns' limits kept on each, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llmiq.bank.catalog import load_entry, resolve_bank
from llmiq.bank.files import write_bank_file
from llmiq.bank.model import Source, Text
from llmiq.store import saved_banks
from llmiq.store.database import Database, open_database

SEED = resolve_bank("seed")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    opened = open_database(database_url)
    yield opened
    opened.close()


def test_save_list_replace_and_delete(database: Database) -> None:
    other = SEED.model_copy(update={"id": "other"})
    assert saved_banks.save_bank(database, other) is False
    assert saved_banks.save_bank(database, SEED) is False
    assert saved_banks.save_bank(database, SEED) is True  # the second save replaces
    entries = saved_banks.saved_entries(database)
    assert [e.id for e in entries] == ["other", "seed"]
    assert load_entry(entries[1]) == SEED
    with database.transaction() as session:
        assert saved_banks.delete_saved_bank(session, "other") is True
        assert saved_banks.delete_saved_bank(session, "other") is False
        assert [bank_id for bank_id, _ in saved_banks.saved_digests(session)] == ["seed"]


def test_long_titles_and_sources_fit_the_columns_and_the_yaml_keeps_them(
    database: Database,
) -> None:
    long = SEED.model_copy(
        update={
            "id": "long",
            "title": Text(en="T" * 2000),
            "source": Source(url="https://example.org/" + "p" * 3000),
        }
    )
    saved_banks.save_bank(database, long)
    with database.transaction() as session:
        (row,) = saved_banks.saved_banks(session)
    assert len(row.title) == saved_banks.TITLE_CHARS
    assert row.source is not None
    assert len(row.source) == saved_banks.SOURCE_CHARS
    (entry,) = saved_banks.saved_entries(database)
    assert load_entry(entry).title.en == "T" * 2000


def test_adopted_files_are_cut_to_the_columns_too(database_url: str, data_home: Path) -> None:
    folder = data_home / "banks"
    folder.mkdir()
    write_bank_file(
        SEED.model_copy(update={"id": "old", "title": Text(en="Q" * 900)}), folder / "old.yaml"
    )
    (folder / "broken.yaml").write_text("id: [", "utf-8")
    database = open_database(database_url)  # opened after the files are there
    assert saved_banks.adopt_bank_files(database) == ["old"]
    assert saved_banks.adopt_bank_files(database) == []  # once only
    with database.transaction() as session:
        (row,) = saved_banks.saved_banks(session)
    database.close()
    assert row.id == "old"
    assert len(row.title) == saved_banks.TITLE_CHARS
