"""A quiz's results where each option the taker chose is followed by its verdict and the
verdict's feedback, a paragraph of its own: "Correct. A common rule of thumb is …",
"Incorrect. Tokens are sub-word units …" (Microsoft Learn's module assessments, saved or
copied). The options followed by "Correct." are the key, whatever the taker ticked; the
verdicts leave the options, and the feedback on the right ones becomes the explanation.

A question's block (its number, alone or with the prompt, up to the next number) qualifies
when, after its prompt, its paragraphs are two to eight options, at least one of them
followed by a verdict, and no verdict stands anywhere else. One output line per input line.
"""

from __future__ import annotations

import re

from llmiq.ingest.lines import LineKind, classify, outside_code

_VERDICT = re.compile(
    r"^\s*(?P<verdict>correct|incorrect|partially\s+correct)\s*(?:[.!:]\s*|$)", re.I
)
_BOX = re.compile(r"^\s*\[[ xX]?\]\s*")
#: The quiz's result after its last question: "You scored 70%. You need at least 80% to pass."
_RESULT = re.compile(
    r"^\s*(?:you\s+(?:scored|passed|failed|got)\b|your\s+score\b|score\s*:)|\d+\s*%\s+to\s+pass",
    re.I,
)


def _questions(lines: list[str]) -> list[int]:
    """The lines outside code that open a numbered question."""
    return [i for i, line in outside_code(lines) if classify(0, line).q_number is not None]


def _verdict(line: str) -> str | None:
    found = _VERDICT.match(line)
    return found["verdict"].lower() if found else None


def rewrite_feedback_verdicts(lines: list[str]) -> list[str]:
    """See the module docstring."""
    out = list(lines)
    starts = _questions(lines)
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        end = next((i for i in range(start + 1, end) if _RESULT.search(lines[i])), end)
        paragraphs = [i for i in range(start + 1, end) if lines[i].strip()]
        if not classify(0, lines[start]).rest.strip():  # "1." alone: the prompt is below
            paragraphs = paragraphs[1:]
        verdicts = [k for k, i in enumerate(paragraphs) if _verdict(lines[i])]
        options = [i for k, i in enumerate(paragraphs) if k not in verdicts]
        if (
            not verdicts
            or not 2 <= len(options) <= 8
            or any(k == 0 or k - 1 in verdicts for k in verdicts)  # a verdict on no option
            or any(len(lines[i]) > 300 or classify(0, lines[i]).kind is not LineKind.TEXT
                   for i in options)
        ):  # fmt: skip
            continue
        right = [paragraphs[k - 1] for k in verdicts if _verdict(lines[paragraphs[k]]) == "correct"]
        if not right:
            continue
        feedback = [_VERDICT.sub("", lines[paragraphs[k]]).strip() for k in verdicts
                    if _verdict(lines[paragraphs[k]]) == "correct"]  # fmt: skip
        for i in options:
            out[i] = f"- {'[x]' if i in right else '[ ]'} {_BOX.sub('', lines[i]).strip()}"
        for k in verdicts:
            out[paragraphs[k]] = ""
        # the feedback goes after the last option: on the last verdict if that comes later,
        # else on the blank line after the last option
        last = paragraphs[-1]
        if last == options[-1]:
            last = last + 1 if last + 1 < end and not lines[last + 1].strip() else -1
        if (said := " ".join(text for text in feedback if text)) and last >= 0:
            out[last] = f"Explanation: {said}"
    return out
