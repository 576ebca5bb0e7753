"""A Coursera quiz's graded submission saved as a page, rewritten as the article the parser
reads.

Each question is headed "Question 4" (a heading, perhaps with its number again: "### Question
4 4."); its text comes first, then its score ("0 / 1 point"), then its options, one paragraph
each, a checkbox on the line above an option of a "Select all that apply" question. Under
each option the taker chose stands the verdict, "Correct" or "Incorrect", and a paragraph of
feedback. So the key is the options marked "Correct"; a question whose chosen options were
all marked "Incorrect" shows no key and is left for the parser to report. A question with no
options (fill in the blank) has its answer in the feedback.

Within a question's lines the text is reordered (prompt, options, answer line, feedback as
its explanation), so the lines reported stay within the question's own; the score, verdicts
and checkboxes are left out.
"""

from __future__ import annotations

import re

from llmiq.messages import N_

_HEADER = re.compile(r"^\s*(?:#{1,6}\s*)?question\s+(?P<n>\d{1,3})(?:\s+\d{1,3}\s*\.)?\s*$", re.I)
_POINTS = re.compile(r"^\s*\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\s+points?\s*$", re.I)
_VERDICT = re.compile(r"^\s*(?P<verdict>correct|incorrect|partially\s+correct)\s*$", re.I)
_BOX = re.compile(r"^\s*\[(?P<tick>[ xX]?)\]\s*$")
#: The page after the last question.
_PAGE_END = re.compile(
    r"^\s*(?:go\s+to\s+next\s+item|like|dislike|report\s+an\s+issue|coursera\s+honor\s+code"
    r"|(?:#{1,6}\s*)?(?:related|more\s+from|discussion)\b.*)\s*$",
    re.I,
)


def _is_review(lines: list[str]) -> bool:
    """Two or more questions headed "Question N" with a score line among the three lines of
    text under the header."""
    found = 0
    for i, line in enumerate(lines):
        if _HEADER.match(line):
            below = [text for text in lines[i + 1 : i + 12] if text.strip()][:3]
            found += any(_POINTS.match(text) for text in below)
    return found >= 2


def rewrite_coursera_review(lines: list[str]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The review as article lines, and the (first, last, reason) ranges it leaves out;
    ``lines`` unchanged when they are no such review."""
    if not _is_review(lines):
        return lines, []
    out = list(lines)
    left_out: list[tuple[int, int, str]] = []
    heads = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    for n, head in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        end = next((k for k in range(head + 1, end) if _PAGE_END.match(lines[k])), end)
        _rewrite_question(lines, out, left_out, head, end)
    return out, left_out


def _rewrite_question(
    lines: list[str], out: list[str], left_out: list[tuple[int, int, str]], head: int, end: int
) -> None:
    number = _HEADER.match(lines[head])["n"]  # type: ignore[index]
    prompt: list[str] = []
    options: list[str] = []
    right: list[str] = []
    feedback: list[str] = []
    scored = verdict = False
    for k in range(head + 1, end):
        text = lines[k].strip()
        if not text:
            continue
        if not scored and _POINTS.match(text):
            scored = True
            left_out.append((k, k, N_("page furniture")))
        elif not scored:
            prompt.append(text)
        elif _BOX.match(text):
            left_out.append((k, k, N_("page furniture")))
        elif said := _VERDICT.match(text):
            left_out.append((k, k, N_("page furniture")))
            if said["verdict"].casefold() == "correct" and options:
                right.append("abcdefghij"[len(options) - 1].upper())
            verdict = True
        elif verdict:  # the feedback under a verdict
            feedback.append(text)
            verdict = False
        else:
            options.append(text)
    if not prompt:
        return
    if options:
        body = [f"{'abcdefghij'[i % 10]}. {text}" for i, text in enumerate(options)]
        answer = [f"Answer: {', '.join(right)}"] if right else []
        body += answer + [f"Explanation: {text}" for text in feedback]
    else:  # fill in the blank: the feedback says the answer
        body = [f"Answer: {' '.join(feedback)}"] if feedback else []
    rewritten = [f"Q{number}. {' '.join(prompt)}", *body]
    span = list(range(head, end))
    out[head:end] = [""] * len(span)
    for k, text in zip(span, rewritten, strict=False):
        out[k] = text
