"""Difficulty tags authors put on a question, which are not part of its text.

After the question: ``— Easy`` (``— *Easy*``), ``(Medium)``, ``【困难】``, ``【难度 ⭐⭐】``,
``[Difficulty: 3/5]``, ``难度：中等``, ``| Level: Advanced``, ``⭐⭐⭐``, ``★★☆``,
``🟢 Easy``, ``【🔥🔥】`` (flames for how often it is asked), in backticks or not.
Before it: ``【简单】``, ``[Medium]``, ``(难度：易)``, ``⭐⭐``. A tag with a label (``难度``,
``Difficulty``, ``Level``) may hold any short rating; an unlabelled one must be a level word or
stars, set off by a dash or brackets, so that "(hard)" inside a sentence is not taken unless it
ends the question.

Left out: recording the rating as the question's ``difficulty`` (ratings have no common scale).
"""

from __future__ import annotations

import re

_LEVEL = (
    r"(?:very\s+)?(?:easy|medium|hard|difficult|beginner|intermediate|advanced|expert|basic"
    r"|简单|中等|困难|容易|较难|较易|偏难|偏易|很难|难|基础|进阶|高级|中级|初级|入门)"
)
_STARS = r"[⭐★☆✩✭✮🔥]{1,5}(?:\s*[(（]?\d\s*/\s*\d[)）]?)?"
_COLOUR = r"(?:[🟢🟡🟠🔴🔵⚪⚫🟣🟤]\ufe0f?\s*[*_]{0,2})?"  # "— 🟢 *Easy*"
_LABEL = r"(?:难度(?:系数|等级)?|难易(?:程度|度)?|星级|difficulty(?:\s+level)?|level)"
#: What a label may rate: a level word, stars, "3/5", "3 星", "Lv.2", "中".
_RATING = (
    rf"(?:{_COLOUR}{_LEVEL}|{_STARS}|\d(?:\.\d)?\s*(?:/\s*\d+|星|颗星)?|lv\.?\s*\d|[易中高低])"
)
_LABELLED = rf"{_LABEL}\s*[:：=]?\s*{_RATING}(?:\s*{_STARS})?"
#: Unbracketed at the end, "level" needs its colon: "… at level 3" is a question's text.
_BARE_LABELLED = (
    rf"(?:(?:难度(?:系数|等级)?|难易(?:程度|度)?|星级|difficulty)\s*[:：=]?|level\s*[:：=])"
    rf"\s*{_RATING}(?:\s*{_STARS})?"
)
_COLOURED = r"[🟢🟡🟠🔴🔵⚪⚫🟣🟤]\ufe0f?\s*" + _LEVEL
_OPEN, _CLOSE = r"[(\[【（〔「]", r"[)\]】）〕」]"
_ANY = rf"(?:{_LABELLED}|{_COLOUR}{_LEVEL}|{_STARS}(?:\s*{_LEVEL})?)"
#: One tag, as it stands after a question.
TAG = (
    rf"(?:[*_]{{0,2}}{_OPEN}\s*{_ANY}\s*{_CLOSE}[*_]{{0,2}}|`\s*{_ANY}\s*`|(?:[—–-]+|[|｜·•])\s*[*_]{{0,2}}{_ANY}[*_]{{0,2}}"
    rf"|{_BARE_LABELLED}|{_COLOURED}|{_STARS}"
    # a level word right after a bold question: "**…?** 简单", "**…?** 🔥 Easy"
    rf"|(?<=\*\*|__)\s+(?:[\U0001f300-\U0001faff]\ufe0f?\s*)*{_LEVEL})"
)
_TRAILING = re.compile(rf"\s*(?:{TAG})\s*$", re.I)
_LEADING = re.compile(
    rf"^(?P<bold>\s*(?:\*\*|__)?)\s*(?:{_OPEN}\s*(?:{_LABELLED}|{_LEVEL})\s*{_CLOSE}|{_STARS}\s)\s*",
    re.I,
)
#: A line that is only a tag: "难度：⭐⭐⭐", "**Difficulty:** Medium", a badge "🟢 简单".
TAG_LINE = re.compile(
    rf"^\s*(?:[-*>]\s*)?(?:\*\*|__)?\s*(?P<open>{_OPEN}\s*)?{_LABEL}\s*(?:\*\*|__)?\s*[:：=]?\s*"
    rf"(?:\*\*|__)?\s*{_RATING}(?:\s*{_STARS})?\s*(?(open){_CLOSE})\s*(?:\*\*|__)?\s*$"
    rf"|^\s*(?:\*\*|__)?\s*(?:{_COLOURED}|{_OPEN}\s*{_COLOUR}{_LEVEL}\s*{_CLOSE})\s*(?:\*\*|__)?\s*$",
    re.I,
)


def strip_difficulty(text: str) -> str:
    """``text`` without difficulty tags at its end or start:
    ``strip_difficulty("RoPE 作用在哪？ 【难度 ⭐⭐】")`` -> ``"RoPE 作用在哪？"``."""
    before = None
    while before != text:
        before = text
        text = _TRAILING.sub("", text)
    return _LEADING.sub(r"\g<bold>", text)


def is_level(text: str) -> bool:
    """Whether ``text`` is only a level word or stars ("Easy", "中等", "⭐⭐"): a tag where a
    question's text would be ("Question 1  Easy" over the prompt)."""
    return re.fullmatch(rf"\s*(?:{_COLOUR}{_LEVEL}|{_STARS})\s*", text, re.I) is not None
