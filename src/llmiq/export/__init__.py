"""Write a bank as JSON, CSV, Markdown or an Anki deck; :data:`EXPORT_FORMATS` lists them by
name for every front end. Names are imported on first use (PEP 562), so that the registry
alone loads no writer."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmiq.export.anki import apkg_bytes, bank_to_apkg
    from llmiq.export.formats import EXPORT_FORMATS, ExportFormat, export_format
    from llmiq.export.markdown import bank_to_markdown
    from llmiq.export.tables import bank_to_csv, bank_to_json

__all__ = [
    "EXPORT_FORMATS",
    "ExportFormat",
    "apkg_bytes",
    "bank_to_apkg",
    "bank_to_csv",
    "bank_to_json",
    "bank_to_markdown",
    "export_format",
]
_HOMES = {
    "EXPORT_FORMATS": "formats",
    "ExportFormat": "formats",
    "export_format": "formats",
    "apkg_bytes": "anki",
    "bank_to_apkg": "anki",
    "bank_to_markdown": "markdown",
    "bank_to_csv": "tables",
    "bank_to_json": "tables",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


def __dir__() -> list[str]:
    return __all__
