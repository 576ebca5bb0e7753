"""Read an article in one of the import formats and parse it into a bank: what
``llmiq import`` and the web app's import page both call."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from llmiq.bulk import paused_gc
from llmiq.errors import LlmiqError
from llmiq.ingest.article import ImportResult
from llmiq.ingest.formats import (
    AUTO,
    detect_import_format,
    format_for_suffix,
    import_format,
    looks_like_html_page,
    refuse_html_page,
)
from llmiq.ingest.html import decode_page
from llmiq.messages import N_
from llmiq.textfile import decode_text, read_bytes


def import_article(
    path: Path, *, bank_id: str, title: str | None = None, format: str = AUTO
) -> ImportResult:
    """Read and parse an article file; every failure is one :class:`LlmiqError` sentence."""
    name = str(path)
    text = decode_article(read_bytes(path), name=name, format=format)
    return import_text(text, name=name, bank_id=bank_id, title=title, format=format)


def decode_article(raw: bytes, *, name: str, format: str = AUTO) -> str:
    """The text of an article file or upload called ``name``: a web page in any charset its
    ``<meta charset>`` names (GBK, ...), anything else in UTF-8, UTF-16 with a byte-order
    mark or, for Chinese text that is not UTF-8, GB18030 (GBK)."""
    if format == AUTO:
        claimed = format_for_suffix(Path(name).name)
        page = looks_like_html_page(raw[:4096].decode("latin-1"))
        is_page = page or (claimed is not None and claimed.reads_html)
    else:
        is_page = import_format(format).reads_html
    return decode_page(raw, name=name) if is_page else decode_text(raw, name, saved_article=True)


def import_text(
    text: str, *, name: str, bank_id: str, title: str | None = None, format: str = AUTO
) -> ImportResult:
    """Parse an article's text with the import format called ``format`` (``auto``: from
    ``name``, which also says where the text came from in messages, else from the text: a
    web page is HTML). An empty text, or an HTML page given to a parser of text, is one
    :class:`LlmiqError` sentence."""
    if not text.strip():
        raise LlmiqError(N_("{name}: is empty"), name=name)
    fmt = detect_import_format(name, text) if format == AUTO else import_format(format)
    refuse_html_page(text, name, fmt)
    with paused_gc():
        return fmt.parse(text, name=name, bank_id=bank_id, title=title)


def bank_id_from(name: str) -> str:
    """A bank id from a file name: ``"LLM Interview Qs"`` -> ``"llm-interview-qs"``; a name with
    no Latin letters (``"面试题"``) gets ``"article-"`` and a short hash, so two such files do
    not overwrite each other."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:80].strip("-")
    if slug:
        return slug
    return "article-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
