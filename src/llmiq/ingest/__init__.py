"""Import interview-question articles as banks."""

from __future__ import annotations

import re
from pathlib import Path

from llmiq.bulk import paused_gc
from llmiq.errors import LlmiqError
from llmiq.ingest.article import ImportResult, SkippedLines, accepted_variants, parse_article
from llmiq.textfile import read_text

__all__ = ["ImportResult", "SkippedLines", "accepted_variants", "import_article", "parse_article"]

_PAGE_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.I | re.S,
)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def looks_like_html_page(text: str) -> bool:
    """A whole HTML document, or text that is mostly tags. An article with a few inline tags
    (``<br>``, a ``<script>`` shown as an example) is still an article."""
    if _PAGE_START.match(text[:4096]):
        return True
    tags = _ANY_TAG.findall(text[:200_000])
    return len(tags) >= 20 and sum(map(len, tags)) > 0.3 * len(text[:200_000])


def import_article(path: Path, *, bank_id: str, title: str | None = None) -> ImportResult:
    """Read and parse an article file; every failure is one :class:`LlmiqError` sentence."""
    text = read_text(path)
    if not text.strip():
        raise LlmiqError(f"{path}: is empty")
    if looks_like_html_page(text):
        raise LlmiqError(
            f"{path}: is an HTML page, not an article's text; save the page as text or Markdown "
            "and import that"
        )
    with paused_gc():
        return parse_article(text, name=str(path), bank_id=bank_id, title=title)
