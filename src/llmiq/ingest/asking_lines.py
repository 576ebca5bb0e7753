"""Questions that lost their heading marks: a 专栏 or blog post copied from the browser keeps
each question as a plain line that asks ("KV Cache 不够用的时候，vLLM 是怎么处理的？") with its
answer on the lines under it, no number, no label, often no blank line between them. Read as
Markdown headings, they are Q&A notes the parser knows."""

from __future__ import annotations

import re

from llmiq.ingest.lines import FENCE, LineKind, classify

_ASKS = re.compile(r"[?？]\s*$")
#: An answer's first line reads as prose: it ends a sentence or a clause.
_SENTENCE = re.compile(r"[.。!！;；:：]\s*$")
#: How long a line that asks may be before it is prose, and how many make the article's form.
_LONGEST = 150
_ENOUGH = 3


def asking_lines_as_headings(text: str) -> str | None:
    """``text`` with every short line that asks and has an answer under it written as a
    heading, or None when fewer than three lines read so (see the module docstring)."""
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    asking: list[int] = []
    in_code = False
    for n, i in enumerate(content):
        line = lines[i].strip()
        if FENCE.match(line):
            in_code = not in_code
            continue
        after = lines[content[n + 1]].strip() if n + 1 < len(content) else ""
        if (
            not in_code
            and len(line) <= _LONGEST
            and _ASKS.search(line)
            and not line.startswith(("#", ">", "-", "*", "|"))
            and after
            and not _ASKS.search(after)
            and classify(0, after).kind is LineKind.TEXT  # not a choice question's options
            and _SENTENCE.search(after)  # ... nor a quiz's unlettered choices
        ):
            asking.append(i)
    if len(asking) < _ENOUGH:
        return None
    for i in asking:
        lines[i] = "### " + lines[i].strip()
    return "\n".join(lines)
