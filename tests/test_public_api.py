"""The public surface of each package is what its ``__all__`` says, and nothing is missing."""

from __future__ import annotations

import importlib

import pytest

SURFACES = {
    "llmiq.bank": {"Bank", "Question", "Option", "Text", "load_bank_file", "resolve_bank"},
    "llmiq.ingest": {"import_article", "parse_article", "ImportResult"},
    "llmiq.export": {"bank_to_json", "bank_to_csv", "bank_to_markdown", "bank_to_apkg"},
}


@pytest.mark.parametrize("module_name", sorted(SURFACES))
def test_public_names_exist_and_are_exported(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert SURFACES[module_name] <= set(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.__all__ names missing {name}"
