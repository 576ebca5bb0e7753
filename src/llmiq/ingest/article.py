"""Turn an interview-question article into a bank.

An article is a run of question blocks: a numbered prompt, options, an answer line, then an
explanation running until the next question. The hard part is where an explanation ends,
because explanations hold numbered lists of their own ("1、情感分析 ... 2、翻译 ...");
``structure`` finds the blocks, ``answers`` reads what an answer line says, and this module
builds the questions and reports every line it did not take.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from llmiq.bank.model import DEFER_RULES, Bank, Lang, Question, detect_language
from llmiq.errors import LlmiqError
from llmiq.ingest.answers import (
    AFFIRMATIVE,
    KEY_NOTE,
    MAX_SHORT_ANSWER,
    NEGATIVE,
    YES_NO_THEN_REASON,
    accepted_variants,
    match_option_text,
    normalise,
    parse_keys,
)
from llmiq.ingest.lines import (
    Line,
    LineKind,
    base_style,
    classify,
    fold,
)
from llmiq.ingest.structure import (
    find_starts,
    next_content,
    read_answer_values,
    resolve_faq_answers,
    tail_start,
    unanswered_questions,
)

_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_NOISE = (LineKind.IMAGE, LineKind.MARKUP)
_SENTENCE_END = re.compile(r"[。！？!?]|\.\s")
#: A whole-line note in a prompt: "(Select all that apply)", "（多选）".
_PROMPT_NOTE = re.compile(r"^\s*[(（][^()（）]{1,40}[)）]\s*$")


@dataclass(frozen=True)
class SkippedLines:
    """Lines the importer did not take, and why. ``dropped`` marks a question block that
    could not become a question (no answer line, an answer naming no option)."""

    first: int
    last: int
    reason: str
    excerpt: str
    dropped: bool = False

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
    skipped: list[SkippedLines] = field(default_factory=list)

    @property
    def dropped_questions(self) -> list[SkippedLines]:
        return [s for s in self.skipped if s.dropped]


def _excerpt(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _split_lines(text: str) -> list[Line]:
    """Classify every line; code blocks are plain text whatever their lines look like."""
    lines: list[Line] = []
    in_code = False
    for i, raw in enumerate(re.split(r"\r\n|\r|\n", text.translate(_ZERO_WIDTH))):
        fence = bool(_FENCE.match(raw))
        if in_code or fence:
            lines.append(Line(number=i + 1, raw=raw, rest=raw.strip()))
        else:
            lines.append(classify(i + 1, raw))
        in_code ^= fence
    return lines


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
        self.style: str | None = None
        self.source: int | None = None

    def skip(
        self, first: int, last: int, reason: str, excerpt: str = "", dropped: bool = False
    ) -> None:
        while last > first and self.lines[last].kind is LineKind.BLANK:
            last -= 1
        self.skipped.append(
            SkippedLines(
                self.lines[first].number,
                self.lines[last].number,
                reason,
                _excerpt(excerpt),
                dropped,
            )
        )

    def parse(self, bank_id: str, title: str | None) -> ImportResult:
        lines = self.lines
        resolve_faq_answers(lines)
        value_lines = read_answer_values(lines)
        end = tail_start(lines)
        answers = [i for i in range(end) if lines[i].kind is LineKind.ANSWER]
        answers = [a for a in answers if lines[a].answer_value]
        starts, self.style = find_starts(lines, answers)
        blocks, unanswered, orphans = self._blocks(starts, answers, end)
        if not blocks:
            self._fail_without_questions(unanswered)

        for n, u in enumerate(unanswered):
            stop = min([b.start for b in blocks if b.start > u] + unanswered[n + 1 :] + [end])
            self.skip(
                u,
                max(u, stop - 1),
                "question without an answer line, not imported",
                lines[u].rest,
                dropped=True,
            )
        for a in orphans:
            self.skip(a, a, "answer line with no question before it", lines[a].raw)
        bank_title = self._intro(min([blocks[0].start, *unanswered]), title)
        self.source = self._source(blocks, end)

        lang = detect_language(" ".join(lines[b.start].rest for b in blocks) or "x")
        numbers = [lines[b.start].q_number for b in blocks]
        by_number = None not in numbers and len(set(numbers)) == len(numbers)
        questions: list[Question] = []
        for position, block in enumerate(blocks, start=1):
            qid = f"q{numbers[position - 1]}" if by_number else f"q{position}"
            question = self._question(block, qid, lang, value_lines.get(block.answer))
            if question is not None:
                questions.append(question)
        self._report_noise(end)
        if end < len(lines):
            tail = _excerpt(lines[end].raw.strip(), 20)
            self.skip(end, len(lines) - 1, f"page tail from {tail!r} on, not the article")
        if not questions:
            reasons = "; ".join(str(s) for s in self.skipped if s.dropped)
            raise LlmiqError(f"{self.name}: no question could be imported ({reasons})")
        bank_data: dict[str, Any] = {"id": bank_id, "title": {lang: bank_title}}
        bank_data["questions"] = questions
        if self.source is not None:
            bank_data["source"] = {"url": lines[self.source].rest}
        self.skipped.sort(key=lambda s: s.first)
        return ImportResult(Bank.model_validate(bank_data), lang, self.skipped)

    def _blocks(
        self, starts: list[int | None], answers: list[int], end: int
    ) -> tuple[list[_Block], list[int], list[int]]:
        """Question blocks, unanswered question lines and answers without a question."""
        lines, style = self.lines, self.style
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
            unanswered += unanswered_questions(lines, lo, start, style, prev_number, number)
            if blocks:
                blocks[-1].end = start
            blocks.append(_Block(start, answer, end))
            if number is not None:
                prev_number = number
        if not blocks:  # no answer anywhere: still say which questions were seen
            strong = [ln.q_style for ln in lines[:end] if ln.q_strength >= 2 and ln.q_number]
            style = Counter(strong).most_common(1)[0][0] if strong else None
            prev_number = 0
        tail_lo = blocks[-1].answer if blocks else -1
        unanswered += unanswered_questions(lines, tail_lo, end, style, prev_number, None)
        unanswered.sort()
        for u in unanswered:  # an unanswered question ends the explanation it sits in
            for block in blocks:
                if block.answer < u < block.end:
                    block.end = u
        return blocks, unanswered, orphans

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

    def _options(self, block: _Block) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """Prompt lines, options and explanation lines found before the answer line.

        The options are the last run A, B, C... before the answer; a lettered list earlier in
        the prompt stays in the prompt. A plain line after an option continues it (wrapped
        option text); notes like "(Select all that apply)" go to the prompt.
        """
        lines = self.lines
        start = lines[block.start]
        body = range(block.start + 1, block.answer)
        run_start = None
        for i in body:
            if lines[i].kind is LineKind.OPTION and lines[i].options[0][0] == "A":
                run_start = i
        prompt = [start.rest]
        options: list[tuple[str, str]] = list(start.options) if run_start is None else []
        explanation: list[str] = []
        for i in body:
            line = lines[i]
            if line.kind in _NOISE:
                continue
            if line.kind is LineKind.EXPLANATION:
                explanation.append(line.rest)
            elif run_start is None or i < run_start:
                prompt.append(line.raw.rstrip())
            elif line.kind is LineKind.OPTION:
                j = next_content(lines, i, block.answer)
                nxt = chr(ord(line.options[0][0]) + 1)
                written_one_per_line = (
                    len(line.options) > 1
                    and j is not None
                    and lines[j].kind is LineKind.OPTION
                    and lines[j].options[0][0] == nxt
                )
                single = line.single_option
                options += [single] if written_one_per_line and single else line.options
            elif line.kind is LineKind.BLANK:
                continue
            elif _PROMPT_NOTE.match(line.raw) or not options:
                prompt.append(line.raw.strip())
            else:
                key, text = options[-1]
                options[-1] = (key, f"{text} {line.raw.strip()}".strip())
        if len({k for k, _ in options}) != len(options):
            options = list(dict(options).items())
        return prompt, options, explanation

    def _question(
        self, block: _Block, qid: str, lang: Lang, value_line: int | None
    ) -> Question | None:
        lines = self.lines
        start_line, answer_line = lines[block.start], lines[block.answer]
        prompt_parts, options, explanation_parts = self._options(block)
        value = answer_line.answer_value
        label = f"question {qid.removeprefix('q')}"
        data: dict[str, Any] = {
            "id": qid,
            "prompt": {lang: _join(prompt_parts) or start_line.raw.strip()},
        }
        if options:
            # "Answer: A smaller vocabulary" may be option C's text, not option A.
            by_text = match_option_text(value, options)
            parsed = (by_text, "") if by_text else parse_keys(value)
            if parsed is None:
                self.skip(
                    block.start,
                    block.answer,
                    f"{label}: answer {value!r} names no option",
                    start_line.rest,
                    dropped=True,
                )
                return None
            keys, rest = parsed
            rest = "" if KEY_NOTE.match(rest) else rest.lstrip(".。:：、,， -—)")
            chosen = [text for key, text in options if key in keys]
            if rest and not any(normalise(rest) == normalise(t) for t in chosen):
                explanation_parts.append(rest)
            data |= {
                "kind": "multiple" if len(set(keys)) > 1 else "single",
                "options": [{"key": k, "text": {lang: t or k}} for k, t in options],
                "answer": list(dict.fromkeys(keys)),
            }
        else:
            data["kind"] = "open"
            split = YES_NO_THEN_REASON.match(value)  # "No — because ..." answers "No"
            if split and split["short"].strip().casefold() in NEGATIVE | AFFIRMATIVE:
                value = split["short"].strip()
                explanation_parts.append(split["reason"])
            data["reference"] = {lang: value}
            if len(value) <= MAX_SHORT_ANSWER and not _SENTENCE_END.search(value):
                data["accepted"] = accepted_variants(value)

        if answer_line.inline_explanation:
            explanation_parts.append(answer_line.inline_explanation)
        first = block.answer + 1 if value_line is None else value_line + 1
        explanation_parts += self._explanation_lines(first, block.end)
        if explanation := _join(explanation_parts):
            data["explanation"] = {lang: explanation}

        try:
            question = Question.model_validate(data, context={DEFER_RULES: True})
        except ValidationError as exc:
            reason = f"{label}: {exc.errors()[0]['msg']}"
            self.skip(block.start, block.answer, reason, start_line.rest, dropped=True)
            return None
        if problems := question.rule_problems():
            reason = f"{label}: {problems[0].message}"
            self.skip(block.start, block.answer, reason, start_line.rest, dropped=True)
            return None
        return question

    def _explanation_lines(self, first: int, end: int) -> list[str]:
        parts: list[str] = []
        for i in range(first, end):
            line = self.lines[i]
            if line.kind in _NOISE or i == self.source:
                continue
            if line.kind is LineKind.EXPLANATION:
                parts.append(line.rest)
            elif self._is_section_heading(line):
                self.skip(i, i, "section heading, not part of an answer", line.raw)
            else:
                parts.append(line.raw.rstrip())
        return parts

    def _is_section_heading(self, line: Line) -> bool:
        """ "## Part 2", "二、进阶篇": headings of the article's own outline, not of questions."""
        if not line.is_question or self.style is None or "?" in fold(line.rest):
            return False
        if base_style(line.q_style) == base_style(self.style):
            return False
        return line.q_style.startswith("#") or (line.q_style == "一、" and len(line.rest) <= 10)

    def _intro(self, stop: int, title: str | None) -> str:
        """Take the title line; report the rest of what comes before the first question."""
        lines = self.lines
        content = [
            i
            for i in range(stop)
            if lines[i].kind not in (LineKind.BLANK, LineKind.URL, *_NOISE)
            and not lines[i].raw.strip().startswith("---")
        ]
        found = ""
        if content and len(lines[content[0]].raw.strip()) <= 150:
            found = re.sub(r"^[#\s*_]+|[*_\s]+$", "", lines[content.pop(0)].raw)
        for i in content:
            self.skip(i, i, "text before the first question", lines[i].raw)
        return title or found or self.name

    def _source(self, blocks: list[_Block], end: int) -> int | None:
        """The article's own URL: a labelled one ("原文链接: ..."), else one before the first
        question, else one that is the article's last line. Other URLs inside questions and
        explanations are their text."""
        lines = self.lines
        urls = [i for i in range(end) if lines[i].kind is LineKind.URL]
        labelled = [i for i in urls if lines[i].labelled_url]
        before = [i for i in urls if i < blocks[0].start]
        last_content = max(
            (i for i in range(end) if lines[i].kind is not LineKind.BLANK), default=-1
        )
        last = [i for i in urls if i == last_content and i > blocks[-1].answer]
        chosen = (labelled or before or last or [None])[0]
        for i in urls:
            inside = blocks[0].start <= i < blocks[-1].end
            if i == chosen:
                self.skip(i, i, "URL, kept as the bank's source", lines[i].rest)
            elif not inside:
                self.skip(i, i, "URL, not imported", lines[i].rest)
        return chosen

    def _report_noise(self, end: int) -> None:
        for i in range(end):
            line = self.lines[i]
            if line.kind in _NOISE and not any(
                s.first <= line.number <= s.last for s in self.skipped
            ):
                self.skip(i, i, f"{line.kind.value}, not imported", line.raw)


def parse_article(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse an article's text into a bank. ``name`` (the file name) is used in messages.

    Raises :class:`LlmiqError` when no question can be imported.
    """
    return _Parser(text, name).parse(bank_id, title)
