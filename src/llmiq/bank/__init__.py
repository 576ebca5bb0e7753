"""Question banks: the model, YAML files with located problems, and the catalogue of banks.

Names are imported on first use (PEP 562): the quiz reads built-in banks from their cache
(:mod:`llmiq.bank.cache`) without importing pydantic or PyYAML, which this package's modules
need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmiq.lazy import lazy_attributes

if TYPE_CHECKING:
    from llmiq.bank.catalog import BankEntry, builtin_entries, resolve_bank
    from llmiq.bank.files import (
        BankFileError,
        FileProblem,
        check_bank_file,
        dump_bank_yaml,
        load_bank_file,
        write_bank_file,
    )
    from llmiq.bank.model import Bank, Kind, Option, Question, Source, Text

__all__ = [
    "Bank",
    "BankEntry",
    "BankFileError",
    "FileProblem",
    "Kind",
    "Option",
    "Question",
    "Source",
    "Text",
    "builtin_entries",
    "check_bank_file",
    "dump_bank_yaml",
    "load_bank_file",
    "resolve_bank",
    "write_bank_file",
]
_HOMES = {
    "BankEntry": "catalog",
    "builtin_entries": "catalog",
    "resolve_bank": "catalog",
    "BankFileError": "files",
    "FileProblem": "files",
    "check_bank_file": "files",
    "dump_bank_yaml": "files",
    "load_bank_file": "files",
    "write_bank_file": "files",
    "Bank": "model",
    "Kind": "model",
    "Option": "model",
    "Question": "model",
    "Source": "model",
    "Text": "model",
}

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES)
