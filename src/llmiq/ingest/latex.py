"""LaTeX exam papers (the ``exam`` class, or ``enumerate`` lists of questions) as the
Markdown-like text the parser reads, one output line per input line so that every report
names the author's lines.

- The preamble is front matter, left out but for ``\\title{}`` (the ``#`` heading);
  ``\\section{}`` and the like are headings; ``%`` comments are left out.
- ``\\question[points]`` and ``\\titledquestion{…}`` are numbered as the class numbers them
  (1, 2, … across every ``questions`` environment, ``\\setcounter{question}{n}`` obeyed);
  ``\\choice``/``\\CorrectChoice`` in ``choices``, ``oneparchoices`` and ``checkboxes`` are
  lettered options, the correct ones an ``Answer:`` line where the list ends; a
  ``solution`` environment is the answer of an open question, else the explanation;
  ``\\fillin[answer]`` is a blank and its answer; ``\\part`` a line of the prompt.
- Without ``questions``: a top-level ``enumerate`` numbers the questions and the list
  inside an item its options; ``\\textbf{Answer:} B`` is a bold answer label.
- In a paper with ``questions`` environments, the text outside them (instructions, the
  name line, the closing notice) is left out and reported; ``verbatim``,
  ``lstlisting`` and ``minted`` are fenced code; inline markup is rewritten by
  :mod:`latex_inline`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmiq.ingest.converted import Rewritten, is_chinese, parse_rewritten
from llmiq.ingest.latex_inline import Inline, arguments, strip_comment
from llmiq.ingest.lines import split_lines
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult

_ENV = re.compile(r"^\s*\\(?P<edge>begin|end)\s*\{(?P<name>[A-Za-z]+\*?)\}")
_QUESTION = re.compile(
    r"^\s*\\(?P<cmd>question|titledquestion|bonusquestion|bonustitledquestion)\b"
)
_PART = re.compile(r"^\s*\\(?P<cmd>part|subpart|subsubpart)\b")
_CHOICE = re.compile(r"\\(?P<cmd>choice|CorrectChoice)\b")
_ITEM = re.compile(r"^\s*\\item\b")
_SECTION = re.compile(
    r"^\s*\\(?P<cmd>part|chapter|section|subsection|subsubsection|paragraph)\*?\s*(?=[\[{])"
)
_TITLE = re.compile(r"^\s*\\title\s*(?=[\[{])")
_COUNTER = re.compile(r"\\(?P<how>setcounter|addtocounter)\{question\}\{(?P<n>-?\d+)\}")
_SOLUTIONS = re.compile(r"^solution(?:orbox|orlines|ordottedlines|orgrid)?$")
_CHOICE_ENVS = {
    "choices": "",
    "oneparchoices": "",
    "checkboxes": "multi",
    "oneparcheckboxes": "multi",
}
_VERBATIM = {"verbatim", "verbatim*", "lstlisting", "minted", "Verbatim", "comment"}
_MATH_ENVS = {"equation", "equation*", "align", "align*", "gather", "gather*", "displaymath"}
_LISTS = {"enumerate", "itemize", "description"}
_LEVELS = {"part": 1, "chapter": 1, "section": 2, "subsection": 3, "subsubsection": 4}
_ANSWER_LABEL = re.compile(r"^\s*\*\*(?:答案|参考答案|正确答案|Answer|Solution|Key)\b", re.I)

_DOCUMENT_CLASS = re.compile(r"^\s*\\documentclass\b", re.M)
_SIGNS = re.compile(
    r"\\begin\{(?:questions|choices|oneparchoices|checkboxes|enumerate|itemize|document)\}"
    r"|\\(?:question|CorrectChoice|choice|item|section\*?\{|usepackage|textbf\{|maketitle)\b"
)


def looks_like_latex(text: str) -> bool:
    """Whether an article of unknown format is a LaTeX source: a ``\\documentclass`` line,
    or a ``questions`` environment with ``\\question`` commands, or many LaTeX commands at
    the starts of lines and no Markdown heading."""
    sample = text[:200_000]
    if _DOCUMENT_CLASS.search(sample) and "\\begin{document}" in sample:
        return True
    if "\\begin{questions}" in sample and re.search(r"^\s*\\question\b", sample, re.M):
        return True
    starts = re.findall(r"^\s*\\[A-Za-z]+", sample, re.M)
    lines = [line for line in sample.split("\n") if line.strip()]
    return (
        len(starts) >= 8
        and len(starts) * 3 >= len(lines)
        and len(set(_SIGNS.findall(sample))) >= 3
        and not re.search(r"^#{1,6}\s+\S", sample, re.M)
    )


@dataclass
class _Question:
    keys: list[str] = field(default_factory=list)  # the correct choices so far
    options: int = 0  # how many choices so far
    answered: bool = False


class _Converter:
    def __init__(self, lines: list[str]) -> None:
        self.src = lines
        self.doc = Rewritten(list(lines))
        self.out = self.doc.lines
        self.inline = Inline()
        self.zh = is_chinese("\n".join(lines))
        self.answer_label = "答案：" if self.zh else "Answer:"
        self.why_label = "解析：" if self.zh else "Explanation:"
        body = "\n".join(strip_comment(line) for line in lines)
        self.has_questions = "\\begin{questions}" in body
        self.in_body = "\\begin{document}" not in body
        self.envs: list[str] = []
        self.number = 0
        self.question: _Question | None = None
        self.list_numbers: list[int] = []  # enumerate depths: items so far at each
        self.list_kinds: list[str] = []
        self.prefix = ""  # a question number waiting for its text
        self.parts = 0  # the question's \\part items so far

    def convert(self) -> Rewritten:
        i = 0
        while i < len(self.src):
            i = self.line(i) + 1
        return self.doc

    def line(self, i: int) -> int:
        raw = self.src[i]
        if self.envs and self.envs[-1] in _VERBATIM:
            return self.verbatim(i, raw)
        line = strip_comment(raw).rstrip()
        if not line.strip():
            self.out[i] = ""
            if raw.strip():
                self.doc.leave_out(i, i, N_("markup"), raw)
            else:
                self.free(i)
            return i
        if not self.in_body:
            return self.preamble(i, line)
        if env := _ENV.match(line):
            return self.environment(i, line, env)
        if (title := _TITLE.match(line)) or (section := _SECTION.match(line)):
            _, required, _ = arguments(line, (title or section).end())  # type: ignore[union-attr]
            level = 1 if title else _LEVELS.get(section["cmd"], 4)  # type: ignore[index]
            self.end_question(i)
            self.out[i] = f"{'#' * level} {self.inline(required[0] if required else '')}"
            return i
        if counter := _COUNTER.search(line):
            n = int(counter["n"])
            self.number = n if counter["how"] == "setcounter" else self.number + n
            self.out[i] = ""
            return i
        if self.has_questions and "questions" not in self.envs:
            self.doc.leave_out(i, i, N_("text outside the questions"), raw)
            return i
        if question := _QUESTION.match(line):
            return self.start_question(i, line, question)
        if part := _PART.match(line):
            _, _, end = arguments(line, part.end())
            letter = chr(ord("a") + min(self.count_part(), 25))
            self.text_line(i, f"- Part ({letter}) {self.inline(line[end:])}")
            return i
        if self.in_choices() and _CHOICE.search(line):
            return self.choices(i, line)
        if _ITEM.match(line) and self.list_kinds:
            return self.item(i, line)
        self.text_line(i, self.inline(line))
        return i

    def preamble(self, i: int, line: str) -> int:
        if title := _TITLE.match(line):
            _, required, _ = arguments(line, title.end())
            if required:
                self.out[i] = f"# {self.inline(required[0])}"
                return i
        if re.match(r"^\s*\\begin\{document\}", line):
            self.in_body = True
            self.out[i] = ""
            return i
        self.doc.leave_out(i, i, N_("front matter"), self.src[i])
        return i

    def verbatim(self, i: int, raw: str) -> int:
        name = self.envs[-1]
        if re.match(rf"^\s*\\end\{{{re.escape(name)}\}}", raw):
            self.envs.pop()
            self.out[i] = "" if name == "comment" else "```"
        elif name == "comment":
            self.doc.leave_out(i, i, N_("markup"), raw)
        return i

    def environment(self, i: int, line: str, env: re.Match[str]) -> int:
        name, begin = env["name"], env["edge"] == "begin"
        optional, required, end = arguments(line, env.end())
        rest = line[end:].strip()
        self.out[i] = ""
        if begin:
            self.envs.append(name)
        elif name in self.envs:
            while self.envs and self.envs.pop() != name:
                pass
        if name == "document":
            self.in_body = begin
            return i
        if name in _VERBATIM and begin:
            language = required[-1] if name == "minted" and required else ""
            language = language or next(
                (o.split("=", 1)[1] for o in optional if o.lower().startswith("language=")), ""
            )
            self.out[i] = "" if name == "comment" else f"```{language.lower()}"
            if name == "comment":
                self.doc.leave_out(i, i, N_("markup"), line)
            return i
        if name in _MATH_ENVS:
            self.out[i] = "$$"
            return i
        if name == "questions":
            if not begin:
                self.end_question(i)
            return i
        if self.has_questions and "questions" not in self.envs:
            self.doc.leave_out(i, i, N_("text outside the questions"), line)
            return i
        if name in _CHOICE_ENVS:
            if begin and self.question:
                self.question.keys, self.question.options = [], 0
            elif not begin:
                self.answer_choices(i)
            if rest:
                return self.choices(i, rest)
            return i
        if _SOLUTIONS.match(name):
            if begin:
                self.solution(i, rest)
            return i
        if name in _LISTS:
            return self.list_edge(i, name, begin, rest)
        if rest and begin:
            self.text_line(i, self.inline(rest))
        return i

    def start_question(self, i: int, line: str, question: re.Match[str]) -> int:
        self.end_question(i)
        _, required, end = arguments(line, question.end())
        self.number += 1
        self.question = _Question()
        self.parts = 0
        title = self.inline(required[0]) if "titled" in question["cmd"] and required else ""
        text = " ".join(t for t in (title, self.inline(line[end:])) if t)
        if text:
            self.out[i] = f"{self.number}. {text}"
        else:
            self.out[i] = ""
            self.prefix = f"{self.number}. "
        return i

    def count_part(self) -> int:
        self.parts += 1
        return self.parts - 1

    def in_choices(self) -> bool:
        return any(env in _CHOICE_ENVS for env in self.envs)

    def choices(self, i: int, line: str) -> int:
        """One or more ``\\choice`` on line ``i``: lettered options, the correct ones kept."""
        question = self.question or _Question()
        pieces = _CHOICE.split(line)
        head = self.inline(pieces[0])
        options: list[str] = [head] if head else []
        for k in range(1, len(pieces) - 1, 2):
            key = chr(ord("A") + min(question.options, 25))
            question.options += 1
            if pieces[k] == "CorrectChoice":
                question.keys.append(key)
            options.append(f"{key}. {self.inline(pieces[k + 1])}")
        self.text_line(i, "  ".join(options))
        return i

    def answer_choices(self, i: int) -> None:
        question = self.question
        if question and question.keys and not question.answered:
            joined = ", ".join(question.keys) if not self.zh else "、".join(question.keys)
            self.out[i] = f"{self.answer_label} {joined}".replace("： ", "：")
            question.answered = True

    def solution(self, i: int, rest: str) -> None:
        question = self.question
        blanks = self.take_blanks()
        if question is not None and question.answered:
            label = self.why_label
        elif blanks:
            label = f"{self.answer_label} {blanks}".replace("： ", "：")
            if question is not None:
                question.answered = True
            self.out[i] = label
            if rest:
                self.text_line(i, f"{label} {self.why_label}{self.inline(rest)}")
            return
        else:
            label = self.answer_label
            if question is not None:
                question.answered = True
        self.out[i] = f"{label}{self.inline(rest)}" if rest else label

    def take_blanks(self) -> str:
        blanks = [b for b in self.inline.blanks if b]
        self.inline.blanks.clear()
        return "；".join(blanks) if self.zh else "; ".join(blanks)

    def free(self, i: int) -> None:
        """Line ``i`` has nothing on it: the answers of the blanks above go there."""
        if self.question is not None and not self.question.answered and self.inline.blanks:
            blanks = self.take_blanks()
            if blanks:
                self.out[i] = f"{self.answer_label} {blanks}".replace("： ", "：")
                self.question.answered = True

    def end_question(self, i: int) -> None:
        if self.question is not None and self.out[i] == "":
            self.free(i)
        self.inline.blanks.clear()
        self.question = None
        self.prefix = ""

    def text_line(self, i: int, text: str) -> None:
        if not text:
            self.free(i)
            return
        if self.prefix:
            text, self.prefix = self.prefix + text, ""
        self.out[i] = text

    def list_edge(self, i: int, name: str, begin: bool, rest: str) -> int:
        if begin:
            self.list_kinds.append(name)
            self.list_numbers.append(0)
            if rest:
                self.text_line(i, self.inline(rest))
        elif self.list_kinds:
            self.list_kinds.pop()
            self.list_numbers.pop()
        return i

    def item(self, i: int, line: str) -> int:
        optional, _, end = arguments(line, _ITEM.match(line).end())  # type: ignore[union-attr]
        text = self.inline(line[end:])
        depth = len(self.list_kinds) - 1
        self.list_numbers[-1] += 1
        n = self.list_numbers[-1]
        indent = "   " * depth
        if optional:
            label = self.inline(optional[0])
            self.out[i] = f"{indent}{label} {text}"
        elif self.list_kinds[-1] == "enumerate":
            number = str(n) if depth == 0 else chr(ord("A") + min(n - 1, 25))
            self.out[i] = f"{indent}{number}. {text}"
        else:
            self.out[i] = f"{indent}- {text}"
        if _ANSWER_LABEL.match(text):
            self.out[i] = text
        return i


def latex_to_markdown(text: str) -> Rewritten:
    """The lines of LaTeX ``text`` rewritten (see the module docstring), as many as it has,
    and the 0-based ranges left out."""
    return _Converter(split_lines(text)).convert()


def parse_latex(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse a LaTeX exam paper: its text as Markdown, through the article parser, and the
    lines left out on the way reported with the parser's own."""
    return parse_rewritten(latex_to_markdown(text), name=name, bank_id=bank_id, title=title)
