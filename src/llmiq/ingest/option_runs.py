"""Options written without a letter and a full stop: ``A 正确`` (a key and a space), a
true/false question's ``正确　　错误`` on one line, task-list items (``- [x] Paris``), and a
numbered list ``1.`` ``2.`` ``3.`` under a question that an answer by number follows
(``Answer: 2``, ``Correct options: 1, 2 and 3``). Each counts as options only in a run of two
or more, so that a sentence starting "A model ..." stays a sentence and a numbered list of
points stays a list."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from llmiq.ingest.answers import ROMAN_KEYS, parse_keys
from llmiq.ingest.lines import NOISE, Line, LineKind, checkbox_text, spaced_option
from llmiq.ingest.structure import next_content


def make_option(line: Line, key: str, text: str) -> None:
    """Make ``line`` option ``key``; a number it was written with ("1. [x] …", "    2. HNSW")
    no longer starts a question."""
    line.kind = LineKind.OPTION
    line.options = [(key, text)]
    line.single_option = (key, text)
    line.option_delim = ""
    line.q_number, line.q_strength = None, 0


def _spaced_on_one_line(raw: str, first: str = "A") -> list[tuple[str, str]]:
    """``"A 正确　B 错误"``: keys with a space, in order from ``first``; separated by wide
    gaps, or by single spaces on a short line of short options ("A 正确 B 错误")."""
    second = chr(ord(first) + 1)
    if not re.match(rf"^\s*{first}\s+\S.*?\s{second}\s+\S", raw):
        return []
    gap = r"(?:\s{2,}|\u3000+)" if len(raw.strip()) > 40 else r"(?:\s+|\u3000+)"
    parts = re.split(gap + rf"(?=[{second}-J]\s)", raw.strip())
    options = [(part[0], part[1:].strip()) for part in parts]
    keys = [key for key, _ in options]
    return options if keys == [chr(ord(first) + n) for n in range(len(keys))] else []


#: Circled marks, which mark nothing but options: ① to ⑩, Ⓐ to Ⓙ, ⓐ to ⓙ.
_CIRCLED_SETS = (
    "".join(chr(0x2460 + n) for n in range(10)),
    "".join(chr(0x24B6 + n) for n in range(10)),
    "".join(chr(0x24D0 + n) for n in range(10)),
)


def _circled_on_one_line(raw: str) -> list[tuple[str, str]]:
    """``"① 防止饱和 ② 减少参数量 ③ 加快矩阵乘法"``, ``"Ⓐ 全零　Ⓑ 随机高斯"``: circled marks in
    order from the first, at least two of them."""
    text = re.sub(r"^\s*(?:[-*+•·]\s+)?", "", raw).rstrip()
    circled = next((marks for marks in _CIRCLED_SETS if text.startswith(marks[0])), None)
    if circled is None:
        return []
    parts = re.split(f"([{circled}])", text)[1:]
    marks, texts = parts[0::2], [t.strip() for t in parts[1::2]]
    if len(marks) < 2 or marks != list(circled[: len(marks)]) or not all(texts):
        return []
    return [(chr(ord("A") + n), t) for n, t in enumerate(texts)]


#: A true/false question's two choices on a line of their own: "正确　　错误", "True / False".
_TRUE_FALSE = re.compile(
    r"^\s*(?:[-*+•·]\s+)?(?:(?P<zh>正确|对|√|✓|是)(?:\s{2,}|\u3000+|\s*[/|｜]\s*)(?:错误|错|×|✗|否)"
    r"|(?P<en>true)(?:\s{2,}|\s*[/|]\s*)false)\s*$",
    re.I,
)


def _true_false_on_one_line(raw: str) -> list[tuple[str, str]]:
    found = _TRUE_FALSE.match(raw)
    if found is None:
        return []
    first, second = re.split(r"\s*[/|｜]\s*|\s{2,}|\u3000+", raw.strip().lstrip("-*+•· "))[:2]
    return [("A", first), ("B", second)]


#: An answer by the numbers of a numbered list: "2", "2.** Thought…", "1, 2 and 3", "— 3".
_NUMBERED_ANSWER = re.compile(
    r"^[\s—–:-]*(?:[✅✔☑👉→➜]\ufe0f?\s*)?(?P<numbers>[1-9](?:\s*(?:,|、|&|\band\b|和)\s*[1-9])*)(?![\d.]\d)(?P<rest>.*)$",
    re.S,
)

#: A quiz site's key under numbered options: "Option 3 : Perplexity" (the option's text again).
_OPTION_NAMED = re.compile(r"^\s*option\s+(?P<n>[1-9])\s*[:：]\s*(?P<text>\S.*?)\s*$", re.I)


def _next_text(lines: Sequence[Line], i: int) -> int | None:
    """The next line after ``i`` that is neither blank nor markup (``<details>``)."""
    j = i + 1
    while j < len(lines) and lines[j].kind in (LineKind.BLANK, *NOISE):
        j += 1
    return j if j < len(lines) else None


def _numbered_options(lines: Sequence[Line]) -> None:
    """``1. Retrieval`` ``2. Reasoning`` (or ``(1)`` ``(2)``) … under a question, then ``Answer:
    2``: the list is options A, B, …, and the answer's numbers their letters."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if not (line.is_question and line.q_number == 1 and line.q_style in ("N.", "N)", "(N)")):
            i += 1
            continue
        run = _numbered_run(lines, i - 1, line.q_style)  # line i, then 2., 3., …
        after = _next_text(lines, run[-1])
        answer = lines[after] if after is not None else None
        if answer is not None and (named := _OPTION_NAMED.match(answer.raw)):
            n = int(named["n"])  # "Option 3 : Perplexity", saying option 3's own text
            if 1 <= n <= len(run) and named["text"].strip() == lines[run[n - 1]].rest.strip():
                answer.kind, answer.answer_value = LineKind.ANSWER, named["n"]
        if answer is None or answer.kind is not LineKind.ANSWER or len(run) < 2:
            i = run[-1] + 1
            continue
        below = None  # "Answer" alone (a <summary>), the number on the line under it
        if not answer.answer_value and (below := _next_text(lines, after)) is not None:
            value = re.sub(r"^\s*(?:\*\*|__)?", "", lines[below].raw).replace("**", "", 1)
        else:
            value = answer.answer_value
        found = _NUMBERED_ANSWER.match(re.sub(r"[(（]([1-9])[)）]", r"\1", value))  # "(2)"
        numbers = [int(n) for n in re.findall(r"[1-9]", found["numbers"])] if found else []
        if not numbers and _asked_above(lines, i) and (keys := parse_keys(value)):
            # a document's list numbers what it letters: "1. 0.5" … "4. 3", then "Answer: c"
            numbers = [ord(key) - ord("A") + 1 for key in keys[0]]
            found = re.match(r"(?P<rest>.*)", keys[1], re.S)
        if numbers and max(numbers) <= len(run):
            for m, k in enumerate(run):
                make_option(lines[k], chr(ord("A") + m), lines[k].rest)
            letters = ", ".join(chr(ord("A") + n - 1) for n in numbers)
            rest = found["rest"].lstrip(" .*_")  # type: ignore[index]
            if below is not None:
                answer.answer_value, lines[below].raw = letters, rest
                lines[below].rest = rest
            else:
                answer.answer_value = f"{letters}. {rest}" if rest else letters
        i = run[-1] + 1


def _numbered_run(lines: Sequence[Line], after: int, style: str, indent: int = -1) -> list[int]:
    """The lines numbered 1, 2, 3, … in ``style`` that follow line ``after``, one after
    another, each indented more than ``indent`` columns."""
    run: list[int] = []
    k = next_content(lines, after, len(lines))
    while k is not None and (
        lines[k].is_question
        and lines[k].q_style == style
        and lines[k].q_number == len(run) + 1
        and _indent(lines[k]) > indent
    ):
        run.append(k)
        k = next_content(lines, k, len(lines))
    return run


def _indent(line: Line) -> int:
    return len(line.raw.expandtabs(4)) - len(line.raw.expandtabs(4).lstrip())


#: A key in letters: "b", "a, b, d", "ACD".
_KEY_IN_LETTERS = re.compile(r"^\s*[A-Ja-j](?:\s*[,，、/ ]?\s*[A-Ja-j])*\s*$")


def nested_numbered_options(lines: Sequence[Line], keys: Mapping[int, str]) -> None:
    """Options written as a list nested under a numbered question, the way a Markdown export
    writes an outline (Notion, Google Docs): ``1. Which index …?`` then ``    1. HNSW``
    ``    2. A B-tree`` …, the question's letter in an answer key at the end ("2 | a"). Under
    a question that ``keys`` answers in letters, the items are its options A, B, …, not
    questions 1, 2, …; otherwise they stay what they were (points of an answer)."""
    for i, line in enumerate(lines):
        if not (line.is_question and _KEY_IN_LETTERS.match(keys.get(line.q_number or 0, ""))):
            continue
        run = _numbered_run(lines, i, line.q_style, _indent(line))  # "5." after "    4." is no E
        if len(run) >= 2:
            for m, k in enumerate(run):
                make_option(lines[k], chr(ord("A") + m), lines[k].rest)


def _asked_above(lines: Sequence[Line], i: int) -> bool:
    """Whether the content line above line ``i`` is a question of its own."""
    k = i - 1
    while k >= 0 and lines[k].kind in (LineKind.BLANK, *NOISE):
        k -= 1
    return k >= 0 and lines[k].is_question


_LONE_KEY = re.compile(r"^\s*[(（]?(?P<key>[A-H])[)）]?[.、．:：]?\s*$")
_NUMBER = re.compile(r"\s*\d+(?:[.,]\d+)?\s*")
#: The text under a lone key; Markdown's definition lists start it with ": ".
_DEFINITION = re.compile(r"^\s*:\s+")
_ROMAN_OPTION = re.compile(r"^\s*[(（]?(?P<key>[ivx]{1,4})[.)）]\s+(?P<text>\S.*?)\s*\\?\s*$")


def _lone_keys(lines: Sequence[Line]) -> None:
    """Options whose letter stands alone on its line, their text on the next (a practice
    site's page copied as text: "A" / "从字符开始……"; a Markdown definition list: "A" /
    ": It can encode any string"): the letter's line becomes the option, the text's line is
    left empty. Only a run A, B, ... counts; blank lines may stand between its options."""
    i = 0
    while i + 3 < len(lines):
        run: list[int] = []
        k = i
        while (
            k + 1 < len(lines)
            and (found := _LONE_KEY.match(lines[k].raw))
            and found["key"] == chr(ord("A") + len(run))
            and (lines[k + 1].kind is LineKind.TEXT or _NUMBER.fullmatch(lines[k + 1].raw))
            and not _LONE_KEY.match(lines[k + 1].raw)
        ):  # "A" over "64": an option's number, not question 64
            run.append(k)
            k += 2
            while k < len(lines) and lines[k].kind is LineKind.BLANK and run:
                k += 1
        if len(run) >= 2:
            for k in run:
                text = _DEFINITION.sub("", lines[k + 1].raw).strip()
                make_option(lines[k], _LONE_KEY.match(lines[k].raw)["key"], text)
                lines[k + 1].kind, lines[k + 1].rest = LineKind.BLANK, ""
                lines[k + 1].q_number, lines[k + 1].q_strength = None, 0
            i = run[-1] + 2
        else:
            i += 1


def _roman_options(lines: Sequence[Line]) -> None:
    """Options numbered i., ii., iii., ... in a run become options A, B, C, ... (a Markdown
    hard break's backslash at their end left out)."""
    i = 0
    while i < len(lines):
        run: list[tuple[int, str]] = []
        k = i
        while (
            k < len(lines)
            and (found := _ROMAN_OPTION.match(lines[k].raw))
            and len(run) < len(ROMAN_KEYS)
            and found["key"] == ROMAN_KEYS[len(run)]
        ):
            run.append((k, found["text"]))
            k = next(
                (j for j in range(k + 1, len(lines)) if lines[j].kind is not LineKind.BLANK),
                len(lines),
            )
        if len(run) >= 2:
            for n, (k, text) in enumerate(run):
                make_option(lines[k], chr(ord("A") + n), text)
            i = run[-1][0] + 1
        else:
            i += 1


def _answers_lettered_a(lines: Sequence[Line]) -> None:
    """ "Q1. What is …?" then "A. During generation, …": in a Q-and-A article the "A." under
    a question is its answer, when no option B follows it and it reads as prose (a sentence
    of some length), not as an option."""
    for i, line in enumerate(lines):
        if not line.is_question:
            continue
        j = next_content(lines, i, len(lines))
        if j is None or lines[j].kind is not LineKind.OPTION or lines[j].options[0][0] != "A":
            continue
        text = lines[j].options[0][1]
        if len(lines[j].options) > 1 or len(text) < 60 or not re.search(r"[.。!?]", text):
            continue
        after = (ln for ln in lines[j + 1 :] if ln.is_question or ln.kind is LineKind.OPTION)
        if (nxt := next(after, None)) is not None and not nxt.is_question:
            continue  # "B." follows: an option after all
        answer = lines[j]
        answer.kind, answer.answer_value, answer.rest = LineKind.ANSWER, text, text
        answer.options, answer.single_option = [], None


def mark_option_runs(lines: Sequence[Line]) -> None:
    """Turn runs of spaced options and of task-list items into option lines; a ticked item
    keeps ``checked=True``, which answers the question when no answer line does."""
    _lone_keys(lines)
    _answers_lettered_a(lines)
    _roman_options(lines)
    following = "A"  # "A 正确　B 错误" on one line, perhaps "C … D …" on the next
    for line in lines:
        if line.kind is LineKind.BLANK:
            continue
        options = (
            _circled_on_one_line(line.raw)
            or _spaced_on_one_line(line.raw)
            or _true_false_on_one_line(line.raw)
            if line.kind is LineKind.TEXT
            else []
        )
        if not options and following != "A" and line.kind is LineKind.TEXT:
            options = _spaced_on_one_line(line.raw, following)
        if options:
            line.kind, line.options, line.single_option = LineKind.OPTION, options, options[0]
        following = chr(ord(options[-1][0]) + 1) if options else "A"
    _numbered_options(lines)
    i = 0
    while i < len(lines):
        first = spaced_option(lines[i])
        if first is not None and first[0] == "A":
            run = [(i, first)]
            while (k := next_content(lines, run[-1][0], len(lines))) is not None:
                option = spaced_option(lines[k])
                if option is None or option[0] != chr(ord(run[-1][1][0]) + 1):
                    break
                run.append((k, option))
            if len(run) >= 2:
                for k, (key, text) in run:
                    make_option(lines[k], key, text)
                i = run[-1][0] + 1
                continue
        if lines[i].checked is not None:
            boxes = [i]
            while (k := next_content(lines, boxes[-1], len(lines))) is not None and (
                lines[k].checked is not None  # blank lines may stand between: a loose list
            ):
                boxes.append(k)
            lettered = [lines[k].options[0][0] if lines[k].options else "" for k in boxes]
            if (
                len(boxes) >= 2
                and lettered != [chr(ord("A") + m) for m in range(len(boxes))]
                and all(checkbox_text(lines[k]) for k in boxes)  # "☑" alone is no option
            ):
                for m, k in enumerate(boxes):
                    make_option(lines[k], chr(ord("A") + m), checkbox_text(lines[k]))
            i = boxes[-1] + 1
            continue
        i += 1
