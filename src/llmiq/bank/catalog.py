"""Find banks by name: built-in banks shipped with llmiq, a bank file given by path, or a bank
saved in the database (listed by the store: this package runs no SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from llmiq.bank.files import check_bank_text, load_bank_file
from llmiq.bank.model import Bank
from llmiq.errors import LlmiqError

#: Lists the banks saved in the database, called only when a name is neither built in nor a
#: file, so that the database is opened only when needed (the store provides it).
SavedEntries = Callable[[], list["BankEntry"]]


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


def load_entry(entry: BankEntry) -> Bank:
    bank, problems = check_bank_text(entry.text(), f"{entry.origin} bank {entry.id}")
    if bank is None:
        if entry.origin == "built-in":  # a packaging bug, not a user error: say so loudly
            raise RuntimeError("; ".join(str(p) for p in problems))
        raise LlmiqError(str(problems[0]))
    return bank


def is_builtin(bank_id: str) -> bool:
    return any(e.id == bank_id for e in builtin_entries())


def resolve_bank(ref: str, saved: SavedEntries | None = None) -> Bank:
    """A bank by built-in id, path to a bank file, or id of a saved bank (``saved`` is called
    only for the last)."""
    looks_like_path = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    for entry in builtin_entries():
        if entry.id == ref and not looks_like_path:
            return load_entry(entry)
    if looks_like_path or Path(ref).is_file():
        return load_bank_file(Path(ref))
    known = [e.id for e in builtin_entries()]
    if saved is not None:
        imported = saved()
        for entry in imported:
            if entry.id == ref:
                return load_entry(entry)
        known += [e.id for e in imported]
    raise LlmiqError(
        f"no bank named {ref!r}; known banks: {', '.join(known)} (or give a path to a .yaml file)"
    )
