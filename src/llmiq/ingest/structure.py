"""Where questions start and the article ends.

Answer lines are unambiguous, so the parser anchors on them: for each answer it looks back for
the line that starts its question, preferring (1) the numbering style the article uses for its
questions, (2) a number that continues the sequence, (3) the nearest such line. A numbered
line left over between two questions is a question without an answer only when it has the
article's question style, a number strictly between theirs, and reads as a question (a
question mark, or options after it); otherwise it is explanation.

The page tail ("相关文章", "Further reading", "—END—") ends the article unless the article's
own numbering carries on after it with an answered question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from llmiq.ingest.article_end import END_LINE, END_MARKER, TAIL_MARKERS
from llmiq.ingest.lines import (
    Line,
    LineKind,
    base_style,
    fold,
)


def content_above(lines: Sequence[Line], i: int, floor: int = -1) -> int:
    """The nearest line above ``i`` that is not blank, or ``floor`` when none is above it."""
    k = i - 1
    while k > floor and lines[k].kind is LineKind.BLANK:
        k -= 1
    return k


def next_content(lines: Sequence[Line], i: int, end: int) -> int | None:
    j = i + 1
    while j < end and lines[j].kind is LineKind.BLANK:
        j += 1
    return j if j < end else None


def resolve_faq_answers(lines: Sequence[Line]) -> None:
    """``A: ...`` is option A when a ``B`` option follows, else the answer of a Q/A pair;
    ``A:`` alone over text is that answer's label."""
    for i, line in enumerate(lines):
        if line.kind is LineKind.OPTION and line.option_delim == ":" and len(line.options) == 1:
            key, text = line.options[0]
            j = next_content(lines, i, len(lines))
            follows_b = j is not None and lines[j].options and lines[j].options[0][0] == "B"
            over_text = j is not None and lines[j].kind is LineKind.TEXT
            if key == "A" and not follows_b and (text or over_text):
                line.kind, line.answer_value, line.options = LineKind.ANSWER, text, []


def read_answer_values(lines: Sequence[Line]) -> dict[int, int]:
    """Answers written on the line after their label; returns {answer line: value line}."""
    value_lines: dict[int, int] = {}
    for a, line in enumerate(lines):
        if line.kind is LineKind.ANSWER and not line.answer_value:
            j = next_content(lines, a, len(lines))
            if j is not None and (_points_from_one(lines, j) or _not_the_next(lines, a, j)):
                _demote_points(lines, j)
            if j is not None and lines[j].kind in (LineKind.TEXT, LineKind.OPTION):
                line.answer_value = lines[j].raw.strip()
                value_lines[a] = j
                if ticked := _ticked_run(lines, j):  # "答案：" then "- [x] A. …" / "- [ ] B. …"
                    line.answer_value, value_lines[a] = ticked
    return value_lines


def _ticked_run(lines: Sequence[Line], j: int) -> tuple[str, int] | None:
    """The options repeated under an answer label, the right ones ticked: their keys and the
    run's last line."""
    keys: list[str] = []
    i = j
    while i < len(lines) and lines[i].checked is not None and lines[i].options:
        if lines[i].checked:
            keys.append(lines[i].options[0][0])
        i += 1
    return (", ".join(keys), i - 1) if keys and i - j > 1 else None


#: Numbering that lists an answer's points, not questions: "（1）…", "1) …".
_POINT_STYLES = ("(N)", "N)")


def _points_from_one(lines: Sequence[Line], j: int) -> bool:
    return lines[j].q_style in _POINT_STYLES and lines[j].q_number == 1


def _not_the_next(lines: Sequence[Line], a: int, j: int) -> bool:
    """Points "1. … 2. …" under the answer label at ``a`` of a question numbered otherwise
    ("NO.30", then "参考答案：", then "1. 注意力…"): its answer, not the next question."""
    if lines[j].q_number != 1 or lines[j].q_style != "N.":
        return False
    asked = next((lines[k] for k in range(a - 1, -1, -1) if lines[k].is_question), None)
    return asked is not None and asked.q_number is not None and asked.q_number > 1


def _demote_points(lines: Sequence[Line], j: int) -> None:
    """The points "（1）… （2）… （3）…" listed under an answer label alone on its line are
    the answer's text, not questions 1, 2 and 3."""
    style, number = lines[j].q_style, 1
    for line in lines[j:]:
        if line.is_question and line.q_style == style and line.q_number == number:
            line.kind, line.q_number, line.q_strength = LineKind.TEXT, None, 0
            number += 1
        elif line.is_question:
            return


def _rank(line: Line, prev_number: int | None, style: str | None) -> tuple[bool, bool, bool, int]:
    number = line.q_number
    if number is None:
        # an unnumbered heading only beats the first question's number when that number is
        # out of sequence too ("5." may start an article that continues an earlier one)
        in_sequence = prev_number is not None
    elif prev_number is None:
        in_sequence = number <= 1
    else:
        in_sequence = number > prev_number
    same_base = style is None or base_style(line.q_style) == base_style(style)
    return (style is None or line.q_style == style, same_base, in_sequence, line.q_strength)


def _paragraph_start(lines: Sequence[Line], lo: int, answer: int) -> int | None:
    """Fallback for unnumbered articles: the paragraph of plain text just before the options
    (or the answer)."""
    i = answer - 1
    while i > lo and lines[i].kind in (LineKind.OPTION, LineKind.BLANK):
        i -= 1
    if i <= lo or lines[i].kind is not LineKind.TEXT:
        return None
    while i - 1 > lo and lines[i - 1].kind is LineKind.TEXT:
        i -= 1
    return i


def ticked_option_questions(lines: Sequence[Line], end: int) -> list[int]:
    """Where unnumbered questions start in an article that gives no answer lines but ticks
    the right options (a course site's results page, a task list): the paragraph of plain
    text above each run of options A, B, ... of which one or more is ticked."""
    starts: list[int] = []
    lo = -1
    for i in range(end):
        line = lines[i]
        if line.kind is not LineKind.OPTION or line.options[0][0] != "A":
            continue
        run = i
        while run + 1 < end and lines[run + 1].kind is LineKind.OPTION:
            run += 1
        if (
            any(lines[k].checked for k in range(i, run + 1))
            and (start := _paragraph_start(lines, lo, i)) is not None
        ):
            starts.append(start)
        lo = run
    return starts


def _choose_starts(
    lines: Sequence[Line], answers: list[int], style: str | None
) -> list[int | None]:
    starts: list[int | None] = []
    lo, prev_number = -1, None
    for answer in answers:
        candidates = [i for i in range(lo + 1, answer) if lines[i].is_question]
        if asking := [i for i in candidates if _asking_heading(lines[i])]:
            # a heading that asks starts a question: a numbered line above it ("1. **Retrieval**"
            # in the answer to an earlier one) is not this answer's question
            candidates = [i for i in candidates if i >= asking[-1]]
        candidates = _not_ticked(lines, candidates, answer) or candidates
        above = content_above(lines, answer, lo)
        if (
            above in candidates
            and lines[above].q_style == "Q:"
            and not any(next_content(lines, c, answer) == above for c in candidates)
        ):  # "问：…" right over "答：…" is a pair, unless a title over it ("### 4. …") asks
            candidates = [above]
        if candidates:
            start: int | None = max(
                candidates, key=lambda i: (*_rank(lines[i], prev_number, style), i)
            )
        else:
            start = _paragraph_start(lines, lo, answer)
        if start is not None:
            start = _last_of_chain(lines, start, answer)
        starts.append(start)
        if start is not None and lines[start].q_number is not None:
            prev_number = lines[start].q_number
        lo = answer
    return starts


def _not_ticked(lines: Sequence[Line], candidates: list[int], answer: int) -> list[int]:
    """The candidates for an answer line that are not answered by ticks on their own
    options: a results page's choice question, then an open one whose "参考答案" it is."""
    return [
        c
        for c, end in pairwise([*candidates, answer])
        if not any(line.checked for line in lines[c + 1 : end] if line.kind is LineKind.OPTION)
    ]


def _last_of_chain(lines: Sequence[Line], start: int, answer: int) -> int:
    """The question an answer line belongs to when the questions before it have none (their
    answers are in a key at the end): the last of the questions numbered on from ``start``
    in its style, each with options after it or a question mark."""
    number = lines[start].q_number
    if number is None:
        return start
    for j in range(start + 1, answer):
        line = lines[j]
        if (
            line.is_question
            and line.q_number == number + 1
            and _same_chain(line.q_style, lines[start].q_style)
            and (
                options_follow(lines, j, answer)
                or _has_question_mark(lines, j, answer)
                or (line.q_style == lines[start].q_style and line.q_strength >= 3)
            )
        ):
            start, number = j, number + 1
    return start


def _same_chain(style: str, other: str) -> bool:
    """Whether two numbering styles number one chain of questions: the same, or headings
    numbered "1." and "2、" by an author in a hurry."""
    if base_style(style) == base_style(other):
        return True
    headings = style.startswith("#") and other.startswith("#")
    return headings and {base_style(style), base_style(other)} <= {"N.", "N、"}


def find_starts(lines: Sequence[Line], answers: list[int]) -> tuple[list[int | None], str | None]:
    """Question starts for these answers, and the article's question style."""
    first_pass = _choose_starts(lines, answers, None)
    styles = Counter(lines[s].q_style for s in first_pass if s is not None and lines[s].is_question)
    style = styles.most_common(1)[0][0] if styles else None
    asking = question_style(lines)
    unnumbered = style is not None and base_style(style) == ""  # "## Why is it slow?"
    if (
        asking is not None
        and asking != style
        and (unnumbered or styles[style] < 2 * styles[asking] + 2)
    ):
        # few answer lines (the rest in an answer key): the style the article asks in wins
        style = asking
    return _choose_starts(lines, answers, style), style


def question_style(lines: Sequence[Line]) -> str | None:
    """The numbering style of the lines that read as questions (a question mark, or options
    after them), the most of them; None when fewer than two do. Section headings
    ("## 一、基础篇") rarely ask anything."""
    asked: Counter[str] = Counter()
    for i, line in enumerate(lines):
        if line.is_question and (line.q_number is not None or line.q_style == "**"):
            hi = min(len(lines), i + 30)
            if options_follow(lines, i, hi) or _has_question_mark(lines, i, hi):
                asked[line.q_style] += 1
    if not asked:
        return None
    style, count = asked.most_common(1)[0]
    return style if count >= 2 else None


def prompt_text(lines: Sequence[Line], start: int) -> str:
    """The question's own line, or the line under it when it holds only its number and tags
    ("第57题 （单选）" above the question)."""
    text = lines[start].rest
    below = next_content(lines, start, len(lines))
    if below is not None and not re.search(r"\w{2}", re.sub(r"[(（][^)）]*[)）]", "", text)):
        text = f"{text} {lines[below].raw}"
    return text


def strongest_style(lines: Sequence[Line]) -> str | None:
    """The question style of an article without answer lines: the style it asks in, else its
    strongest numbering, else headings that ask."""
    strong = [line.q_style for line in lines if line.q_strength >= 2 and line.q_number]
    fallback = Counter(strong).most_common(1)[0][0] if strong else None
    return question_style(lines) or fallback or heading_question_style(lines)


def heading_question_style(lines: Sequence[Line]) -> str | None:
    """``"#"`` when two or more headings without a number ask a question themselves ("## Why
    does PPO add a KL penalty?"), as Q&A notes on documentation sites are written; else None."""
    return "#" if sum(1 for line in lines if _asking_heading(line)) >= 2 else None


#: A heading that asks by telling: "Walk me through how function calling works.", "简述 LoRA
#: 的原理" (not "## Design patterns").
_TELLS = re.compile(
    r"^(?:(?:explain|describe|walk\s+(?:me|us)\s+through|talk\s+(?:me\s+)?through|compare"
    r"|contrast|design|tell\s+me|define|summari[sz]e)(?:\s+\S+){3}"
    r"|(?:简述|说说|说一下|讲讲|讲一下|谈谈|介绍一下|解释一下|描述一下|请解释|请描述|请简述).{4})",
    re.I,
)


def _asking_heading(line: Line) -> bool:
    """An unnumbered heading below the title (``##`` or deeper) that asks, or tells what to
    answer."""
    return (
        line.q_style == "#"
        and line.q_number is None
        and line.raw.lstrip().startswith("##")
        and ("?" in fold(line.rest) or _TELLS.match(line.rest) is not None)
    )


#: A point of an answer: "① 看检索", "(1) HyDE …", "1. Retrieval", "- 先看检索".
#: A point of an answer: "①", "(1)", "1.", "-", or a term and its gloss defined on a line
#: of its own ("Critic（价值模型）：估计每个位置的价值").
_POINT = re.compile(
    r"^\s*(?:[\u2460-\u2473]|[(（]\d{1,2}[)）]|\d{1,2}[.、)]|[-*•]"
    r"|[\w .+-]{1,30}[(（][^()（）]{1,16}[)）]\s*[:：])\s*\S"
)


def points_below(lines: Sequence[Line], answer: int) -> bool:
    """Whether points of an answer follow its line directly: "答题思路：先分环节定位。" then
    "① 看检索：……" on the next line (not the next question), or "一共四个。" then a term
    defined on each line ("Actor（策略模型）：……")."""
    below = answer + 1
    return (
        below < len(lines)
        and not lines[below].is_question
        and _POINT.match(lines[below].raw) is not None
    )


def numbered_chain(
    lines: Sequence[Line], end: int, answers: list[int], found: int
) -> tuple[list[int], list[int]] | None:
    """Questions numbered 1, 2, 3, … in whatever style each is written ("Q1 ★ …", "3. …？",
    "4、…？", "(5) …？", "Q6 …"), as notes kept in a hurry change style: each a line that asks
    or is numbered the strong way, each after the one before. When they are in more than one
    style and more than the ``found`` questions, returns the question of each answer line (the
    last of them before it) and the questions without one; else None."""
    chain: list[int] = []
    expected: int | None = None
    for i in range(end):
        line = lines[i]
        if not line.is_question or line.q_number is None:
            continue
        if expected is not None and line.q_number != expected:
            continue
        if line.q_strength < 3 and not _has_question_mark(lines, i, i + 1):
            continue
        chain.append(i)
        expected = line.q_number + 1
    if (
        len({base_style(lines[i].q_style) for i in chain}) < 2
        or len(chain) <= len(answers) + found
        or any(answer < chain[0] for answer in answers)
    ):
        return None
    starts = [max(i for i in chain if i < answer) for answer in answers]
    if any(start < before for start, before in zip(starts[1:], answers, strict=False)):
        return None  # two answers to one question: the chain is not the article's
    return starts, [i for i in chain if i not in starts]


def options_follow(lines: Sequence[Line], i: int, hi: int) -> bool:
    """Whether an option run (A, then B) follows line ``i`` before the next question."""
    for k in range(i + 1, hi):
        if lines[k].kind is LineKind.QUESTION:
            return False
        if lines[k].kind is LineKind.OPTION and lines[k].options[0][0] == "A":
            j = next_content(lines, k, hi)
            return len(lines[k].options) > 1 or (j is not None and lines[j].options[:1] != [])
    return False


#: A stem its options complete: "per-token latency roughly...", "……", "___", "（ ）".
UNFINISHED = re.compile(r"(?:\.{3}|…+|_{3,}|[(（]\s*[)）])\s*(?:\*\*)?\s*$")


def _has_question_mark(lines: Sequence[Line], i: int, hi: int) -> bool:
    """A question mark on the line, or on the next one for "### Question 5"; or a stem that
    its options complete."""
    text = lines[i].rest
    j = next_content(lines, i, hi)
    if not text and j is not None:
        text = lines[j].raw
    folded = fold(text)
    return "?" in folded or bool(_IMPERATIVE.match(folded) or UNFINISHED.search(folded))


#: A question asked as a request: "Estimate the KV cache for …", "简述 PTQ 和 QAT 的区别".
_IMPERATIVE = re.compile(
    r"^\W*(?:explain|estimate|describe|define|compare|design|derive|calculate|compute|sketch"
    r"|walk\s+(?:me|us)\s+through|tell\s+(?:me|us)\s+(?:about|how|why))\b"
    r"|^\W*(?:简述|简要说明|说说|说一下|解释一下|讲讲|讲一下|谈谈|介绍一下|对比一下|推导|估算|计算一下)",
    re.I,
)


def unanswered_questions(
    lines: Sequence[Line],
    lo: int,
    hi: int,
    style: str | None,
    after: int | None,
    before: int | None,
    keyed: frozenset[int] = frozenset(),
    *,
    asking_headings: bool = False,
) -> list[int]:
    """Questions without an answer in ``(lo, hi)``: numbered strictly between ``after`` and
    ``before`` (a chain continuing ``after`` when ``before`` is None), and either in the
    article's question style with a question mark or options, or in any numbering style with
    options after them. With ``asking_headings`` (Q&A notes whose headings ask, their answers
    below them), a heading that asks is a question whatever the article's style."""
    if style is None:
        return []
    found: list[int] = []
    expected = after
    # a table of contents "1. 为什么需要 RAG？" above "## 1. 为什么需要 RAG？..." is not a question
    exact_style = any(lines[i].q_style == style for i in range(lo + 1, hi))
    for i in range(lo + 1, hi):
        line = lines[i]
        if line.is_question and line.q_number is None and line.q_style == style == "**":
            found.append(i)  # unnumbered questions in bold: no chain of numbers to follow
            continue
        if _asking_heading(line) and (
            asking_headings or (style.startswith("#") and base_style(style) in ("", "N."))
        ):
            # "## Why …?": unnumbered headings that ask, their answer below; also after
            # numbered heading questions ("#### What is chunked prefill?" in a rapid-fire round)
            found.append(i)
            continue
        if line.q_style == "bonus" and _has_question_mark(lines, i, hi):
            found.append(i)  # "Bonus: …?" after the numbered questions, in any style
            continue
        if not line.is_question or line.q_number is None:
            continue
        has_options = options_follow(lines, i, hi)
        same_style = base_style(line.q_style) == base_style(style)
        if exact_style and line.q_style != style and not has_options:
            continue
        # "### Q161: Explain ..." needs no question mark: the article's own strong heading
        # ... or a "### Q2 讲一下 ReAct 的思路" heading among Q&A notes ending in a bold quiz
        strong = line.q_strength >= 3 and (
            line.q_style == style or (line.q_style.startswith("#") and "Q" in line.q_style)
        )
        # "10. 简述 Pre-LN 与 Post-LN 的区别。" asks without a question mark; its number in the
        # answer key says it is a question
        answered = same_style and line.q_number in keyed
        if not (
            has_options or strong or answered or (same_style and _has_question_mark(lines, i, hi))
        ):
            continue
        n = line.q_number
        if before is not None:
            if (expected is None or n > expected) and n < before:
                found.append(i)
                expected = n
        elif expected is None or n == expected + 1 or (strong and n > expected):
            found.append(i)
            expected = n
    return found


def tail_start(lines: Sequence[Line]) -> int:
    """Index of the first line of the page tail, or ``len(lines)``.

    A marker ("相关文章", "Further reading", "—END—") after the first answer starts the tail,
    unless the article's numbering carries on after it: a question-style line numbered one
    more than the last question, followed by an answer line.
    """
    answers = [i for i, line in enumerate(lines) if line.kind is LineKind.ANSWER]
    # without answer lines (Q&A notes, a key at the end), the first question anchors: a
    # numbered one, a heading that asks, or the first in the style the article asks in
    # ("1/ Which …" of a social post, whose comments may quote "Q3:")
    asking = question_style(lines) if not answers else None
    anchors = [
        next((i for i, line in enumerate(lines) if test(line)), None)
        for test in (
            lambda line: line.q_strength >= 2 and line.q_number,
            _asking_heading,
            lambda line: asking is not None and line.is_question and line.q_style == asking,
        )
    ]
    first = answers[0] if answers else min((i for i in anchors if i is not None), default=None)
    keyed = [i for i, line in enumerate(lines) if line.kind is LineKind.KEY]
    if answers and keyed:  # a key, then the site's FAQ with its "A." lines after the article
        first = min(answers[0], keyed[0])
    for m, line in enumerate(lines):
        if first is None or m <= first:
            continue
        if line.raw[:1].isspace() and lines[m - 1].kind is not LineKind.BLANK:
            continue  # an option or an answer wrapped onto an indented line: "   responses"
        folded = fold(line.raw)
        if not (TAIL_MARKERS.match(folded) or END_MARKER.match(line.raw) or END_LINE.match(folded)):
            continue
        before = [a for a in answers if a < m]
        starts, style = find_starts(lines, before)
        numbers = [lines[s].q_number for s in starts if s is not None]
        if style is None or not numbers or numbers[-1] is None:
            return m
        if not _continues(lines, m, style, numbers[-1] + 1):
            return m
    return len(lines)


def _continues(lines: Sequence[Line], marker: int, style: str, number: int) -> bool:
    for j in range(marker + 1, len(lines)):
        line = lines[j]
        if line.is_question and base_style(line.q_style) == base_style(style):
            if line.q_number != number:
                return False
            k = j + 1
            while k < len(lines) and not lines[k].is_question:
                if lines[k].kind is LineKind.ANSWER:
                    return True
                k += 1
            return False
    return False


#: A section's note in brackets after its name: "二、多项选择题（每题 6 分，共 18 分）".
_SECTION_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*[.。:：]?\s*$")


#: A heading drawn with rules, as plain-text posts mark their parts: "========== 二面 ==========",
#: "----- Round 2 -----", "=== Part B ===".
_DIVIDER_HEADING = re.compile(r"^\s*([=\-—_*~#·+])\1{2,}\s*[^\s=\-—_*~#·+].{0,30}?\s*\1{3,}\s*$")


#: A part of an exam paper or a post: "PART B - SHORT ANSWER (8 points each)", "Section 2:
#: Coding", "Part II", "【第四部分　长上下文工程】".
_PART_LINE = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:(?:part|section)\s+(?:[A-Z]|\d{1,2}|[IVX]{1,4})\b"
    r"(?:\s*[-–—:：.·•|｜]\s*[^?？]{0,50})?"
    r"|[【\[]\s*第\s*[一二三四五六七八九十\d]{1,3}\s*(?:部分|节|章|篇)[^】\]?？]{0,30}[】\]]"
    r"|第\s*[一二三四五六七八九十\d]{1,3}\s*(?:部分|节|章|篇)\s*[:：]\s*[^?？]{1,30})"
    r"\s*(?:\*\*|__)?\s*$",
    re.I,
)


#: A heading over a question's explanation: "Question 1 Detailed Solution", "第 3 题解析".
_SOLUTION_HEADING = re.compile(
    r"(?:\bq(?:uestion)?\s*\d{1,3}\b.*\b(?:solution|explanation)|第\s*\d{1,3}\s*题.*(?:解析|详解))\s*$",
    re.I,
)


def is_section_heading(line: Line, style: str | None) -> bool:
    """ "## Part 2", "二、进阶篇", "三、简答题（共 42 分）", "==== 二面 ====": headings of the
    article's own outline, not of questions (whose numbering ``style`` is the article's)."""
    if style is not None and (_DIVIDER_HEADING.match(line.raw) or _PART_LINE.match(line.raw)):
        return True
    if not line.is_question or style is None or "?" in fold(line.rest):
        return False
    if _SOLUTION_HEADING.search(fold(line.rest)):
        return False
    if base_style(line.q_style) == base_style(style) and (
        line.q_number is not None or line.q_style == style
    ):  # an unnumbered heading is no question of an article that asks in bold
        return False
    short = len(_SECTION_NOTE.sub("", line.rest)) <= 10
    return line.q_style.startswith("#") or (line.q_style == "一、" and short)
