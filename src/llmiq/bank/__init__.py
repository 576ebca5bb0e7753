"""Question banks: the model, YAML files with located problems, and the catalogue of banks."""

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
