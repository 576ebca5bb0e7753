"""Flashcards whose faces are labelled on lines of their own, as a deck's web page shows
them: "Q" above the question and "A" above its answer (Brainscape, Quizlet), "Front" /
"Back", "正面" / "背面". Where such labels alternate, front then back, at least twice, the
front label leaves its line and marks the question's first line (``Front: …``, which the
parser reads as the question's start), and the back label becomes an answer label alone on
its line (its answer below it). A lone "A" anywhere else stays what it was: an option or a
word. One output line per input line."""

from __future__ import annotations

import re

from llmiq.ingest.lines import FENCE, LineKind, classify

_FRONT = re.compile(r"^\s*(?:Q|Front|正面|问)\s*[:：]?\s*$", re.I)
_BACK = re.compile(r"^\s*(?:A|Back|背面|答)\s*[:：]?\s*$", re.I)


def _labels(lines: list[str]) -> list[tuple[int, str]]:
    """The face labels outside code, in order: (line, "front" or "back")."""
    found: list[tuple[int, str]] = []
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and _FRONT.match(line):
            found.append((i, "front"))
        elif not in_code and _BACK.match(line):
            found.append((i, "back"))
    return found


def rewrite_card_faces(lines: list[str]) -> list[str]:
    """See the module docstring."""
    labels = _labels(lines)
    faces = [face for _, face in labels]
    if len(labels) < 4 or faces != ["front", "back"] * (len(labels) // 2):
        return lines
    out = list(lines)
    for i, face in labels:
        if face == "back":
            out[i] = "Answer:"
            continue
        out[i] = ""
        j = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
        if j is not None:
            out[j] = f"Front: {lines[j].strip()}"
    return out


#: A card written on one line of a note, as RemNote and the spaced-repetition plugins of note
#: apps write them: "Question >> Answer", "Term :: Definition", "Front <> Back", "Question
#: >>>" with the answer in the items under it. The separator has a space on each side, so
#: "std::vector" and a shell's ">>" are no cards.
_CARD = re.compile(
    r"^\s*(?:[-*+]\s+)?(?P<front>[^\s`>].{2,}?)\s+(?P<sep>>>>|>>|<>|::)(?:\s+(?P<back>.*?\S))?\s*$"
)


def _read_otherwise(line: str) -> bool:
    """Whether a line is already a numbered question, an answer, an option or a heading."""
    classified = classify(0, line)
    return classified.is_question or classified.kind not in (LineKind.TEXT, LineKind.BLANK)


def card_rows(lines: list[str]) -> tuple[dict[int, list[str]], tuple[int, int] | None]:
    """The lines the parser reads for each one-line card: ``Q: front`` and ``Answer: back``
    (an answer label alone for ``>>>``, its items below it); none unless there are two cards
    or more. And the note's items after the last card, less indented than the cards (a
    practice log after "- Cards"), which are no part of its answer: their first and last
    line, or None."""
    rows: dict[int, list[str]] = {}
    indents: list[int] = []
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
            continue
        if in_code or not (card := _CARD.match(line)):
            continue
        if card["back"] is None and card["sep"] != ">>>":
            continue
        if card["front"].count("`") % 2 or _read_otherwise(line):
            continue  # "what does `a >> b` do?", "1. …", "Answer: … >> log"
        rows[i] = [f"Q: {card['front']}", f"Answer: {card['back'] or ''}".rstrip()]
        indents.append(len(line) - len(line.lstrip()))
    if len(rows) < 2:
        return {}, None
    last, indent = max(rows), min(indents)
    after = next(
        (
            k
            for k in range(last + 1, len(lines))
            if lines[k].strip() and len(lines[k]) - len(lines[k].lstrip()) < indent
        ),
        None,
    )
    tail = (after, len(lines) - 1) if after is not None else None
    if tail is not None:
        rows |= {k: [""] for k in range(after, len(lines))}
    return rows, tail
