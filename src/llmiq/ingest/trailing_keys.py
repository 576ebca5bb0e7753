"""A key in brackets at the end of a question written on one line with its options: "1. …
(a) 250 (b) 750 (c) 1,300 [intended: c]", "… A. x B. y（答案：B）"; or an open question's answer
after a dash on the question's own line, where several lines do that: "8. What is a context
window? — The maximum number of tokens …". The line is read as the question and, under it,
its answer line."""

from __future__ import annotations

import re

from llmiq.ingest.lines import classify, fold, outside_code

_KEY = re.compile(
    r"\s*[\[(【]\s*(?:answer|ans|key|intended(?:\s+answer)?|correct(?:\s+answer)?|答案|正确答案|参考答案)"
    r"\s*[:=]\s*(?P<keys>\(?[A-Ja-j]\)?(?:\s*(?:[,、/&]|and)\s*\(?[A-Ja-j]\)?)*)\s*[\])】]\s*$",
    re.I,
)


#: "…？ — answer", the answer a sentence of four words or more.
_DASHED = re.compile(r"(?<=[?？])\s+(?:—|–|--)\s+(?P<answer>\S+(?:\s+\S+){3,}.*)$")


def trailing_key_rows(lines: list[str]) -> dict[int, list[str]]:
    """The question and answer lines for each such line, by its index."""
    rows: dict[int, list[str]] = {}
    dashed: dict[int, list[str]] = {}
    for i, line in outside_code(lines):
        if key := _KEY.search(fold(line)):
            question = line[: key.start()].rstrip()
            classified = classify(0, question)
            if classified.is_question and len(classified.options) >= 2:
                rows[i] = [question, f"Answer: {key['keys']}"]
        elif (answer := _DASHED.search(line)) and classify(0, line).is_question:
            dashed[i] = [line[: answer.start()].rstrip(), f"Answer: {answer['answer']}"]
    return rows | (dashed if len(dashed) >= 2 else {})
