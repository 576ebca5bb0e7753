"""An interview written down as its turns: "**Interviewer:** …" then "**Me:** …", "面试官：…"
then "我：…". Each interviewer's turn is a question (``Q: …``) and the candidate's turn after
it is its answer (``Answer: …``); a follow-up ("面试官追问：") is a question of its own. Read
only where the interviewer speaks at least twice and is answered each time. One output line
per input line."""

from __future__ import annotations

import re
from itertools import pairwise

from llmiq.ingest.lines import FENCE, fold

_ASKER = r"interviewer(?:\s*\([^()]{1,30}\))?|面试官(?:追问|补充|又问)?|考官"
_ANSWERER = r"me|candidate|myself|我|候选人|本人"
_TURN = re.compile(
    r"^\s*(?:[-*>]\s+)?(?:\*\*|__)?\s*"
    rf"(?:(?P<asker>{_ASKER})|(?P<answerer>{_ANSWERER}))"
    r"\s*(?:(?:\*\*|__)\s*[:：]|[:：]\s*(?:\*\*|__)?)\s*(?P<text>\S.*)$",
    re.I,
)


def rewrite_interview_turns(lines: list[str]) -> list[str]:
    """See the module docstring."""
    turns: list[tuple[int, str, str]] = []  # (line, "asker" or "answerer", text)
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and (turn := _TURN.match(fold(line))):  # "面試官" as "面试官"
            who = "asker" if turn["asker"] else "answerer"
            turns.append((i, who, line[turn.start("text") :]))
    answered = sum(
        1 for (_, a, _), (_, b, _) in pairwise(turns) if a == "asker" and b == "answerer"
    )
    askers = sum(1 for _, who, _ in turns if who == "asker")
    if answered < 2 or 2 * answered < askers:
        return lines
    out = list(lines)
    for i, who, text in turns:
        out[i] = f"Q: {text}" if who == "asker" else f"Answer: {text}"
    return out
