"""The public surface of each package is exactly what we mean it to be: its ``__all__``
equals the names below (a name added or dropped is a decision, made here), and every name
in it resolves."""

from __future__ import annotations

import importlib

import pytest

SURFACES = {
    "llmiq.bank": {
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
    },
    "llmiq.ingest": {
        "IMPORT_FORMATS",
        "ImportFormat",
        "ImportResult",
        "SkippedLines",
        "accepted_variants",
        "bank_id_from",
        "import_article",
        "import_format",
        "import_text",
        "parse_article",
    },
    "llmiq.export": {
        "EXPORT_FORMATS",
        "ExportFormat",
        "apkg_bytes",
        "bank_to_apkg",
        "bank_to_csv",
        "bank_to_json",
        "bank_to_markdown",
        "export_format",
    },
    "llmiq.exam": {"BACKENDS", "ModelBackend", "Scores", "ScoringRequest"},
    "llmiq.messages": {
        "DOMAIN",
        "LOCALE_DIR",
        "Message",
        "N_",
        "catalog",
        "entries",
        "error_text",
        "plural_translator",
        "topic_translator",
        "translator",
    },
    "llmiq.cli": {"cli", "main"},
}


@pytest.mark.parametrize("module_name", sorted(SURFACES))
def test_public_names_are_exactly_the_surface(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == SURFACES[module_name]
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{module_name}.{name} does not resolve"


def test_unknown_names_are_attribute_errors() -> None:
    for module_name in ("llmiq.ingest", "llmiq.export"):  # the lazily importing packages
        module = importlib.import_module(module_name)
        with pytest.raises(AttributeError, match="no_such_name"):
            _ = module.no_such_name
