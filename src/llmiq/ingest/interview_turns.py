"""An interview written down as its turns: "**Interviewer:** …" then "**Me:** …", "面试官：…"
then "我：…". Each interviewer's turn is a question (``Q: …``) and the candidate's turn after
it is its answer (``Answer: …``); a follow-up ("面试官追问：") is a question of its own. Read
only where the interviewer speaks at least twice and is answered each time. One output line
per input line."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from llmiq.ingest.lines import FENCE, LineKind, classify, fold

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


#: A speaker's turn in a transcript: "小林：A、B、C 吧。", "**Sam:** (b), I think".
_SPEAKER = re.compile(
    r"^\s*(?:\*\*|__)?(?P<name>[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff·.-]{0,11}?)(?:\*\*|__)?"
    r"\s*[:：]\s*(?:\*\*|__)?\s*(?P<text>\S.*)$"
)


def _gaps(lines: list[str]) -> tuple[list[list[tuple[int, str, int]]], list[bool]]:
    """The speakers' turns (line, name, where the text starts) between one question and the
    next, and whether each question has options."""
    gaps: list[list[tuple[int, str, int]]] = [[]]
    choices = [False]
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
            continue
        if in_code or not line.strip():
            continue
        read = classify(0, line)
        if read.is_question:
            gaps.append([])
            choices.append(False)
        elif read.kind is LineKind.OPTION:
            choices[-1] = True
        elif read.kind is LineKind.TEXT and (turn := _SPEAKER.match(line)):
            gaps[-1].append((i, turn["name"], turn.start("text")))
    return gaps, choices


def rewrite_judged_turns(lines: list[str]) -> list[str]:
    """A quiz read out in a mock interview: under each question the candidate's turn
    ("小林：A、B、C 吧。") and then the interviewer's, who says what is right ("我：还差一个。
    参考模型也要，所以四个都得选上。"). Where the same two speakers take turns so under two
    questions or more, and never the other way round, the second's turn is the answer and
    the first's is the candidate's, which is not; under an open question (no options) the
    candidate's answer is kept, with the interviewer's word on it after."""
    names = Counter(turn["name"] for line in lines if (turn := _SPEAKER.match(line)))
    if sum(count >= 2 for count in names.values()) < 2:
        return lines  # two speakers, each heard twice at least, or no transcript to read
    gaps, choices = _gaps(lines)
    gaps, choices = gaps[1:], choices[1:]  # under the questions, not front matter's "title:"
    pairs = [(gap[0][1], gap[-1][1]) for gap in gaps if len(gap) >= 2 and gap[0][1] != gap[-1][1]]
    if len(pairs) < 2 or len(set(pairs)) > 1:
        return lines
    candidate, judge = pairs[0]
    out = list(lines)
    for gap, choice in zip(gaps, choices, strict=True):
        for i, name, start in gap:
            zh = re.search(r"[\u4e00-\u9fff]", lines[i]) is not None
            if name == candidate and not choice:  # an open question's answer, and the judge's
                out[i] = lines[i][start:]  # word on it
            elif name == candidate:
                out[i] = ("你的答案：" if zh else "Your answer: ") + lines[i][start:]
            elif name == judge:
                out[i] = lines[i][start:]
    return out
