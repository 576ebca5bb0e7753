"""A group chat exported as text (WeChat on the PC or forwarded as a chat record, QQ), where
one member posts the questions and, later, their answers, and the others guess.

Each message starts with a header line: ``2024-05-27 08:30:12 老周（群主）``, ``2024-07-01
20:00:03 阿杰(群主)(10086001)`` or ``阿杰  21:02``. The quiz is what the members who post
questions (a message with options A, B, ..., or numbered like one) write; the other members'
messages (guesses, thanks, stickers, a quoted question) and the headers leave the text, and
so do ``[图片]`` and ``[表情]`` placeholders and the day separators of a forwarded record. A
poster's "57题答案：B" (or "【41 答案】B") right after question 57 becomes its answer line.
One output line per input line; a text with fewer than four headers is no chat.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from llmiq.ingest.lines import chinese_numeral, classify
from llmiq.messages import N_

_STAMP = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
_HEADERS = (
    re.compile(rf"^\s*\[?{_STAMP}\]?\s+(?P<name>\S.{{0,40}}?)\s*[:：]?\s*$"),
    re.compile(r"^(?P<name>\S[^\t]{0,30}?)(?:\s{2,}|\t)\d{1,2}:\d{2}(?::\d{2})?\s*$"),
)
#: What a sender's name carries beside the name: "(群主)", "（管理员）", "(10086001)".
_NAME_TAGS = re.compile(r"\s*[(（][^()（）]{1,16}[)）]")
_NOISE = re.compile(
    r"^\s*(?:\[(?:图片|表情|语音|视频|文件|动画表情|image|photo|sticker)\]\s*)+$", re.I
)
_DAY = re.compile(r"^\s*[—–\-=_ ]{3,}\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*[—–\-=_ ]{3,}\s*$")
#: A poster's answer to question N: "57题答案：B", "【41 答案】B。…", "61题：除了 C 都对".
_NUMBERED_ANSWER = re.compile(
    r"^\s*[【\[]?\s*(?:第\s*)?(?P<num>\d{1,3})\s*(?:题|号)?\s*(?:的)?\s*"
    r"(?:(?:参考)?(?:答案|解答|回答|思路)\s*[】\]]?\s*[:：]?|(?<=题)\s*[:：])\s*(?P<rest>.*)$"
)
#: How a chat's poster numbers the day's question: "【每日一题】第57题（单选）", "【每日一题】#58",
#: "今日一题 No.60", "【每日一题】61）…", "【每日一题·第六十二题】", "Day 59｜问答题".
_SERIES = (
    r"(?:每日一题|今日一题|每天一题|一日一题|打卡|daily(?:\s+question)?|question\s+of\s+the\s+day)"
)
_DAILY_NUMBER = re.compile(
    r"^\s*(?P<tag>【[^】]{0,12}】|\[[^\]]{0,12}\]|"
    + _SERIES
    + r"[\s·:：]*)?\s*(?P<open>[【\[])?\s*"
    r"(?:" + _SERIES + r"\s*[·・:：]?\s*)?(?P<mark>day\s*|no\.?\s*|#|第\s*)?"
    r"(?P<num>\d{1,3}|[一二三四五六七八九十百零两]{1,4})\s*(?:题|问)?\s*[】\]]?\s*"
    r"(?:(?<=[】\]])|[)）:：.、｜|]|(?=[(（【\[])|\s|$)\s*(?P<rest>.*)$",
    re.I,
)


@dataclass
class _Message:
    header: int
    sender: str
    first: int
    last: int  # inclusive


def _header_name(line: str) -> str | None:
    for pattern in _HEADERS:
        if found := pattern.match(line):
            return _NAME_TAGS.sub("", found["name"]).strip() or None
    return None


def _messages(lines: list[str]) -> list[_Message]:
    messages: list[_Message] = []
    for i, line in enumerate(lines):
        if (name := _header_name(line)) is not None:
            if messages:
                messages[-1].last = i - 1
            messages.append(_Message(i, name, i + 1, len(lines) - 1))
    return messages


def _asks(lines: list[str], message: _Message) -> bool:
    """Whether a message holds a question with options A, B, ... under it."""
    keys = [
        line.options[0][0]
        for line in (classify(0, lines[i]) for i in range(message.first, message.last + 1))
        if line.options
    ]
    return "A" in keys and "B" in keys


def rewrite_chat(lines: list[str]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The quiz of a chat export, and the (first, last, reason) ranges it leaves out; ``lines``
    unchanged when they are no chat."""
    messages = _messages(lines)
    if len(messages) < 4:
        return lines, []
    asking = Counter(m.sender for m in messages if _asks(lines, m))
    if not asking:
        return lines, []
    out = list(lines)
    left_out: list[tuple[int, int, str]] = []
    last_question: int | None = None
    for message in messages:
        out[message.header] = ""
        if message.sender not in asking:
            for i in range(message.first, message.last + 1):
                out[i] = ""
            left_out.append((message.header, message.last, N_("chat messages of other members")))
            continue
        left_out.append((message.header, message.header, N_("chat message header")))
        for i in range(message.first, message.last + 1):
            line = lines[i]
            if _NOISE.match(line):
                out[i] = ""
                continue
            if answer := _NUMBERED_ANSWER.match(line):
                if int(answer["num"]) == last_question:
                    out[i] = f"答案：{answer['rest']}"  # "57题答案：B" under question 57
                continue
            daily = _DAILY_NUMBER.match(line)
            if (
                daily
                and (daily["tag"] or daily["open"] or daily["mark"])
                and (number := _number(daily["num"]))
            ):
                out[i] = f"第{number}题 {daily['rest']}".rstrip()  # one way to number them all
                last_question = number
            elif (number := classify(0, line).q_number) is not None:
                last_question = number
    for i, line in enumerate(out):
        if _DAY.match(line):
            out[i] = ""
    return out, left_out


def _number(written: str) -> int | None:
    return int(written) if written.isdigit() else chinese_numeral(written)
