"""Options written as a numbered list nested under a numbered question, the way a Markdown
export writes an outline (Notion, Google Docs): ``1. Which index …?`` then ``    1. HNSW``
``    2. A B-tree`` …, its letter in an answer key at the end ("2 | a"). Nested under the
question, the items are its options A, B, …, not questions 1, 2, …; without a key in
letters they stay what they were (points of an answer)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from llmiq.ingest.answer_key import AnswerKey
from llmiq.ingest.lines import Line
from llmiq.ingest.option_runs import make_option
from llmiq.ingest.structure import next_content

#: A key in letters: "b", "a, b, d", "ACD".
_LETTERS = re.compile(r"^\s*[A-Ja-j](?:\s*[,，、/ ]?\s*[A-Ja-j])*\s*$")


def _indent(line: Line) -> int:
    return len(line.raw.expandtabs(4)) - len(line.raw.expandtabs(4).lstrip())


def nested_numbered_options(lines: Sequence[Line], key: AnswerKey) -> None:
    """Turn each run of items 1, 2, … nested under a question that ``key`` answers in
    letters into that question's options."""
    for i, line in enumerate(lines):
        value = key.keys.get(line.q_number or 0, "") if line.is_question else ""
        if not _LETTERS.match(value):
            continue
        run: list[int] = []
        k: int | None = i
        while (k := next_content(lines, k, len(lines))) is not None and (
            lines[k].is_question
            and lines[k].q_style == line.q_style
            and lines[k].q_number == len(run) + 1
            and _indent(lines[k]) > _indent(line)  # "5." after question 4's "    4." is not E
        ):
            run.append(k)
        if len(run) < 2:
            continue
        for m, k in enumerate(run):
            make_option(lines[k], chr(ord("A") + m), lines[k].rest)
            lines[k].q_number, lines[k].q_strength = None, 0
