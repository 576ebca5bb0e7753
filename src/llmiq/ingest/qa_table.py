"""Questions laid out as a table: one row per question, its answer in another column.

Cheat sheets put open questions in a table (``| # | Question | Short answer |``, ``| 问题 |
参考答案 |``), and flashcards their two faces (``| 正面 | 背面 |``, ``| Front | Back |``, one card
to a table or many), in Markdown or as an HTML table on a saved page. Each row becomes the two
lines the parser knows, ``N. question`` and ``Answer: text``, both under the row's line number, so
that reports still name the author's lines; the header and its rule are left out.

A table is read this way only when its header names both a question column and an answer
column and most answers are text: a table of option letters (``| Q | Answer |`` with ``B``,
``C``) is an answer key for questions written elsewhere (``answer_key``). A number column
(``#``, ``No.``, ``题号``) gives the questions' numbers; without one the rows are unnumbered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmiq.ingest.lines import FENCE, fold

_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_NUMBER = re.compile(r"^(?:#|no\.?|num(?:ber)?|id|q\s*#|序号|题号|编号)$", re.I)
_QUESTION = re.compile(
    r"^(?:(?:interview\s+)?questions?|q|prompt|问题|题目|面试题|问"
    r"|front|正面|term|术语)$",  # a flashcard's front, a glossary's term
    re.I,
)
_ANSWER = re.compile(
    r"^(?:(?:short|sample|model|reference|suggested|key)?\s*answers?|key\s+points|solution"
    r"|答案|参考答案|回答|参考回答|解答|答案要点|要点|答|back|背面|反面|definition|释义)$",
    re.I,
)
_CARD_FACE = re.compile(r"^(?:front|正面)$", re.I)
#: An answer cell that is only option keys ("B", "A, C"): a key table, not a Q&A table.
_KEYS_ONLY = re.compile(r"^\(?[A-Ja-j]\)?(?:\s*[,、/&]?\s*\(?[A-Ja-j]\)?)*$")
_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.I)


@dataclass(frozen=True)
class TableRows:
    """What a Q&A table's lines become: ``rows[i]`` the lines written for line ``i`` (a
    blank one for the header and its rule), ``headers`` the headers' indexes."""

    rows: dict[int, list[str]]
    headers: list[int]


def _cells(line: str) -> list[str] | None:
    match = _ROW.match(line)
    if match is None:
        return None
    cells = re.split(r"(?<!\\)\|", match["cells"])
    return [_BREAK.sub(" ", c).replace(r"\|", "|").strip() for c in cells]


def _plain(cell: str) -> str:
    return re.sub(r"^[*_`\s]+|[*_`:：\s]+$", "", fold(cell))


def _columns(header: list[str]) -> tuple[int | None, int, int] | None:
    names = [_plain(h) for h in header]
    question = next((c for c, h in enumerate(names) if _QUESTION.match(h)), None)
    answer = next((c for c, h in enumerate(names) if _ANSWER.match(h)), None)
    if question is None or answer is None or question == answer:
        return None
    number = next((c for c, h in enumerate(names) if _NUMBER.match(h)), None)
    return number, question, answer


def qa_table_rows(lines: list[str]) -> TableRows:
    """The Q&A tables among ``lines`` (see the module docstring); code blocks are skipped."""
    rows: dict[int, list[str]] = {}
    headers: list[int] = []
    in_code = False
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            in_code = not in_code
        header = None if in_code else _cells(lines[i])
        columns = _columns(header) if header is not None else None
        if columns is None or i + 1 >= len(lines) or not _RULE.match(lines[i + 1]):
            i += 1
            continue
        number_col, question_col, answer_col = columns
        body: dict[int, list[str]] = {}
        questions: list[str] = []
        j = i + 2
        while j < len(lines) and (cells := _cells(lines[j])) is not None:
            if _RULE.match(lines[j]):  # a grid table's rule between its rows
                body[j] = [""]
                j += 1
                continue
            question = cells[question_col] if question_col < len(cells) else ""
            answer = cells[answer_col] if answer_col < len(cells) else ""
            number = cells[number_col] if number_col is not None and number_col < len(cells) else ""
            digits = re.search(r"\d{1,3}", fold(number))
            marker = f"{digits.group(0)}." if digits else "Q:"
            body[j] = [f"{marker} {question}", f"Answer: {answer}"] if question else [""]
            questions += [question] if question else []
            j += 1
        answers = [row[1].removeprefix("Answer: ") for row in body.values() if len(row) == 2]
        texts = [a for a in answers if a and not _KEYS_ONLY.match(_plain(a))]
        # "| Question | Answer |" holding "1 | B": numbers, so a key to questions elsewhere
        numbered = [question for question in questions if fold(question).strip().isdigit()]
        a_key = 2 * len(numbered) > len(questions)
        # a flashcard's faces may come one card to a table ("### 卡片 01" over "| 正面 | 背面 |")
        fewest = 1 if _CARD_FACE.match(_plain(header[question_col])) else 2
        if len(answers) >= fewest and 2 * len(texts) > len(answers) and not a_key:
            rows |= {i: [""], i + 1: [""]} | body
            headers.append(i)
        i = j
    return TableRows(rows, headers)
