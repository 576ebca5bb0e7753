"""Keys given later under a question's number: a chat channel posts "**Question 1**" with
its options in the morning and answers in a reply hours later ("✅ Q1: A, B and C. Tools
are …"), or a post gathers them under "✅ Answers for this week" as "Q5: Everything except
(d).". Such a line repeats an earlier question's number; it is that question's answer when
the question has none of its own and the line reads as one: it names options of a choice
question, or it is a statement (not another question) under an open one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from llmiq.ingest.answer_key import AnswerKey, find_answer_keys
from llmiq.ingest.answers import resolve_keys
from llmiq.ingest.blocks import ASKS
from llmiq.ingest.cleanup import heading_level
from llmiq.ingest.lines import Line, LineKind
from llmiq.ingest.structure import tail_start

#: What an answer to an open question is at least: shorter is a recap ("Q7: RoPE").
_OPEN_ANSWER = 30
_ASKING = re.compile(r"[?？]\s*(?:\*\*|__)?\s*$")


def _questions(lines: Sequence[Line]) -> list[int]:
    return [i for i, line in enumerate(lines) if line.kind is LineKind.QUESTION]


def _topic_heading(line: Line) -> bool:
    """A numbered section heading that names a topic ("## 2. Reward models"), not a question
    nor a bare label ("### Question 2")."""
    return bool(heading_level(line.raw) and line.rest.strip() and not ASKS.search(line.rest))


def _body(lines: Sequence[Line], q: int, after: int) -> range:
    return range(q + 1, after)


def _unanswered(lines: Sequence[Line], body: range) -> bool:
    answered = (LineKind.ANSWER, LineKind.EXPLANATION, LineKind.KEY)
    return not any(lines[k].kind in answered for k in body)


def _options(lines: Sequence[Line], body: range) -> list[tuple[str, str]]:
    """The options under a question; empty when they are not one run A, B, C… (a part
    over several quizzes is no question)."""
    options: list[tuple[str, str]] = []
    for k in body:
        if lines[k].kind is LineKind.OPTION:
            options += lines[k].options
    letters = "".join(letter for letter, _ in options)
    return options if "ABCDEFGHIJ".startswith(letters) else []


def _continuation(lines: Sequence[Line], i: int, stop: int) -> int:
    """Where the answer begun at line ``i`` ends: at a blank line or a line of another kind."""
    j = i + 1
    while j < stop and lines[j].kind is LineKind.TEXT:
        j += 1
    return j


def find_late_keys(lines: Sequence[Line], key: AnswerKey) -> None:
    """Put in ``key`` the answers given later under the numbers of unanswered questions (see
    the module docstring), and mark their lines as key lines."""
    questions = [q for q in _questions(lines) if q < tail_start(lines)]  # no comments
    first_of: dict[int, int] = {}
    found: list[tuple[int, str, int]] = []
    opens: list[tuple[int, str, int]] = []
    for n, q in enumerate(questions):
        number = lines[q].q_number
        if number is None:
            continue
        if number not in first_of:
            first_of[number] = n
            continue
        if number in key.numbers:
            continue
        earlier = questions[first_of[number]]
        if _topic_heading(lines[earlier]):
            continue
        body = _body(lines, earlier, questions[first_of[number] + 1])
        following = questions[n + 1] if n + 1 < len(questions) else len(lines)
        own = _body(lines, q, following)
        if not _unanswered(lines, body) or _options(lines, own) or not _unanswered(lines, own):
            continue  # the earlier one is answered, or this one is a question in its own right
        value = lines[q].rest.strip().lstrip(",，:：;；—–- ").strip()
        end = _continuation(lines, q, following)
        options = _options(lines, body)
        if options:
            if resolve_keys(value, options) is None:
                continue
        else:
            if len(value) >= _OPEN_ANSWER and not _ASKING.search(value):
                value = " ".join([value] + [lines[k].raw.strip() for k in range(q + 1, end)])
                opens.append((q, value, end))
            continue
        found.append((q, value, end))
    if not found:  # an open question is answered so only where choice questions are
        return
    for q, value, end in found + opens:
        _take(lines, key, q, value, end)


def _take(lines: Sequence[Line], key: AnswerKey, q: int, value: str, end: int) -> None:
    number = lines[q].q_number
    assert number is not None
    key.keys[number] = value
    key.late.add(number)
    key.lines[number] = q
    key.sections.append((q, end - 1))


def article_keys(lines: Sequence[Line]) -> AnswerKey:
    """The answers an article gives apart from its questions: answer keys collected in one
    place (:func:`find_answer_keys`) and keys given later under a question's number; their
    lines leave the text."""
    first = next((i for i, ln in enumerate(lines) if ln.q_strength >= 2), len(lines))
    key = find_answer_keys(lines, first)
    find_late_keys(lines, key)
    for a, b in key.sections:
        for i in range(a, b + 1):
            if lines[i].kind is not LineKind.BLANK:
                lines[i].kind = LineKind.KEY
    return key
