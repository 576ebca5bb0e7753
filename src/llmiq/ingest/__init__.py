"""Import interview-question articles as banks. Names are imported on first use (PEP 562),
so that the registry of import formats alone loads no parser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmiq.lazy import lazy_attributes

if TYPE_CHECKING:
    from llmiq.ingest.article import parse_article
    from llmiq.ingest.formats import IMPORT_FORMATS, ImportFormat, import_format
    from llmiq.ingest.importing import bank_id_from, import_article, import_text
    from llmiq.ingest.result import ImportResult, SkippedLines
    from llmiq.ingest.yes_no import accepted_variants

__all__ = [
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
]
_HOMES = {
    "IMPORT_FORMATS": "formats",
    "ImportFormat": "formats",
    "import_format": "formats",
    "ImportResult": "result",
    "SkippedLines": "result",
    "accepted_variants": "yes_no",
    "parse_article": "article",
    "bank_id_from": "importing",
    "import_article": "importing",
    "import_text": "importing",
}

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES)
