"""Numbered keys written on one line: pairs ("1.C 2.B 3.A", "1-B, 2-C"), ranges ("1-5
CBADC"), columns ("1. (b)    2. (c)"), or one "1. C" item; and what counts as a key's letters.
:mod:`llmiq.ingest.answer_key` finds the sections these lines make up."""

from __future__ import annotations

import re

from llmiq.ingest.lines import fold
from llmiq.ingest.question_marks import KEYCAP_DIGITS

#: A key's letters: "C", "ACD", "A、C", "(B)"; or each on its own, "b", "(a), (b), (d)".
LETTERS = re.compile(
    r"^(?:\(?[A-J](?:\s*[,、&/]?\s*[A-J])*\)?"
    r"|\(?[A-Ja-j]\)?(?:\s*[,、&/]\s*\(?[A-Ja-j]\)?)*)[.。]?$"
)
_KEY_VALUE = r"(?P<keys>[A-J](?:\s*[,、&/]\s*[A-J]|[A-J])*)"
#: "1.C", "1-B", "Q1: B", "(1) C", "第1题 C", "1 → B".
_PAIR = re.compile(
    r"(?:^|(?<=[\s,，;；|:、*_]))(?:Q|第)?\s*(?P<num>\d{1,3})\s*(?:题)?\s*"  # "**单选：**1.D"
    r"(?:\\?[.:、)\-–—=→]|\s|\((?=[A-J]+\)))\s*"  # "9\. ACD" (escaped in Markdown), "7（ABD）"
    + _KEY_VALUE
    + r"(?=$|[\s,，;；.。|)*_])",
    re.I,
)
_SPACED_ENTRY = re.compile(r"^\s*(?P<num>\d{1,3})\s+(?P<keys>[A-J](?:\s+[A-J])*)\s*$")
#: "1-5 CBADC", "1～5　B C A D B": keys of a range written together.
_RANGE = re.compile(
    r"(?P<a>\d{1,3})\s*[-~～—–]\s*(?P<b>\d{1,3})\s*[:：.]?\s*"
    r"(?P<keys>[A-J](?:\s*[A-J])+)(?![A-Za-z])"
)
#: A line of the list form: "1. C", "1. Paris — because ...", "**2.** B", "**第 9 题参考：** …".
ITEM = re.compile(
    r"^\s*(?:[-*•·]\s+)?(?:\*\*|__)?\s*(?:(?:[一二三四五六]、)?(?:单选|多选|判断|填空)题?\s*:\s*(?:\*\*|__)?\s*)?(?:Q|第)?\s*(?P<num>\d{1,3})"
    r"\s*(?:题)?(?:\s*(?:参考(?:答案)?|答案|解析|要点))?\s*(?:\\?[.:、)\-–—→]"  # "第 9 题参考："
    # "1 选 A，…", "第 1 题四个都要"
    r"|(?:\s+|(?<=题))(?=(?:选|是|除了|只有|显然|前[两三四]|全|[两三四五六]个|[A-J][.。,，、\s]|\([a-jA-J]\)))"
    r"|(?:\*\*|__)\s*(?:[:,]|(?=is\s)))"  # a forum post's "**2**: (a), (b)", "**1** is (b)"
    r"\s*(?:\*\*|__)?\s*(?:答\s*[:：]\s*)?(?P<value>\S.*?)\s*$",  # "10. 答：权重分布比较集中…"
    re.I,
)


def key_pairs(text: str) -> dict[int, str]:
    """Keys by number on a line: ranges ("1~4 BCBD") and pairs ("5 ABD", "6.C"), mixed."""
    return key_pairs_and_rest(text)[0]


def key_pairs_and_rest(text: str) -> tuple[dict[int, str], str]:
    """:func:`pairs`, and the line's text left around them."""
    found: dict[int, str] = {}
    folded = fold(text)
    for match in _RANGE.finditer(folded):
        a, b, keys = int(match["a"]), int(match["b"]), match["keys"].replace(" ", "")
        # "6-8：C ABD ABC": a multiple answer's letters written together
        values = list(keys) if b - a + 1 == len(keys) else match["keys"].split()
        if b - a + 1 == len(values):
            found |= {a + k: values[k] for k in range(len(values))}
            folded = folded.replace(match.group(), " " * len(match.group()), 1)
    for match in _PAIR.finditer(folded):
        keys = re.sub(r"[^A-J]", "", match["keys"].upper())
        if list(keys) == sorted(set(keys)):  # "70 GB" is a size, not keys G and B
            found[int(match["num"])] = keys
    return found, _PAIR.sub("", folded)


def _mostly_keys(rest: str, pairs: int) -> bool:
    """Whether a line is a key more than prose, by the text ``rest`` left around its
    ``pairs``: "参考答案：1.C 2.B 3.A" is, "… ZeRO-2: 3.75 bytes/param ≈ 26 GB … ≈ 14 GB"
    (whose "26 GB" reads like a pair) is not."""
    return len(re.findall(r"[A-Za-z\u4e00-\u9fff]", rest)) <= 30 + 3 * pairs


#: Entries listed on one line, separated by commas: "1-b, 2-c, 3-a/c/d, 6-Reciprocal Rank Fusion".
_LISTED = re.compile(r"\s*[,，;；]\s*(?=\d{1,3}\s*[-.:、)])")
_COLUMNS = re.compile(r"\s{3,}|\t+|\u3000+")  # a full-width space sets columns apart too


_KEYCAP = re.compile(KEYCAP_DIGITS)
_BARE_ITEM = re.compile(r"^\s*(?P<num>\d{1,3})\s+(?P<value>[^\d\s].*?)\s*$")


def line_entries(raw: str) -> dict[int, str]:
    """Numbered keys on one line: one ``1. C`` item, columns of them (``1. b     2. d``,
    ``1️⃣ B　2️⃣ D``), or pairs (``1.C 2.B 3.A``)."""
    raw = _KEYCAP.sub(lambda m: re.sub(r"\D", "", m[0]) + ".", raw)
    pairs, rest = key_pairs_and_rest(raw)
    if _RANGE.search(fold(raw)) and len(pairs) >= 2 and _mostly_keys(rest, len(pairs)):
        return pairs  # "1-5：BCACD　　6-7：AD": ranges in columns, not items "1-" and "6-"
    chunks = [c for c in _COLUMNS.split(raw.strip()) if c]
    if len(chunks) > 1:
        found = {int(m["num"]): m["value"] for c in chunks if (m := ITEM.match(c))}
        if len(found) * 2 > len(chunks):  # "7 Reciprocal rank fusion" among "6 (b)", "8 (a)"
            found |= {int(m["num"]): m["value"] for c in chunks if (m := _BARE_ITEM.match(c))}
        if len(found) == len(chunks):
            return found
    listed = [p for p in _LISTED.split(raw.strip()) if p]  # "1-b, 2-c, 6-Reciprocal Rank Fusion"
    if len(listed) >= 3:
        found = {int(m["num"]): m["value"] for part in listed if (m := ITEM.match(part))}
        if len(found) == len(listed):
            return found
    if len(pairs) >= 2 and _mostly_keys(rest, len(pairs)):
        return pairs
    if spaced := _SPACED_ENTRY.match(raw):  # "4 A B C", as a post under "ANSWERS 🔑" lists
        return {int(spaced["num"]): spaced["keys"].replace(" ", "")}
    match = ITEM.match(fold(raw))  # "12．答：…": the number's full stop folded, the answer raw
    return {int(match["num"]): raw[match.start("value") : match.end("value")]} if match else {}
