"""The mark that starts a question on a line: its number in any of the ways articles write
it ("Q3.", "第 3 题", "3、", "3️⃣", "⑪", "三、", "1单选题"), a question type tag around it, or
no number at all ("Q: …", "**Why …?**", a heading).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from llmiq.ingest.difficulty import TAG as DIFFICULTY_TAG
from llmiq.ingest.prompt_tags import clean_prompt

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_numeral(text: str) -> int | None:
    """``"十二"`` -> 12, ``"二十"`` -> 20, ``"七"`` -> 7; None for anything else."""
    if not text or any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        head = chinese_numeral(hundreds) if hundreds else 1
        tail = chinese_numeral(rest.lstrip("零")) if rest else 0
        return None if head is None or tail is None else head * 100 + tail
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _CN_DIGITS.get(tens) if tens else 1
        u = _CN_DIGITS.get(units) if units else 0
        return None if t is None or u is None else t * 10 + u
    return _CN_DIGITS[text] if len(text) == 1 else None


#: Emoji and arrows people put before markers: "📌 Q1." "✅ Answer:" "👉 Explanation:".
SYMBOLS = r"(?:(?:[\u2190-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]|[0-9#*]\ufe0f?\u20e3)\s*)*"
#: A question-type tag before a question: "【单选题】1. …", "[Multiple choice] Q3".
_TYPE_TAG = (
    r"(?:[【\[(（]\s*(?:单选题?|多选题?|不定项(?:选择题?)?|判断题?|填空题?|简答题?|问答题?|论述题?"
    r"|single[\s-]choice|multiple[\s-]choice|multi[\s-]select|true\s*/\s*false|short\s+answer)"
    r"(?:\s*[,，]\s*\d+(?:\.\d+)?\s*(?:分|points?|pts?))?"  # "(单选题, 9分)"
    r"\s*[】\])）]\s*)?"
)
#: A question type written without brackets right before its number: "单选题第 1 题".
_TYPE_WORD = r"(?:(?:单选|多选|判断|填空|简答|问答|论述|不定项(?:选择)?)题?\s*)?"
_TYPE_TAG_AFTER = re.compile("^" + _TYPE_TAG.removesuffix("?") + r"\s*(?:[.:：、]\s*)?", re.I)
_BARE_TYPE = (
    r"(?:单选|多选|判断|填空|简答|问答|论述|计算|不定项|单项选择|多项选择)题?"
    r"(?:\s*[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）])?"  # "单选(2分)"
    r"|single[\s-]choice|multiple[\s-]choice|multi[\s-]select|short\s+answer|open[\s-]ended"
)
#: A line that is only a type tag: "[单选题]" above a question, or a WeChat article's "单选 ·
#: 计算题" between a section number and the prompt.
TYPE_TAG_LINE = re.compile(
    r"^\s*(?:"
    + _TYPE_TAG.removesuffix("?")
    + rf"|(?:{_BARE_TYPE})(?:\s*[·・|/]\s*(?:{_BARE_TYPE}))*)\s*$",
    re.I,
)
#: A question's own line that opens with its type, its text on the lines below: "单选 考察频率
#: ★★★★★ 字节跳动" after "第 1 题", "Single choice · asked at Meta".
TYPE_FIRST = re.compile(rf"^\s*(?:{_BARE_TYPE})(?=\s|$|[·|/])", re.I)
_DECOR = r"^\s*(?:>\s*)*(?P<head>#{1,6}\s*)?" + SYMBOLS + _TYPE_TAG + r"(?P<bold>\*\*|__)?\s*"
#: Keycap emoji as the number itself: "1️⃣ What …", "1️⃣2️⃣ …" (12), "🔟 …".
#: Digits written as keycap emoji: "1️⃣", "1️⃣2️⃣" (12).
KEYCAP_DIGITS = r"(?:[0-9]\ufe0f?\u20e3)+"
_KEYCAP_NUMBER = rf"(?P<num>{KEYCAP_DIGITS}|\U0001f51f)"
_DECOR_BEFORE_KEYCAP = (
    r"^\s*(?:>\s*)*(?P<head>#{1,6}\s*)?"
    + r"(?:(?:[\u2190-\u2bff\U0001f000-\U0001f51e\U0001f520-\U0001faff\ufe0f\u200d])\s*)*"
    + _TYPE_TAG
    + r"(?P<bold>\*\*|__)?\s*"
)
_DASH_AFTER_NUMBER = re.compile(r"^[—–-]+\s+")

_QUESTION_PATTERNS: list[tuple[str, int, re.Pattern[str]]] = [
    # (style, strength, pattern); each has a group "num" and a group "rest"
    (
        "QN",
        3,
        re.compile(
            _DECOR
            # a review page's list of questions: "- Question 4", its text on the lines below
            + r"(?:[-*+•]\s+(?=(?:question|problem|exercise)\s*\d{1,3}\s*[.:]?\s*$))?"
            + r"(?:Q\.?|Question|Problem|Card|Exercise|问题|题目|题号|面试题|卡片|闪卡"
            + r"|[样例习试考真]题|(?<=#\s)#|(?-i:N[Oo])\.)"  # "**样题 1**：…"
            + r"(?:\s*|(?<=Q)[-–])(?P<num>\d{1,3})"  # "Q-22: …"
            r"(?:\s*(?:of|/)\s*\d{1,3}(?=\s|$|\*\*|__))?"  # "Question 3 of 8", "Q.13"
            r"(?:\s*[.:、)\]|·•]|\s|$|(?=\*\*|__)|(?=[(（](?:单选|多选|不定项)))"  # "Q1（多选）…"
            r"\s*(?:\*\*|__)?\s*(?P<rest>.*)$",
            re.I,
        ),
    ),
    (
        "第N题",
        3,
        re.compile(
            _DECOR + _TYPE_WORD + r"(?P<open>[【\[]\s*)?"
            r"第\s*(?P<num>\d{1,3}|[一二三四五六七八九十百零两]{1,4})\s*[题道问]"
            r"(?:\s*/\s*共\s*\d{1,3}\s*[题道])?"  # "第 1 题 / 共 8 题"
            r"(?(open)\s*[】\]])"  # "【第1题】"
            r"\s*[.:、)]?\s*(?:\*\*|__)?\s*(?P<rest>.*)$"
        ),
    ),
    (
        "题N",
        3,
        re.compile(_DECOR + r"题\s*(?P<num>\d{1,3})\s*[:：.、]\s*(?:\*\*|__)?\s*(?P<rest>.*)$"),
    ),
    (
        "N题",
        3,
        re.compile(_DECOR + r"(?P<num>\d{1,3})\s*[题道]\s*[.:、)]?\s*(?:\*\*|__)?\s*(?P<rest>.*)$"),
    ),
    (
        "N⃣",
        2,
        re.compile(
            _DECOR_BEFORE_KEYCAP + _KEYCAP_NUMBER + r"\s*[.:、)]?\s*(?:\*\*|__)?\s*(?P<rest>.*)$"
        ),
    ),
    ("N、", 2, re.compile(_DECOR + r"(?P<num>\d{1,3})\s*、\s*(?:\*\*|__)?\s*(?P<rest>.*)$")),
    ("N.", 2, re.compile(_DECOR + r"(?P<num>\d{1,3})\s*\.(?!\d)\s*(?:\*\*|__)?\s*(?P<rest>.*)$")),
    ("N)", 1, re.compile(_DECOR + r"(?P<num>\d{1,3})\s*\)\s*(?P<rest>.*)$")),
    # a heading's number and a space: "### 01 Agent 和 Workflow 有什么区别？"
    (
        "N ",
        1,
        re.compile(
            r"^\s*(?:>\s*)*(?P<head>#{1,6}\s*)"
            + SYMBOLS
            + _TYPE_TAG
            + r"(?P<bold>\*\*|__)?\s*(?P<num>\d{1,3})\s+(?P<rest>\S.*)$"
        ),
    ),
    # a number and a dash or an arrow, as quick notes number them: "18 - sentence embeddings are
    # …", "**27 »** A loss spike …", "29 ⟶ Why …"
    (
        "N -",
        1,
        re.compile(
            _DECOR + r"(?P<num>\d{1,3})\s+(?:[-–—]|[»⟶→➜➔]\s*(?:\*\*|__)?)\s+(?P<rest>\S.*)$"
        ),
    ),
    # a number and a bar, as columns number their parts: "# 01 | 为什么推理要用 KV Cache？"
    ("N|", 1, re.compile(_DECOR + r"(?P<num>\d{1,3})\s+[|｜]\s+(?P<rest>\S.*)$")),
    # a number and a middle dot before a topic: "### 1 · Chunk overlap"
    ("N·", 1, re.compile(_DECOR + r"(?P<num>\d{1,3})\s+[·•]\s+(?P<rest>\S.*)$")),
    ("(N)", 1, re.compile(_DECOR + r"\((?P<num>\d{1,3})\)\s*(?P<rest>.*)$")),
    # a forum post's label: "【问题1】LoRA 的基本原理是什么？", "[题目 3]"
    (
        "【问题N】",
        3,
        re.compile(
            _DECOR + r"[\[【](?:问题|题目|面试题|考题)\s*(?P<num>\d{1,3})[\]】]\s*(?P<rest>.*)$"
        ),
    ),
    ("[N]", 1, re.compile(_DECOR + r"[\[【](?P<num>\d{1,3})[\]】]\s*(?P<rest>\S.*)$")),
    ("N/", 1, re.compile(_DECOR + r"(?P<num>\d{1,3})\s*/(?!\s*\d)\s*(?P<rest>\S.*)$")),
    # a counter before the prompt: "16/24 Which of these …" (not "3/4 of the heads …")
    ("N/M ", 1, re.compile(_DECOR + r"(?P<num>\d{1,3})/\d{1,3}\s+(?P<rest>(?![a-z])\S.*)$")),
    # a number in brackets alone on its line, the question below it: "[15]", "【3】", "[Q26]"
    (
        "[N] ",
        2,
        re.compile(r"^\s*(?P<head>)(?P<bold>)[\[【]Q?(?P<num>\d{1,3})[\]】]\s*(?P<rest>)$"),
    ),
    # a practice site's counter alone on its line, the question below it: "1/8", "### (24/30)"
    (
        "N/M",
        2,
        re.compile(
            r"^\s*(?P<head>#{1,6}\s*)?(?P<bold>)(?P<open>[(（])?(?P<num>\d{1,3})\s*/\s*\d{1,3}"
            r"(?(open)[)）])\s*(?P<rest>)$"
        ),
    ),
    # a number glued to the question's type, as practice sites show a card's head: "1单选题",
    # "1[单选题]"
    (
        "N型",
        2,
        re.compile(
            r"^\s*(?P<head>#{1,6}\s*)?(?P<bold>\*\*|__)?(?P<num>\d{1,3})\s*[.、·]?\s*"
            rf"(?:{_BARE_TYPE}|[\[【(（]\s*(?:{_BARE_TYPE})\s*[\]】)）])"
            r"\s*(?:\*\*|__)?\s*[:：、]?\s*(?P<rest>.*)$",
            re.I,
        ),
    ),
    # a section number alone on its line, as WeChat articles number questions: "01"
    ("0N", 1, re.compile(r"^\s*(?P<head>)(?P<bold>)(?P<num>0[1-9]|[1-9]\d?)\s*(?P<rest>)$")),
    (  # "⑪ …", "㉓ …": circled numbers past ten, which no option letter uses
        "⑳",
        2,
        re.compile(
            r"^\s*(?:>\s*)*(?P<head>#{1,6}\s*)?(?P<bold>\*\*|__)?\s*"
            r"(?P<num>[\u246a-\u2473\u3251-\u325f\u32b1-\u32bf])\s*[.:、)]?\s*(?:\*\*|__)?\s*"
            r"(?P<rest>\S.*)$"
        ),
    ),
    (
        "一、",
        2,
        re.compile(_DECOR + r"(?P<num>[一二三四五六七八九十百零两]{1,4})\s*[、.]\s*(?P<rest>.*)$"),
    ),
]
_UNNUMBERED_QUESTION = re.compile(_DECOR + r"(?:Q|Question|问|问题)\s*[:]\s*(?P<rest>.+)$", re.I)
#: An extra question after the numbered ones: "Bonus: …?", "附加题：…"
_BONUS_QUESTION = re.compile(
    _DECOR + r"(?:bonus(?:\s+question)?|附加题|加分题)\s*[:]\s*(?P<rest>.+)$", re.I
)
#: A question in bold on its own line, with no number: "**Why does …?** — Easy".
_BOLD_QUESTION = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\*\*|__)(?P<rest>[^*_]{4,}?[?？…:：](?:\s*\.{3})?)\s*(?:\*\*|__)"
    r"(?:\s*(?:[—–-]+\s*|[(\[【（]\s*)[^\s*]{1,12}\s*[)\]】）]?|\s*(?i:"
    + DIFFICULTY_TAG
    + r"))?\s*$"
)
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<rest>\S.*)$")
#: A list item all in bold, as an interview report lists the questions it was asked:
#: "- **写一下 DPO 的损失函数。**" (a question only when an answer follows it).
_BOLD_ITEM = re.compile(r"^\s*[-*+]\s+(?:\*\*|__)(?P<rest>[^*_]{4,}?)(?:\*\*|__)\s*$")


class QuestionMark(NamedTuple):
    """A question's mark on a line: its number (None for an unnumbered question), the style
    of numbering (``"#*N."`` for a bold heading's "1."), how surely it starts a question, and
    the prompt after it."""

    number: int | None
    style: str
    strength: int
    rest: str


def question_mark(text: str, raw: str) -> QuestionMark | None:
    """The question mark of a line (``text`` its folded form, ``raw`` as written), or None."""
    for style, strength, pattern in _QUESTION_PATTERNS:
        if match := pattern.match(text):
            num = match.group("num")
            if style == "N⃣":
                value = 10 if num == "\U0001f51f" else int(re.sub(r"\D", "", num))
            elif style == "⑳":
                value = int(unicodedata.numeric(num))
            else:
                value = int(num) if num.isdigit() else chinese_numeral(num)
            if value is None:
                continue
            head, bold = match.group("head"), match.group("bold")
            # a heading's number ("#### 2) Explain …") outranks a list's ("1. You send …")
            # a type tag after the number ("第 6 题 【简答】") is no part of the question
            rest = _DASH_AFTER_NUMBER.sub("", raw[match.start("rest") :])  # "Q1 — Causal mask"
            return QuestionMark(
                value,
                ("#" if head else "") + ("*" if bold else "") + style,
                strength + (2 if head and strength == 1 else bool(head or bold)),
                _TYPE_TAG_AFTER.sub("", clean_prompt(rest)),
            )
    if match := _UNNUMBERED_QUESTION.match(text):
        # "## Q: Why …?" is a heading that asks, its answer the paragraphs under it
        style, strength = ("#", 2) if _HEADING.match(text) else ("Q:", 2)
    elif match := _BONUS_QUESTION.match(text):
        style, strength = "bonus", 2
    elif match := _BOLD_QUESTION.match(text):
        style, strength = "**", 2
    elif match := _BOLD_ITEM.match(text):
        style, strength = "- **", 1
    elif match := _HEADING.match(text):
        style, strength = "#", 1
    else:
        return None
    return QuestionMark(None, style, strength, clean_prompt(raw[match.start("rest") :]))
