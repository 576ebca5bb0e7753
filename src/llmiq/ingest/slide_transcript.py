"""A slide deck's transcript, as Speaker Deck and SlideShare print it under the deck: one
line per slide, each behind the slide's number ("3. Q11 What does greedy decoding…", "4.
Answer Q11: (B). …"). The slide numbers are no question numbers: where the slides carry
numbered questions of their own, the slide numbers are taken off."""

from __future__ import annotations

import re

_SLIDE = re.compile(r"^\s*(?P<num>\d{1,3})\.\s+(?P<text>\S.*)$")
#: A slide's text that opens with a numbered question or its answer: "Q11 …", "Question 3:
#: …", "Answer Q11: …", "Answer to question 4", "第 3 题", "第 3 题答案".
_NUMBERED = re.compile(
    r"^\W*(?:(?:answers?|solution)\s*(?:to|for)?\s*)?(?:Q\.?\s*|question\s+)\d{1,3}\b"
    r"|^\W*第\s*\d{1,3}\s*题",
    re.I,
)
#: How many slides must carry numbered questions before the slide numbers are taken off.
_ENOUGH = 2


def _slides(lines: list[str], start: int) -> list[int]:
    """The run of slide lines from ``start``: numbered 1, 2, 3… in order, one line each,
    with only blank lines between them."""
    run: list[int] = []
    for i in range(start, len(lines)):
        if not lines[i].strip():
            continue
        slide = _SLIDE.match(lines[i])
        if not slide or int(slide["num"]) != len(run) + 1:
            break
        run.append(i)
    return run


def unnumber_slides(lines: list[str]) -> list[str]:
    """``lines`` with the slide numbers of a transcript taken off (see the module
    docstring); other lines as they are."""
    out = list(lines)
    i = 0
    while i < len(lines):
        slide = _SLIDE.match(lines[i])
        if not slide or slide["num"] != "1":
            i += 1
            continue
        run = _slides(lines, i)
        numbered = [k for k in run if _NUMBERED.match(_SLIDE.match(lines[k])["text"])]
        if len(numbered) >= _ENOUGH:
            for k in run:
                out[k] = _SLIDE.match(lines[k])["text"]
        i = run[-1] + 1
    return out
