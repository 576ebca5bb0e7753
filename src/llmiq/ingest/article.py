"""Turn an interview-question article into a bank.

An article is a run of question blocks: a numbered prompt, options, an answer line, then an
explanation running until the next question. The hard part is where an explanation ends,
because explanations hold numbered lists of their own ("1、情感分析 ... 2、翻译 ..."). Answer
lines are unambiguous, so the parser anchors on them: for each answer it looks back for the
line that starts its question, preferring (1) the numbering style the article uses for its
questions, (2) a number that continues the sequence, (3) the nearest such line. A numbered
line left over between two questions is a question without an answer only when it has the
article's question style and a number strictly between theirs; otherwise it is explanation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from llmiq.bank.model import DEFER_RULES, Bank, Lang, Question, detect_language
from llmiq.errors import LlmiqError
from llmiq.ingest.lines import TAIL_MARKERS, Kind, Line, classify, fold

_END_MARKER = re.compile(
    r"^\s*[-—–=_*~]*\s*(?:END|\(?完\)?|全文完|the\s+end)\s*[-—–=_*~]*\s*$", re.I
)
_SENTENCE_END = re.compile(r"[。！？!?]|\.\s")
_KEY = r"(?:\(\s*[A-J]\s*\)|[A-J])"
_KEYS = re.compile(
    rf"^\s*\[?(?P<keys>{_KEY}(?:\s*(?:[,/&;、，]|\band\b)?\s*{_KEY})*)\]?"
    r"(?=$|[\s.。,，:：;；()、])(?P<rest>.*)$"
)
_LOWER_KEY = r"(?:\([a-j]\)|[a-j]\)?)"
_LOWER_KEYS = re.compile(
    rf"^\s*(?P<keys>{_LOWER_KEY}(?:\s*(?:[,/、，]|\band\b)\s*{_LOWER_KEY})*)[.。]?\s*$"
    r"|^\s*\(?(?P<pkey>[a-j])\)(?P<rest>.*)$"
)
#: A note after the keys that is not an explanation: "ABD（多选）", "B (single choice)".
_KEY_NOTE = re.compile(r"^\s*\([^()]{1,16}\)\s*$")
#: Short yes/no answers and the other ways of saying them, so "不" is right where "不需要" is.
_NO = ("不", "否", "no")
_YES = ("是", "对", "yes")
_NEGATIVE = re.compile(r"^(?:不|否|没|无)|^(?:no|not)\b", re.I)
_AFFIRMATIVE = re.compile(r"^(?:是|对|可以|需要|能|会|有)$|^(?:yes|true)\b", re.I)
_MAX_SHORT_ANSWER = 24
_YES_NO_THEN_REASON = re.compile(
    r"^(?P<short>[^—–;:：；。.,，]{1,12}?)\s*(?:—|–|--|\s-\s|[;:：；。.,，])\s*(?P<reason>\S.*)$"
)
_LINKS = (Kind.URL, Kind.IMAGE)


@dataclass(frozen=True)
class SkippedLines:
    """Lines the importer did not take, and why."""

    first: int
    last: int
    reason: str
    excerpt: str

    def __str__(self) -> str:
        where = (
            f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"
        )
        return f"{where}: {self.reason}" + (f": {self.excerpt}" if self.excerpt else "")


@dataclass
class ImportResult:
    """What :func:`parse_article` found: the bank, and everything it did not take."""

    bank: Bank
    lang: Lang
    title_line: int | None = None
    source_line: int | None = None
    skipped: list[SkippedLines] = field(default_factory=list)

    @property
    def dropped_questions(self) -> list[SkippedLines]:
        """Question blocks that could not become questions (no answer, bad answer key)."""
        return [s for s in self.skipped if s.reason.startswith("question")]


def _excerpt(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _split_lines(text: str) -> list[Line]:
    return [classify(i + 1, raw) for i, raw in enumerate(re.split(r"\r\n|\r|\n", text))]


def _tail_start(lines: Sequence[Line]) -> int:
    """Index of the first line of the page tail ("相关文章", "Further reading", ...)."""
    seen_answer = False
    for i, line in enumerate(lines):
        if line.kind is Kind.ANSWER:
            seen_answer = True
        elif seen_answer and (TAIL_MARKERS.match(fold(line.raw)) or _END_MARKER.match(line.raw)):
            return i
    return len(lines)


def _next_content(lines: Sequence[Line], i: int, end: int) -> int | None:
    j = i + 1
    while j < end and lines[j].kind is Kind.BLANK:
        j += 1
    return j if j < end else None


def _resolve_faq_answers(lines: Sequence[Line], end: int) -> None:
    """``A: ...`` is option A when a ``B`` option follows, else the answer of a Q/A pair."""
    for i in range(end):
        line = lines[i]
        if line.kind is Kind.OPTION and line.option_delim == ":" and len(line.options) == 1:
            key, text = line.options[0]
            j = _next_content(lines, i, end)
            follows_b = j is not None and lines[j].options and lines[j].options[0][0] == "B"
            if key == "A" and not follows_b and text:
                line.kind, line.answer_value, line.options = Kind.ANSWER, text, []


def _rank(line: Line, prev_number: int | None, style: str | None) -> tuple[bool, bool, int]:
    number = line.q_number
    if number is None:
        in_sequence = True
    elif prev_number is None:
        in_sequence = number <= 1
    else:
        in_sequence = number > prev_number
    return (style is None or line.q_style == style, in_sequence, line.q_strength)


def _paragraph_start(lines: Sequence[Line], lo: int, answer: int) -> int | None:
    """Fallback for unnumbered articles: the paragraph of plain text just before the options
    (or the answer)."""
    i = answer - 1
    while i > lo and lines[i].kind in (Kind.OPTION, Kind.BLANK):
        i -= 1
    if i <= lo or lines[i].kind is not Kind.TEXT:
        return None
    while i - 1 > lo and lines[i - 1].kind is Kind.TEXT:
        i -= 1
    return i


def _choose_starts(
    lines: Sequence[Line], answers: list[int], style: str | None
) -> list[int | None]:
    starts: list[int | None] = []
    lo, prev_number = -1, None
    for answer in answers:
        candidates = [i for i in range(lo + 1, answer) if lines[i].is_question]
        if candidates:
            start: int | None = max(
                candidates, key=lambda i: (*_rank(lines[i], prev_number, style), i)
            )
        else:
            start = _paragraph_start(lines, lo, answer)
        starts.append(start)
        if start is not None and lines[start].q_number is not None:
            prev_number = lines[start].q_number
        lo = answer
    return starts


def _dominant_style(lines: Sequence[Line], starts: list[int | None]) -> str | None:
    styles = Counter(lines[s].q_style for s in starts if s is not None and lines[s].is_question)
    return styles.most_common(1)[0][0] if styles else None


def _unanswered(
    lines: Sequence[Line],
    lo: int,
    hi: int,
    style: str | None,
    after: int | None,
    before: int | None,
) -> list[int]:
    """Question-style lines in ``(lo, hi)`` numbered strictly between ``after`` and
    ``before`` (a chain continuing ``after`` when ``before`` is None)."""
    found: list[int] = []
    expected = after
    for i in range(lo + 1, hi):
        line = lines[i]
        if not line.is_question or line.q_style != style or line.q_number is None:
            continue
        n = line.q_number
        if before is not None:
            if (after is None or n > after) and n < before and (expected is None or n > expected):
                found.append(i)
                expected = n
        elif expected is not None and n == expected + 1:
            found.append(i)
            expected = n
    return found


def _parse_keys(value: str) -> tuple[list[str], str] | None:
    """Answer keys in an answer line's value, and the text after them.

    ``"ABCE"``, ``"A, B, D"``, ``"A、B"``, ``"(b)"``, ``"B. Zipf's law"`` all work; lowercase
    letters only stand alone or in parentheses, so "a lot" is not option A.
    """
    folded = fold(value)
    if match := _KEYS.match(folded):
        return re.findall(r"[A-J]", match.group("keys")), value[match.start("rest") :].strip()
    if match := _LOWER_KEYS.match(folded):
        if match.group("pkey"):
            return [match.group("pkey").upper()], value[match.start("rest") :].strip()
        return [k.upper() for k in re.findall(r"[a-j]", match.group("keys"))], ""
    return None


def _match_option_text(value: str, options: list[tuple[str, str]]) -> list[str]:
    wanted = _normalise(value)
    return [key for key, text in options if wanted and _normalise(text) == wanted]


def _normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold(text)).casefold()


def accepted_variants(answer: str) -> list[str]:
    """Short answers graded as right for an open question whose answer is ``answer``:
    ``accepted_variants("不需要")`` -> ``["不需要", "不", "否", "no"]``."""
    answer = answer.strip().rstrip("。.!！")
    variants = [answer]
    if len(answer) <= 8:
        if _NEGATIVE.match(answer):
            variants += _NO
        elif _AFFIRMATIVE.match(answer):
            variants += _YES
    return list(dict.fromkeys(v for v in variants if v))


def _join(parts: list[str]) -> str:
    """Join lines, keeping one blank line between paragraphs."""
    text = "\n".join(parts)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


@dataclass
class _Block:
    start: int
    answer: int
    end: int  # exclusive: where the explanation stops


class _Parser:
    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = _split_lines(text)
        self.skipped: list[SkippedLines] = []

    def skip(self, first: int, last: int, reason: str, excerpt: str = "") -> None:
        while last > first and self.lines[last].kind is Kind.BLANK:
            last -= 1
        self.skipped.append(
            SkippedLines(
                self.lines[first].number, self.lines[last].number, reason, _excerpt(excerpt)
            )
        )

    def parse(self, bank_id: str, title: str | None) -> ImportResult:
        lines = self.lines
        end = _tail_start(lines)
        _resolve_faq_answers(lines, end)
        answers = [i for i in range(end) if lines[i].kind is Kind.ANSWER]
        value_lines: dict[int, int] = {}
        for a in answers:
            if not lines[a].answer_value:
                j = _next_content(lines, a, end)
                if j is not None and lines[j].kind in (Kind.TEXT, Kind.OPTION):
                    lines[a].answer_value = lines[j].raw.strip()
                    value_lines[a] = j
        answers = [a for a in answers if lines[a].answer_value or a in value_lines]

        style = _dominant_style(lines, _choose_starts(lines, answers, None))
        starts = _choose_starts(lines, answers, style)

        blocks: list[_Block] = []
        unanswered: list[int] = []
        orphans: list[int] = []
        prev_number: int | None = None
        for start, answer in zip(starts, answers, strict=True):
            if start is None:
                orphans.append(answer)
                continue
            number = lines[start].q_number
            lo = blocks[-1].answer if blocks else -1
            unanswered += _unanswered(lines, lo, start, style, prev_number, number)
            if blocks:
                blocks[-1].end = start
            blocks.append(_Block(start, answer, end))
            if number is not None:
                prev_number = number
        tail_lo = blocks[-1].answer if blocks else -1
        if not blocks:  # no answer anywhere: still say which questions were seen
            strong = [
                line.q_style for line in lines[:end] if line.q_strength >= 2 and line.q_number
            ]
            style = Counter(strong).most_common(1)[0][0] if strong else None
            prev_number = 0
        unanswered += _unanswered(lines, tail_lo, end, style, prev_number, None)
        unanswered.sort()

        if not blocks:
            self._fail_without_questions(unanswered)

        # An unanswered question cuts the explanation it sits in.
        for u in unanswered:
            for block in blocks:
                if block.answer < u < block.end:
                    block.end = u
        for n, u in enumerate(unanswered):
            stop = min(
                [b.start for b in blocks if b.start > u] + [x for x in unanswered[n + 1 :]] + [end]
            )
            self.skip(
                u, max(u, stop - 1), "question without an answer line, not imported", lines[u].rest
            )

        lang = detect_language(" ".join(lines[b.start].rest for b in blocks) or "x")
        questions: list[Question] = []
        for position, block in enumerate(blocks, start=1):
            question = self._question(block, position, lang, value_lines.get(block.answer))
            if question is not None:
                questions.append(question)
        for a in orphans:
            self.skip(a, a, "answer line with no question before it", lines[a].raw)

        first_start = blocks[0].start
        title_line, bank_title = self._intro(first_start, unanswered, title)
        source_line, url = self._links(end)
        if end < len(lines):
            self.skip(
                end,
                len(lines) - 1,
                f"page tail from {_excerpt(lines[end].raw.strip(), 20)!r} on, not the article",
            )
        if not questions:
            reasons = "; ".join(str(s) for s in self.skipped if s.reason.startswith("question"))
            raise LlmiqError(f"{self.name}: no question could be imported ({reasons})")
        bank_data: dict[str, Any] = {
            "id": bank_id,
            "title": {lang: bank_title},
            "questions": questions,
        }
        if url:
            bank_data["source"] = {"url": url}
        bank = Bank.model_validate(bank_data)
        self.skipped.sort(key=lambda s: s.first)
        return ImportResult(bank, lang, title_line, source_line, self.skipped)

    def _fail_without_questions(self, unanswered: list[int]) -> None:
        if unanswered:
            where = ", ".join(str(self.lines[u].number) for u in unanswered[:8])
            raise LlmiqError(
                f"{self.name}: found {len(unanswered)} question(s) (lines {where}) but no answer "
                "lines; mark each answer with '答案:' or 'Answer:'"
            )
        raise LlmiqError(
            f"{self.name}: no questions found; expected numbered questions (1、, 1., Q1, 第1题, "
            "### Question 1) each followed by an answer line ('答案: C' or 'Answer: C')"
        )

    def _question(
        self, block: _Block, position: int, lang: Lang, value_line: int | None
    ) -> Question | None:
        lines = self.lines
        start_line = lines[block.start]
        body = range(block.start + 1, block.answer)
        # The options are the last run A, B, C... before the answer; a lettered list earlier in
        # the prompt stays in the prompt.
        run_start = None
        for i in body:
            if lines[i].kind is Kind.OPTION and lines[i].options[0][0] == "A":
                run_start = i
        if run_start is None and start_line.options and start_line.options[0][0] == "A":
            run_start = block.start
        prompt_parts = [] if run_start == block.start else [start_line.rest]
        options: list[tuple[str, str]] = []
        for i in body:
            line = lines[i]
            if run_start is not None and i >= run_start:
                if line.kind is Kind.OPTION:
                    options += line.options
                elif line.kind is not Kind.BLANK and options:
                    key, text = options[-1]
                    options[-1] = (key, f"{text} {line.raw.strip()}".strip())
            elif line.kind not in _LINKS:  # links are reported by _links()
                prompt_parts.append(line.raw.rstrip())
        if run_start == block.start:
            options = list(start_line.options)
        prompt = _join(prompt_parts)
        keys_seen = [k for k, _ in options]
        if len(set(keys_seen)) != len(keys_seen):
            options = list(dict(options).items())

        answer_line = lines[block.answer]
        value = answer_line.answer_value
        explanation_parts: list[str] = []
        data: dict[str, Any] = {
            "id": f"q{position}",
            "prompt": {lang: prompt or start_line.raw.strip()},
        }
        if options:
            # "Answer: A smaller vocabulary" may be option C's text, not option A.
            by_text = _match_option_text(value, options)
            parsed = (by_text, "") if by_text else _parse_keys(value)
            if parsed is None:
                self.skip(
                    block.start,
                    block.answer,
                    f"question {position}: answer {value!r} names no option",
                    start_line.rest,
                )
                return None
            keys, rest = parsed
            rest = "" if _KEY_NOTE.match(fold(rest)) else rest.lstrip(".。:：、,， -—)")
            chosen = [text for key, text in options if key in keys]
            if rest and not any(_normalise(rest) == _normalise(t) for t in chosen):
                explanation_parts.append(rest)
            data |= {
                "kind": "multiple" if len(set(keys)) > 1 else "single",
                "options": [{"key": k, "text": {lang: t or k}} for k, t in options],
                "answer": list(dict.fromkeys(keys)),
            }
        else:
            data["kind"] = "open"
            split = _YES_NO_THEN_REASON.match(value)  # "No — because ..." answers "No"
            if split and (_NEGATIVE.match(split["short"]) or _AFFIRMATIVE.match(split["short"])):
                value = split["short"]
                explanation_parts.append(split["reason"])
            data["reference"] = {lang: value}
            short = len(value) <= _MAX_SHORT_ANSWER and not _SENTENCE_END.search(value)
            if short:
                data["accepted"] = accepted_variants(value)

        if answer_line.rest:  # an explanation on the answer's own line
            explanation_parts.append(answer_line.rest)
        first_explanation = block.answer + 1 if value_line is None else value_line + 1
        for i in range(first_explanation, block.end):
            line = lines[i]
            if line.kind in _LINKS:
                continue
            if line.kind is Kind.EXPLANATION:
                explanation_parts.append(line.rest)
            else:
                explanation_parts.append(line.raw.rstrip())
        explanation = _join(explanation_parts)
        if explanation:
            data["explanation"] = {lang: explanation}

        try:
            question = Question.model_validate(data, context={DEFER_RULES: True})
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            self.skip(block.start, block.answer, f"question {position}: {reason}", start_line.rest)
            return None
        problems = question.rule_problems()
        if problems:
            self.skip(
                block.start,
                block.answer,
                f"question {position}: {problems[0].message}",
                start_line.rest,
            )
            return None
        return question

    def _intro(
        self, first_start: int, unanswered: list[int], title: str | None
    ) -> tuple[int | None, str]:
        lines = self.lines
        stop = min([first_start, *unanswered])
        title_line = None
        content = [i for i in range(stop) if lines[i].kind not in (Kind.BLANK, *_LINKS)]
        if content and len(lines[content[0]].raw.strip()) <= 150:
            title_line = content[0]
            content = content[1:]
        for i in content:
            self.skip(i, i, "text before the first question", lines[i].raw)
        found = (
            re.sub(r"^[#\s*_]+|[*_\s]+$", "", lines[title_line].raw)
            if title_line is not None
            else ""
        )
        chosen = title or found or self.name
        return (lines[title_line].number if title_line is not None else None), chosen

    def _links(self, end: int) -> tuple[int | None, str | None]:
        """Report URL and image lines (never question text); the first URL is the source."""
        source: tuple[int | None, str | None] = (None, None)
        for i in range(end):
            line = self.lines[i]
            if line.kind not in _LINKS or any(
                s.first <= line.number <= s.last for s in self.skipped
            ):
                continue
            if line.kind is Kind.URL and source[0] is None:
                source = (line.number, line.rest)
                self.skip(i, i, "URL, kept as the bank's source", line.rest)
            else:
                self.skip(
                    i, i, f"{'URL' if line.kind is Kind.URL else 'image'}, not imported", line.rest
                )
        return source


def parse_article(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse an article's text into a bank. ``name`` (the file name) is used in messages.

    Raises :class:`LlmiqError` when no question can be imported.
    """
    return _Parser(text, name).parse(bank_id, title)
