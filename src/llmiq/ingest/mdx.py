"""What an MDX page (Docusaurus, Nextra) writes around its text, made plain: ``import``
lines, ``{/* comments */}`` and the tags of its components. Quiz components keep their
meaning: ``<Question n={3}>`` becomes ``Question 3``, ``<Choice correct>x</Choice>`` a ticked
task-list item (``- [x] x``, an unticked one without ``correct``), as are the choices of
Hugging Face's ``<Question choices={[{text: …, correct: true}, …]} />``, and the text of an
``<Answer>``, ``<Reveal>`` or ``<Solution>`` an answer line (``Answer: …``, unless it starts
with its own label). One output line per input line; code is left alone, and a page with
no ``import`` line and no component is left as it is.
"""

from __future__ import annotations

import re

from llmiq.ingest.lines import FENCE, LineKind, classify

_IMPORT = re.compile(r"^\s*import\s+(?:[\w*{}\s,]+\s+from\s+)?['\"][^'\"]+['\"];?\s*$")
_EXPORT = re.compile(r"^\s*export\s+(?:const|default|function)\b")
_COMMENT = re.compile(r"\{/\*.*?\*/\}")
#: A component's tag alone on its line: "<Quiz id="x">", "</Question>", "<QuizScore />".
_TAG_LINE = re.compile(r"^\s*</?(?P<name>[A-Z][\w.]*)(?P<props>(?:\s[^<>]*)?)/?>\s*$")
_QUESTION = re.compile(r"\b(?:n|number|id)\s*=\s*\{?\s*['\"]?(?P<num>\d{1,3})")
_CHOICE = re.compile(
    r"^(?P<indent>\s*)<(?P<name>Choice|Option|Answer[A-Z]\w*|Item)\b(?P<props>[^<>]*)>"
    r"(?P<text>.*?)</(?P=name)>\s*$"
)
_CORRECT = re.compile(r"\b(?:correct|isCorrect|right|answer)\b(?!\s*=\s*\{?\s*false)")
_REVEALING = ("Answer", "Reveal", "Solution", "Spoiler")
_REVEAL = re.compile(
    r"^\s*<(?P<name>" + "|".join(_REVEALING) + r")\b[^<>]*>(?P<text>.*?)(?:</(?P=name)>)?\s*$"
)
_REVEAL_CLOSE = re.compile(r"\s*</(?:" + "|".join(_REVEALING) + r")>\s*$")


#: Hugging Face's course quiz: "<Question", "choices={[", then objects of "text: …",
#: "explain: …" and "correct: true", up to "]}" and "/>".
_CHOICES = re.compile(r"\bchoices\s*=\s*\{\s*\[")
_CHOICE_TEXT = re.compile(r"^\s*text\s*:\s*(?P<q>[\"'`])(?P<text>.*)(?P=q)\s*,?\s*$")
_CHOICE_RIGHT = re.compile(r"^\s*correct\s*:\s*true\b")
_QUESTION_END = re.compile(r"/>\s*$|</Question>\s*$")


def looks_like_mdx(lines: list[str]) -> bool:
    return any(_IMPORT.match(line) for line in lines[:80]) or any(
        _CHOICE.match(line) or _REVEAL.match(line) or _CHOICES.search(line) for line in lines
    )


def _choice_lists(lines: list[str]) -> dict[int, str]:
    """The lines of each ``choices={[…]}`` list as they read: a task-list item for each
    choice's text (ticked when the choice is ``correct: true``), nothing for the rest."""
    out: dict[int, str] = {}
    start = None
    for i, line in enumerate(lines):
        if start is None and _CHOICES.search(line):
            start = i - 1 if i and lines[i - 1].lstrip().startswith("<Question") else i
        if start is None or not _QUESTION_END.search(line):
            continue
        items = [(k, m["text"]) for k in range(start, i + 1) if (m := _CHOICE_TEXT.match(lines[k]))]
        out |= dict.fromkeys(range(start, i + 1), "")
        for n, (k, text) in enumerate(items):
            stop = items[n + 1][0] if n + 1 < len(items) else i + 1
            right = any(_CHOICE_RIGHT.match(lines[m]) for m in range(k, stop))
            out[k] = f"- [{'x' if right else ' '}] {text}"
        start = None
    return out


def rewrite_mdx(lines: list[str]) -> list[str]:
    if not looks_like_mdx(lines):
        return lines
    out: list[str] = []
    in_code = False
    # inside <Reveal> … </Reveal> written over lines: None outside, else whether its first
    # line still needs the answer label
    revealing: bool | None = None
    choices = _choice_lists(lines)
    for i, line in enumerate(lines):
        if i in choices:
            out.append(choices[i])
            continue
        if FENCE.match(line):
            in_code = not in_code
        if in_code:
            out.append(line)
            continue
        line = _COMMENT.sub("", line)
        if revealing is not None:
            closed = _REVEAL_CLOSE.search(line) is not None
            text = _REVEAL_CLOSE.sub("", line).rstrip()
            if revealing and text.strip():
                text, revealing = _answer(text), False
            out.append(text)
            revealing = None if closed else revealing
            continue
        if choice := _CHOICE.match(line):
            mark = "x" if _CORRECT.search(choice["props"]) else " "
            out.append(f"{choice['indent']}- [{mark}] {choice['text'].strip()}")
        elif reveal := _REVEAL.match(line):
            text = reveal["text"].strip()
            if not _REVEAL_CLOSE.search(line):
                revealing = not text
            out.append(_answer(text) if text else "")
        elif tag := _TAG_LINE.match(line):
            number = _QUESTION.search(tag["props"]) if tag["name"] == "Question" else None
            opening = not line.lstrip().startswith("</")
            out.append(f"Question {number['num']}" if number and opening else "")
        elif _IMPORT.match(line) or _EXPORT.match(line):
            out.append("")
        else:
            out.append(line)
    return out


def _answer(text: str) -> str:
    text = _REVEAL_CLOSE.sub("", text).strip()
    labelled = classify(0, text).kind in (LineKind.ANSWER, LineKind.EXPLANATION)
    return text if labelled else f"Answer: {text}"
