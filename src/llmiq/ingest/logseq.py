"""A Logseq page of flashcards, made plain: each block tagged ``#card`` (or carrying the
``card-*::`` properties Logseq's review writes) is a question, its lines under the block's
first line (options written with Shift+Enter) are its text, and its child blocks are its
answer. The page's properties (``title:: …`` becomes the title line), block properties,
``TODO``/``DONE`` tasks and ``{{query …}}`` macros leave the text. One output line per
input line; a page without cards is left as it is.
"""

from __future__ import annotations

import re

from llmiq.bank.model import detect_language
from llmiq.ingest.lines import LineKind, classify

_BLOCK = re.compile(r"^(?P<indent>[\t ]*)- (?P<text>.*)$")
_PROPERTY = re.compile(r"^[\t ]*(?P<key>[\w-]+)::(?:\s+(?P<value>.*))?\s*$")
#: The tag ends the block's first line (perhaps among other tags): "…的区别？ #card".
_CARD_TAG = re.compile(r"\s+#card(?=(?:\s+#[\w/-]+)*\s*$)")
_CARD_PROPERTY = re.compile(r"^[\t ]*card-[\w-]+::")
_TASK = re.compile(r"^(?:TODO|DONE|DOING|LATER|NOW|CANCELED)\s")
_MACRO = re.compile(r"^\{\{[^{}]*\}\}$")


def _depth(indent: str) -> int:
    return indent.count("\t") + indent.replace("\t", "").count(" ") // 2


def _is_card(lines: list[str], i: int) -> bool:
    """Whether the block starting at line ``i`` is a card: tagged, or with card properties
    among its own lines."""
    if _CARD_TAG.search(lines[i]):
        return True
    for line in lines[i + 1 :]:
        if _BLOCK.match(line):
            return False
        if _CARD_PROPERTY.match(line):
            return True
    return False


def rewrite_logseq(lines: list[str]) -> list[str]:
    if sum(1 for i, line in enumerate(lines) if _BLOCK.match(line) and _is_card(lines, i)) < 2:
        return lines
    out = list(lines)
    card_depth: int | None = None  # inside a card's answer: the card's depth
    answered = False
    for i, line in enumerate(lines):
        if prop := _PROPERTY.match(line):
            is_title = prop["key"].lower() == "title" and prop["value"] and card_depth is None
            out[i] = f"# {prop['value']}" if is_title and i < 10 else ""
            continue
        block = _BLOCK.match(line)
        if block is None:
            out[i] = line.strip()
            continue
        depth, text = _depth(block["indent"]), block["text"].strip()
        if card_depth is not None and depth > card_depth:
            if not answered:
                label = "答：" if detect_language(text) == "zh" else "Answer: "
                labelled = classify(0, text).kind is LineKind.ANSWER
                out[i] = text if labelled else f"{label}{text}"
                answered = True
            else:
                out[i] = f"- {text}"
            continue
        card_depth = None
        if _TASK.match(text) or _MACRO.match(text):
            out[i] = ""
        elif _is_card(lines, i):
            out[i] = f"Q: {_CARD_TAG.sub('', text).strip()}"
            card_depth, answered = depth, False
        else:
            out[i] = text
    return out
