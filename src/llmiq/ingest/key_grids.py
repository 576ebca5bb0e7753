"""Answer keys laid out as a grid: a Markdown table whose header names a number and an
answer column (``| Q# | Answer | Explanation |``), or two rows, "题号  1  2  3" over
"答案  A  C  B"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from llmiq.ingest.lines import Line, LineKind, fold

#: A key's entries by question number: the answer, and the explanation a table gives.
Grid = dict[int, tuple[str, str]]

TABLE_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_NUMBER_HEADER = re.compile(
    r"^(?:q(?:uestion)?\s*(?:#|no\.?|number)?|#|no\.?|number|problem|exercise|item"
    r"|题号|序号|题目|题|问题)$",
    re.I,
)
_ANSWER_HEADER = re.compile(
    r"^(?:answers?(?:\s+keys?)?|keys?|correct(?:\s+answers?)?|答案|正确答案|参考答案)$", re.I
)
_EXPLANATION_HEADER = re.compile(r"^(?:explanation|why|notes?|rationale|解析|说明|理由)$", re.I)
_ROW_HEAD = re.compile(
    r"^\s*(?:题号|序号|题目|no\.?|q(?:uestion)?\s*#?|#)\s*[:：|]?\s*(?P<cells>.+)$", re.I
)
_ROW_KEYS = re.compile(
    r"^\s*(?:答案|正确答案|参考答案|answers?|keys?)\s*[:：|]?\s*(?P<cells>.+)$", re.I
)


def read_grid(lines: Sequence[Line], i: int) -> tuple[Grid, int]:
    """A key laid out in two rows or as a table at line ``i``: its entries and where it
    stops (``i`` when there is none)."""
    found, after = _read_rows(lines, i)
    return (found, after) if after > i else _read_table(lines, i)


def _cells(line: str) -> list[str] | None:
    """A Markdown table row's cells, or a row of cells parted by tabs (a table copied from a
    page or a spreadsheet: "1\tB")."""
    match = TABLE_ROW.match(line)
    if match is None:
        parts = line.strip().split("\t")
        return [p.strip() for p in parts if p.strip()] if len(parts) >= 2 else None
    return [re.sub(r"^[*_`\s]+|[*_`\s]+$", "", c) for c in match["cells"].split("|")]


def _read_table(lines: Sequence[Line], i: int) -> tuple[Grid, int]:
    header = _cells(fold(lines[i].raw))
    tabs = header is not None and not TABLE_ROW.match(lines[i].raw)  # no rule under it
    if header is None or i + 1 >= len(lines):
        return {}, i
    if not tabs and not TABLE_RULE.match(lines[i + 1].raw):
        return {}, i
    number_col = next((c for c, h in enumerate(header) if _NUMBER_HEADER.match(h)), None)
    answer_col = next((c for c, h in enumerate(header) if _ANSWER_HEADER.match(h)), None)
    if number_col is None or answer_col is None:
        return {}, i
    why_col = next((c for c, h in enumerate(header) if _EXPLANATION_HEADER.match(h)), None)
    j = i + 1 if tabs else i + 2
    rows: Grid = {}
    while j < len(lines) and (cells := _cells(lines[j].raw)) is not None:
        number = re.sub(r"\D", "", fold(cells[number_col])) if number_col < len(cells) else ""
        if number and answer_col < len(cells):
            why = cells[why_col] if why_col is not None and why_col < len(cells) else ""
            rows[int(number)] = (cells[answer_col], why)
        j += 1
    return (rows, j) if len(rows) >= 2 else ({}, i)


def _read_rows(lines: Sequence[Line], i: int) -> tuple[Grid, int]:
    j = i + 1
    while j < len(lines) and (lines[j].kind is LineKind.BLANK or TABLE_RULE.match(lines[j].raw)):
        j += 1  # a Markdown table's rule between its two rows
    head = _ROW_HEAD.match(fold(lines[i].raw.strip().strip("|")))
    if head is None or j >= len(lines):
        return {}, i
    if not (keys := _ROW_KEYS.match(fold(lines[j].raw.strip().strip("|")))):
        return {}, i
    numbers = re.split(r"[\s|]+", head["cells"].strip(" |"))
    if "|" in keys["cells"]:  # a table's cells: "| 答案 | B | ABD | 小 batch 的 decode 阶段 |"
        values = [cell.strip() for cell in keys["cells"].strip(" |").split("|")]
    else:  # "A, C" is one value: keys joined by commas stay together
        values = re.split(r"[\s|]+", re.sub(r"\s*([,、/&])\s*", r"\1", keys["cells"].strip(" |")))
    if len(numbers) < 2 or len(numbers) != len(values) or not all(n.isdigit() for n in numbers):
        return {}, i
    return {int(n): (value, "") for n, value in zip(numbers, values, strict=True)}, j + 1
