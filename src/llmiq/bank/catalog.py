"""Find banks by name: built-in banks shipped with llmiq, banks imported into the data
directory, or a bank file given by path."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from llmiq.bank.files import check_bank_text, load_bank_file
from llmiq.bank.model import Bank
from llmiq.errors import LlmiqError
from llmiq.paths import imported_banks_dir


@dataclass(frozen=True)
class BankEntry:
    id: str
    origin: str  # "built-in" or "imported"
    path: Traversable  # a package resource for built-in banks (maybe inside a zip), else a Path


def builtin_entries() -> list[BankEntry]:
    folder = files("llmiq.bank").joinpath("data")
    return sorted(
        (
            BankEntry(item.name.removesuffix(".yaml"), "built-in", item)
            for item in folder.iterdir()
            if item.name.endswith(".yaml")
        ),
        key=lambda e: e.id,
    )


def imported_entries() -> list[BankEntry]:
    folder = imported_banks_dir()
    if not folder.is_dir():
        return []
    return [BankEntry(p.stem, "imported", p) for p in sorted(folder.glob("*.yaml"))]


def all_entries() -> list[BankEntry]:
    return builtin_entries() + imported_entries()


def load_entry(entry: BankEntry) -> Bank:
    if entry.origin == "built-in":
        bank, problems = check_bank_text(entry.path.read_text("utf-8"), f"built-in bank {entry.id}")
        if bank is None:  # a packaging bug, not a user error: say so loudly
            raise RuntimeError("; ".join(str(p) for p in problems))
        return bank
    return load_bank_file(Path(str(entry.path)))


def is_builtin(bank_id: str) -> bool:
    return any(e.id == bank_id for e in builtin_entries())


def resolve_bank(ref: str) -> Bank:
    """A bank by built-in id, imported id, or path to a bank file (in that order for a bare
    name; anything that looks like a path is read as a file)."""
    looks_like_path = ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref
    if not looks_like_path:
        for entry in all_entries():
            if entry.id == ref:
                return load_entry(entry)
    if Path(ref).is_file() or looks_like_path:
        return load_bank_file(Path(ref))
    known = ", ".join(e.id for e in all_entries())
    raise LlmiqError(
        f"no bank named {ref!r}; known banks: {known} (or give a path to a .yaml file)"
    )
