"""Answers set apart from the text around them: in a code block of its own ("```", "答案：B",
"```"), as some authors do to make the answer stand out, or in a block quote that opens with
the answer's label ("> **A:**", "> - Build a task suite …"). Both are the answer, not code
and not a quotation: the fences go, and the quote's markers."""

from __future__ import annotations

import re

from llmiq.ingest.lines import LineKind, classify

_BARE_FENCE = re.compile(r"^\s*(?:```|~~~)\s*(?:text|plain|plaintext)?\s*$")
_QUOTED = re.compile(r"^\s*>\s?")
#: A numbered point, which out of its quote would read as the next question.
_NUMBERED = re.compile(r"^\s*(?:\*\*)?\s*(?:\d{1,3}|[一二三四五六七八九十]+)\s*[.、)）]")
#: The answer's label of a Q/A pair: "**A:**", "A："; option A would be followed by a B.
_QA_LABEL = re.compile(r"^\s*(?:\*\*|__)?A\s*(?:\*\*|__)?\s*[:：]")


def _answer(line: str) -> bool:
    return bool(_QA_LABEL.match(line)) or classify(0, line).kind is LineKind.ANSWER


def _quote_end(lines: list[str], i: int) -> int:
    j = i
    while j < len(lines) and _QUOTED.match(lines[j]):
        j += 1
    return j


def unfence_answers(lines: list[str]) -> list[str]:
    """``lines`` with the fences around a lone answer line blanked, and the quote markers of
    a block quote that opens with an answer taken off."""
    out = list(lines)
    in_code = False
    i = 0
    while i < len(out):
        if out[i].lstrip().startswith(("```", "~~~")):
            if (
                not in_code
                and i + 2 < len(out)
                and _BARE_FENCE.match(out[i])
                and _BARE_FENCE.match(out[i + 2])
                and _answer(out[i + 1])
            ):
                out[i] = out[i + 2] = ""
                i += 3
                continue
            in_code = not in_code
        elif not in_code and _QUOTED.match(out[i]) and _answer(_QUOTED.sub("", out[i], count=1)):
            end = _quote_end(out, i)
            unquoted = [_QUOTED.sub("", line, count=1) for line in out[i:end]]
            if not any(_NUMBERED.match(line) for line in unquoted[1:]):
                out[i:end] = unquoted
            i = end
            continue
        i += 1
    return out
