"""Find banks by name: built-in banks shipped with llmiq, banks imported into the database,
or a bank file given by path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from llmiq.bank.files import check_bank_text, load_bank_file
from llmiq.bank.model import Bank
from llmiq.errors import LlmiqError

if TYPE_CHECKING:
    from llmiq.store.database import Database

#: Opens the progress database on demand: built-in banks and files need none.
DatabaseOpener = Callable[[], "Database"]


@dataclass(frozen=True)
class BankEntry:
    id: str
    origin: str  # "built-in" or "imported"
    text: Callable[[], str]  # the bank's YAML


def builtin_entries() -> list[BankEntry]:
    folder = files("llmiq.bank").joinpath("data")
    entries = [
        BankEntry(
            item.name.removesuffix(".yaml"), "built-in", lambda item=item: item.read_text("utf-8")
        )
        for item in folder.iterdir()
        if item.name.endswith(".yaml")
    ]
    return sorted(entries, key=lambda e: e.id)


def imported_entries(database: Database) -> list[BankEntry]:
    from llmiq.store import progress

    with database.transaction() as session:
        stored = [(bank.id, bank.content) for bank in progress.stored_banks(session)]
    return [BankEntry(bank_id, "imported", lambda c=content: c) for bank_id, content in stored]


def load_entry(entry: BankEntry) -> Bank:
    bank, problems = check_bank_text(entry.text(), f"{entry.origin} bank {entry.id}")
    if bank is None:
        if entry.origin == "built-in":  # a packaging bug, not a user error: say so loudly
            raise RuntimeError("; ".join(str(p) for p in problems))
        raise LlmiqError(str(problems[0]))
    return bank


def is_builtin(bank_id: str) -> bool:
    return any(e.id == bank_id for e in builtin_entries())


def resolve_bank(ref: str, open_database: DatabaseOpener | None = None) -> Bank:
    """A bank by built-in id, path to a bank file, or id of an imported bank (the database
    is opened only for the last)."""
    looks_like_path = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    for entry in builtin_entries():
        if entry.id == ref and not looks_like_path:
            return load_entry(entry)
    if looks_like_path or Path(ref).is_file():
        return load_bank_file(Path(ref))
    known = [e.id for e in builtin_entries()]
    if open_database is not None:
        imported = imported_entries(open_database())
        for entry in imported:
            if entry.id == ref:
                return load_entry(entry)
        known += [e.id for e in imported]
    raise LlmiqError(
        f"no bank named {ref!r}; known banks: {', '.join(known)} (or give a path to a .yaml file)"
    )


def store_bank(database: Database, bank: Bank, *, title_lang: str = "en") -> bool:
    """Save an imported bank in the database, where every front end finds it by id; returns
    True when it replaced an earlier import of the same id."""
    import hashlib

    from llmiq.bank.files import dump_bank_yaml
    from llmiq.practice.scheduling import utc_now
    from llmiq.store import progress

    content = dump_bank_yaml(bank)
    with database.transaction() as session:
        return progress.save_bank(
            session,
            bank_id=bank.id,
            title=bank.title.get(title_lang)[:500],  # the columns' sizes; the YAML keeps all
            content=content,
            content_hash=hashlib.sha256(content.encode("utf-8")).hexdigest(),
            source=bank.source.url[:1000] if bank.source and bank.source.url else None,
            now=utc_now(),
        )
