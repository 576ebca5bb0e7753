"""Options laid out in a table, as quiz sites print them: a letter cell, then its text
(``| A. | 16 | B. | 32 |``), or the whole option in one cell (``| A. 16 | B. 32 |``); or an
option per row under a header, the letter in the first column and its text in the others
(``| 选项 | 方法 | 做法 |`` then ``| A | Adapter | 串行插入瓶颈模块 |``: "A. Adapter — 串行…").

Such a table becomes option lines, one per table row (``A. 16   B. 32``), the rule row a
blank line: the number of lines stays the same, so reports still name the author's lines.
A table is only rewritten when all its cells are options and their letters run A, B, C, ...
in order; any other table (an answer key, a comparison) is left as it is.
"""

from __future__ import annotations

import re

from llmiq.ingest.folding import fold
from llmiq.ingest.lines import FENCE

_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")
_RULE_CELL = re.compile(r"^\s*:?-+:?\s*$")
#: "A." "(B)" "**C**" "d)": a letter alone in its cell needs no mark
_MARK = (
    r"(?:\*\*|__)?[(（]?(?P<letter>[A-Ha-h])"
    r"(?:[.)）．、:：]|(?=\s*(?:\*\*|__)?\s*$))(?:\*\*|__)?"
)
_LETTER_CELL = re.compile(rf"^\s*{_MARK}\s*$")
_OPTION_CELL = re.compile(rf"^\s*{_MARK}\s*(?P<text>\S.*?)\s*$")


def _cells(line: str) -> list[str]:
    found = _ROW.match(line)
    return [cell.strip() for cell in found["cells"].split("|")] if found else []


def _row_options(cells: list[str]) -> list[tuple[str, str]] | None:
    """A row's (letter, text) pairs, [] for a rule row, None if it is not all options."""
    if all(_RULE_CELL.match(cell) for cell in cells):
        return []
    cells = [cell for cell in cells if cell]
    if len(cells) % 2 == 0 and all(_LETTER_CELL.match(cell) for cell in cells[::2]):
        texts = cells[1::2]
        if any(_LETTER_CELL.match(text) for text in texts):
            return None
        letters = [_LETTER_CELL.match(cell)["letter"] for cell in cells[::2]]  # type: ignore[index]
        return list(zip(letters, texts, strict=True))
    matches = [_OPTION_CELL.match(cell) for cell in cells]
    if cells and all(matches):
        return [(found["letter"], found["text"]) for found in matches]  # type: ignore[index]
    return None


#: The header of a table's letter column: "选项", "Option", "Key", or nothing.
_LETTER_HEADER = re.compile(r"^(?:选项|选项字母|字母|option|choice|key|letter|#)?$", re.I)


def _rows_of_options(rows: list[list[str]]) -> list[list[tuple[str, str]]] | None:
    """A header, its rule, then one option per row, the letter first: the header row and
    the rule become blank lines."""
    if len(rows) < 4 or not all(_RULE_CELL.match(cell) for cell in rows[1]):
        return None
    if not rows[0] or not _LETTER_HEADER.match(re.sub(r"[*_`\s]", "", fold(rows[0][0]))):
        return None
    options: list[list[tuple[str, str]]] = [[], []]
    for cells in rows[2:]:
        letter = _LETTER_CELL.match(cells[0]) if len(cells) >= 2 else None
        texts = [cell for cell in cells[1:] if cell]
        if letter is None or not texts:
            return None
        options.append([(letter["letter"], " — ".join(texts))])
    return options


def _letters_over_texts(rows: list[list[str]]) -> list[list[tuple[str, str]]] | None:
    """A header of letters A, B, … over its rule and one row of texts, a cell each (a Google
    Docs table exported to Markdown): the texts are the options, on the row's line."""
    if len(rows) != 3 or not all(_RULE_CELL.match(cell) for cell in rows[1]):
        return None
    letters = [_LETTER_CELL.match(cell) for cell in rows[0]]
    if not all(letters) or len(rows[2]) != len(rows[0]) or not all(rows[2]):
        return None
    keys = [found["letter"] for found in letters]  # type: ignore[index]
    return [[], [], list(zip(keys, rows[2], strict=True))]


def _table_options(rows: list[list[str]]) -> list[list[tuple[str, str]]] | None:
    options = [_row_options(cells) for cells in rows]
    if any(row is None for row in options):
        options = _rows_of_options(rows) or _letters_over_texts(rows) or options  # type: ignore[assignment]
    if any(row is None for row in options):
        return None
    letters = [letter.upper() for row in options for letter, _ in row]  # type: ignore[union-attr]
    if len(letters) < 2 or letters != [chr(ord("A") + n) for n in range(len(letters))]:
        return None
    return options  # type: ignore[return-value]


def rewrite_option_tables(lines: list[str]) -> list[str]:
    """``lines`` with every table of options written as option lines (see the module)."""
    out = list(lines)
    in_code = False
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            in_code = not in_code
        if in_code or not _ROW.match(lines[i]):
            i += 1
            continue
        end = i
        while end < len(lines) and _ROW.match(lines[end]):
            end += 1
        options = _table_options([_cells(line) for line in lines[i:end]])
        if options is not None:
            for n, row in enumerate(options, start=i):
                out[n] = "   ".join(f"{letter.upper()}. {text}" for letter, text in row)
        i = end
    return out
