"""The one way commands reach the progress database: opened on first use, once, with the
banks of llmiq 0.1 adopted; and the profile whose progress a command records."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy: keep it off the --help path
    from llmiq.bank.catalog import BankEntry
    from llmiq.bank.model import AnyBank, Bank
    from llmiq.practice.recording import Practice
    from llmiq.store.database import Database
    from llmiq.store.lite import LiteDatabase


class DatabaseOpener:
    """Opens the database named by ``--database-url`` the first time it is called."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._database: Database | None = None

    def check(self) -> None:
        """Refuse a URL that does not parse or names a missing driver, connecting to nothing;
        for the default database, a data directory that cannot be made (SQLAlchemy is not
        imported for that)."""
        from llmiq.store.defaults import (
            default_database_path,
            make_database_folder,
            names_another_database,
        )

        if not names_another_database(self.url):
            make_database_folder(default_database_path())
            return
        from llmiq.store.database import check_database_url

        check_database_url(self.url)

    def __call__(self) -> Database:
        if self._database is None:
            from llmiq.store.database import open_database
            from llmiq.store.saved_banks import adopt_bank_files

            database = open_database(self.url)
            adopt_bank_files(database)
            self._database = database
        return self._database

    def saved_entries(self) -> list[BankEntry]:
        from llmiq.store.saved_banks import saved_entries

        return saved_entries(self())

    def bank(self, ref: str) -> Bank:
        """A bank by built-in id, file path or saved id (the database opened only for the
        last)."""
        from llmiq.bank.catalog import resolve_bank

        return resolve_bank(ref, self.saved_entries)

    def quiz_bank(self, ref: str) -> AnyBank:
        """As :meth:`bank`, but a built-in bank comes from its validated cache, as a record
        (pydantic is not imported for it)."""
        from llmiq.bank.cache import builtin_record

        return builtin_record(ref) or self.bank(ref)

    def checked_lite(self) -> LiteDatabase | None:
        """The default database through sqlite3 when it is at the current schema, else None;
        either way an SQLite file found damaged as it is opened (its header, and ``PRAGMA
        quick_check`` up to 16 MB: :func:`llmiq.store.integrity.check_file`) is
        :class:`~llmiq.store.errors.DatabaseCorrupt`. Quick: the quiz waits for it before
        its first question (SQLAlchemy is imported only for a URL given explicitly)."""
        from llmiq.store.defaults import names_another_database

        if not names_another_database(self.url):
            from llmiq.store.lite import open_default_lite_database

            return open_default_lite_database(self.url)
        from llmiq.store.database import database_url, sqlite_path
        from llmiq.store.integrity import check_file

        path = sqlite_path(database_url(self.url))
        if path is not None:
            check_file(path)
        return None

    def recording_practice(
        self, profile: str, bank: AnyBank, lite: LiteDatabase | None = None
    ) -> Practice:
        """The practice a quiz records ``profile``'s answers with, ``bank``'s edited questions
        already sent back to relearning. The default database at the current schema is
        written through sqlite3 (``lite``, from :meth:`checked_lite`; :mod:`llmiq.store.lite`:
        SQLAlchemy takes longer to import than the rest of a short quiz takes to run); any
        other through SQLAlchemy."""
        from llmiq.practice.recording import Practice

        practice = Practice(lite or self(), profile)
        practice.sync(bank)
        return practice

    def practice(self, profile: str | None) -> Practice:
        from llmiq.practice.recording import Practice

        return Practice(self(), profile_name(profile))


def profile_name(profile: str | None) -> str:
    """``--profile``, else the default profile of config.toml, else the OS user name."""
    from llmiq.config import check_profile_name, default_profile, load_settings

    return check_profile_name(profile) if profile else default_profile(load_settings())
