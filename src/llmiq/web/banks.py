"""The banks the web app serves: built-in ones parsed once, imported ones parsed again only
when their content changes (the database says which version is current).

An imported bank that no longer validates (saved by an older llmiq with looser rules, or
edited in the database) is left out of every list instead of failing it: the other banks
keep working, its own pages say it cannot be read, and the admin page lists it with the
reason (:meth:`BankShelf.unreadable`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from llmiq.bank.catalog import BankEntry, builtin_entries, load_entry
from llmiq.bank.model import Bank
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.store import saved_banks
from llmiq.store.database import Database
from llmiq.web.errors import NotFound


@dataclass(frozen=True)
class ShelvedBank:
    bank: Bank
    origin: str  # "built-in" or "imported"


class UnknownBank(NotFound):
    """No bank has this id."""


class UnreadableBank(LlmiqError):
    """An imported bank is stored, but its content does not validate."""

    def __init__(self, bank_id: str, problem: str) -> None:
        super().__init__(f"the imported bank {bank_id!r} cannot be read: {problem}")
        self.bank_id, self.problem = bank_id, problem


class BankShelf:
    """Parsed banks by id. Thread-safe: request handlers run in a thread pool.

    A built-in bank is parsed the first time it is asked for, not when the app starts:
    validating all of them takes about half a second that a server answering one bank, or a
    test making its own app, need not spend."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._entries = {entry.id: entry for entry in builtin_entries()}
        self._builtin: dict[str, ShelvedBank] = {}
        self._builtin_lock = threading.Lock()
        self._imported: dict[str, tuple[str, ShelvedBank]] = {}  # id -> (content hash, bank)
        self._unreadable: dict[str, tuple[str, str]] = {}  # id -> (content hash, problem)
        self._lock = threading.Lock()

    def _builtin_bank(self, bank_id: str) -> ShelvedBank:
        with self._builtin_lock:
            shelved = self._builtin.get(bank_id)
            if shelved is None:
                shelved = ShelvedBank(load_entry(self._entries[bank_id]), "built-in")
                self._builtin[bank_id] = shelved
            return shelved

    def get(self, bank_id: str) -> ShelvedBank:
        if bank_id in self._entries:
            return self._builtin_bank(bank_id)
        with self.database.reading() as session:
            digest = saved_banks.saved_digest(session, bank_id)
            if digest is None:
                raise UnknownBank(N_("no bank named {bank}"), bank=repr(bank_id))
            cached = self._imported.get(bank_id)
            if cached is not None and cached[0] == digest:
                return cached[1]
            broken = self._unreadable.get(bank_id)
            if broken is not None and broken[0] == digest:
                raise UnreadableBank(bank_id, broken[1])
            content = saved_banks.saved_content(session, bank_id)
        return self._remember(bank_id, digest, content or "")

    async def aget(self, bank_id: str) -> ShelvedBank:
        """:meth:`get` for async routes: built-in banks already parsed at once, anything else
        (parsing, or a database query) in the thread pool, never blocking the event loop."""
        if (shelved := self._builtin.get(bank_id)) is not None:
            return shelved
        return await run_in_threadpool(self.get, bank_id)

    def all(self) -> list[ShelvedBank]:
        """Built-in banks, then the imported ones that can be read, each sorted by id."""
        imported, _ = self._imported_banks()
        return [self._builtin_bank(bank_id) for bank_id in self._entries] + imported

    def unreadable(self) -> dict[str, str]:
        """The imported banks that cannot be read, by id, with the reason."""
        return self._imported_banks()[1]

    def _imported_banks(self) -> tuple[list[ShelvedBank], dict[str, str]]:
        with self.database.reading() as session:
            stored = saved_banks.saved_digests(session)
        imported, unreadable = [], {}
        for bank_id, digest in sorted(stored):
            cached = self._imported.get(bank_id)
            if cached is not None and cached[0] == digest:
                imported.append(cached[1])
                continue
            try:
                imported.append(self.get(bank_id))
            except UnreadableBank as exc:
                unreadable[bank_id] = exc.problem
            except UnknownBank:  # deleted since the list was read
                continue
        return imported, unreadable

    def is_builtin(self, bank_id: str) -> bool:
        return bank_id in self._entries

    def _remember(self, bank_id: str, digest: str, content: str) -> ShelvedBank:
        try:
            bank = load_entry(BankEntry(bank_id, "imported", lambda: content))
        except LlmiqError as exc:  # remembered too: it is not parsed again until it changes
            with self._lock:
                self._unreadable[bank_id] = (digest, str(exc))
            raise UnreadableBank(bank_id, str(exc)) from None
        shelved = ShelvedBank(bank, "imported")
        with self._lock:
            self._imported[bank_id] = (digest, shelved)
        return shelved
