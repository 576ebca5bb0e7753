"""Write a bank as JSON, CSV, Markdown or an Anki deck; :data:`EXPORT_FORMATS` lists them by
name for every front end. Names are imported on first use (PEP 562), so that the registry
alone loads no writer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmiq.lazy import lazy_attributes

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

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES)
