"""A question's lines, and where its answer is when no answer line of its own gives it:
ticked task-list options, its number in an answer key collected elsewhere, a paragraph under
the options that opens by naming them, or (with no options) the text under the question,
as in Q&A notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from llmiq.errors import LlmiqError
from llmiq.ingest.answer_key import AnswerKey
from llmiq.ingest.answers import (
    AFFIRMS,
    keys_in_verdict,
    keys_named,
    keys_opening_explanation,
    names_an_option,
    options_leading,
    parse_keys,
)
from llmiq.ingest.cleanup import SEE_BELOW
from llmiq.ingest.keys_said import key_said_alone, keys_corrected
from llmiq.ingest.lines import NOISE, Line, LineKind
from llmiq.ingest.option_text import match_option_text
from llmiq.ingest.option_verdicts import keys_judged
from llmiq.ingest.result import Note
from llmiq.ingest.structure import UNFINISHED, next_content
from llmiq.messages import N_


@dataclass
class Block:
    """A question's lines: ``start`` its first line, options up to ``body_end``, the answer
    ``value`` (from the answer line at ``answer``, or found elsewhere), the explanation from
    ``explanation_start`` to ``end`` (exclusive)."""

    start: int
    answer: int | None  # the answer line; None when the answer is not on a line of its own
    end: int
    body_end: int = 0
    explanation_start: int = 0
    value: str = ""
    #: open question whose answer is the text under it (Q&A notes, "答案要点：" + a list)
    answer_is_body: bool = False
    extra_explanation: str = ""  # from an answer key's explanation list
    note: str = ""  # what was inferred, for the report

    @property
    def last(self) -> int:
        """The block's last line before its explanation (for reports)."""
        return self.answer if self.answer is not None else max(self.start, self.body_end - 1)


def _option_run(lines: Sequence[Line], u: int, stop: int) -> list[int]:
    """The option lines of question ``u``: the run A, B, C, ...; a later line that starts
    with a key again ("(c) — and you should ...") is prose about the options."""
    run: list[int] = []
    for i in range(u + 1, stop):
        line = lines[i]
        if line.kind is not LineKind.OPTION:
            continue
        first = line.options[0][0]
        if run and first != chr(ord(lines[run[-1]].options[-1][0]) + 1):
            break
        run.append(i)
    return run


def _paragraph_end(lines: Sequence[Line], u: int, stop: int) -> int:
    """After the plain lines right under question ``u``: its prompt wrapped onto them, as in
    text taken from a PDF ("12．（14 分）……的结论不" / "同，简述造成差异的主要原因。")."""
    i = u + 1
    while i < stop and lines[i].kind is LineKind.TEXT and not lines[i].is_question:
        i += 1
    return i


def answer_elsewhere(lines: Sequence[Line], u: int, stop: int, key: AnswerKey) -> Block | None:
    """The block of question ``u`` (ending before ``stop``) with its answer found apart
    from an answer line; None when it has none (see the module docstring)."""
    option_lines = _option_run(lines, u, stop)
    body_end = option_lines[-1] + 1 if option_lines else u + 1
    if (
        not option_lines
        and (number := lines[u].q_number) is not None
        and (number in key.keys or number in key.explanations)
    ):
        body_end = _paragraph_end(lines, u, stop)  # its answer is elsewhere: these are its text
        asking = next_content(lines, body_end - 1, stop)
        if (
            asking is not None
            and not ASKS.search(lines[u].rest)
            and lines[asking].kind is LineKind.TEXT
        ):
            end = _paragraph_end(lines, asking, stop)  # "### 8 · Discussion" over "How would …?"
            if ASKS.search(lines[end - 1].raw) or not lines[u].rest.strip():  # "### Question 11"
                body_end = end
    block = Block(u, None, stop, body_end=body_end, explanation_start=body_end)
    number = lines[u].q_number
    ticked = [lines[i].options[0][0] for i in option_lines if lines[i].checked]
    if ticked:
        block.value = ", ".join(ticked)
        return block
    if number is not None and number in key.keys:
        if number in key.late:  # what comes before its answer is no explanation of it
            block.end = block.explanation_start
        block.value = key.keys[number]
        block.extra_explanation = key.explanations.get(number, "")
        if SEE_BELOW.match(block.value) and block.extra_explanation:  # the answer is its text
            block.value, block.extra_explanation = block.extra_explanation, ""
        block.note = Note.of(
            N_("answer from the answer key at line {line}"), line=lines[key.lines[number]].number
        )
        return block
    if option_lines or lines[u].options:  # options under it, or on its own line
        return _answer_in_prose(lines, block, option_lines or [u], stop)
    if not any(
        lines[i].kind not in (LineKind.BLANK, *NOISE)
        and re.search(r"\w", lines[i].raw)
        and not (number in key.explanations and _POINTS_TO_END.match(lines[i].raw))
        for i in range(body_end, stop)
    ):  # nothing under it but blank lines, markup, the dots that say "scroll down" and a
        # pointer to its answer at the end
        if number is None or number not in key.explanations:
            return None
        # an open question answered only in the explanations after an answer key
        block.value, block.end = key.explanations[number], block.explanation_start
        block.note = N_("answer from the explanations after the answer key")
        return block
    block.answer_is_body, block.body_end, block.explanation_start = True, u + 1, u + 1
    return block


#: An arrow or a pointing hand before the text that answers: "→ (b).", "👉 The first two."
#: A note under an open question that its answer is at the end: "（这题没有标准答案，文末给我的
#: 思路。）".
_POINTS_TO_END = re.compile(
    r"^\s*[(（][^()（）]{0,24}(?:文末|文章末尾|最后面)[^()（）]{0,16}[)）]\s*$"
)
POINTER = re.compile(r"^\s*(?:[→⟶➡➜➔⇒►▶👉]\ufe0f?|=>|->)\s*")
_QUOTED = re.compile(r"^\s*(?:>\s*)+")
#: A word of assent before what it assents to: "对，", "完美，", "Right, ".
_ASSENT = re.compile(
    r"^\s*(?:对|对的|没错|完美|正确|不错|是的|有的|(?i:right|correct|exactly|perfect|yes|yep))"
    r"\s*[,，!！]\s*(?=\S)"
)


def _answer_in_prose(
    lines: Sequence[Line], block: Block, option_lines: list[int], stop: int
) -> Block | None:
    """No answer line, but the paragraph under the options opens by naming them ("LoRA 和
    Adapter 都要训练新增的那部分参数" answers A and C), or the explanation concludes with a
    verdict ("……，本题选 B。"). Inferred, so noted."""
    j = next_content(lines, option_lines[-1], stop)
    while j is not None and lines[j].kind is LineKind.MARKUP:  # in a box: "<details><summary>
        j = next_content(lines, j, stop)  # 🤔 Think first, then click</summary>" over "C. …"
    if j is None:
        return None
    options = [option for i in option_lines for option in lines[i].options]
    text = POINTER.sub("", _QUOTED.sub("", lines[j].raw))  # "→ a, c and d.", "> 前三个都对"
    text = _ASSENT.sub("", text)  # the judge's "对，前三个。", "完美，ABD。"
    if lines[j].kind in (LineKind.TEXT, LineKind.OPTION) and (
        keys := keys_corrected(text, options)
        or options_leading(text, options)
        or keys_opening_explanation(text, options)
        or keys_named(text, options)
        or [k for k in keys_in_verdict(text) if k in dict(options)]  # over "犹豫了一下 B，…"
        or key_said_alone(text, options)
        or keys_judged(text, options)
    ):
        block.value = ", ".join(keys)
        block.note = Note.of(
            N_("answer read as {keys} from the text under the options; check it"), keys=block.value
        )
        return block
    if lines[j].kind is LineKind.EXPLANATION and (
        keys := keys_opening_explanation(lines[j].rest, options)
        or key_said_alone(lines[j].rest, options)
        or (keys_named(lines[j].rest, options) if AFFIRMS.search(lines[j].rest) else [])
        or keys_judged(lines[j].rest, options)
    ):  # "解析：正确答案为 A、B 和 D。……", "讲解：只有 A 说到点子上。", "讲评：(a)(b)(d) 都对。"
        block.value = ", ".join(keys)
        block.note = Note.of(
            N_("answer read as {keys} from the explanation; check it"), keys=block.value
        )
        return block
    for i in range(j, stop):  # "解析：……，本题选 B。": the explanation ends with its verdict
        if lines[i].kind in (LineKind.TEXT, LineKind.EXPLANATION) and (
            keys := [k for k in keys_in_verdict(lines[i].raw) if k in dict(options)]
        ):
            block.value = ", ".join(keys)
            block.note = Note.of(
                N_("answer read as {keys} from the explanation; check it"), keys=block.value
            )
            return block
    return None


def no_questions(name: str, unanswered: Sequence[int]) -> LlmiqError:
    """The error for an article where no question has an answer; ``unanswered``: the line
    numbers of the questions found without one."""
    if unanswered:
        return LlmiqError(
            N_(
                "{name}: found {count} question(s) (lines {where}) but no answers: no "
                "answer lines ('答案: C', 'Answer: C'), no answer key, no ticked options and "
                "no answer text under them"
            ),
            name=name,
            count=len(unanswered),
            where=", ".join(str(n) for n in unanswered[:8]),
        )
    return LlmiqError(
        N_(
            "{name}: no questions found; expected numbered questions (1、, 1., Q1, 第1题, "
            "### Question 1) each with an answer ('答案: C', 'Answer: C', an answer key, or "
            "the answer's text under the question)"
        ),
        name=name,
    )


_OPTION_LONGEST = 160  # characters of an unlettered option line without a bullet
_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦●■◆◇►▸➤]|🔹|🔸|🔷|🔶)\ufe0f?\s+(?P<text>\S.*)$")
#: A question's line that asks: "…？", "…是：", "…?（多选）".
ASKS = re.compile(r"[?？:：]\s*(?:[(（][^()（）]{1,8}[)）])?\s*(?:\*\*)?\s*$")


def unlettered_options(prompt_parts: list[str], value: str) -> tuple[list[tuple[str, str]], int]:
    """Unlettered bullets at the end of a question's lines (``prompt_parts``, one a line)
    whose answer ``value`` names one of them by its text, place or gist: options A, B, ...
    ("- Paris / - Rome … Answer: Paris"); so are short lines without bullets under a line
    that asks or that they complete ("前两条" answering four lines under "好处是什么？",
    "stays about the same" under "latency roughly..."), and longer ones when the answer gives
    one's key and whole text ("(c) Quadratically", the copy of a list its style sheet
    lettered). Returns them and the index of the first in ``prompt_parts``; no options when
    there are none."""
    lines = [
        (n, m["text"].strip())
        for n, part in enumerate(prompt_parts)
        if n > 0 and (m := _BULLET.match(part))
    ]
    bulleted = bool(lines)
    lines = lines or [
        (n, part.strip())
        for n, part in enumerate(prompt_parts)
        if n > 0
        and (ASKS.search(prompt_parts[0]) or UNFINISHED.search(prompt_parts[0]))
        and 0 < len(part.strip()) <= _OPTION_LONGEST
    ]
    after = [part for part in prompt_parts[lines[0][0] :] if part.strip()] if lines else []
    if len(lines) < 2 or not value or len(lines) != len(after):
        return [], len(prompt_parts)
    options = [(chr(ord("A") + m), text) for m, (_, text) in enumerate(lines)]
    # A long line without a bullet is an option only when the answer gives its key and text
    short = bulleted or all(len(text) <= 80 for _, text in options)
    if (short and names_an_option(value, options)) or _keyed_option_text(value, options):
        return options, lines[0][0]
    return [], len(prompt_parts)


def _keyed_option_text(value: str, options: list[tuple[str, str]]) -> bool:
    """Whether ``value`` names one option twice over, by its key and then by its whole text:
    "(c) Quadratically" with "Quadratically" third."""
    parsed = parse_keys(value)
    return bool(parsed) and match_option_text(parsed[1].strip(" .。"), options) == parsed[0]
