"""Answer keys collected in one place instead of under each question: ``参考答案：1.C 2.B 3.A``,
``Answer key: 1-B, 2-C``, ``1-5 CBADC``, a list of ``1. C`` lines, or a Markdown table
``| Q# | Answer | Explanation |``, perhaps followed by a numbered list of explanations.

A key section is found by its label line (or table header) followed by at least two
numbered keys, most of them option letters unless a table's header or an explicit "answer
key" label says what they are (so that an open answer written as a numbered list is not
taken for a key); its lines are then not part of any question, and each question without an
answer line of its own takes its key by number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from llmiq.ingest.article_end import END_LINE, END_MARKER
from llmiq.ingest.key_entries import ITEM, LETTERS, key_pairs, key_pairs_and_rest, line_entries
from llmiq.ingest.key_grids import TABLE_ROW, TABLE_RULE, read_grid
from llmiq.ingest.key_labels import (
    ANNOUNCED,
    EXPLANATIONS_LABEL,
    EXPLICIT,
    LABEL,
    TITLE_LABEL,
    without_author,
)
from llmiq.ingest.lines import Line, LineKind, fold
from llmiq.ingest.structure import content_above, next_content


@dataclass
class AnswerKey:
    """Keys by question number, and explanations where the key section gives them."""

    keys: dict[int, str] = field(default_factory=dict)
    explanations: dict[int, str] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)  # question number -> line index
    sections: list[tuple[int, int]] = field(default_factory=list)  # (first, last) indexes
    #: questions answered in a later line of their own (:mod:`llmiq.ingest.late_keys`)
    late: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.keys)

    @property
    def numbers(self) -> frozenset[int]:
        """The questions the key answers, by a key or only by an explanation after it."""
        return frozenset(self.keys) | frozenset(self.explanations)


def _is_one_answer(inline: str) -> bool:
    """Whether a label's own text is one answer: a sentence, or a key ("C", "A、C") with no
    question number."""
    text = inline.strip(" *_:：")
    if re.fullmatch(r"[(（][^()（）]*[)）]", text):  # "Answer key (for graders)": a note
        return False
    if re.match(r"(?:to|for|of)\s", text, re.I):  # "## Answers to Chapter 6 Exercises": a title
        return False
    return len(text) > 12 or bool(LETTERS.match(fold(text)))


def _bare_key(line: Line) -> dict[int, str]:
    """A line of nothing but keys, with no label over it: "1-B, 2-A, 3-C, 7-ABD" under a
    rule after the questions; empty for any other line."""
    found, rest = key_pairs_and_rest(line.raw)
    if line.kind is not LineKind.TEXT or len(found) < 3 or re.search(r"[^\s,，;；、|·]", rest):
        return {}
    return found


def _read_items(
    lines: Sequence[Line], i: int, into: dict[int, str], *, wrapped: bool = False
) -> int:
    """Numbered entries from line ``i`` on (blank lines between them allowed); with
    ``wrapped``, a line that is not an entry continues the one before when it is indented, or
    right under it and reads as its continuation (:func:`_wraps`: an explanation wrapped
    over lines at the margin), and an entry may be its number alone ("9.") or a label
    ("11. 要点：") over bullet points, blank lines between them. Returns where they stop."""
    j, last, previous, listing, steps = i, i, None, False, 0
    while j < len(lines):
        if lines[j].kind is LineKind.BLANK:
            j += 1
            continue
        found = line_entries(lines[j].raw)
        if not found and wrapped and (alone := _NUMBER_ALONE.match(fold(lines[j].raw))):
            found = {int(alone["num"]): ""}  # "9." alone, its answer on the lines below
        raw = lines[j].raw
        if not found and wrapped and previous is not None and _BULLET.match(raw):
            # "11. 要点：" then "- TTFT：…" items, blank lines between them
            listing = listing or not into[previous].strip() or into[previous].endswith((":", "："))
            if listing:
                into[previous] = f"{into[previous]}\n{raw.strip()}".strip()
                last = j = j + 1
                continue
        if wrapped and previous is not None and list(found) == [steps + 1]:
            # "**Q9.** Start with the job:" then its own steps "1. …" "2. …"
            into[previous] = f"{into[previous]}\n{raw.strip()}"
            steps, last, j = steps + 1, j + 1, j + 1
            continue
        if not found:
            follows = j == last  # no blank line between: text from a PDF wraps at the margin
            if not (
                wrapped
                and previous is not None
                and (raw[:1].isspace() or (follows and _wraps(into[previous], raw)))
            ):
                break
            into[previous] = f"{into[previous]} {lines[j].raw.strip()}"
            last = j = j + 1
            continue
        into.update(found)
        previous, listing, steps = max(found), False, 0
        last = j = j + 1
    for number in [n for n, text in into.items() if not text.strip()]:
        del into[number]
    return last


_BULLET = re.compile(r"^\s*[-*•·]\s+\S")
_NUMBER_ALONE = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:Q|第)?\s*(?P<num>\d{1,3})\s*题?\s*[.:、)]?\s*(?:\*\*|__)?\s*$"
)


#: A heading inside a key ("一、单项选择题", "Part 2", "### Section B"): passed over.
_SUBHEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*\S.{0,23}$")


#: A heading of a key's part: "三、简答题（共25分）", "### Part 2", "Section B".
_PART_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s|[一二三四五六七八九十]+\s*[、.]|第[一二三四五六七八九十]+部分"
    r"|(?:part|section)\s+\w+\b)",
    re.I,
)


#: A forum's note under a post, set off by tildes: "~ An instructor endorsed this answer ~".
_SITE_NOTE = re.compile(r"^\s*~.*~\s*$")
#: A comment's date under its text: "2024-09-28 21:40".
_STAMP_LINE = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def _wraps(value: str, raw: str) -> bool:
    """Whether ``raw`` continues the answer ``value`` above it: an indented line, or, after a
    written answer (not a letter), any line that is not a heading or the page's end (text
    from a PDF wraps at the left margin)."""
    if raw[:1].isspace():
        return True
    folded = fold(raw)
    return (
        not LETTERS.match(fold(value).strip())
        and not _STAMP_LINE.match(folded)
        and not _SITE_NOTE.match(folded)
        and not _PART_HEADING.match(folded)
        and not END_LINE.match(folded)
        and not END_MARKER.match(folded)
    )


#: The keys of a section's questions in order, without their numbers: "单选：BBAB".
_LETTER_RUN = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(?:单选题?|单项选择题?|选择题|判断题?|single[\s-]choice)"
    r"\s*(?:\*\*|__)?\s*[:：]\s*(?P<keys>[A-J]{2,})\s*$",
    re.I,
)


def _letters_in_order(raw: str, first: int) -> dict[int, str]:
    """``单选：BBAB`` under a key's label: questions ``first``, ``first + 1``, … in order."""
    run = _LETTER_RUN.match(fold(raw))
    return {first + n: key for n, key in enumerate(run["keys"].upper())} if run else {}


_KEY_NOTE = re.compile(r"^\s*(?:notes?|注|备注|说明)\s*[:：]", re.I)


_ABOUT_ANSWERS = re.compile(r"\b(?:answers?|solutions?)\b|答案", re.I)


def _read_key_block(lines: Sequence[Line], k: int) -> tuple[dict[int, str], int]:
    """Entries below a key's label: "1. C" items, pairs or columns, perhaps under headings
    of their own ("一、单项选择题" then "1.B 2.C", "三、简答题" then "10. …" answers wrapped over
    lines). Returns them and where they stop."""
    found: dict[int, str] = {}
    j = stop = k
    previous: int | None = None
    in_note = False  # "Notes: Q2 — …" between a key's parts, up to a blank line
    while j < len(lines):
        raw = lines[j].raw
        if lines[j].kind is LineKind.BLANK:
            in_note = False
            j += 1
            continue
        if EXPLANATIONS_LABEL.match(fold(raw)) or (
            (head := _ANSWER_HEAD.match(fold(raw))) and not head["value"]
        ):  # the explanations after the key, or an open answer under its heading ("**8.
            break  # 参考答案：**", "### Model answer for 9"): read by _read_explanations
        if found and (in_note or _KEY_NOTE.match(fold(raw))):
            in_note = True
            j += 1
            continue
        entries = line_entries(raw) or _letters_in_order(raw, max(found, default=0) + 1)
        if entries and set(entries) <= set(found):
            break  # the same numbers again: the explanations of the keys above, not keys
        if found and _NOTES_INTRO.match(raw) and _notes_follow(lines, j, found):
            break  # "A few notes:" over them
        if entries:
            found.update(entries)
            previous = max(entries)
        elif (
            previous is not None
            and found
            and (j == stop or raw[:1].isspace())  # right under it: no blank line between
            and _wraps(found[previous], raw)
        ):
            found[previous] = f"{found[previous]} {raw.strip()}"  # a wrapped answer
        elif (_SUBHEADING.match(fold(raw)) or _PART_HEADING.match(fold(raw))) and not ITEM.match(
            raw
        ):  # "二、多项选择题（每小题4分，共12分；漏选得2分）"
            previous = None
        elif not found and j - k < 8 and _ABOUT_ANSWERS.search(fold(raw)):
            pass  # a post's opening line above its list: "Here are the answers to …"
        else:
            break
        j += 1
        stop = j
    return found, stop


def find_answer_keys(lines: Sequence[Line], start: int) -> AnswerKey:
    """Every key section from line ``start`` on; see the module docstring."""
    key = AnswerKey()
    i = start
    while i < len(lines):
        line = lines[i]
        after = _grid(lines, i, key)
        if after > i:
            after = _more_parts(lines, after, key, i)
            key.sections.append((_label_above(lines, i, start), after - 1))
            i = _read_explanations(lines, after, key)
            continue
        label = None
        if line.q_number is None or line.q_style.endswith("一、"):  # "## 四、参考答案"
            label = LABEL.match(without_author(line.raw)) or TITLE_LABEL.match(
                without_author(line.raw)
            )
        if label is None:
            if (found := _bare_key(lines[i])) and _asked(lines, found, range(i, i + 1)):
                for number, value in found.items():
                    key.keys[number] = value
                    key.lines[number] = i
                key.sections.append((i, i))
                i = _read_explanations(lines, i + 1, key)
                continue
            i += 1
            continue
        found = key_pairs(label["inline"]) if label["inline"] else {}
        if found and len(listed := line_entries(label["inline"])) > len(found):
            found = listed  # "1-B, 2-A, 6-NF4": a key given as an option's text among letters
        j = i + 1
        if not found and _is_one_answer(label["inline"]):
            # "参考答案：灾难性遗忘是指……", "答案：C": one question's answer, not a key
            i += 1
            continue
        if not found:  # keys on the lines below: a table, "1. C" items, or pairs
            k = t = j
            while k < len(lines) and lines[k].kind is LineKind.BLANK:
                k += 1
            while t < len(lines) and (lines[t].kind is LineKind.BLANK or _part_heading(lines[t])):
                t += 1  # "### 一、单项选择题" above the key's table
            if _remark(lines, t) and read_grid(lines, t)[1] <= t:  # "Released Nov 15. …"
                n = next_content(lines, t, len(lines))
                t = n if n is not None and read_grid(lines, n)[1] > n else t
            if t < len(lines) and (after := _grid(lines, t, key)) > t:
                after = _more_parts(lines, after, key, t)
                key.sections.append((_banner_above(lines, i, start), after - 1))
                i = _read_explanations(lines, after, key)
                continue
            found, j = _read_key_block(lines, k)
        letters = sum(bool(LETTERS.match(fold(v).strip())) for v in found.values())
        said = without_author(line.raw).strip(" #*_:：")
        explicit = bool(ANNOUNCED.search(said)) or (
            bool(EXPLICIT.search(said))
            and not (letters * 2 < len(found) and _under_a_question(lines, i))
        )
        continued = bool(key.keys) and explicit  # "参考答案（2/2）": the key's next slide
        if (
            len(found) < (1 if continued else 2)
            or not (explicit or letters * 2 >= len(found))
            or not _asked(lines, found, range(i, j))
        ):
            i += 1
            continue
        for number, value in found.items():
            key.keys[number] = value
            key.lines[number] = i
        key.sections.append((_banner_above(lines, i, start), j - 1))
        i = _read_explanations(lines, j, key)
    return key


#: A rule with words in it: "=====（以下为参考答案，发题前删除本页）=====", "---- answers ----".
_BANNER = re.compile(r"^\s*([=\-*~_])\1{3,}\s*(?P<text>\S.*?)\s*\1{3,}\s*$")


def _banner_above(lines: Sequence[Line], i: int, start: int) -> int:
    """The line of a banner about answers right above the key's label at ``i`` (blank lines
    between), which the key's section then starts with; ``i`` when there is none."""
    k = content_above(lines, i, start)
    banner = _BANNER.match(fold(lines[k].raw)) if k > start else None
    return k if banner and _ABOUT_ANSWERS.search(banner["text"]) else i


def _asked(lines: Sequence[Line], found: dict[int, str], section: range) -> bool:
    """Whether the article asks questions numbered as ``found`` answers them, outside the
    key's own lines: "参考答案：" over "1. 注意力…" "2. 长文本…" under question 30 answers it,
    and no questions 1 and 2."""
    questions = [(k, ln) for k, ln in enumerate(lines) if ln.is_question and k not in section]
    if any(not ln.q_style.endswith("一、") for _, ln in questions):  # "一、解码策略" heads a part
        questions = [(k, ln) for k, ln in questions if not ln.q_style.endswith("一、")]
    return len({ln.q_number for _, ln in questions} & set(found)) * 2 >= len(found)


def _grid(lines: Sequence[Line], i: int, key: AnswerKey) -> int:
    """The key laid out as a grid at line ``i`` (:func:`read_grid`) put in ``key``; where it
    stops (``i`` when there is none)."""
    found, after = read_grid(lines, i)
    for number, (value, why) in found.items():
        key.keys[number] = value
        key.lines[number] = i
        if why:
            key.explanations[number] = why
    return after


def _part_heading(line: Line) -> bool:
    raw = fold(line.raw)
    if ITEM.match(raw) or TABLE_ROW.match(raw) or "\t" in raw.strip():  # "题号\t1\t2": a row
        return False
    return bool(_SUBHEADING.match(raw) or _PART_HEADING.match(raw))


def _more_parts(lines: Sequence[Line], j: int, key: AnswerKey, at: int) -> int:
    """A key's next parts after its table, each under its part's heading ("### 二、多项选择题"
    then "9. ACD　10. AB"): their keys, for questions the table has none for; returns where
    they stop (``j`` when there are none)."""
    stop = k = j
    while k < len(lines):
        if lines[k].kind is LineKind.BLANK:
            k += 1
            continue
        if EXPLANATIONS_LABEL.match(fold(lines[k].raw)):
            break  # "部分说明：" under the key: its explanations, not a part's heading
        entries = line_entries(lines[k].raw)
        if not entries and _part_heading(lines[k]):
            k += 1
            continue
        letters = all(LETTERS.match(fold(v).strip()) for v in entries.values())
        if entries and not letters and stop > j:
            return k  # "三、简答题" then "12. 答题要点：": the headed answers after the key
        if not entries or not letters or set(entries) & set(key.keys):
            break
        for number, value in entries.items():
            key.keys[number] = value
            key.lines[number] = at
        stop = k = k + 1
    return stop


def _label_above(lines: Sequence[Line], i: int, start: int) -> int:
    """The line of a key table's label ("**Answer key (interviewer copy)**") above it, over
    blank lines and a grid table's top border, or ``i`` when there is none."""
    k = i - 1
    while k > start and (
        lines[k].kind in (LineKind.BLANK, LineKind.MARKUP)
        or TABLE_RULE.match(lines[k].raw)
        or (
            _PART_HEADING.match(fold(lines[k].raw))
            and _SUBHEADING.match(fold(lines[k].raw))
            and not LABEL.match(fold(lines[k].raw))
        )
    ):  # "参考答案" over "一、单项选择题" over the key's grid
        k -= 1
    label = LABEL.match(fold(lines[k].raw)) if k > start else None
    if label is None or len(label["inline"].strip(" *_()（）")) > 30 or lines[k].q_number:
        return i
    # "## Answer key" over the label of the box it is folded in ("<details>", "Answer key:")
    return _label_above(lines, k, start) if k - 1 > start else k


def _under_a_question(lines: Sequence[Line], i: int) -> bool:
    """Whether the label at ``i`` comes right under a question's own line: "**9、…？**" then
    "参考答案：" then a numbered list is that question's answer, not a key to questions 1-3;
    a folded box's own label between them ("{% hideToggle 点击查看答案 %}") changes nothing."""
    k = content_above(lines, i)
    if k >= 0 and lines[k].kind is LineKind.ANSWER:
        k = content_above(lines, k)
    return k >= 0 and lines[k].q_number is not None


#: An open question's answer after the key, headed by its number: "**8. 参考答案：**" with the
#: answer below it, "Q9 model answer: …", "### Model answer for 9" (alone on its line).
_RULE = re.compile(r"^\s*([-*_=])(?:\s*\1){2,}\s*$")
_ANSWER_HEAD = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*"
    r"(?P<for>(?:(?:model|sample|reference|suggested)\s+)?(?:answer|solution)\s+(?:for|to)\s+)?"
    r"(?:Q|question\s*|problem\s*|exercise\s*|第\s*)?"
    r"(?P<num>\d{1,3})\s*题?\s*(?:\\?[.、:)]|\s[—–-])?\s*"
    r"(?(for)(?=[\s*_:]*$)|(?:的)?(?:参考答案|参考回答|答案要点|答题要点|答案"
    r"|(?:model|sample|reference|suggested)\s+(?:answer|solution)|solution))"
    # "### Problem 9 — model solution", its answer below it
    r"\s*(?:\*\*|__)?\s*(?:[:]|$)\s*(?:\*\*|__)?\s*(?P<value>.*?)\s*$",
    re.I,
)


def _read_headed_answers(
    lines: Sequence[Line],
    k: int,
    key: AnswerKey,
    heads: re.Pattern[str] = _ANSWER_HEAD,
    allowed: set[int] | None = None,
) -> int:
    """Answers after the key each headed by its question's number ("**8. 参考答案：**" then
    paragraphs; with ``heads=_NUMBER_HEAD``, "Question 11" alone), for questions the key has
    no entry for (and among ``allowed``, if given); returns where they stop (``k`` when there
    are none)."""
    stop = k
    while k < len(lines) and (head := heads.match(fold(lines[k].raw))):
        number = int(head["num"])
        if number in key.keys or (allowed is not None and number not in allowed):
            break
        parts = [lines[k].raw[head.start("value") : head.end("value")]]
        j = k + 1
        while j < len(lines) and not heads.match(fold(lines[j].raw)):
            if (
                END_MARKER.match(lines[j].raw)
                or END_LINE.match(fold(lines[j].raw))
                or _RULE.match(lines[j].raw)  # "---" under the last answer, a sign-off below
            ):
                break
            parts.append(lines[j].raw.strip())
            j += 1
        if text := "\n".join(parts).strip():
            key.explanations.setdefault(number, text)
        stop = k = j
        if j < len(lines) and not heads.match(fold(lines[j].raw)):
            break
    return stop


#: A question's number alone over its answer: "Question 11", "**Q12.**".
_NUMBER_HEAD = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:Q|question\s*|problem\s*|第\s*)(?P<num>\d{1,3})\s*题?"
    r"\s*(?:\*\*|__)?\s*[.:]?\s*(?:\*\*|__)?(?P<value>)\s*$",
    re.I,
)


def _read_explanations(lines: Sequence[Line], i: int, key: AnswerKey) -> int:
    """A numbered list of explanations right after a key section ("解析：" then "1. ..."), or
    answers headed by their numbers ("**8. 参考答案：**")."""
    k = i
    while k < len(lines) and (
        lines[k].kind in (LineKind.BLANK, LineKind.MARKUP)  # and the end of a key's box
        or (_KEY_NOTE.match(fold(lines[k].raw)) and _notes_lead_on(lines, k))
    ):  # "</details>"; "Notes: for Q1 …" over "### Short-answer notes"
        k += 1
    if (headed := _read_headed_answers(lines, k, key)) > k:
        first, _ = key.sections[-1]
        key.sections[-1] = (first, headed - 1)
        return headed
    if k >= len(lines):
        return i
    items: dict[int, str] = {}
    if EXPLANATIONS_LABEL.match(without_author(lines[k].raw)):
        stop = _read_items(lines, k + 1, items, wrapped=True)
    else:
        stop = _open_answers(lines, k, key, items)
    if not items and stop == k:
        h = next_content(lines, k, len(lines)) if _remark(lines, k) else None
        if h is not None and _OWN_HEADING.match(lines[h].raw):
            # "Class average on Part A: 6.9 / 9." between the key and the answers
            return after if (after := _read_explanations(lines, h, key)) > h else i
        return i
    for number, text in items.items():
        key.explanations.setdefault(number, text)
    first, _ = key.sections[-1]
    key.sections[-1] = (first, stop - 1)
    return _read_explanations(lines, stop, key)  # "解析：" then "简答题参考：", each a list


#: A heading of its own over the open questions' answers, whatever it says: "**Discussion
#: questions — what I look for**", "### Sample answers for Part B".
_OWN_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|(?:\*\*|__)[^*_]{2,60}(?:\*\*|__)\s*$)")


#: A short line of its own over the open questions' answers: "Discussion: what we'd listen for".
_SHORT_LINE = re.compile(r"^\s*\S.{0,58}(?<![.。!！?？])\s*$")
#: A short line that introduces notes on the keys above it: "A few notes:", "Why:".
_NOTES_INTRO = re.compile(r"^\s*(?:\*\*|__)?[^\d\s#|*_][^:：|]{0,38}[:：]\s*(?:\*\*|__)?\s*$")


def _remark(lines: Sequence[Line], k: int) -> bool:
    """Whether line ``k`` is a line of prose among a key's parts: no entries, no heading."""
    return (
        k < len(lines)
        and lines[k].kind is LineKind.TEXT
        and not line_entries(lines[k].raw)
        and not _OWN_HEADING.match(lines[k].raw)
    )


def _notes_lead_on(lines: Sequence[Line], k: int) -> bool:
    """Whether the key's note at line ``k`` has the open questions' answers' label after it."""
    j = k + 1
    while j < len(lines) and lines[j].kind is LineKind.BLANK:
        j += 1
    return j < len(lines) and bool(EXPLANATIONS_LABEL.match(without_author(lines[j].raw)))


def _notes_follow(lines: Sequence[Line], j: int, found: dict[int, str]) -> bool:
    """Whether the entries under line ``j`` are about keys already found."""
    k = j + 1
    while k < len(lines) and lines[k].kind is LineKind.BLANK:
        k += 1
    entries = line_entries(lines[k].raw) if k < len(lines) else {}
    return bool(entries) and set(entries) <= set(found)


def _open_answers(lines: Sequence[Line], k: int, key: AnswerKey, into: dict[int, str]) -> int:
    """Numbered answers right after a key (under a heading of their own, or none) to the
    questions the key leaves out: "**9.** The high-frequency pairs …" after a key for 1-8.
    They are taken only when every number is one of those questions, asked above the key
    (so that the next part's questions are not taken for answers), or, under a line that
    introduces them ("A few notes:"), a question the key answers; returns where they stop
    (``k`` when there are none)."""
    first = key.sections[-1][0]
    asked = {ln.q_number for ln in lines[:first] if ln.q_number is not None} - set(key.keys)
    j = k
    introduced = bool(_NOTES_INTRO.match(lines[k].raw))  # "A few notes:" over notes on keys
    if (_OWN_HEADING.match(lines[k].raw) or _SHORT_LINE.match(lines[k].raw)) and not line_entries(
        lines[k].raw
    ):
        j = k + 1
    while j < len(lines) and lines[j].kind is LineKind.BLANK:
        j += 1
    if j < len(lines) and j > k and _NUMBER_HEAD.match(fold(lines[j].raw)):
        return _read_headed_answers(lines, j, key, _NUMBER_HEAD, asked)  # "Question 11" over it
    found: dict[int, str] = {}
    stop = _read_items(lines, j, found, wrapped=True)
    if not found or not set(found) <= (asked | set(key.keys) if introduced else asked):
        return k
    into.update(found)
    return stop
