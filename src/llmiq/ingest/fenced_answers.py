"""An answer set apart in a code block of its own ("```", "答案：B", "```"), as some authors
do to make it stand out: the answer line, not code."""

from __future__ import annotations

import re

from llmiq.ingest.lines import LineKind, classify

_BARE_FENCE = re.compile(r"^\s*(?:```|~~~)\s*(?:text|plain|plaintext)?\s*$")


def unfence_answers(lines: list[str]) -> list[str]:
    """``lines`` with the fences around a lone answer line blanked."""
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
                and classify(0, out[i + 1]).kind is LineKind.ANSWER
            ):
                out[i] = out[i + 2] = ""
                i += 3
                continue
            in_code = not in_code
        i += 1
    return out
