"""Turn an interview-question article into a bank.

An article is a run of question blocks: a numbered prompt, options, an answer line, then an
explanation running until the next question. The hard part is where an explanation ends,
because explanations hold numbered lists of their own ("1、情感分析 ... 2、翻译 ...");
``structure`` finds the blocks, ``answers`` reads what an answer line says, and this module
builds the questions and reports every line it did not take.
"""

from __future__ import annotations

import contextlib
import re
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from llmiq.bank.model import DEFER_RULES, Bank, Lang, Question, detect_language
from llmiq.errors import LlmiqError
from llmiq.ingest.answer_key import AnswerKey
from llmiq.ingest.answers import KEY_NOTE, MAX_SHORT_ANSWER, YES_NO_THEN_REASON, resolve_keys
from llmiq.ingest.asking_lines import asking_lines_as_headings
from llmiq.ingest.author_text import in_authors_characters
from llmiq.ingest.blocks import (
    ASKS,
    POINTER,
    Block,
    answer_elsewhere,
    no_questions,
    unlettered_options,
)
from llmiq.ingest.cleanup import (
    clean_text,
    clean_title,
    file_title,
    heading_level,
    is_breadcrumb,
    join_lines,
    labelled_title,
    title_heading,
    title_line,
)
from llmiq.ingest.late_keys import article_keys
from llmiq.ingest.lines import NOISE, Line, LineKind, options_after_prompt
from llmiq.ingest.option_runs import nested_numbered_options
from llmiq.ingest.option_text import normalise
from llmiq.ingest.prompt_tags import from_front_face
from llmiq.ingest.question_marks import TYPE_FIRST
from llmiq.ingest.reading import read_lines
from llmiq.ingest.result import ImportNote, ImportResult, Note, SkippedLines, SkippedList, shorten
from llmiq.ingest.structure import (
    find_starts,
    heading_question_style,
    is_section_heading,
    next_content,
    numbered_chain,
    points_below,
    prompt_text,
    read_answer_values,
    resolve_faq_answers,
    strongest_style,
    tail_start,
    ticked_option_questions,
    unanswered_questions,
)
from llmiq.ingest.yes_no import AFFIRMATIVE, NEGATIVE, accepted_variants
from llmiq.messages import N_

#: An open answer this long is prose: what follows it without a label continues it.
_ESSAY = 40
_SENTENCE_END = re.compile(r"[。！？!?]|\.\s")
_ASKS_WHY = re.compile(r"为什么|为何|怎么|如何|\bwhy\b|\bhow\b|\bexplain\b", re.I)
#: A whole-line note in a prompt: "(Select all that apply)", "（多选）".
_PROMPT_NOTE = re.compile(r"^\s*[(（][^()（）]{1,40}[)）]\s*$")


class _Parser:
    def __init__(self, text: str, name: str) -> None:
        self.name, self.text = name, text
        self.lines, self.markup = read_lines(text)
        self.skipped: list[SkippedLines] = []
        self.notes: list[ImportNote] = []
        self.style: str | None = None
        self.source: int | None = None
        self.key = AnswerKey()

    def skip(
        self,
        first: int,
        last: int,
        reason: str,
        excerpt: str = "",
        dropped: bool = False,
        **fields: str,
    ) -> None:
        """``reason`` is a catalog message (:mod:`llmiq.ingest.result`), with its ``fields``."""
        while last > first and self.lines[last].kind is LineKind.BLANK:
            last -= 1
        self.skipped.append(
            SkippedLines(
                self.lines[first].number,
                self.lines[last].number,
                reason.format(**fields),
                shorten(excerpt),
                dropped,
                reason if fields else "",
                tuple(fields.items()),
            )
        )

    def note(self, first: int, last: int, question: int | str, message: str) -> None:
        self.notes.append(
            ImportNote(self.lines[first].number, self.lines[last].number, question, message)
        )

    def parse(self, bank_id: str, title: str | None) -> ImportResult:
        lines = self.lines
        resolve_faq_answers(lines)
        self.key = article_keys(lines)
        nested_numbered_options(lines, self.key.keys)
        value_lines = read_answer_values(lines)
        end = tail_start(lines)
        answers = [i for i in range(end) if lines[i].kind is LineKind.ANSWER]
        answers = [a for a in answers if lines[a].answer_value or self._answer_below(a, end)]
        starts, self.style = find_starts(lines, answers)
        blocks, unanswered, orphans = self._blocks(starts, answers, end, value_lines)
        dropped: list[int] = []
        for n, u in enumerate(unanswered):
            stop = min([b.start for b in blocks if b.start > u] + unanswered[n + 1 :] + [end])
            stop = self._before_key(u, stop)
            block = answer_elsewhere(lines, u, stop, self.key)
            if block is None:
                dropped.append(u)
                self.skip(
                    u,
                    max(u, stop - 1),
                    N_("question without an answer line, not imported"),
                    lines[u].rest,
                    dropped=True,
                )
            else:
                if (gap := next_content(lines, block.end - 1, stop)) is not None:  # late key
                    self.skip(gap, stop - 1, N_("section text between questions, not imported"),
                              lines[gap].raw)  # fmt: skip
                blocks.append(block)
        blocks.sort(key=lambda b: b.start)
        if not blocks:
            raise no_questions(self.name, [lines[u].number for u in dropped])
        end = self._end_sections(blocks, end)
        for a in orphans:
            self.skip(a, a, N_("answer line with no question before it"), lines[a].raw)
        bank_title = self._intro(min([blocks[0].start, *dropped]), title)
        self.source = self._source(blocks, end)

        lang = detect_language(" ".join(prompt_text(lines, b.start) for b in blocks) or "x")
        numbers = [lines[b.start].q_number for b in blocks]
        written = [n for n in numbers if n is not None]  # the unnumbered get the next ones
        by_number = bool(written) and len(set(written)) == len(written)
        spare = iter(range(max(written, default=0) + 1, 10**6))
        numbers = [n if n is not None else next(spare) for n in numbers]
        questions: list[Question] = []
        for position, block in enumerate(blocks, start=1):
            qid = f"q{numbers[position - 1]}" if by_number else f"q{position}"
            question = self._question(block, qid, lang)
            if question is not None:
                questions.append(question)
        self._report_keys()
        self._report_markup()
        self._report_noise(end)
        if end < len(lines):
            tail = shorten(lines[end].raw.strip(), 20)
            self.skip(end, len(lines) - 1, N_("page tail from {tail} on, not the article"),
                      tail=repr(tail))  # fmt: skip
        if not questions:
            reasons = SkippedList(tuple(s for s in self.skipped if s.dropped))
            raise LlmiqError(
                N_("{name}: no question could be imported ({reasons})"),
                name=self.name,
                reasons=reasons,
            )
        bank_data: dict[str, Any] = {"id": bank_id, "title": {lang: bank_title}}
        bank_data["questions"] = questions
        if self.source is not None:
            bank_data["source"] = {"url": lines[self.source].rest}
        self.skipped.sort(key=lambda s: s.first)
        self.notes.sort(key=lambda n: n.first)
        bank = in_authors_characters(Bank.model_validate(bank_data), self.text)
        return ImportResult(bank, lang, self.skipped, self.notes)

    def _answer_below(self, a: int, end: int) -> bool:
        """An answer label alone on its line ("**答案要点：**") with its answer below it."""
        j = next_content(self.lines, a, end)
        return j is not None and self.lines[j].kind in (LineKind.TEXT, LineKind.OPTION)

    def _before_key(self, start: int, stop: int) -> int:
        """``stop``, or the first answer-key line after ``start`` if that comes first."""
        return next((i for i in range(start + 1, stop) if self.lines[i].kind is LineKind.KEY), stop)

    def _blocks(
        self, starts: list[int | None], answers: list[int], end: int, value_lines: dict[int, int]
    ) -> tuple[list[Block], list[int], list[int]]:
        """Question blocks, unanswered question lines and answers without a question."""
        lines, style = self.lines, self.style
        # Q&A notes whose headings ask, with a quiz at the end ("**Which …?**" then "Answer: C")
        asking_headings = heading_question_style(lines[:end]) is not None
        blocks: list[Block] = []
        unanswered: list[int] = []
        orphans: list[int] = []
        prev_number: int | None = None
        for start, answer in zip(starts, answers, strict=True):
            if start is None:
                orphans.append(answer)
                continue
            number = lines[start].q_number
            lo = blocks[-1].answer if blocks and blocks[-1].answer is not None else -1
            unanswered += unanswered_questions(
                lines, lo, start, style, prev_number, number, self.key.numbers,
                asking_headings=asking_headings,
            )  # fmt: skip
            if blocks:
                blocks[-1].end = start
            value_line = value_lines.get(answer)
            blocks.append(
                Block(
                    start,
                    answer,
                    end,
                    body_end=answer,
                    explanation_start=(answer if value_line is None else value_line) + 1,
                    value=lines[answer].answer_value,
                    answer_is_body=value_line is not None,
                    note=N_("answer read from a sentence; check it")
                    if lines[answer].in_sentence
                    else "",
                )
            )
            if number is not None:
                prev_number = number
        if not blocks:  # no answer line anywhere: questions in the article's strongest style
            style = self.style = strongest_style(lines[:end])
        tail_lo = blocks[-1].answer if blocks and blocks[-1].answer is not None else -1
        unanswered += unanswered_questions(
            lines, tail_lo, end, style, prev_number, None, self.key.numbers,
            asking_headings=asking_headings,
        )  # fmt: skip
        if not blocks and not unanswered:  # unnumbered questions, their options ticked
            unanswered = ticked_option_questions(lines, end)
        answered = [block.answer for block in blocks if block.answer is not None]
        if chained := numbered_chain(lines, end, answered, len(unanswered)):
            starts, unanswered = chained  # numbered in several styles
            for block, start in zip(blocks, starts, strict=True):
                block.start = start
            for block, after in pairwise(blocks):
                block.end = min(block.end, after.start)
        unanswered.sort()
        for u in unanswered:  # an unanswered question ends the explanation it sits in
            for block in blocks:
                if block.last < u < block.end:
                    block.end = u
        for block in blocks:
            block.end = self._before_key(block.start, block.end)
        return blocks, unanswered, orphans

    def _options(self, block: Block) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """Prompt lines, options and explanation lines found before the answer line.

        The options are the last run A, B, C... before the answer; a lettered list earlier in
        the prompt stays in the prompt. A plain line after an option continues it (wrapped
        option text); notes like "(Select all that apply)" go to the prompt.
        """
        lines = self.lines
        start = lines[block.start]
        body = range(block.start + 1, block.body_end)
        run_start = None
        for i in body:
            if lines[i].kind is LineKind.OPTION and lines[i].options[0][0] == "A":
                run_start = i
        prompt = [start.rest]
        options: list[tuple[str, str]] = list(start.options) if run_start is None else []
        explanation: list[str] = []
        for i in body:
            line = lines[i]
            if line.kind in NOISE:
                continue
            if line.kind is LineKind.ANSWER:  # "<summary>Answer</summary>", then "Answer: B"
                self.skip(i, i, N_("answer label whose answer comes on a later line"), line.raw)
                continue
            if line.kind is LineKind.EXPLANATION:
                explanation.append(line.rest)
            elif run_start is None or i < run_start:
                prompt.append(line.raw.rstrip())
            elif line.kind is LineKind.OPTION:
                j = next_content(lines, i, block.body_end)
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
        if not ASKS.search(start.rest) and (
            (start.q_style == "#" and any(ASKS.search(part) for part in prompt[1:]))
            or (
                (TYPE_FIRST.match(start.rest) or _PROMPT_NOTE.match(start.rest))
                and any(part.strip() for part in prompt[1:])
            )
        ):  # "## Quick check" over "Which HNSW parameter …?": a topic, then the question;
            # "第 1 题 单选 考察频率 ★★★★★" or "Q31 (added by Priya)" over it: tags, a note
            prompt = prompt[1:]
        if not options and not start.rest:  # "### Q2." then "Which … (A) x (B) y"
            text = next((k for k, part in enumerate(prompt) if part.strip()), None)
            if text is not None and (found := options_after_prompt(prompt[text])):
                prompt[text], options = found
        if len({k for k, _ in options}) != len(options):
            options = list(dict(options).items())
        return prompt, options, explanation

    def _question(self, block: Block, qid: str, lang: Lang) -> Question | None:
        lines = self.lines
        start_line = lines[block.start]
        prompt_parts, options, explanation_parts = self._options(block)
        prompt_parts = from_front_face(prompt_parts)
        value = block.value
        number = qid.removeprefix("q")
        data: dict[str, Any] = {
            "id": qid,
            "prompt": {lang: clean_text(join_lines(prompt_parts)) or start_line.raw.strip()},
        }
        first = block.explanation_start
        essay = False
        if not options and block.answer_is_body:  # the answer is the text under the label
            after_prompt = None
            if not clean_text(join_lines(prompt_parts)):  # "### Question 17", then its text
                prompt, after_prompt = self._paragraph(block.start + 1, block.end)
                if prompt:
                    data["prompt"] = {lang: prompt}
            reference, first = self._body_answer(block, after_prompt)
            if not reference and first < block.end and lines[first].kind is LineKind.EXPLANATION:
                # "### 6. …？" then only "**解析：**……": what explains it is its answer
                reference = clean_text(join_lines(self._explanation_lines(first, block.end)))
                first = block.end
            value = reference or value
        elif essay := (
            not options
            and block.answer is not None
            and (
                len(value) >= _ESSAY
                or value.rstrip().endswith((":", "："))
                or _PROMPT_NOTE.match(value)  # "答：（当时答得有点乱，下面是整理的）"
                or points_below(lines, block.answer)
            )
        ):
            # "解答：典型的 reward hacking……" then more paragraphs, or "Answer: A few things:"
            # then a list: one answer, not an answer and its reason
            more, first = self._body_answer(block, block.explanation_start)
            value = join_lines([value, more]) if more else value
            if lines[block.answer].inline_explanation:
                value = join_lines([value, lines[block.answer].inline_explanation])
        if not options:
            options, first_option = unlettered_options(prompt_parts, value)
            if options:  # "- Paris / - Rome ... Answer: Paris": options, not the prompt
                data["prompt"] = {lang: clean_text(join_lines(prompt_parts[:first_option]))}
        if options:
            parsed = resolve_keys(value, options)
            if parsed is not None and parsed.note:
                block.note = Note.joined(block.note, parsed.note)
            if parsed is None:
                self.skip(
                    block.start,
                    block.last,
                    N_("question {question}: answer {value} names no option"),
                    start_line.rest,
                    dropped=True,
                    question=number,
                    value=repr(value),
                )
                return None
            keys, rest = parsed.keys, parsed.rest
            rest = "" if KEY_NOTE.match(rest) else rest.lstrip(".。:：、,， -—)")
            chosen = [text for key, text in options if key in keys]
            if rest and not any(normalise(rest) == normalise(t) for t in chosen):
                explanation_parts.append(rest)
            data |= {
                "kind": "multiple" if len(set(keys)) > 1 else "single",
                "options": [{"key": k, "text": {lang: clean_text(t) or k}} for k, t in options],
                "answer": list(dict.fromkeys(keys)),
            }
        else:
            data["kind"] = "open"
            # "No — because ..." answers "No", unless the question asks why as well
            split = (
                None if _ASKS_WHY.search(data["prompt"][lang]) else YES_NO_THEN_REASON.match(value)
            )
            if split and split["short"].strip().casefold() in NEGATIVE | AFFIRMATIVE:
                value = split["short"].strip()
                explanation_parts.append(split["reason"])
            data["reference"] = {lang: value}
            if len(value) <= MAX_SHORT_ANSWER and not _SENTENCE_END.search(value):
                data["accepted"] = accepted_variants(value)

        if block.answer is not None and lines[block.answer].inline_explanation and not essay:
            explanation_parts.append(lines[block.answer].inline_explanation)
        explanation_parts += self._explanation_lines(first, block.end)
        if block.extra_explanation:
            explanation_parts.append(block.extra_explanation)
        if explanation := join_lines(explanation_parts):
            data["explanation"] = {lang: explanation}

        try:
            question = Question.model_validate(data, context={DEFER_RULES: True})
        except ValidationError as exc:
            problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            self.skip(block.start, block.last, N_("question {question}: {problem}"),
                      start_line.rest, dropped=True, question=number, problem=problem)  # fmt: skip
            return None
        if problems := question.rule_problems():
            problem = problems[0].message
            self.skip(block.start, block.last, N_("question {question}: {problem}"),
                      start_line.rest, dropped=True, question=number, problem=problem)  # fmt: skip
            return None
        if block.note:
            self.note(block.start, block.last, qid.removeprefix("q"), block.note)
        return question

    def _body_answer(self, block: Block, first: int | None = None) -> tuple[str, int]:
        """An open answer written under its label (or, in Q&A notes, under its question):
        everything up to an explanation label or the next question. Returns the text and
        where the explanation starts."""
        lines = self.lines
        i = block.start + 1 if block.answer is None else block.explanation_start - 1
        i = i if first is None else first
        parts: list[str] = []
        while i < block.end and lines[i].kind is not LineKind.EXPLANATION:
            line = lines[i]
            if line.kind not in NOISE and i != self.source:
                parts.append("" if line.kind is LineKind.BLANK else line.raw.rstrip())
            i += 1
        return POINTER.sub("", clean_text(join_lines(parts))), i  # "→ When the problem is …"

    def _paragraph(self, i: int, end: int) -> tuple[str, int]:
        """The first paragraph from line ``i`` on (before ``end``), and where it stops."""
        lines = self.lines
        while i < end and lines[i].kind in (LineKind.BLANK, *NOISE):
            i += 1
        parts: list[str] = []
        while i < end and lines[i].kind is not LineKind.BLANK:
            if lines[i].kind not in NOISE:
                parts.append(lines[i].raw.strip())
            i += 1
        return clean_text(join_lines(parts)), i

    def _explanation_lines(self, first: int, end: int) -> list[str]:
        parts: list[str] = []
        for i in range(first, end):
            line = self.lines[i]
            if line.kind in NOISE or i == self.source:
                continue
            if line.kind is LineKind.EXPLANATION:
                parts.append(line.rest)
            elif self._is_section_heading(line):
                self.skip(i, i, N_("section heading, not part of an answer"), line.raw)
            else:
                parts.append("" if line.kind is LineKind.BLANK else line.raw.rstrip())
        return parts

    def _end_sections(self, blocks: list[Block], end: int) -> int:
        """Cut each explanation at a heading of the article's outline ("## Part 2",
        "## 更新记录"): what follows it, up to the next question, belongs to no question.
        After the last question a thematic break ("---") ends the article too. Returns the
        new end of the article."""
        lines = self.lines
        for n, block in enumerate(blocks):
            last = n == len(blocks) - 1
            level = heading_level(lines[block.start].raw) or 9
            for i in range(max(block.explanation_start, block.body_end), block.end):
                line = lines[i]
                heading = self._is_section_heading(line) and heading_level(line.raw) <= min(
                    level, 3
                )
                if not (heading or (last and line.rule and self._content_after(i, block.end))):
                    continue
                if last:
                    block.end = end = i
                else:
                    stop = block.end
                    block.end = i
                    self.skip(i, stop - 1, N_("section text between questions, not imported"),
                              line.raw)  # fmt: skip
                break
        return end

    def _content_after(self, i: int, stop: int) -> bool:
        return any(ln.kind is not LineKind.BLANK for ln in self.lines[i + 1 : stop])

    def _is_section_heading(self, line: Line) -> bool:
        return is_section_heading(line, self.style)

    def _intro(self, stop: int, title: str | None) -> str:
        """The bank's title: ``title``, else the front matter's, else the first H1 before
        the first question, else a first line that reads as a title, else the file name;
        every other line before the first question is reported."""
        lines = self.lines
        content = [
            i for i in range(stop) if lines[i].kind not in (LineKind.BLANK, LineKind.URL, *NOISE)
        ]
        h1 = title_heading([line.raw for line in lines], content)
        found = clean_title(self.markup.title or "")
        if not found and h1 is not None:
            found = clean_title(lines[h1].raw)
            content.remove(h1)
        elif not found and content:
            if is_breadcrumb(lines[content[0]].raw) and len(content) > 1:
                self.skip(
                    content[0], content[0], N_("breadcrumb, not imported"), lines[content[0]].raw
                )
                content.pop(0)
            if labelled := labelled_title([lines[i].raw for i in content[:4]]):
                found = clean_title(labelled[1])  # a forum post's "標題  [心得] …" header
                content.remove(content[labelled[0]])
            elif (at := title_line([lines[i].raw for i in content[:60]])) is not None:
                found = clean_title(lines[content.pop(at)].raw)
        elif h1 is not None:
            content.remove(h1)
        for i in content:
            self.skip(i, i, N_("text before the first question"), lines[i].raw)
        return title or found or file_title(self.name)

    def _source(self, blocks: list[Block], end: int) -> int | None:
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
        last = [i for i in urls if i == last_content and i > blocks[-1].last]
        chosen = (labelled or before or last or [None])[0]
        for i in urls:
            inside = blocks[0].start <= i < blocks[-1].end
            if i == chosen:
                self.skip(i, i, N_("URL, kept as the bank's source"), lines[i].rest)
            elif not inside:
                self.skip(i, i, N_("URL, not imported"), lines[i].rest)
        return chosen

    def _report_keys(self) -> None:
        for a, b in self.key.sections:
            numbers = sorted(n for n, line in self.key.lines.items() if a <= line <= b)
            span = f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
            self.skip(a, b, N_("answer key for questions {span}, used where a question has none"),
                      span=span)  # fmt: skip

    def _report_markup(self) -> None:
        for a, b, reason in self.markup.left_out:
            self.skip(a, b, N_("{what}, not imported"), what=reason)

    def _report_noise(self, end: int) -> None:
        for i in range(end):
            line = self.lines[i]
            if line.kind in (LineKind.IMAGE, LineKind.MARKUP) and not any(
                s.first <= line.number <= s.last for s in self.skipped
            ):
                self.skip(i, i, N_("{what}, not imported"), line.raw, what=line.kind.value)


def parse_article(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """An article's text as a bank, else with its questions that lost their heading marks read
    as headings (:mod:`asking_lines`); the first parse's :class:`LlmiqError` if neither works."""
    try:
        return _Parser(text, name).parse(bank_id, title)
    except LlmiqError:
        if (headed := asking_lines_as_headings(text)) is None:
            raise
        with contextlib.suppress(LlmiqError):
            return _Parser(headed, name).parse(bank_id, title)
        raise
