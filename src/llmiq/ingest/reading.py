"""An article's text as the parser's lines: a slide transcript's slide numbers taken off
(:mod:`slide_transcript`), wiki markup read as Markdown (:mod:`wiki_markup`), hidden answers
and page markup rewritten (:mod:`markup`), question/answer tables, one-line cards,
spaced-repetition cards and keys at the end of a question's line read (:mod:`qa_table`,
:mod:`card_faces`, :mod:`sr_cards`, :mod:`trailing_keys`), every line classified
(:mod:`lines`) and runs of unlettered options marked (:mod:`option_runs`)."""

from __future__ import annotations

import re

from llmiq.ingest.card_faces import card_rows
from llmiq.ingest.lines import FENCE, Line, LineKind, classify, split_lines
from llmiq.ingest.markup import Markup, rewrite_markup
from llmiq.ingest.option_runs import mark_option_runs
from llmiq.ingest.qa_table import qa_table_rows
from llmiq.ingest.slide_transcript import unnumber_slides
from llmiq.ingest.sr_cards import spaced_repetition_rows
from llmiq.ingest.trailing_keys import trailing_key_rows
from llmiq.ingest.wiki_markup import rewrite_wiki_markup
from llmiq.messages import N_

#: What follows a question's number when a slide or page repeats it above the answer:
#: "Q.13 — reveal", "Question 4 (answer)", "第 3 题 解析", "Q7 (cont'd)".
_REPEATED_FOR = re.compile(
    r"^[\s—–\-:：|·(\[（【]*(?:reveal(?:ed)?|answers?|solutions?|key|explanation|discussion"
    r"|cont(?:inued|'d|\.)?|答案(?:解析|揭晓)?|解析|揭晓|解答|续)[\s)\]）】.。!]*$",
    re.I,
)


def read_lines(text: str) -> tuple[list[Line], Markup]:
    """Classify every line after rewriting hidden answers; code blocks are plain text
    whatever their lines look like."""
    lines: list[Line] = []
    in_code = False
    markup = rewrite_markup(rewrite_wiki_markup(unnumber_slides(split_lines(text))))
    table = qa_table_rows(markup.lines)
    markup.left_out += [(i, i + 1, N_("table header")) for i in table.headers]
    cards, after_cards = card_rows(markup.lines)
    cards |= spaced_repetition_rows(markup.lines)
    rows = trailing_key_rows(markup.lines) | cards | table.rows
    if after_cards is not None:
        markup.left_out.append((*after_cards, N_("the note's items after its cards")))
    index: list[int] = []  # where each of the article's lines starts among ``lines``
    for i, raw in enumerate(markup.lines):
        index.append(len(lines))
        for text in rows.get(i, [raw]):  # a Q&A table's row or a card: question and answer
            fence = bool(FENCE.match(text))
            if in_code or fence:
                lines.append(Line(number=i + 1, raw=text, rest=text.strip()))
            else:
                lines.append(classify(i + 1, text))
            in_code ^= fence
    index.append(len(lines))
    markup.left_out = [(index[a], index[b + 1] - 1, why) for a, b, why in markup.left_out]
    mark_option_runs(lines)
    _leave_out_repeated_numbers(lines, markup)
    _number_before_digits(lines)
    return lines, markup


#: A numbered line whose text opens with a digit, written with no space: "3.6ND 里的 6 …".
_NUMBER_THEN_DIGIT = re.compile(r"^\s*(?P<num>\d{1,3})\.(?=\d)")


def _number_before_digits(lines: list[Line]) -> None:
    """ "3.6ND 里面的“6”是怎么来的？" reads as the decimal 3.6; it is question 3 when it comes
    right after question 2 (or is the first, numbered 1) and options A, B, … follow it."""
    previous: int | None = None
    for k, line in enumerate(lines):
        if line.is_question:
            previous = line.q_number
            continue
        numbered = _NUMBER_THEN_DIGIT.match(line.raw) if line.kind is LineKind.TEXT else None
        if numbered is None or int(numbered["num"]) != (previous or 0) + 1:
            continue
        after = next((ln for ln in lines[k + 1 :] if ln.kind is not LineKind.BLANK), None)
        if after is not None and after.kind is LineKind.OPTION and after.options[0][0] == "A":
            spaced = f"{line.raw[: numbered.end()]} {line.raw[numbered.end() :]}"
            read = classify(line.number, spaced)
            if read.is_question:
                read.raw = line.raw
                lines[k] = read
                previous = read.q_number


def _leave_out_repeated_numbers(lines: list[Line], markup: Markup) -> None:
    """A question's number said again above its answer ("Q.13 — reveal" on the slide after
    Q.13's) is no question of its own: the answer under it is the earlier question's."""
    seen: set[int] = set()
    for k, line in enumerate(lines):
        if not line.is_question or line.q_number is None:
            continue
        if line.q_number in seen and _REPEATED_FOR.match(line.rest):
            line.kind, line.q_number, line.q_strength = LineKind.BLANK, None, 0
            markup.left_out.append((k, k, N_("the question's number again, above its answer")))
        else:
            seen.add(line.q_number)
