"""Cards written for Obsidian's Spaced Repetition plugin, in a note tagged ``#flashcards``
(the plugin's own rule for which notes hold cards): ``front::back`` and ``front:::back`` on
one line, no spaces needed, and cards over several lines, the front's lines, then ``?`` (or
``??``) alone on a line, then the back's lines up to a blank line. The plugin's scheduling
comments (``<!--SR:…-->``) are HTML comments, left out with the others."""

from __future__ import annotations

import re

from llmiq.ingest.lines import outside_code

_DECK_TAG = re.compile(r"(?:^|\s)#flashcards(?:/[\w/-]+)?(?=\s|$)", re.M)
_ONE_LINE = re.compile(r"^\s*(?P<front>[^\s:`][^`]*?[^\s`])\s*:::?\s*(?P<back>[^:\s].*?)\s*$")
_SEPARATOR = re.compile(r"^\s*\?\??\s*$")


def _part_of_a_card(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("#", "<!--", "---"))


def spaced_repetition_rows(lines: list[str]) -> dict[int, list[str]]:
    """The lines the parser reads for each card, by the note's line: ``Q: front`` on a
    front's first line, ``Answer: back`` or ``Answer:`` (its back below it); none unless the
    note is tagged ``#flashcards`` and holds two cards or more."""
    if not _DECK_TAG.search("\n".join(lines)):
        return {}
    rows: dict[int, list[str]] = {}
    for i, line in outside_code(lines):
        if _SEPARATOR.match(line):
            first = i
            while first > 0 and _part_of_a_card(lines[first - 1]):
                first -= 1
            below = i + 1 < len(lines) and _part_of_a_card(lines[i + 1])
            if first < i and below:
                rows[first] = [f"Q: {lines[first].strip()}"]
                rows[i] = ["Answer:"]
        elif (card := _ONE_LINE.match(line)) and "::" in line:
            rows[i] = [f"Q: {card['front']}", f"Answer: {card['back']}"]
    return rows if len({k for k, row in rows.items() if row[0].startswith("Q: ")}) >= 2 else {}
