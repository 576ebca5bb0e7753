"""Flashcard exports (Anki's "Notes in Plain Text", Quizlet's ``term<TAB>definition``) as
the question-and-answer text the parser reads: each row is a question, its front the
prompt and its back the answer (``Answer: C`` when the front lists options, so that the
card is a choice question).

- Anki's header lines (``#separator:tab``, ``#html:true``, ``#columns:Front	Back	Tags``,
  ``#guid column:1``, ``#deck column:3``, ``#tags column:6``) say how to read the rows and
  are left out, reported as front matter; the guid, note type, deck and tags columns are
  dropped. Without a header the separator is a tab; ``;``, ``,`` and ``|`` only when a
  header names them.
- Fields may be quoted (``"a ""b"" c"``) and run over lines; HTML in them is text, ``<br>``
  and ``<div>`` line breaks.
- A row spans one or more lines of the export but several lines of rewritten text: the
  reports are turned back to the export's own line numbers.
"""

from __future__ import annotations

import csv
import html
import io
import re
from typing import TYPE_CHECKING

from llmiq.ingest.converted import LeftOut, parse_rows
from llmiq.ingest.lines import box_item, split_lines
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult

_HEADER = re.compile(r"^#(?P<key>[a-z][a-z ]*?):(?P<value>.*)$", re.I)
_SEPARATORS = {"tab": "\t", "semicolon": ";", "comma": ",", "pipe": "|", "space": " "}
_DROPPED_COLUMNS = ("guid", "notetype", "deck", "tags")
_NAMED_COLUMNS = {"tags": "tags", "deck": "deck", "guid": "guid", "note type": "notetype",
                  "notetype": "notetype"}  # fmt: skip
_TAG = re.compile(r"<[^<>]+>")
#: A card's own number before its text, or on a line above it ("Q1" in a span).
_NUMBER = re.compile(
    r"^\s*(?P<bold>\*\*|__)?\s*(?:Q|问题|第)?\s*(?P<n>\d{1,4})\s*(?:题)?\s*"
    r"(?:[.、:：)）]\s*(?P=bold)?\s*|(?P=bold)?\s*\n)",
    re.I,
)
_OPTION = re.compile(r"^\s*[(（]?[A-Ha-h][.、．)）:]\s*\S")


def _preamble(lines: list[str], separator: str) -> int:
    """How many lines a saved set starts with before its cards, its title and a note on where
    it came from ("exported from my Quizlet set …"): up to three lines without a separator,
    with cards after them."""
    k = 0
    while k < len(lines) and separator not in lines[k]:
        k += 1
    return k if sum(bool(line.strip()) for line in lines[:k]) <= 3 and k < len(lines) else 0


def looks_like_flashcards(text: str) -> bool:
    """Whether an article of unknown format is a flashcard export: Anki's ``#separator:``
    or ``#html:`` header, or three or more rows that all have the same number of tabs and
    nothing that reads like Markdown."""
    lines = [line for line in text[:200_000].replace("\r\n", "\n").split("\n") if line.strip()]
    header = [line for line in lines[:12] if _HEADER.match(line)]
    if any(
        re.match(r"^#(?:separator|html|columns|notetype column|deck column):", h, re.I)
        for h in header
    ):
        return True
    rows = [line for line in lines if not _HEADER.match(line)]
    rows = rows[_preamble(rows, "\t") :]
    if len(rows) < 3 or any(re.match(r"^\s*(?:#{1,6}\s|```|\|)", row) for row in rows):
        return False
    tabs = {row.count("\t") for row in rows}
    return len(tabs) == 1 and tabs.pop() >= 1


def field_text(value: str, *, is_html: bool) -> str:
    """A field as text: its HTML written as the page reader writes a page (lists, lettered
    lists, tables of options, emphasis), entities read; in an HTML export a line break in
    the source is a space."""
    if is_html:
        value = value.replace("\n", " ")  # in HTML a line break is a space
    if is_html or _TAG.search(value):
        value = "\n".join(_html_lines(value))
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in value.split("\n")]
    return "\n".join(line for line in lines if line)


def _html_lines(value: str) -> list[str]:
    import lxml.etree
    import lxml.html

    from llmiq.ingest.html_writer import written

    try:
        return written(lxml.html.fragment_fromstring(value, create_parent="div"))
    except (lxml.etree.ParserError, ValueError):  # no element at all: tags and entities go
        return html.unescape(_TAG.sub("", value)).replace("\xa0", " ").split("\n")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = "\n".join(split_lines(text))
        self.separator = "\t"
        self.is_html = False
        self.columns: list[str] = []
        self.dropped: set[int] = set()  # 0-based columns left out
        self.out: list[str] = []
        self.origin: list[int] = []  # the export's 1-based line of each line written
        self.header: list[int] = []  # 1-based header lines

    def header_line(self, number: int, key: str, value: str) -> None:
        key, value = key.strip().lower(), value.strip()
        self.header.append(number)
        if key == "separator":
            self.separator = _SEPARATORS.get(value.lower(), value[:1] or "\t")
        elif key == "html":
            self.is_html = value.lower() == "true"
        elif key == "columns":
            self.columns = [c.strip().lower() for c in re.split(r"\t|;|,|\|", value)]
            for k, name in enumerate(self.columns):
                if _NAMED_COLUMNS.get(name) in _DROPPED_COLUMNS:
                    self.dropped.add(k)
        elif (
            key.endswith(" column")
            and value.isdigit()
            and key.removesuffix(" column").replace(" ", "") in _DROPPED_COLUMNS
        ):
            self.dropped.add(int(value) - 1)

    def read(self) -> None:
        lines = self.text.split("\n")
        start = 0
        while start < len(lines) and (_HEADER.match(lines[start]) or not lines[start].strip()):
            if found := _HEADER.match(lines[start]):
                self.header_line(start + 1, found["key"], found["value"])
            start += 1
        preamble = _preamble(lines[start:], self.separator)
        for k in range(start, start + preamble):
            self.write(lines[k], k + 1)  # the set's title, then a note the parser leaves out
        start += preamble
        body = io.StringIO("\n".join(lines[start:]))
        rows = csv.reader(body, delimiter=self.separator, quotechar='"', strict=False)
        done = 0
        n = 0
        for row in rows:
            first, done = start + done + 1, rows.line_num
            fields = [f for k, f in enumerate(row) if k not in self.dropped]
            fields = [field_text(f, is_html=self.is_html) for f in fields]
            if not any(fields):
                continue
            n += 1
            self.card(n, first, start + done, fields)

    def card(self, n: int, first: int, last: int, fields: list[str]) -> None:
        front = fields[0]
        back = "\n".join(f for f in fields[1:] if f)
        if found := _NUMBER.match(front):
            n, front = int(found["n"]), front[found.end() :]
        front_lines = front.split("\n") if front else [""]
        back_lines = back.split("\n") if back else []
        if ticked := _ticks_on_the_back(front_lines, back_lines):
            # the back repeats the front's boxes, the right ones ticked: the front is ticked
            front_lines = [ticked.get(line, line) for line in front_lines]
            back_lines = []
        elif (
            len(front_lines) == 1
            and back_lines
            and (choices := _choices_in_the_term(front_lines[0], back_lines[0]))
        ):
            front_lines, back_lines[0] = choices
        self.write(f"Q{n}. {front_lines[0]}", first)
        for line in front_lines[1:]:
            self.write(line, first)
        label = "答案：" if re.search(r"[\u3400-\u9fff]", front + back) else "Answer: "
        if back_lines:
            self.write(label + back_lines[0], last)
            for line in back_lines[1:]:
                self.write(line, last)
        self.write("", last)

    def write(self, line: str, origin: int) -> None:
        self.out.append(line)
        self.origin.append(origin)


def _ticks_on_the_back(front: list[str], back: list[str]) -> dict[str, str]:
    """The front's box lines as ticked task items when the back is the same boxes with the
    right ones ticked ("☐ BPE" on the front, "☑ BPE" on the back); empty otherwise."""
    boxes = {line: item for line in front if (item := box_item(line))}
    ticks = [box_item(line) for line in back]
    if len(boxes) < 2 or not all(ticks) or not any(tick for _, tick in filter(None, ticks)):
        return {}
    ticked = {text for text, tick in filter(None, ticks) if tick}
    if {text for text, _ in filter(None, ticks)} != {text for text, _ in boxes.values()}:
        return {}
    return {
        line: f"- [{'x' if text in ticked else ' '}] {text}" for line, (text, _) in boxes.items()
    }


#: Where a term's question ends and the choices crammed after it begin: "…every layer?  Prompt
#: tuning / Prefix tuning", "…which tokens count? 1. every token 2. …".
_QUESTION_END = re.compile(r"[?？:：]\s+")
_SEPARATED = re.compile(r"\s+[/•·|]\s+")
_DIGITS = re.compile(r"(?:^|\s+)(?P<n>[1-9])[.)]\s+")
_SPACED_LETTERS = re.compile(
    r"(?:^|(?<=[.?!:。？！：])\s+|(?<=\S)\s+(?=[B-H]\s))(?P<key>[A-H])\s+(?=\S)"
)


def _choices_in_the_term(front: str, back: str) -> tuple[list[str], str] | None:
    """A term that crams its choices after its question, and a back that picks one: choices
    separated by slashes or bullets when the back is one of them word for word, numbered
    ``1. … 2. …`` when the back is a number, lettered without stops ``A True   B False``
    when the back is a letter. The term's lines and the answer as the parser reads them, or
    None."""
    asked = list(_QUESTION_END.finditer(front))
    if not asked:
        return None
    prompt, tail = front[: asked[-1].start() + 1], front[asked[-1].end() :]
    answer = back.strip()
    parts: list[str] = []
    if len(texts := _SEPARATED.split(tail)) >= 2 and answer.casefold() in (
        t.strip().casefold() for t in texts
    ):
        parts = [t.strip() for t in texts]
    elif answer.isdigit() and [m["n"] for m in _DIGITS.finditer(tail)] == [
        str(k) for k in range(1, len(_DIGITS.findall(tail)) + 1)
    ]:
        before, *split = _DIGITS.split(tail)
        prompt, parts = f"{prompt} {before}".strip(), [t.strip() for t in split[1::2]]
        answer = "ABCDEFGH"[int(answer) - 1] if 0 < int(answer) <= len(parts) else ""
    elif re.fullmatch(r"[A-H]", answer) and [m["key"] for m in _SPACED_LETTERS.finditer(tail)] == [
        "ABCDEFGH"[k] for k in range(len(_SPACED_LETTERS.findall(tail)))
    ]:
        before, *split = _SPACED_LETTERS.split(tail)
        prompt, parts = f"{prompt} {before}".strip(), [t.strip() for t in split[1::2]]
    if len(parts) < 2 or not answer or not all(parts):
        return None
    return [prompt, *(f"{'ABCDEFGH'[k]}. {text}" for k, text in enumerate(parts))], answer


def parse_flashcards(
    text: str, *, name: str, bank_id: str, title: str | None = None
) -> ImportResult:
    """Parse a flashcard export: a question for each row, through the article parser; the
    reports name the export's lines, and its header is reported as front matter."""
    reader = _Reader(text)
    reader.read()
    header: list[LeftOut] = []
    if reader.header:
        header = [(reader.header[0], reader.header[-1], N_("front matter"), text.split("\n", 1)[0])]
    return parse_rows(reader.out, reader.origin, header, name=name, bank_id=bank_id, title=title)
