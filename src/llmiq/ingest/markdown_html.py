"""HTML written into a Markdown article, made the Markdown a person reads, a line at a time
(so that every report still names the author's lines):

- ``&nbsp;`` and its kin are the spaces a README lays options out with;
- a line break before an option's key (``A. x<br />B. y``) is a wide gap, as between options
  written on one line; so is the border between the cells of a table row
  (``<tr><td>A. FP16</td><td>B. INT8</td></tr>``);
- a list an item a line (``<ol type="A">``, ``<li>BM25</li>``) is lettered options in a list of
  type A, else bullets;
- inline tags that colour or mark a line (``<font color="red">✔ 选 B</font>``, ``<mark>``,
  ``<kbd>``) go when they open it, where they would hide an answer label or an option;
- a heading on its own line (``<h1 align="center">Q &amp; A</h1>``, as READMEs centre their
  titles) is a Markdown heading.
"""

from __future__ import annotations

import html
import re

from llmiq.ingest.lines import TAG

_BREAK = re.compile(r"\s*<br\s*/?>\s*(?=(?:[A-J]\s*[.、．)]|[(（][A-J][)）]))", re.I)
_INLINE = r"(?:font|mark|kbd|span|b|strong|i|em|u|small|code)\b"
#: Inline tags that colour or mark text; an answer's keys may stand in them too.
INLINE_TAG = re.compile(rf"</?{_INLINE}[^<>]*>", re.I)
_OPENS_INLINE = re.compile(rf"^\s*<{_INLINE}", re.I)
_SPACE_ENTITY = re.compile(r"&(nbsp|ensp|emsp|#160|#xa0);", re.I)
_SPACES = {"nbsp": " ", "ensp": "  ", "emsp": "\u3000", "#160": " ", "#xa0": " "}
_LIST_OPEN = re.compile(
    r"^\s*<[ou]l\b(?:[^<>]*\btype\s*=\s*(?P<type>[\"']?\w[\"']?))?[^<>]*>\s*$", re.I
)
_LIST_CLOSE = re.compile(r"^\s*</[ou]l>\s*$", re.I)
_LIST_ITEM = re.compile(r"^\s*<li\b[^<>]*>(?P<text>.*?)(?:</li>)?\s*$", re.I)
_TABLE_ROW = re.compile(r"^\s*<(?:tr|td|th)\b", re.I)
_CELL_BREAK = re.compile(r"\s*</t[dh]>\s*(?=<t[dh]\b)", re.I)
_HEADING = re.compile(
    r"^\s*<h(?P<level>[1-6])(?:\s[^<>]*)?>(?P<text>.*?\S.*?)</h(?P=level)\s*>\s*$", re.I
)


class MarkdownHtml:
    """Rewrites the lines of one article in order; it keeps which HTML list it is in."""

    def __init__(self) -> None:
        self._lettered = False  # in a list of type A
        self._item = 0  # the place of the list's next item

    def rewrite(self, line: str) -> str:
        """``line`` with the HTML in it made Markdown (see the module docstring)."""
        if "&" in line:
            line = _SPACE_ENTITY.sub(lambda m: _SPACES[m[1].lower()], line)
        line = _BREAK.sub("   ", line).rstrip() if _BREAK.search(line) else line
        if opened := _LIST_OPEN.match(line):
            self._lettered = (opened["type"] or "").strip("\"'") in ("A", "a")
            self._item = 0
        elif _LIST_CLOSE.match(line):
            self._lettered = False
        elif item := _LIST_ITEM.match(line):
            text = TAG.sub("", item["text"]).strip()
            key = chr(ord("A") + self._item)
            self._item += 1
            return f"{key}. {text}" if self._lettered else f"- {text}"
        if _TABLE_ROW.match(line):
            return TAG.sub("", _CELL_BREAK.sub("    ", line)).strip()
        if _OPENS_INLINE.match(line):
            line = INLINE_TAG.sub("", line)
        if heading := _HEADING.match(line):
            text = html.unescape(TAG.sub("", heading["text"])).strip()  # "Q&amp;A" is "Q&A"
            return f"{'#' * int(heading['level'])} {text}"
        return line
