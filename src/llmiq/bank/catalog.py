"""Find banks by name: built-in banks shipped with llmiq, a bank file given by path, or a bank
saved in the database (listed by the store: this package runs no SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llmiq.bank.builtin import ALL_AREAS, builtin_files, looks_like_path
from llmiq.bank.files import check_bank_text, dump_bank_yaml, load_bank_file
from llmiq.bank.model import Bank, Text
from llmiq.errors import LlmiqError
from llmiq.messages import N_

#: Lists the banks saved in the database, called only when a name is neither built in nor a
#: file, so that the database is opened only when needed (the store provides it).
SavedEntries = Callable[[], list["BankEntry"]]


@dataclass(frozen=True)
class BankEntry:
    id: str
    origin: str  # "built-in" or "imported"
    text: Callable[[], str]  # the bank's YAML
    #: builds the bank without YAML (the bank of all curated areas is made of the others)
    build: Callable[[], Bank] | None = None


def _file_entries() -> list[BankEntry]:
    return [
        BankEntry(bank_id, "built-in", lambda path=path: path.read_text("utf-8"))
        for bank_id, path in builtin_files().items()
    ]


def area_banks() -> list[Bank]:
    """The curated built-in banks, one per area (the built-in banks that name an area)."""
    banks = [load_entry(entry) for entry in _file_entries()]
    return [bank for bank in banks if bank.area is not None]


def all_areas_bank() -> Bank:
    """Every curated question in one bank, each tagged with the id of its area bank."""
    areas = area_banks()
    return Bank(
        id=ALL_AREAS,
        title=Text(zh="大模型面试题：全部领域", en="LLM interview questions: every area"),
        description=Text(
            zh="llmiq 精选题库各领域的全部题目，可一次练习所有领域。",
            en="Every question of llmiq's curated area banks, to practise all areas at once.",
        ),
        area=Text(zh="全部领域", en="All areas"),
        questions=[
            question.model_copy(update={"area": bank.id})
            for bank in areas
            for question in bank.questions
        ],
    )


def builtin_entries() -> list[BankEntry]:
    """The bank files shipped in ``bank/data``, and ``all-areas`` made of the curated ones
    (listing reads no file: each entry loads its bank when asked)."""
    combined = BankEntry(
        ALL_AREAS, "built-in", lambda: dump_bank_yaml(all_areas_bank()), build=all_areas_bank
    )
    return sorted([*_file_entries(), combined], key=lambda e: e.id)


def backing_questions() -> dict[str, list[str]]:
    """lab id -> the built-in questions that name it, as ``bank/question``."""
    backed: dict[str, list[str]] = {}
    for entry in _file_entries():
        bank = load_entry(entry)
        for question in bank.questions:
            if question.lab is not None:
                backed.setdefault(question.lab, []).append(f"{bank.id}/{question.id}")
    return backed


def load_entry(entry: BankEntry) -> Bank:
    if entry.build is not None:
        return entry.build()
    bank, problems = check_bank_text(entry.text(), f"{entry.origin} bank {entry.id}")
    if bank is None:
        if entry.origin == "built-in":  # a packaging bug, not a user error: say so loudly
            raise RuntimeError("; ".join(str(p) for p in problems))
        raise LlmiqError(N_("{problem}"), problem=problems[0])
    return bank


def is_builtin(bank_id: str) -> bool:
    return any(e.id == bank_id for e in builtin_entries())


def resolve_bank(ref: str, saved: SavedEntries | None = None) -> Bank:
    """A bank by built-in id, path to a bank file, or id of a saved bank (``saved`` is called
    only for the last)."""
    path_like = looks_like_path(ref)
    for entry in builtin_entries():
        if entry.id == ref and not path_like:
            return load_entry(entry)
    if path_like or Path(ref).is_file():
        return load_bank_file(Path(ref))
    known = [e.id for e in builtin_entries()]
    if saved is not None:
        imported = saved()
        for entry in imported:
            if entry.id == ref:
                return load_entry(entry)
        known += [e.id for e in imported]
    raise LlmiqError(
        N_("no bank named {bank}; known banks: {known} (or give a path to a .yaml file)"),
        bank=repr(ref),
        known=", ".join(known),
    )
