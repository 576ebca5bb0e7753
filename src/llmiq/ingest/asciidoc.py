"""AsciiDoc source (from Antora sites, GitHub wikis, books) as the Markdown-like text the
parser reads, one output line per input line so that every report names the author's lines.

- The header (``= Title``, the author and revision lines, attribute entries) is a ``#``
  heading and front matter left out; section titles (``==`` .. ``======``, ``#`` and the
  old two-line form) are ``#`` headings.
- Ordered lists (``. item``, ``.. nested``) are numbered as AsciiDoc numbers them: lettered
  under ``[loweralpha]``/``[upperalpha]`` or at the second level; bullets (``*``, ``-``),
  checklists (``* [x]``) and description lists (``Answer:: B``) are their Markdown forms.
- Listing and literal blocks (``----``, ``....``) are fenced code, quote blocks (``____``)
  ``>`` lines; example, sidebar and open blocks, admonitions (``NOTE:``, ``[TIP]``) and
  block attribute lines leave their text; a collapsible block (``.Answer`` +
  ``[%collapsible]`` + ``====``) is ``<details><summary>Answer</summary>``.
- Comments, preprocessor directives (``ifdef::``, ``include::``), ``toc::[]`` and images
  are left out, and reported; ``|===`` tables are pipe tables; inline markup is rewritten by
  :mod:`asciidoc_inline`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmiq.ingest.asciidoc_inline import (
    BlockAttributes,
    block_attributes,
    inline,
    section_id,
    table_lines,
)
from llmiq.ingest.converted import Rewritten, parse_rewritten
from llmiq.ingest.lines import display_width, split_lines
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult


_TITLE = re.compile(r"^=\s+(?P<title>(?!=\s)\S.*?)\s*$")
_SECTION = re.compile(r"^(?P<marks>={1,6}|#{1,6})\s+(?P<title>\S.*?)(?:\s+(?P=marks))?\s*$")
_UNDERLINE = re.compile(r"^(?P<mark>=|-|~|\^|\+)(?P=mark)+\s*$")
_UNDERLINE_LEVEL = {"=": 1, "-": 2, "~": 3, "^": 4, "+": 5}
_ATTRIBUTE_ENTRY = re.compile(
    r"^:(?P<unset>!)?(?P<name>\w[\w-]*)(?P<unset_after>!)?:(?:\s+(?P<value>.*?))?\s*$"
)
_AUTHOR = re.compile(
    r"^[\w'.-]+(?:\s+[\w'.-]+){0,2}(?:\s+<[^<>\s]+>)?(?:\s*;\s*[\w'.-]+(?:\s+[\w'.-]+){0,2}"
    r"(?:\s+<[^<>\s]+>)?)*\s*$"
)
_REVISION = re.compile(r"^v?\d[\w.-]*(?:,\s*[^:]*)?(?::\s*.*)?$|^v?\d[\w.-]*,?\s*$")
_COMMENT = re.compile(r"^//(?!/)|^//$")
_DIRECTIVE = re.compile(
    r"^(?P<name>include|image|video|audio|toc|ifdef|ifndef|ifeval|endif|plantuml|graphviz"
    r"|mermaid|ditaa)::\S*\[.*\]\s*$"
)
_ATTRIBUTE_LINE = re.compile(r"^\[(?P<body>[\w#.%\"'=,][^\[\]]*)?\]\s*$")
_ANCHOR_LINE = re.compile(r"^\[\[(?P<id>[\w:.-]+)(?:,[^\]]*)?\]\]\s*$")
_BLOCK_TITLE = re.compile(r"^\.(?P<title>[^\s.].*?)\s*$")
_DELIMITER = re.compile(r"^(?P<d>-{4,}|\.{4,}|_{4,}|={4,}|\*{4,}|/{4,}|\+{4,}|--)\s*$")
_TABLE = re.compile(r"^(?P<sep>[|!,:])={3,}\s*$")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
_ORDERED = re.compile(r"^\s*(?P<marks>\.{1,5})\s+(?P<text>\S.*)$")
_BULLET = re.compile(r"^\s*(?P<marks>\*{1,5}|-)\s+(?P<text>\S.*)$")
_CHECKBOX = re.compile(r"^\[(?P<mark>[ xX*])\]\s+")
_CALLOUT = re.compile(r"^<(?:\d+|\.)>\s+(?P<text>\S.*)$")
_TERM = re.compile(r"^\s*(?P<term>[^\s/:;\[].*?)(?P<sep>:{2,4}|;;)(?:\s+(?P<text>\S.*))?$")
_CONTINUATION = re.compile(r"^\+\s*$")
_HARD_BREAK = re.compile(r"\s\+\s*$")
_BREAK = re.compile(r"^(?:'{3,}|<{3,}|-{3}|\*{3}|- - -|\* \* \*)\s*$")
_ADMONITION = re.compile(r"^(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+(?P<text>\S.*)$")
_LIST_STYLES = ("arabic", "loweralpha", "lowerroman", "upperalpha", "upperroman")
_VERBATIM_STYLES = {"source", "listing", "literal"}
_MATH_STYLES = {"stem", "latexmath", "asciimath"}
_CODE = "code"
_COMMENT_BLOCK = "comment"
_PASS = "pass"
_QUOTE = "quote"
_COMPOUND = "compound"


@dataclass
class _Block:
    delimiter: str
    kind: str
    start: int
    fence: str = ""  # what closes a code block: ```, $$, or nothing for raw lines


@dataclass
class _Lists:
    """The list being read: its markers from the outermost in, each level's count and
    numbering style."""

    markers: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    qanda: bool = False  # a [qanda] list: its terms are questions
    asked: int = 0  # ... and how many it has had


def _number(n: int, style: str) -> str:
    if style in ("loweralpha", "upperalpha") and n <= 26:
        letter = chr(ord("a") + n - 1)
        return letter.upper() if style == "upperalpha" else letter
    if style in ("lowerroman", "upperroman") and n < 40:
        tens, units = divmod(n, 10)
        numeral = "x" * tens + ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")[units]
        return numeral.upper() if style == "upperroman" else numeral
    return str(n)


def _default_style(marker: str) -> str:
    """How AsciiDoc numbers a list by its marker: ``.`` 1, 2, 3; ``..`` a, b, c; ..."""
    return _LIST_STYLES[len(marker) - 1] if marker.startswith(".") else "arabic"


class _Converter:
    def __init__(self, lines: list[str]) -> None:
        self.src = lines
        self.rewritten = Rewritten(list(lines))
        self.out = self.rewritten.lines
        self.attributes: dict[str, str] = {}
        self.titles = _titles(lines)
        self.blocks: list[_Block] = []
        self.lists: list[_Lists] = [_Lists()]
        self.pending = BlockAttributes()
        self.title_at: int | None = None
        self.after_blank = True  # at the start of a block: after a blank line or a block
        self.attached = False  # after a list continuation (+)
        self.paragraph = ""  # the style of the paragraph being read: quote, code, qanda
        self.paragraph_open = -1  # the line a code paragraph's fence goes on
        self.in_answer = False  # a [qanda] item's answer has its label
        self.carry = ""  # what the next blank line becomes: a [qanda] item's answer

    def leave_out(self, first: int, last: int, reason: str, excerpt: str = "") -> None:
        self.rewritten.leave_out(first, last, reason, excerpt)

    def text(self, line: str) -> str:
        return inline(line, self.attributes, self.titles)

    def convert(self) -> Rewritten:
        i = self.header()
        while i < len(self.src):
            i = self.line(i) + 1
        self.end_paragraph(None)
        return self.rewritten

    def header(self) -> int:
        """Leave out the document header; returns the first line of the body."""
        i, title = 0, None
        while i < len(self.src):
            line = self.src[i]
            if not line.strip() and title is None:
                i += 1
            elif _COMMENT.match(line) and not _DELIMITER.match(line):
                self.leave_out(i, i, N_("markup"))
                i += 1
            elif entry := _ATTRIBUTE_ENTRY.match(line):
                i = self.attribute_entry(i, entry, N_("front matter"))
            elif title is None and (found := _TITLE.match(line)):
                title = i
                self.out[i] = f"# {self.text(found['title'])}"
                i += 1
            elif (
                title is not None
                and line.strip()
                and i - title <= 2
                and (
                    _AUTHOR.match(line.strip()) if i == title + 1 else _REVISION.match(line.strip())
                )
            ):
                self.leave_out(i, i, N_("front matter"))
                i += 1
            else:
                return i
        return i

    def attribute_entry(self, i: int, entry: re.Match[str], reason: str) -> int:
        """Remember an attribute's value (``:name: value``, continued by a trailing ``\\``)
        and leave its lines out; returns the line after it."""
        value = entry["value"] or ""
        last = i
        while value.endswith("\\") and last + 1 < len(self.src):
            last += 1
            value = value[:-1].rstrip() + " " + self.src[last].strip()
        name = entry["name"].lower()
        if entry["unset"] or entry["unset_after"]:
            self.attributes.pop(name, None)
        else:
            self.attributes[name] = value
        self.leave_out(i, last, reason, self.src[i] if reason == N_("markup") else "")
        return last + 1

    @property
    def quote_prefix(self) -> str:
        return "> " * sum(1 for block in self.blocks if block.kind == _QUOTE)

    def line(self, i: int) -> int:
        """Rewrite line ``i``; returns the last line it took."""
        line = self.src[i]
        if self.blocks and self.blocks[-1].kind in (_CODE, _COMMENT_BLOCK, _PASS):
            self.verbatim(i, line)
            return i
        if not line.strip():
            self.out[i], self.carry = self.carry or self.quote_prefix.rstrip(), ""
            self.end_paragraph(i)
            self.after_blank = True
            return i
        last = self.block_line(i, line.rstrip())
        if self.out[last] and last == i and self.quote_prefix:
            self.out[i] = self.quote_prefix + self.out[i]
        return last

    def verbatim(self, i: int, line: str) -> None:
        block = self.blocks[-1]
        if line.rstrip() != block.delimiter:
            self.out[i] = "" if block.kind == _COMMENT_BLOCK else self.quote_prefix + line
            return
        self.blocks.pop()
        if block.kind == _COMMENT_BLOCK:
            self.leave_out(block.start, i, N_("markup"))
        else:
            self.out[i] = self.quote_prefix + block.fence if block.fence else ""
        self.after_blank = True

    def block_line(self, i: int, line: str) -> int:
        if self.paragraph == _CODE:
            self.out[i] = line
            return i
        if _COMMENT.match(line):
            self.leave_out(i, i, N_("markup"))
            return i
        if entry := _ATTRIBUTE_ENTRY.match(line):
            return self.attribute_entry(i, entry, N_("markup")) - 1
        if directive := _DIRECTIVE.match(line):
            image = directive["name"] == "image"
            self.leave_out(i, i, N_("image") if image else N_("markup"), line)
            if image:
                self.take_pending()
            return i
        if _ANCHOR_LINE.match(line):  # [[id]]
            self.out[i] = ""
            return i
        if attrs := _ATTRIBUTE_LINE.match(line):
            found = block_attributes(attrs["body"] or "")
            self.pending.options |= found.options
            self.pending.named |= found.named
            if found.style or found.positional:
                self.pending.style, self.pending.positional = found.style, found.positional
            self.out[i] = ""
            return i
        if (delimiter := _DELIMITER.match(line)) or _TABLE.match(line) or _FENCE.match(line):
            return self.open_or_close(i, line, delimiter["d"] if delimiter else "")
        if title := _BLOCK_TITLE.match(line):
            self.title_at = i
            self.out[i] = self.text(title["title"])
            return i
        if _CONTINUATION.match(line):
            self.out[i] = ""
            self.attached = True
            return i
        if _BREAK.match(line):
            self.out[i] = ""
            self.end_list()
            return i
        line = _HARD_BREAK.sub("", line)
        section = _SECTION.match(line)
        if section and (section["marks"][0] == "=" or not self.paragraph):
            self.take_pending()
            self.end_list()
            self.out[i] = f"{'#' * len(section['marks'])} {self.text(section['title'])}"
            return i
        if (underlined := self.underlined(i, line)) is not None:
            return underlined
        if self.list_item(i, line):
            return i
        self.paragraph_line(i, line)
        return i

    def underlined(self, i: int, line: str) -> int | None:
        """A two-line section title (``Title`` over ``=====``): the title line as a heading and
        the underline left out; None when line ``i`` starts no such title. An underline that
        could open a block (``====``) only makes a title with a blank line under it."""
        if self.paragraph or i + 1 >= len(self.src) or not re.match(r"\s*\w", line):
            return None
        underline = self.src[i + 1].rstrip()
        under = _UNDERLINE.match(underline)
        title = line.strip()
        if under is None or len(title) < 2:
            return None
        if any(block.delimiter == underline for block in self.blocks) or (
            _DELIMITER.match(underline) and i + 2 < len(self.src) and self.src[i + 2].strip()
        ):
            return None
        length = len(self.src[i + 1].strip())
        if min(abs(length - len(title)), abs(length - display_width(title))) > 1:
            return None
        self.take_pending()
        self.end_list()
        self.out[i] = f"{'#' * _UNDERLINE_LEVEL[under['mark']]} {self.text(title)}"
        self.out[i + 1] = ""
        return i + 1

    def take_pending(self) -> BlockAttributes:
        """The attributes and title above the block starting here, now used."""
        taken = self.pending
        self.pending = BlockAttributes()
        self.title_at = None
        return taken

    def end_list(self) -> None:
        self.lists[-1] = _Lists()
        self.attached = False

    def start_block(self) -> None:
        """A block starts: after a blank line and no list continuation, the list ends."""
        if self.after_blank and not self.attached:
            self.end_list()
        self.after_blank = self.attached = False

    def open_or_close(self, i: int, line: str, delimiter: str) -> int:
        self.end_paragraph(None)
        if self.blocks and line == self.blocks[-1].delimiter:
            self.blocks.pop()
            self.lists.pop()
            self.out[i] = ""
            self.after_blank = True
            return i
        self.start_block()
        title_at = self.title_at
        attrs = self.take_pending()
        style = attrs.style.lower()
        if table := _TABLE.match(line):
            return self.table(i, line, table["sep"], attrs)
        if fence := _FENCE.match(line):
            self.blocks.append(_Block(fence["fence"], _CODE, i, fence["fence"]))
            self.out[i] = line
            return i
        kind = {"-": _CODE, ".": _CODE, "/": _COMMENT_BLOCK, "+": _PASS, "_": _QUOTE}.get(
            delimiter[0], _COMPOUND
        )
        if delimiter == "--":
            kind = {"comment": _COMMENT_BLOCK, "pass": _PASS, "quote": _QUOTE, "verse": _QUOTE}.get(
                style, _CODE if style in _VERBATIM_STYLES else _COMPOUND
            )
        block = _Block(delimiter, kind, i)
        self.out[i] = ""
        if kind == _CODE:
            language = ""
            if style == "source":
                default = self.attributes.get("source-language", "")
                language = attrs.positional[1] if len(attrs.positional) > 1 else default
            elif style and style not in _VERBATIM_STYLES and delimiter[0] == "-":
                language = style  # [plantuml], [mermaid]
            block.fence = "```"
            self.out[i] = "```" + language
        elif kind == _PASS and style in _MATH_STYLES:
            block.kind, block.fence = _CODE, "$$"
            self.out[i] = "$$"
        elif kind == _COMPOUND and "collapsible" in attrs.options and delimiter[0] == "=":
            summary = self.out[title_at] if title_at is not None else "Details"
            if title_at is not None:
                self.out[title_at] = ""
            self.out[i] = f"<details><summary>{summary}</summary>"
        self.blocks.append(block)
        if kind in (_COMPOUND, _QUOTE):
            self.lists.append(_Lists())
            self.after_blank = True
        return i

    def table(self, i: int, line: str, separator: str, attrs: BlockAttributes) -> int:
        end = next(
            (j for j in range(i + 1, len(self.src)) if self.src[j].rstrip() == line), len(self.src)
        )
        rows = table_lines(self.src[i + 1 : end], attrs, separator, self.text)
        self.out[i + 1 : end] = rows
        self.out[i] = ""
        if end < len(self.src):
            self.out[end] = ""
        self.after_blank = True
        return min(end, len(self.src) - 1)

    def list_item(self, i: int, line: str) -> bool:
        """Rewrite line ``i`` when it is an item of a list; False when it is not."""
        if ordered := _ORDERED.match(line):
            marker, text = ordered["marks"], ordered["text"]
        elif bullet := _BULLET.match(line):
            marker, text = bullet["marks"], bullet["text"]
        elif callout := _CALLOUT.match(line):
            marker, text = "<>", callout["text"]
        elif (term := _TERM.match(line)) and not re.match(r"^\s*[a-z]+://", line):
            return self.term(i, term)
        else:
            return False
        lists = self.start_item()
        titled = self.title_at is not None
        attrs = self.take_pending()
        level = self.level(lists, marker)
        if titled or attrs.positional or attrs.named or attrs.options:  # a list of its own
            lists.counts[level], lists.styles[level] = 0, _default_style(marker)
        if marker.startswith(".") and attrs.style.lower() in _LIST_STYLES:
            lists.styles[level] = attrs.style.lower()
        if "start" in attrs.named and attrs.named["start"].lstrip("-").isdigit():
            lists.counts[level] = int(attrs.named["start"]) - 1
        lists.counts[level] += 1
        indent = "   " * level
        if marker.startswith("."):
            number = _number(lists.counts[level], lists.styles[level])
            self.out[i] = f"{indent}{number}. {self.text(text)}"
        elif box := _CHECKBOX.match(text):
            ticked = "x" if box["mark"] in "xX*" else " "
            self.out[i] = f"{indent}- [{ticked}] {self.text(text[box.end() :])}"
        else:
            self.out[i] = f"{indent}- {self.text(text)}"
        return True

    def start_item(self) -> _Lists:
        self.after_blank = self.attached = False
        self.end_paragraph(None)
        return self.lists[-1]

    def level(self, lists: _Lists, marker: str) -> int:
        """The nesting level of an item with ``marker``: the level of the list that uses
        it, else a new list one level down."""
        if marker in lists.markers:
            level = lists.markers.index(marker)
            del lists.markers[level + 1 :], lists.counts[level + 1 :], lists.styles[level + 1 :]
            return level
        lists.markers.append(marker)
        lists.counts.append(0)
        lists.styles.append(_default_style(marker))
        return len(lists.markers) - 1

    def term(self, i: int, term: re.Match[str]) -> bool:
        """``Answer:: B`` -> ``Answer: B``; ``What is LoRA?::`` -> ``What is LoRA?``; in a
        ``[qanda]`` list the term is a numbered question, its text the answer."""
        attrs = self.take_pending()
        lists = self.start_item()
        if attrs.style.lower() == "qanda":
            lists.qanda, lists.asked = True, 0
        self.level(lists, term["sep"])
        words, text = self.text(term["term"].strip()), self.text(term["text"] or "")
        if lists.qanda:
            lists.asked += 1
            self.out[i] = f"{lists.asked}. {words}"
            self.in_answer = bool(text)
            if text and i + 1 < len(self.src) and not self.src[i + 1].strip():
                self.carry = f"Answer: {text}"
            elif text:
                self.out[i] += f" — {text}"
            self.paragraph = "qanda"
            return True
        if re.search(r"[?？:：.。!！]$", words):
            self.out[i] = f"{words} {text}".rstrip()
        else:
            self.out[i] = f"{words}: {text}".rstrip()
        return True

    def paragraph_line(self, i: int, line: str) -> None:
        if not self.paragraph:
            self.start_paragraph(i)
        if self.paragraph == _CODE:
            self.out[i] = line
            return
        if admonition := _ADMONITION.match(line):
            line = admonition["text"]
        text = self.text(line.strip() if self.lists[-1].markers else line)
        if self.paragraph == "qanda" and not self.in_answer:
            self.in_answer = True
            text = f"Answer: {text.strip()}"
        self.out[i] = f"> {text}" if self.paragraph == _QUOTE else text

    def start_paragraph(self, i: int) -> None:
        title_at = self.title_at
        attrs = self.take_pending()
        style = attrs.style.lower()
        self.start_block()
        if style in ("quote", "verse"):
            self.paragraph = _QUOTE
        elif (
            style in _VERBATIM_STYLES | _MATH_STYLES
            and i > 0
            and (not self.out[i - 1] or i - 1 == title_at)
        ):
            self.paragraph = _CODE
            self.paragraph_open = i - 1
            language = (
                attrs.positional[1] if style == "source" and len(attrs.positional) > 1 else ""
            )
            self.out[i - 1] = "$$" if style in _MATH_STYLES else "```" + language
        else:
            self.paragraph = "text"

    def end_paragraph(self, blank: int | None) -> None:
        """The paragraph ends at the blank line ``blank`` (None: at a block, or the end): a
        code paragraph is fenced on that line, else left as written."""
        if self.paragraph == _CODE:
            if blank is None:
                self.out[self.paragraph_open] = ""
            else:
                self.out[blank] = "$$" if self.out[self.paragraph_open] == "$$" else "```"
        self.paragraph = ""


def _titles(lines: list[str]) -> dict[str, str]:
    """Section titles by id (their own, ``[[id]]`` above them, else the one Asciidoctor
    makes), for cross references."""
    titles: dict[str, str] = {}
    anchor = ""
    for line in lines:
        if found := _ANCHOR_LINE.match(line) or re.match(r"^\[#(?P<id>[\w:.-]+)", line):
            anchor = found["id"]
        elif section := _SECTION.match(line.rstrip()):
            if section["marks"][0] == "=":
                title = section["title"].strip()
                titles[anchor or section_id(title)] = title
            anchor = ""
        elif line.strip() and not _BLOCK_TITLE.match(line):
            anchor = ""
    return titles


def asciidoc_to_markdown(text: str) -> Rewritten:
    """The lines of AsciiDoc ``text`` rewritten (see the module docstring), as many as it
    has, and the 0-based ranges left out."""
    lines = split_lines(text)
    return _Converter(lines).convert()


def parse_asciidoc(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse an AsciiDoc article: its text as Markdown, through the article parser, and the
    lines left out on the way reported with the parser's own."""
    return parse_rewritten(asciidoc_to_markdown(text), name=name, bank_id=bank_id, title=title)
