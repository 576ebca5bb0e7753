"""An outline exported from an outliner (幕布, WorkFlowy, Dynalist) as nested bullets, made
plain: each question is an item and its options and answer are the items under it, perhaps
under items naming the outline's sections ("一、LoRA 与 QLoRA").

Every item loses its indentation, and questions, options and answers their bullets (an
option written as text and the points of an answer stay items). An item at the top that
holds questions becomes a heading ("一、LoRA 与 QLoRA"); one after the first question that
holds none ("复习记录" and its to-dos, "参考：…") is the outline's own note, left out, not
part of the question above it. One output line per input line; a text that is not such an
outline (most of its lines not items, or fewer than two questions with items under them) is
left as it is.
"""

from __future__ import annotations

import re
from itertools import pairwise

from llmiq.ingest.lines import LineKind, classify
from llmiq.messages import N_

_ITEM = re.compile(r"^(?P<indent>[\t ]*)[-*+•]\s+(?P<text>\S.*)$")


def _depth(indent: str) -> int:
    return indent.count("\t") + len(indent.replace("\t", "")) // 2


def rewrite_outline(lines: list[str]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """See the module docstring. Also returns the (first, last, reason) ranges left out."""
    items = {i: m for i, line in enumerate(lines) if (m := _ITEM.match(line))}
    texts = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    if len(items) < 6 or len(items) < 0.8 * len(texts):
        return lines, []
    depth = {i: _depth(m["indent"]) for i, m in items.items()}
    order = sorted(items)
    has_children = {
        i for n, i in enumerate(order) if n + 1 < len(order) and depth[order[n + 1]] > depth[i]
    }
    questions = [i for i in has_children if classify(0, items[i]["text"]).q_number is not None]
    if len(questions) < 2:
        return lines, []
    out = list(lines)
    left_out: list[tuple[int, int, str]] = []
    first = min(questions)
    tops = [i for i in order if depth[i] == 0] + [len(lines)]
    for top, after in pairwise(tops):
        below = [i for i in order if top < i < after]
        if top > first and top not in questions and not set(below) & set(questions):
            left_out.append((top, max([top, *below]), N_("the outline's own notes")))
            for i in [top, *below]:
                out[i] = ""
    for i, match in items.items():
        text = match["text"]
        if not out[i]:
            continue
        if depth[i] == 0 and i not in questions and i in has_children:
            out[i] = f"## {text}"  # a section of the outline
        elif i in questions or _OPTION_OR_ANSWER.match(text) or classify(0, text).kind in _READ:
            out[i] = text
        else:  # an option written as text, a point of an answer: an item still
            out[i] = f"- {text}"
    return out, left_out


#: Options on an item's line: "A 正确　　B 错误", "① DPO　② KTO".
_OPTION_OR_ANSWER = re.compile(r"^(?:[A-J][\s.、:：)]|[\u2460-\u2469])")
_READ = (LineKind.OPTION, LineKind.ANSWER, LineKind.EXPLANATION)
