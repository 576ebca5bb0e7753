"""Quizzes in Moodle's GIFT format, as the question-and-answer text the parser reads.

A question is an optional ``::title::``, an optional ``[markdown]``-style format tag, its text
and an answer block in braces, questions parted by blank lines:

- ``{=right ~wrong ~wrong}``: a choice question; ``~%50%text`` weights an option, and the
  options of positive weight are the keys (a multiple-answer question);
- ``{T}`` / ``{FALSE}``: true or false;
- ``{=answer =other}`` (no wrong options) or ``{#3.5:0.1}`` (a number): an open question
  whose first accepted answer is its reference;
- ``{}`` or ``{####…}``: an essay, its general feedback (``####``) the reference answer.

An option's ``#feedback`` is dropped; the general feedback is the explanation. The number
comes from a title that starts with one ("Q3 LoRA init"), else the question's place. Comments
(``//``) and ``$CATEGORY:`` lines are left out and reported, and a comment opening the file
is the quiz's title. Matching questions (``->``) have no place in a bank and are reported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.converted import is_chinese, parse_rows
from llmiq.ingest.lines import TAG, split_lines
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult

#: A GIFT control character its author escaped: "\=", "\~", "\#", "\{", "\}", "\:".
_ESCAPED = re.compile(r"\\([=~#{}:])")
_TITLE = re.compile(r"^\s*::(?P<title>(?:[^:\\]|\\.|:(?!:))*)::\s*")
_FORMAT_TAG = re.compile(r"^\s*\[(?:markdown|html|plain|moodle)\]\s*", re.I)
_NUMBERED_TITLE = re.compile(r"^\s*(?:q(?:uestion)?\s*)?(?P<n>\d{1,4})\b", re.I)
_BLOCK = re.compile(r"(?<!\\)\{(?P<body>(?:[^{}\\]|\\.)*)(?<!\\)\}", re.S)
_ENTRY = re.compile(r"(?<!\\)(?=[=~])")
_WEIGHT = re.compile(r"^%(?P<w>-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}


def looks_like_gift(text: str) -> bool:
    """Two questions or more written in GIFT: ``::title::`` lines over answer blocks, or
    answer blocks of ``=`` and ``~`` options."""
    head = text[:50_000]
    titled = len(re.findall(r"(?m)^::[^:\n]+::", head))
    blocks = [m["body"] for m in _BLOCK.finditer(head)]
    choice = sum(1 for b in blocks if re.match(r"\s*[=~]", b) and re.search(r"(?<!\\)~", b))
    return (titled >= 2 and len(blocks) >= 2) or choice >= 3


def _unescape(text: str) -> str:
    return " ".join(_ESCAPED.sub(r"\1", TAG.sub(" ", text)).split())


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)
        self.zh = is_chinese(text)
        self.out: list[str] = []
        self.origin: list[int] = []
        self.left_out: list[tuple[int, int, str, str]] = []
        self.number = 0

    def read(self) -> None:
        start: int | None = None
        for i, line in enumerate([*self.lines, ""]):
            stripped = line.strip()
            if start is None and (stripped.startswith("//") or stripped.startswith("$CATEGORY")):
                if stripped.startswith("//") and not self.out and not self.left_out:
                    self.write("# " + stripped.lstrip("/ ").strip(), i + 1)
                    self.write("", i + 1)
                else:
                    self.leave_out(i + 1, i + 1, N_("markup"), stripped)
                continue
            if start is None and stripped:
                start = i
            elif start is not None and not stripped and self._closed(start, i):
                self.question(start, i)
                start = None

    def _closed(self, start: int, end: int) -> bool:
        """Whether lines ``start`` to ``end`` hold a whole question: a blank line inside
        an answer block does not end it."""
        text = "\n".join(self.lines[start:end])
        return text.count("{") - text.count("\\{") <= text.count("}") - text.count("\\}")

    def question(self, start: int, end: int) -> None:
        text = "\n".join(
            line for line in self.lines[start:end] if not line.strip().startswith("//")
        )
        title = _TITLE.match(text)
        body = _FORMAT_TAG.sub("", text[title.end() :] if title else text, count=1)
        block = _BLOCK.search(body)
        if block is None:
            self.leave_out(start + 1, end, N_("text outside the questions"), body.strip())
            return
        self.number += 1
        numbered = _NUMBERED_TITLE.match(title["title"]) if title else None
        number = int(numbered["n"]) if numbered else self.number
        before, after = body[: block.start()].strip(), body[block.end() :].strip()
        prompt = _unescape(f"{before} ____ {after}" if after else before)
        answers = block["body"]
        general = ""
        if (feedback := re.search(r"(?<!\\)####", answers)) is not None:
            answers, general = answers[: feedback.start()], _unescape(answers[feedback.end() :])
        if "->" in answers:
            self.leave_out(start + 1, end, N_("matching question"), prompt)
            return
        options, keys, accepted = self._entries(answers)
        first = start + 1
        self.write(f"Q{number}. {prompt}", first)
        for letter, option in options:
            self.write(f"{letter}. {option}", first)
        answer = ", ".join(keys) if options else (accepted or general)
        explanation = general if options or accepted else ""
        label, why = ("答案：", "解析：") if self.zh else ("Answer: ", "Explanation: ")
        if answer:
            self.write(label + answer, end)
        if explanation:
            self.write(why + explanation, end)
        self.write("", end)

    def _entries(self, answers: str) -> tuple[list[tuple[str, str]], list[str], str]:
        """The options, their keys and an open question's accepted answer of a block."""
        stripped = answers.strip()
        if (truth := _TRUE_FALSE.get(stripped.lower())) is not None:
            words = ("正确", "错误") if self.zh else ("True", "False")
            return [("A", words[0]), ("B", words[1])], ["A" if truth else "B"], ""
        if stripped.startswith("#"):  # a number: "#3.5:0.1", "#1..5"
            return [], [], stripped[1:].split(":")[0].strip()
        entries = [e for e in _ENTRY.split(stripped) if e.strip()]
        right = [e for e in entries if e.startswith("=")]
        if not any(e.startswith("~") for e in entries):  # short answers: all are accepted
            return [], [], _unescape(re.split(r"(?<!\\)#", right[0][1:])[0]) if right else ""
        options: list[tuple[str, str]] = []
        keys: list[str] = []
        for entry in entries:
            weight = _WEIGHT.match(entry[1:])
            text = entry[1 + (weight.end() if weight else 0) :]
            letter = chr(ord("A") + len(options))
            options.append((letter, _unescape(re.split(r"(?<!\\)#", text)[0])))
            if entry.startswith("=") or (weight and float(weight["w"]) > 0):
                keys.append(letter)
        return options, keys, ""

    def write(self, line: str, origin: int) -> None:
        self.out.append(line)
        self.origin.append(origin)

    def leave_out(self, first: int, last: int, reason: str, excerpt: str) -> None:
        self.left_out.append((first, last, reason, excerpt))


def parse_gift(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse a GIFT quiz: each question written as article text for the article parser; the
    reports name the file's lines."""
    reader = _Reader(text)
    reader.read()
    return parse_rows(
        reader.out, reader.origin, reader.left_out, name=name, bank_id=bank_id, title=title
    )
