"""Question banks exported as CSV (Excel, WPS, 问卷星, exam systems) as the question-and-answer
text the parser reads: a header row names the columns (题目/题干/question, 题型/type,
选项A…/A…/option A…, 答案/answer, 解析/explanation), and each row below it is a question.

- The separator is a comma, semicolon or tab, whichever makes the first rows a header;
  ``csv.Sniffer`` only when none does. Fields may be quoted and run over lines.
- A row becomes ``Q{n}. prompt``, a lettered line for each non-empty option column, its
  answer line (``答案：AC``; an answer given as ``A,C``, ``A|C`` or as an option's text is
  turned into letters) and its explanation. A 判断 (true/false) row without options gets
  正确/错误. Difficulty, score, knowledge-point and other columns are dropped.
- A title row above the header (one cell: ``题库名称,,,,``) is the bank's title.
- Blank rows, a repeated header and rows without a question are reported by the file's own
  line numbers, and so are the parser's reports.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmiq.ingest.converted import is_chinese, parse_rows
from llmiq.ingest.lines import ZERO_WIDTH, split_lines
from llmiq.ingest.option_text import FALSE_WORDS, TRUE_WORDS
from llmiq.messages import N_

if TYPE_CHECKING:
    from _csv import _reader

    from llmiq.ingest.result import ImportResult

_SEPARATORS = (",", ";", "\t")
_ROLES = {
    "question": ("题目", "题干", "试题", "题目内容", "试题内容", "题干内容", "问题", "题目名称",
                 "试题题干", "question", "questions", "questiontext", "stem", "prompt"),
    "type": ("题型", "类型", "试题类型", "题目类型", "type", "questiontype", "kind"),
    "answer": ("答案", "正确答案", "标准答案", "参考答案", "正确选项", "answer", "answers",
               "correctanswer", "correctanswers", "correct", "key", "answerkey"),
    # all the options in one column: "A.原模型 B.新模型", "①…②…", or one a line
    "options": ("选项", "备选项", "选项内容", "options", "choices"),
    "explanation": ("解析", "答案解析", "试题解析", "题目解析", "解释", "explanation",
                    "explanations", "analysis", "rationale"),
    "number": ("序号", "题号", "编号", "no", "no.", "number", "num", "#", "id"),
    "dropped": ("难度", "分值", "分数", "知识点", "标签", "章节", "科目", "课程", "分类",
                "试题分类", "备注", "difficulty", "score", "points", "tags", "tag", "topic",
                "category", "chapter", "level", "subject"),
}  # fmt: skip
_ROLE_OF = {name: role for role, names in _ROLES.items() for name in names}
_OPTION_COLUMN = re.compile(r"^(?:选项|option|choice)?(?P<letter>[a-h])(?:选项)?$")
_BETWEEN_OPTIONS = re.compile(r"\s*[；;|｜]\s*(?=[A-H]\s*[.、．)）])")
_NOTE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NUMBER = re.compile(r"^\s*(?:Q|第)?\s*\d{1,4}\s*(?:题)?\s*[.、:：)）．]\s*", re.I)
_LETTERS = re.compile(r"[A-Ha-h](?:\s*[,，、|/;；]?\s*[A-Ha-h])*")
_PARTS = re.compile(r"\s*(?:\||;|；|\n|,|，|、)\s*")
_JUDGE = ("判断", "是非", "对错", "truefalse", "true/false", "trueorfalse", "tf", "judge")
_OPEN = ("简答", "问答", "填空", "论述", "主观", "名词解释", "计算", "shortanswer", "essay",
         "open", "fillin", "blank", "text")  # fmt: skip


def _column_name(cell: str) -> str:
    name = _NOTE.sub("", cell.translate(ZERO_WIDTH)).strip().strip("*＊:：").lower()
    return re.sub(r"[\s_\-]+", "", name)


@dataclass
class _Layout:
    """Where the header is and what its columns hold (0-based column indexes)."""

    separator: str
    header: int  # 0-based row of the header
    roles: dict[str, int] = field(default_factory=dict)
    options: list[tuple[str, int]] = field(default_factory=list)  # (letter, column)
    width: int = 0  # the header's cells

    def is_bank(self) -> bool:
        return "question" in self.roles and ("answer" in self.roles or len(self.options) >= 2)


def _layout(row: list[str], separator: str, header: int) -> _Layout | None:
    """The columns of ``row`` if it is a question bank's header: a question column, an
    answer column or two option columns, and most of its cells column names."""
    layout = _Layout(separator, header, width=len(row))
    named = cells = 0
    for k, cell in enumerate(row):
        name = _column_name(cell)
        if not name:
            continue
        cells += 1
        if found := _OPTION_COLUMN.match(name):
            letter = found["letter"].upper()
            if letter not in dict(layout.options):
                layout.options.append((letter, k))
                named += 1
        elif (role := _ROLE_OF.get(name)) is not None:
            named += 1
            if role != "dropped":
                layout.roles.setdefault(role, k)
    layout.options.sort()
    if not layout.is_bank() or named < 2 or named * 3 < cells * 2:
        return None
    return layout


def _rows(text: str, separator: str) -> _reader:
    return csv.reader(io.StringIO(text), delimiter=separator, quotechar='"', strict=False)


def _find_layout(text: str) -> _Layout | None:
    """The header among the first rows: above it only blank rows and a title (one cell)."""
    best: _Layout | None = None
    for separator in _SEPARATORS:
        found = _header_in(text, separator)
        if found and (best is None or _score(found) > _score(best)):
            best = found
    if best is None:
        try:
            dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        except csv.Error:
            return None
        best = _header_in(text, dialect.delimiter)
    return best


def _score(layout: _Layout) -> int:
    return len(layout.roles) + len(layout.options)


def _header_in(text: str, separator: str) -> _Layout | None:
    rows = _rows(text, separator)
    try:
        for k, row in enumerate(rows):
            if k > 4:
                return None
            if (found := _layout(row, separator, k)) is not None:
                return found
            if sum(1 for cell in row if cell.strip()) > 1:
                return None
    except csv.Error:
        return None
    return None


def _clean(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().split("\n") if line.strip())


def looks_like_csv_bank(text: str) -> bool:
    """Whether a text of unknown format (a ``.txt`` file, pasted text) is a question bank
    in CSV: one of its first rows names a question column and an answer or option columns,
    and the rows below it are rows of fields, not lines of an article."""
    sample = "\n".join(split_lines(text[:200_000]))
    if not sample.lstrip().split("\n", 1)[0].strip():
        return False
    layout = _find_layout(sample[:20_000])
    if layout is None:
        return False
    rows = _rows(sample, layout.separator)
    checked = 0
    try:
        for k, row in enumerate(rows):
            if k <= layout.header or not any(cell.strip() for cell in row):
                continue
            if len(row) < 2:
                return False
            checked += 1
            if checked == 5:
                break
    except csv.Error:
        return False
    return checked > 0


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = "\n".join(split_lines(text))
        self.zh = is_chinese(self.text)
        self.out: list[str] = []
        self.origin: list[int] = []  # the file's 1-based line of each line written
        self.left_out: list[tuple[int, int, str, str]] = []  # 1-based lines, reason, excerpt

    def read(self) -> None:
        layout = _find_layout(self.text[:20_000])
        if layout is None:
            return
        rows = _rows(self.text, layout.separator)
        done = 0
        n = 0
        for k, row in enumerate(rows):
            first, done = done + 1, rows.line_num
            cells = [cell.strip() for cell in row]
            if k < layout.header:
                if any(cells) and not self.out:
                    self.write("# " + " ".join(_clean(c) for c in cells if c), first)
                    self.write("", first)
                continue
            if k == layout.header or _layout(row, layout.separator, k) is not None:
                self.leave_out(first, done, N_("table header"), layout.separator.join(row))
            elif not any(cells):
                self.leave_out(first, done, N_("empty row"), "")
            elif not _cell(cells, layout.roles.get("question")):
                self.leave_out(first, done, N_("row without a question"), " ".join(cells))
            else:
                n += 1
                self.question(n, first, done, cells, layout)

    def question(self, n: int, first: int, last: int, cells: list[str], layout: _Layout) -> None:
        roles = dict(layout.roles)
        together: list[str] = []
        if (column := roles.get("options")) is not None:
            # one options column, its options perhaps spread over the unnamed columns after
            # it, or over more cells than the header has (the columns after them move along)
            spread = max(0, len(cells) - layout.width)
            end = min((k for k in roles.values() if k > column), default=layout.width)
            together = [_clean(c) for c in cells[column : end + spread] if c.strip()]
            roles = {r: k + spread if k > column else k for r, k in roles.items()}
        prompt = _NUMBER.sub("", _clean(_cell(cells, roles.get("question"))), count=1)
        number = _cell(cells, roles.get("number"))
        if number.isdigit() and int(number) > 0:
            n = int(number)
        kind = _kind(_cell(cells, roles.get("type")))
        options = [
            (letter, " ".join(_clean(_cell(cells, k)).split("\n")))
            for letter, k in layout.options
            if _cell(cells, k)
        ]
        if kind == "open":
            options = []
        elif kind == "judge" and not options:
            options = [("A", "正确" if self.zh else "True"), ("B", "错误" if self.zh else "False")]
        answer = _clean(_cell(cells, roles.get("answer")))
        explanation = _clean(_cell(cells, roles.get("explanation")))
        if options:
            answer = _keys(answer, options)
        elif not answer:
            answer, explanation = explanation, ""
        prompt_lines = prompt.split("\n")
        self.write(f"Q{n}. {prompt_lines[0]}", first)
        for line in prompt_lines[1:]:
            self.write(line, first)
        for letter, text in options:
            self.write(f"{letter}. {text}", first)
        for cell in together if kind != "open" and not options else []:
            for line in cell.split("\n"):
                # the article parser splits "A.x  B.y" and "①x ②y"; "A.x|B.y" is split here
                for part in _BETWEEN_OPTIONS.split(line):
                    self.write(part, first)
        self.labelled("答案：" if self.zh else "Answer: ", answer, last)
        self.labelled("解析：" if self.zh else "Explanation: ", explanation, last)
        self.write("", last)

    def labelled(self, label: str, text: str, origin: int) -> None:
        if not text:
            return
        lines = text.split("\n")
        if len(lines) == 1:
            self.write(label + lines[0], origin)
            return
        self.write(label.rstrip(), origin)
        for line in lines:
            self.write(line, origin)

    def write(self, line: str, origin: int) -> None:
        self.out.append(line)
        self.origin.append(origin)

    def leave_out(self, first: int, last: int, reason: str, excerpt: str) -> None:
        previous = self.left_out[-1] if self.left_out else None
        if previous and previous[2] == reason and previous[1] + 1 == first:
            self.left_out[-1] = (previous[0], last, reason, previous[3])
        else:
            self.left_out.append((first, last, reason, excerpt))


def _cell(cells: list[str], column: int | None) -> str:
    return cells[column] if column is not None and column < len(cells) else ""


def _kind(value: str) -> str:
    """``judge``, ``open`` or ``choice`` from a type column's 判断题, 简答题, 单选题, ..."""
    name = _column_name(value)
    if any(word in name for word in _JUDGE):
        return "judge"
    if any(word in name for word in _OPEN):
        return "open"
    return "choice"


def _keys(answer: str, options: list[tuple[str, str]]) -> str:
    """The option letters an answer names (``AC``), whether it gives them as ``A,C``,
    ``A|C``, ``ABD`` or as the options' text; else the answer as it is."""
    value = answer.strip().rstrip("。.").strip()
    letters = [letter for letter, _ in options]
    if _LETTERS.fullmatch(value):
        found = re.findall(r"[A-Ha-h]", value)
        if all(k.upper() in letters for k in found):
            return "".join(sorted({k.upper() for k in found}))
    by_text = {_column_name(text): letter for letter, text in options}
    if (whole := by_text.get(_column_name(value))) is not None:
        return whole
    parts = [_column_name(part) for part in _PARTS.split(value) if part.strip()]
    if parts and all(part in by_text for part in parts):
        return "".join(sorted({by_text[part] for part in parts}))
    word = _column_name(value)
    for words in (TRUE_WORDS, FALSE_WORDS):
        if word in words:
            for letter, text in options:
                if _column_name(text) in words:
                    return letter
    return answer


def parse_csv_bank(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse a CSV question bank: a question for each row, through the article parser; the
    reports name the file's lines."""
    reader = _Reader(text)
    reader.read()
    return parse_rows(
        reader.out, reader.origin, reader.left_out, name=name, bank_id=bank_id, title=title
    )
