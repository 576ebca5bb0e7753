"""Keys given later under a question's number: a chat channel posts "**Question 1**" with
its options in the morning and answers in a reply hours later ("✅ Q1: A, B and C. Tools
are …"), or a post gathers them under "✅ Answers for this week" as "Q5: Everything except
(d).". Such a line repeats an earlier question's number; it is that question's answer when
the question has none of its own and the line reads as one: it names options of a choice
question, or it is a statement (not another question) under an open one."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

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


#: A label naming the question it answers, the answer after it or folded under it: "CW:
#: answer #11", "Answer to Q9: There is no universal value…", "Answer 1: (a), (b) and (c).",
#: "第 3 题答案".
_LABEL = re.compile(
    r"^\W*(?:(?:CW|TW|spoiler|content\s+warning)\s*[:：—–-]?\s*)?(?:answers?|solution)\s*"
    r"(?:to|for|of)?\s*(?:#|Q\.?|question\s*|no\.?\s*)(?P<num>\d{1,3})\s*(?:$|[:：]\s*)"
    r"|^\W*(?:answers?|solution)\s+(?P<bare>\d{1,3})\s*[:：]\s*"  # "Answer 1: (a), (b) and (c)."
    r"|^\W*第?\s*(?P<zh>\d{1,3})\s*题\s*的?(?:参考)?(?:答案|解析)\s*(?:$|[:：]\s*)",
    re.I,
)
#: A label after the number said again: "**9 — what I'm listening for:** 2 × 80 layers × …".
_RUBRIC = re.compile(
    r"^(?:what\s+i['’]?m\s+listening\s+for|what\s+i\s+look\s+for|(?:model\s+|sample\s+)?answer)"
    r"\W*?[:：](?:\s*(?:\*\*|__))?\s*",
    re.I,
)
_PLAIN = (LineKind.TEXT, LineKind.BLANK)  # "第 1 题答案" alone reads as a blank marker
#: What a post shows between such a label and the answer it folds: "Show less", "展开".
_TOGGLE = re.compile(r"^\s*(?:show\s+(?:less|more)|see\s+more|展开(?:全文)?|收起)\s*$", re.I)


@dataclass(frozen=True)
class _Candidate:
    """A line that may answer an earlier question: ``line`` (a label, or a line repeating
    the question's number), the ``question``'s line, the answer's ``value`` and the line
    ``at`` which it is written, and where the next question ``follows``."""

    line: int
    question: int
    value: str
    at: int
    follows: int
    labelled: bool


def _labelled(lines: Sequence[Line], i: int, stop: int) -> tuple[int, str, int] | None:
    """The number a label at line ``i`` names, its answer and the line that answer is on."""
    if lines[i].kind not in _PLAIN or not (label := _LABEL.match(lines[i].raw)):
        return None
    number = int(label["num"] or label["zh"] or label["bare"])
    if inline := lines[i].raw[label.end() :].strip():
        return number, inline, i
    j = i + 1
    while j < stop and (lines[j].kind is LineKind.BLANK or _TOGGLE.match(lines[j].raw)):
        j += 1
    return (number, lines[j].raw.strip(), j) if j < stop else None


def _candidates(lines: Sequence[Line]) -> Iterator[_Candidate]:
    """Lines that may give an earlier question's answer, in the article before its tail."""
    end = tail_start(lines)  # readers' comments say "Q3: I'd argue (c) too"
    questions = [q for q in _questions(lines) if q < end]
    first_of: dict[int, int] = {}
    n = 0
    for i in range(end):
        while n < len(questions) and questions[n] < i:
            n += 1
        following = questions[n + 1] if n + 1 < len(questions) else end
        number = lines[i].q_number
        if lines[i].kind is LineKind.QUESTION and number is not None:
            if number not in first_of:
                first_of[number] = i
            elif not _options(lines, range(i + 1, following)):  # not a question of its own
                value = lines[i].rest.strip().lstrip(",，:：;；—–- ").strip()
                rubric = _RUBRIC.match(value)
                value = value[rubric.end() :] if rubric else value
                yield _Candidate(i, first_of[number], value, i, following, labelled=bool(rubric))
        else:
            stop = questions[n] if n < len(questions) else end
            if (label := _labelled(lines, i, stop)) and label[0] in first_of:
                number, value, at = label
                yield _Candidate(i, first_of[number], value, at, stop, labelled=True)


def find_late_keys(lines: Sequence[Line], key: AnswerKey) -> None:
    """Put in ``key`` the answers given later under the numbers of unanswered questions (see
    the module docstring), and mark their lines as key lines."""
    questions = _questions(lines)
    found: dict[int, tuple[int, int, str, int]] = {}
    opens: dict[int, tuple[int, int, str, int]] = {}
    labelled: set[int] = set()
    for found_at in _candidates(lines):
        i, earlier, at, value = found_at.line, found_at.question, found_at.at, found_at.value
        number = lines[earlier].q_number
        if number is None or number in key.numbers or _topic_heading(lines[earlier]):
            continue
        if number in labelled or (not found_at.labelled and ("?" in value or "？" in value)):
            continue  # "Q5: (a) and (c) I think?": a reader's guess; a label's answer stands
        after = next((q for q in questions if q > earlier), i)
        body = range(earlier + 1, min(after, i))
        own = range(at + 1, found_at.follows)
        if not _unanswered(lines, body) or not _unanswered(lines, own):
            continue  # the earlier one is answered, or this one is a question in its own right
        end = _continuation(lines, at, found_at.follows)
        options = lines[earlier].options or _options(lines, body)  # "Q3 Which? (A) … (B) …"
        if options:
            if resolve_keys(value, options) is None:
                continue
            found[number] = (i, earlier, value, end)
        elif len(value) >= _OPEN_ANSWER and not _ASKING.search(value):
            value = " ".join([value] + [lines[k].raw.strip() for k in range(at + 1, end)])
            (found if found_at.labelled else opens)[number] = (i, earlier, value, end)
        else:
            continue
        if found_at.labelled:
            labelled.add(number)
    if not found:  # an open question is answered by its number alone only where others are
        return
    for number, (i, _, value, end) in (opens | found).items():
        key.keys[number] = value
        key.late.add(number)
        key.lines[number] = i
        key.sections.append((i, end - 1))


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
