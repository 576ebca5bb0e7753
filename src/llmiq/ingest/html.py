"""A saved web page becomes the text of its article, which the article parser then reads.

Two steps. readability-lxml (a port of Mozilla's Readability) picks the element holding the
article and drops the page around it: navigation, sidebars, comments, footers, banners. Then
:class:`_Writer` turns that HTML into the Markdown-like text the parser knows: ``#`` headings,
one line per list item, blank lines between paragraphs, fenced code, Markdown tables, and
``<details>``/``<summary>`` kept as raw lines, the way GitHub Markdown articles write them.

readability alone loses things a quiz needs, so the page is prepared first: code blocks are
flattened to their text (readability drops a ``<span class="comment">`` inside one), task-list
checkboxes become ``[x]``/``[ ]`` (it drops lists holding inputs), and its minimum text length
is one character (else a list of short options, ``A. 1  B. 8  C. 64``, is dropped). Answers a
practice page hides until clicked are shown (``hidden_answers``), other hidden elements and
advertising boxes (``class="ad-box"``, ``adsbygoogle``) are removed. The page's
title is put back as a ``#`` line when readability left the heading out. trafilatura was
measured too (``benchmarks/html_extraction.py``): it selects as well, but its output loses
``<details>``, the letters of ``<ol type="A">`` and checkbox states.

Left out: pages that build their article with JavaScript (the saved HTML holds no text), and
images (an option given only as a picture is lost).
"""

from __future__ import annotations

import codecs
import copy
import dataclasses
import logging
import re
from typing import TYPE_CHECKING

from llmiq.errors import LlmiqError
from llmiq.ingest.article import ImportResult
from llmiq.ingest.hidden_answers import is_hidden, reveal_hidden_answers
from llmiq.messages import N_, Message
from llmiq.textfile import refuse_binary, refuse_control_characters

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Said first in the importer's report: its line numbers are not the page's.
EXTRACTED_NOTE = N_("lines refer to the text extracted from the page")

_DROP = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "button", "select", "textarea", "dialog", "nav", "aside", "footer", "link", "meta", "img",
    "figcaption",
)  # fmt: skip
#: Class or id words of advertising boxes: "ad", "ads", "ad-slot", "top_ad", "adsbox",
#: "adsbygoogle", "advert", "sponsored", "promo-box".
_AD_NAME = re.compile(
    r"^(?:(?:[\w-]*[-_])?ads?(?:[-_][\w-]*)?|ads?box|adsbygoogle|advert\w*|sponsor\w*|promo\w*)$",
    re.I,
)
#: Class or id words of page chrome that readability may keep: the breadcrumb trail above
#: an article ("Home > AI > Quiz", often an <ol>, read as a numbered list otherwise).
_CHROME_NAME = re.compile(r"^(?:bread-?crumbs?|[\w-]*[-_]breadcrumbs?)$", re.I)
_DROP_ROLES = {"navigation", "complementary", "contentinfo", "dialog", "banner", "search"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "figure", "figcaption", "address",
    "center", "body", "html", "form", "fieldset", "hgroup", "dl", "dt", "dd", "li",
}  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPECIAL = {"ul", "ol", "menu", "pre", "table", "details", "blockquote", "hr", *_HEADINGS}
#: An item that numbers or letters itself: "A. x", "b) y", "(c) z", "3、w", "Q4: v".
_OWN_MARKER = re.compile(
    r"^\s*(?:\*\*)?\s*(?:[A-Za-z][.、．):：]|\d{1,3}\s*[.、．):：]|[(（][A-Za-z0-9]{1,3}[)）]"
    r"|Q\d+|第\s*\d+\s*题)"
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·»]\s+|_")
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000]+")
#: Characters XML (and so lxml) cannot hold: C0 controls but tab and newlines, lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE = re.compile(r"(?:language|lang|highlight-source)-([\w+#-]+)")


#: GB2312 and GBK pages use characters of their superset; decoding as GB18030 reads them all.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ascii": "utf-8",
              "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}  # fmt: skip


@dataclasses.dataclass
class PageImportResult(ImportResult):
    """An import from a web page: ``note`` heads the report, since the line numbers are those
    of the text extracted from the page, not of its HTML."""

    note: str = EXTRACTED_NOTE


def page_charset(raw: bytes) -> str | None:
    """The charset a page declares in ``<meta charset>`` or ``<meta http-equiv>``, from its
    first 4 KiB: ``b'<meta charset="gbk">'`` -> ``"gbk"``."""
    found = _META_CHARSET.search(raw[:4096])
    return found.group(1).decode("ascii").lower() if found else None


def _codec(charset: str | None) -> str | None:
    """A Python codec for a declared charset, or None for an unknown one."""
    if not charset:
        return None
    charset = charset.strip().strip("\"'").lower()
    charset = _SUPERSETS.get(charset, charset)
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_page(raw: bytes, *, name: str, charset: str | None = None) -> str:
    """Decode a web page or text that may not be UTF-8: the charset a server sent
    (``charset``), else the page's ``<meta charset>``, else UTF-8, else what
    charset-normalizer detects. GBK and GB2312 are read as GB18030. Binary content is one
    :class:`LlmiqError` sentence."""
    refuse_binary(raw, name)
    for candidate in (_codec(charset), _codec(page_charset(raw)), "utf-8-sig"):
        if candidate is None:
            continue
        try:
            text = raw.decode("utf-8-sig" if candidate == "utf-8" else candidate)
        except UnicodeDecodeError:
            continue  # a wrong declaration happens; try the next witness
        refuse_control_characters(text, name)
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise LlmiqError(N_("{name}: cannot tell the text's encoding; save it as UTF-8"), name=name)
    text = str(best)
    refuse_control_characters(text, name)
    return text


def _remove(element: HtmlElement) -> None:
    """Remove ``element`` and its content, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _prepare(root: HtmlElement) -> None:
    """Strip what is never article text and shield what readability would lose."""
    reveal_hidden_answers(root)
    for element in list(root.iter(*_DROP)):
        _remove(element)
    for element in list(root.iter()):  # readability drops these; so must any fallback
        if (
            isinstance(element.tag, str)
            and element.tag not in ("html", "body")
            and is_hidden(element)
        ):
            _remove(element)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".split()
        if (
            element.get("role") in _DROP_ROLES
            or any(_AD_NAME.match(n) or _CHROME_NAME.match(n) for n in names)
            or (element.get("aria-label") or "").lower() in ("breadcrumb", "breadcrumbs")
        ):
            _remove(element)
    _remove_doc_comments(root)
    for pre in root.iter("pre"):
        text = pre.text_content()
        classes = " ".join(
            e.get("class") or "" for e in (pre.getparent(), *pre.iter()) if e is not None
        )
        if language := _LANGUAGE.search(classes):
            pre.set("data-language", language.group(1))
        for child in list(pre):
            pre.remove(child)
        pre.text = text
    for box in list(root.iter("input")):
        if box.get("type", "").lower() == "checkbox":
            mark = "[x] " if box.get("checked") is not None else "[ ] "
            box.tail = mark + (box.tail or "").lstrip()
            box.drop_tag()
        else:
            _remove(box)


def _remove_doc_comments(root: HtmlElement) -> None:
    """A Google Docs export's comments: the "[a]" marks in the text (links to ``#cmnt1``)
    and the comments themselves at the end (each a block holding a link back to
    ``#cmnt_ref1``)."""
    for link in list(root.iter("a")):
        href = link.get("href") or ""
        if href.startswith("#cmnt_ref"):
            paragraph = next((e for e in link.iterancestors() if e.tag in ("p", "li")), None)
            box = next((e for e in link.iterancestors() if e.tag == "div"), None)
            # the comment's own box, never a wrapper around the document
            if box is not None and len(box.text_content()) < 2000:
                _remove(box)
            elif paragraph is not None:
                _remove(paragraph)
        elif href.startswith("#cmnt"):
            mark = link.getparent() if link.getparent().tag == "sup" else link
            _remove(mark)


def _text(element: HtmlElement) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def _title(root: HtmlElement) -> str | None:
    """The article's title: the first ``<h1>`` inside ``<article>``/``<main>`` (or the only
    one), else ``og:title``, else ``<title>`` without the site's name."""
    headings = root.findall(".//h1")
    inside = [h for h in headings if any(a.tag in ("article", "main") for a in h.iterancestors())]
    for heading in inside or (headings if len(headings) == 1 else []):
        if text := _text(heading):
            return text
    for meta in root.iter("meta"):
        if meta.get("property") == "og:title" and (content := (meta.get("content") or "").strip()):
            return _SPACE.sub(" ", content)
    title = root.find(".//title")
    if title is not None and (text := _text(title)):
        return _TITLE_SEPARATORS.split(text)[0].strip() or text
    return None


class _Writer:
    """HTML elements to Markdown-like lines; ``out`` holds the lines, "" for a blank one."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.in_list = False  # the last line is a list item: the next item follows tightly

    def _blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def paragraph(self, text: str) -> None:
        lines = [line for line in (s.strip() for s in text.split("\n")) if line]
        if lines:
            self._blank()
            self.out.extend(lines)
            self._blank()
        self.in_list = False

    def item(self, text: str) -> None:
        if not self.in_list:
            self._blank()
        elif self.out and self.out[-1] == "":
            self.out.pop()
        self.out.append(text)
        self.in_list = True

    def inline(self, element: HtmlElement) -> str:
        """The text of ``element`` with emphasis, code and line breaks; blocks inside an
        inline element become lines of their own."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            return "\n"
        inner = _SPACE.sub(" ", element.text or "") if tag else ""
        for child in element:
            inner += self.inline(child) + _SPACE.sub(" ", child.tail or "")
        if tag in ("strong", "b") and inner.strip():
            before = " " if inner[0] == " " else ""
            after = " " if inner[-1] == " " else ""
            return f"{before}**{inner.strip()}**{after}"
        if tag in ("code", "kbd", "tt") and inner.strip():
            return f"`{inner.strip()}`"
        if tag in _BLOCKS or tag in _SPECIAL:
            return f"\n{inner}\n"
        return inner

    def walk(self, element: HtmlElement, depth: int = 0) -> None:
        """Write the children of a block element: runs of inline content as paragraphs."""
        pending = _SPACE.sub(" ", element.text or "")
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCKS or tag in _SPECIAL:
                self.paragraph(pending)
                pending = ""
                self.block(child, depth)
            elif tag:
                pending += self.inline(child)
            pending += _SPACE.sub(" ", child.tail or "")
        self.paragraph(pending)

    def block(self, element: HtmlElement, depth: int) -> None:
        tag = element.tag
        if tag in _HEADINGS:
            if text := _SPACE.sub(" ", self.inline(element)).strip():
                self.paragraph("#" * _HEADINGS[tag] + " " + text)
        elif tag in ("ul", "ol", "menu"):
            self.list(element, depth)
        elif tag == "pre":
            self.code(element)
        elif tag == "table":
            self.table(element)
        elif tag == "details":
            self.details(element, depth)
        elif tag == "blockquote":
            quoted = _Writer()
            quoted.walk(element, depth)
            self.paragraph("\n".join(f"> {line}" if line else ">" for line in quoted.lines()))
        elif tag == "hr":
            self.paragraph("---")
        else:
            self.walk(element, depth)

    def list(self, element: HtmlElement, depth: int) -> None:
        ordered = element.tag == "ol"
        kind = element.get("type", "1")
        try:
            number = int(element.get("start", "1"))
        except ValueError:
            number = 1
        indent = "  " * depth
        for child in element:
            if child.tag != "li":
                if isinstance(child.tag, str):
                    self.block(child, depth)
                continue
            # The item's own line is its text up to the first block; the rest follows it.
            head = _SPACE.sub(" ", child.text or "")
            rest = list(child)
            while rest and rest[0].tag not in _BLOCKS and rest[0].tag not in _SPECIAL:
                first = rest.pop(0)
                head += (self.inline(first) if isinstance(first.tag, str) else "") + _SPACE.sub(
                    " ", first.tail or ""
                )
            tail_text = ""
            if rest and rest[0].tag in ("p", "div") and not head.strip():
                first = rest.pop(0)
                head = self.inline(first)
                tail_text = _SPACE.sub(" ", first.tail or "")
            lines = [s.strip() for s in head.split("\n") if s.strip()]
            text = lines[0] if lines else ""
            if _OWN_MARKER.match(text):
                marker = ""
            elif text.startswith(("[x] ", "[ ] ")):  # a task list, as GitHub Markdown has it
                marker = "- "
            elif ordered:
                marker = _ordinal(number, kind) + " "
            else:
                marker = "- "
            number += 1
            if text or rest:
                self.item(f"{'' if marker == '' else indent}{marker}{text}")
            for line in lines[1:]:
                self.item(f"{indent}  {line}")
            if tail_text.strip():
                self.paragraph(tail_text)
            for block in rest:
                if isinstance(block.tag, str):
                    self.block(block, depth + 1)
                if block.tail and block.tail.strip():
                    self.paragraph(_SPACE.sub(" ", block.tail))
        self.in_list = False
        self._blank()

    def code(self, element: HtmlElement) -> None:
        text = element.text_content().strip("\n")
        if not text.strip():
            return
        language = element.get("data-language", "")
        fence = "~~~~" if "```" in text else "```"
        self._blank()
        self.out.extend([fence + language, *text.split("\n"), fence])
        self._blank()
        self.in_list = False

    def table(self, element: HtmlElement) -> None:
        if _is_layout(element):  # a forum post laid out in a table cell: its text, as text
            for cell in element.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th"):
                self.walk(cell)  # a nested table is a block inside the cell: walked there
            return
        rows = []
        for row in element.iter("tr"):
            cells = [
                _SPACE.sub(" ", self.inline(cell)).strip().replace("|", r"\|")
                for cell in row
                if cell.tag in ("td", "th")
            ]
            if any(cells):
                rows.append(cells)
        if not rows:
            return
        width = max(len(r) for r in rows)
        lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
        lines.insert(1, "|" + " --- |" * width)
        self.paragraph("\n".join(lines))

    def details(self, element: HtmlElement, depth: int) -> None:
        summary = element.find("summary")
        self._blank()
        self.out.append("<details>")
        if summary is not None:
            label = _SPACE.sub(" ", self.inline(summary)).strip()
            self.out.append(f"<summary>{label}</summary>")
            summary.drop_tree()  # its tail stays, as the text before the next child
        self.in_list = False
        self._blank()
        self.walk(element, depth)
        self._blank()
        self.out.append("</details>")
        self._blank()

    def lines(self) -> list[str]:
        out = list(self.out)
        while out and out[0] == "":
            out.pop(0)
        while out and out[-1] == "":
            out.pop()
        return out


def _ordinal(number: int, kind: str) -> str:
    """The marker an ``<ol type=...>`` shows: ``(2, "A")`` -> ``"B."``."""
    if kind in ("A", "a") and 1 <= number <= 26:
        letter = chr(ord("A") + number - 1)
        return (letter if kind == "A" else letter.lower()) + "."
    return f"{number}."


def html_to_text(html: str, *, name: str = "the page") -> str:
    """The article of a saved web page as Markdown-like text (see the module docstring);
    a page with no text is one :class:`LlmiqError` sentence."""
    import lxml.etree
    import lxml.html
    from readability import Document
    from readability.readability import Unparseable

    html = _NOT_XML.sub("", html.lstrip("\ufeff"))
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        raise LlmiqError(N_("{name}: the page holds no text"), name=name) from None
    _prepare(root)
    title = _title(root)
    pristine = copy.deepcopy(root)  # readability rewrites the tree it is given
    # readability logs a traceback before raising Unparseable; the fallback says enough.
    logging.getLogger("readability.readability").disabled = True
    try:
        summary = Document(root, min_text_length=1).summary(html_partial=True)
    except Unparseable:
        summary = lxml.html.tostring(root, encoding="unicode")
    try:
        article = lxml.html.document_fromstring(summary)
    except (lxml.etree.ParserError, ValueError):
        raise LlmiqError(N_("{name}: the page holds no text"), name=name) from None
    body = article.find("body")
    lines = _written(body if body is not None else article)
    if (questions := _questions_elsewhere(pristine, lines)) is not None:
        lines = _written(questions)
    if title and not any(line.startswith("# ") for line in lines[:3]):
        lines = [f"# {title}", "", *lines]
    if not any(line.strip() for line in lines):
        raise LlmiqError(N_("{name}: the page holds no text"), name=name)
    return "\n".join(lines) + "\n"


#: A line that starts with a question's number: "1.", "Q3:", "第5题", "**12、**".
_NUMBERED = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?[ \t]*(?:Q(?:uestion)?[ \t]*|第[ \t]*)?\d{1,3}[ \t]*题?"
    r"[ \t]*[.、．:：)）]",
    re.M | re.I,
)
_CONTAINERS = ("body", "main", "article", "section", "div", "td")


def _written(element: HtmlElement) -> list[str]:
    writer = _Writer()
    writer.block(element, 0)
    return writer.lines()


def _questions_elsewhere(root: HtmlElement, extracted: list[str]) -> HtmlElement | None:
    """The element that holds the page's questions when readability chose another one.

    Readability scores blocks by their prose; on a forum thread whose first post is a list of
    questions written with ``<br>`` (Discuz, phpBB) it can pick a reply instead. When the page
    has at least three lines that start with a question number and the extracted text holds
    fewer than half of them, the article is the deepest block that holds nine in ten."""
    counting = copy.deepcopy(root)
    for element in counting.iter("br", "td", "tr", *_BLOCKS, *_HEADINGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    body = counting.find("body")
    if body is None:
        return None
    whole = len(_NUMBERED.findall(body.text_content()))
    if whole < 3 or 2 * len(_NUMBERED.findall("\n".join(extracted))) >= whole:
        return None
    best, depth = body, 0
    for element in body.iter(*_CONTAINERS):
        level = sum(1 for _ in element.iterancestors())
        if level > depth and 10 * len(_NUMBERED.findall(element.text_content())) >= 9 * whole:
            best, depth = element, level
    found = root.getroottree().xpath(counting.getroottree().getpath(best))
    return found[0] if found else None


def parse_html_page(
    text: str, *, name: str, bank_id: str, title: str | None = None
) -> PageImportResult:
    """Parse a saved web page: its article's text, through the article parser. A failure
    that names lines says they are lines of the extracted text."""
    from llmiq.ingest.article import parse_article

    try:
        result = parse_article(
            html_to_text(text, name=name), name=name, bank_id=bank_id, title=title
        )
    except LlmiqError as exc:
        if re.search(r"\bline|:\d+:", str(exc)):
            raise LlmiqError(
                N_("{error} ({note})"), error=exc, note=Message(EXTRACTED_NOTE)
            ) from None
        raise
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    return PageImportResult(**fields)


def _is_layout(table: HtmlElement) -> bool:
    """A table used for layout, not data (Discuz and other forums put a whole post in one
    cell): a cell with line breaks, paragraphs or lists, or with a lot of text. A table whose
    first row is a header of ``<th>`` cells is data however long its cells (a cheat sheet's
    ``Question | Answer`` table)."""
    first = next(table.iter("tr"), None)
    if first is not None and len(heads := first.findall("th")) >= 2 and len(first) == len(heads):
        return False
    for cell in table.iter("td", "th"):
        if any(True for _ in cell.iter("br", "p", "div", "ul", "ol", "table") if _ is not cell):
            return True
        if len(cell.text_content()) > 300:
            return True
    return False
