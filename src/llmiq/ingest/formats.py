"""The import formats by name, for every front end: ``llmiq import --format NAME`` and the
web app's import page parse through this one table. A new input kind (an HTML page, a URL)
is a parser and one entry here; ``auto`` picks the format from the file name, then the text
(a page of HTML is ``html``, AsciiDoc saved as ``.txt`` is ``asciidoc``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmiq.errors import LlmiqError
from llmiq.lazy import import_object
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.article import ImportResult

AUTO = "auto"


@dataclass(frozen=True)
class ImportFormat:
    name: str  # what users type: ``--format markdown``
    suffixes: tuple[str, ...]  # file name suffixes it claims, without the dot
    description: str  # one line for help texts
    parser: str  # "module:function", called as function(text, name=, bank_id=, title=)
    reads_html: bool = False  # else a saved web page is refused before parsing

    def parse(self, text: str, *, name: str, bank_id: str, title: str | None) -> ImportResult:
        """A bank from ``text``; ``name`` says where the text came from, in messages."""
        parser = import_object(self.parser)
        return parser(text, name=name, bank_id=bank_id, title=title)


IMPORT_FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat("text", ("txt", "text"), "an article as plain text",
                 "llmiq.ingest.article:parse_article"),
    ImportFormat("markdown", ("md", "markdown"), "an article in Markdown",
                 "llmiq.ingest.article:parse_article"),
    ImportFormat("html", ("html", "htm"), "a saved web page (its article is extracted)",
                 "llmiq.ingest.html:parse_html_page", reads_html=True),
    ImportFormat("asciidoc", ("adoc", "asciidoc", "asc"), "an article in AsciiDoc",
                 "llmiq.ingest.asciidoc:parse_asciidoc"),
    ImportFormat("latex", ("tex", "latex", "ltx"), "an exam paper in LaTeX (the exam class)",
                 "llmiq.ingest.latex:parse_latex"),
    ImportFormat("org", ("org",), "notes in Org mode",
                 "llmiq.ingest.org:parse_org"),
    ImportFormat("rst", ("rst", "rest"), "an article in reStructuredText (Sphinx docs)",
                 "llmiq.ingest.rst:parse_rst"),
    ImportFormat("flashcards", ("tsv",), "flashcards exported by Anki or Quizlet (a row a card)",
                 "llmiq.ingest.flashcards:parse_flashcards"),
    ImportFormat("gift", ("gift",), "a quiz in Moodle's GIFT format",
                 "llmiq.ingest.gift:parse_gift"),
    ImportFormat("csv", ("csv",), "a question bank exported as CSV from Excel, WPS or an exam "
                 "system (a header row, a row a question)", "llmiq.ingest.csv_bank:parse_csv_bank"),
)  # fmt: skip

#: The formats told by their text when a file's name says nothing (``.txt``, pasted text),
#: in the order they are tried: each detector is conservative, so Markdown and plain text
#: stay ``text``.
_DETECTORS: tuple[tuple[str, str], ...] = (
    ("latex", "llmiq.ingest.latex:looks_like_latex"),
    ("gift", "llmiq.ingest.gift:looks_like_gift"),
    ("org", "llmiq.ingest.org:looks_like_org"),
    ("csv", "llmiq.ingest.csv_bank:looks_like_csv_bank"),
    ("flashcards", "llmiq.ingest.flashcards:looks_like_flashcards"),
    ("rst", "llmiq.ingest.rst_inline:looks_like_rst"),
    ("asciidoc", "llmiq.ingest.asciidoc_inline:looks_like_asciidoc"),
)

_PAGE_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.I | re.S,
)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def import_format_names() -> list[str]:
    return [fmt.name for fmt in IMPORT_FORMATS]


def import_format(name: str) -> ImportFormat:
    """The format called ``name``; raises :class:`LlmiqError` naming the known ones."""
    for fmt in IMPORT_FORMATS:
        if fmt.name == name:
            return fmt
    known = ", ".join([AUTO, *import_format_names()])
    raise LlmiqError(N_("no import format {name}; formats: {known}"), name=repr(name), known=known)


_ANKI_HEADER = re.compile(r"^\ufeff?#(?:separator|html|columns|notetype column|deck column):", re.I)


def looks_like_html_page(text: str) -> bool:
    """A whole HTML document, or text that is mostly tags. An article with a few inline tags
    (``<br>``, a ``<script>`` shown as an example) is still an article, and an Anki export
    says what it is in its header, however much HTML its cards hold."""
    if _ANKI_HEADER.match(text):
        return False
    if _PAGE_START.match(text[:4096]):
        return True
    tags = _ANY_TAG.findall(text[:200_000])
    return len(tags) >= 20 and sum(map(len, tags)) > 0.3 * len(text[:200_000])


def format_for_suffix(name: str) -> ImportFormat | None:
    """The format that claims the suffix of ``name`` (a file name or a URL's path), if any."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for fmt in IMPORT_FORMATS:
        if suffix in fmt.suffixes:
            return fmt
    return None


def detect_import_format(name: str, text: str = "") -> ImportFormat:
    """The format for ``text`` called ``name`` (a file name, or "the pasted text"): HTML when
    the text is a web page, whatever its name says (pages get saved as ``.txt``, or pasted);
    else the format that claims the name's suffix (a ``.tsv`` whose first row names a question
    bank's columns is a CSV bank, not flashcards); else LaTeX, a GIFT quiz, Org, a CSV
    question bank, a flashcard export, reST or AsciiDoc when the text is written in one (they
    get saved as ``.txt`` too); else plain text (Markdown is parsed the same way)."""
    if looks_like_html_page(text):
        return import_format("html")
    claimed = format_for_suffix(name)
    if claimed is not None and claimed.name == "flashcards" and _looks_like_csv_bank(text):
        return import_format("csv")
    if claimed is not None and claimed.name != "text":
        return claimed
    for fmt_name, detector in _DETECTORS:
        if import_object(detector)(text):
            return import_format(fmt_name)
    return import_format("text")


def _looks_like_csv_bank(text: str) -> bool:
    return bool(import_object("llmiq.ingest.csv_bank:looks_like_csv_bank")(text))


def refuse_html_page(text: str, name: str, fmt: ImportFormat) -> None:
    """A saved web page given to a parser of article text (``--format text``) is one
    sentence, not a bank made of tags."""
    if not fmt.reads_html and looks_like_html_page(text):
        raise LlmiqError(
            N_(
                "{name}: is an HTML page, not an article's text; import it with format html "
                "(or auto) to extract its article"
            ),
            name=name,
        )
