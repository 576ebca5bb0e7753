"""Wiki markup as DokuWiki and MediaWiki pages are written, read as Markdown: a heading
between runs of ``=`` ("===== Q1. Why …? =====", "== Answers ==") and DokuWiki's
``''monospace''``. Links ``[[target|text]]`` are read as Obsidian's are (:mod:`obsidian`).

The run's length gives the level the other way round in the two wikis: DokuWiki's top
level is six ``=``, MediaWiki's is one. A page with a run of five or six is DokuWiki's.
Headings all of one length are the page's sections, under a title of its own (a forum post
copied with its "====== 笔试 ======" parts), not its title."""

from __future__ import annotations

import re

from llmiq.ingest.lines import FENCE

_HEADING = re.compile(r"^(?P<run>={1,6})[ \t]+(?P<text>\S.*?)[ \t]+(?P=run)[ \t]*$")
_MONOSPACE = re.compile(r"''(?P<text>[^'\n]+?)''")
#: How many headings make a page's ``=`` runs its headings, not a stray line of text.
_ENOUGH = 2


def _headings(lines: list[str]) -> dict[int, re.Match[str]]:
    found: dict[int, re.Match[str]] = {}
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and (heading := _HEADING.match(line)):
            found[i] = heading
    return found


def rewrite_wiki_markup(lines: list[str]) -> list[str]:
    """``lines`` with a wiki page's markup written as Markdown (see the module docstring);
    a text with fewer than two such headings is returned as it is."""
    headings = _headings(lines)
    if len(headings) < _ENOUGH:
        return lines
    runs = {len(h["run"]) for h in headings.values()}
    dokuwiki = max(runs) >= 5
    out: list[str] = []
    for i, line in enumerate(lines):
        if heading := headings.get(i):
            run = len(heading["run"])
            level = 7 - run if dokuwiki else run
            line = "#" * (max(level, 2) if len(runs) == 1 else level) + " " + heading["text"]
        out.append(_MONOSPACE.sub(r"`\g<text>`", line))
    return out
