"""Import interview-question articles as banks."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from llmiq.bulk import paused_gc
from llmiq.errors import LlmiqError
from llmiq.ingest.article import ImportResult, SkippedLines, accepted_variants, parse_article
from llmiq.textfile import read_text

__all__ = [
    "ImportResult",
    "SkippedLines",
    "accepted_variants",
    "bank_id_from",
    "import_article",
    "import_text",
    "parse_article",
]

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
    return import_text(read_text(path), name=str(path), bank_id=bank_id, title=title)


def import_text(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse an article's text (``name`` says where it came from in messages); an empty text
    or an HTML page is one :class:`LlmiqError` sentence."""
    if not text.strip():
        raise LlmiqError(f"{name}: is empty")
    if looks_like_html_page(text):
        raise LlmiqError(
            f"{name}: is an HTML page, not an article's text; save the page as text or Markdown "
            "and import that"
        )
    with paused_gc():
        return parse_article(text, name=name, bank_id=bank_id, title=title)


def bank_id_from(name: str) -> str:
    """A bank id from a file name: ``"LLM Interview Qs"`` -> ``"llm-interview-qs"``; a name with
    no Latin letters (``"面试题"``) gets ``"article-"`` and a short hash, so two such files do
    not overwrite each other."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:80].strip("-")
    if slug:
        return slug
    return "article-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
