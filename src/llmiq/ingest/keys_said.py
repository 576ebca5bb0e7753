"""A key said in a sentence under the options rather than on an answer line: "这个简单，B。
……", "我选的 A、B、D，C 纯属干扰项", "I went with A, B and C.", "**A** is the one."."""

from __future__ import annotations

import re

from llmiq.ingest.answers import DENIES, MY_PICK_ZH, keys_in_short_clause
from llmiq.ingest.lines import fold
from llmiq.ingest.option_text import first_clause

_KEYS_THEN_COMMA = re.compile(
    r"^\s*(?P<keys>[A-J](?:\s*[、和\s]\s*[A-J])*)\s*[,，]\s*(?P<after>.*)", re.S
)
#: The taker's own choice before the keys: "I went with A, B and C.", "我选的是 ABD。"
_MY_PICK = re.compile(
    r"^\s*(?:i\s+(?:went\s+with|picked|chose|answered|said|put|selected)"
    r"|i['’]?d\s+(?:take|pick|choose|go\s+with|say)|both|my\s+(?:answer|picks?)"
    r"\s+(?:was|were|is|are)|" + MY_PICK_ZH + r"|(?:这题)?我的答案(?:是|为))\s*[:：]?\s*",
    re.I,
)
_LOWER_KEYS = re.compile(r"^\s*\(?[a-j]\)?(?:\s*(?:[,，、]|\band\b)\s*\(?[a-j]\)?)*")
_STRUCK = re.compile(r"~~[^~]+~~")
_BOLD_KEY = re.compile(r"^\s*(?P<b>\*\*|__)(?P<key>[A-J](?:\s*[,、]\s*[A-J])*)(?P=b)")
#: Keys listed at the start of a sentence and ending it: "A, B, D. C is wrong, …", "A, C and
#: D — B is how you get sycophancy".
_KEY_LIST = re.compile(
    r"^\s*(?P<keys>\(?[A-J]\)?(?:\s*(?:[,，、]|\band\b|和)\s*\(?[A-J]\)?)+)\s*(?:[.。;；!]|\s[—–-]|$)"
)


#: A key said to be the answer in a sentence of its own: "**A** is the one.", "(c) is right."
_THE_ONE = re.compile(
    r"^\W*\(?(?P<key>[A-J])\)?[*_]*\s+(?i:is\s+(?:the\s+)?(?:one|answer|right\s+one|correct\s+one"
    r"|correct|right)\b(?!\s+(?:about|if|when|for|but|because)))"
)


#: A taker's pick at the start of a paragraph: "我选了 A 和 C。", "这题我只选了 A。", "我答的 ABCD".
_PICKED = re.compile(
    r"^\W*(?:这题)?我(?:当时|(?:考试|笔试|做题)时)?(?:只)?(?:选了|选的|答的|答了)(?:是)?\s*"
    r"(?P<keys>[A-J](?:\s*(?:[、,，和及与跟]|and)?\s*[A-J])*)(?![A-Za-z])"
)
#: What says the pick was put right after it: "面试官说 D 也对", "被纠正了", "交卷后查了一下".
_CORRECTED = re.compile(
    r"面试官(?:说|纠正)|被纠正|纠正(?:了|说)|查了一下|interviewer\s+(?:said|corrected)", re.I
)
_KEY_RUN = r"(?P<keys>[A-J](?:\s*(?:[、,，和及与跟]|and)\s*[A-J])*)(?![A-Za-z])"
_FINAL = re.compile(r"(?:正确的?(?:是|答案是|选项是)|答案(?:应该)?是|应该(?:是|选))\s*" + _KEY_RUN)
_ALSO = re.compile(_KEY_RUN + r"\s*也(?:对|是|算|要选|正确)")
_WRONG = re.compile(_KEY_RUN + r"\s*(?:肯定|也|是)?(?:不对|错的?|不正确)")


def keys_corrected(text: str, options: list[tuple[str, str]]) -> list[str]:
    """The keys of a paragraph that gives the taker's pick and then how the interviewer put
    it right: "我选了 A 和 C。面试官说 D 也对，……最后正确的是 A、C、D。" answers A, C and D,
    "我答的 ABCD，被纠正了：D 肯定不对" A, B and C; empty when no one corrects the pick."""
    folded = fold(text)
    if not (pick := _PICKED.match(folded)) or not _CORRECTED.search(folded, pick.end()):
        return []
    rest = folded[pick.end() :]
    if finals := list(_FINAL.finditer(rest)):
        keys = set(re.findall(r"[A-J]", finals[-1]["keys"]))
    else:
        keys = set(re.findall(r"[A-J]", pick["keys"]))
        keys |= {k for m in _ALSO.finditer(rest) for k in re.findall(r"[A-J]", m["keys"])}
        keys -= {k for m in _WRONG.finditer(rest) for k in re.findall(r"[A-J]", m["keys"])}
    return sorted(keys) if keys and keys <= set(dict(options)) else []


def _upper(match: re.Match[str]) -> str:
    return match[0].upper()


def key_said_alone(text: str, options: list[tuple[str, str]]) -> list[str]:
    """A key standing alone in a paragraph's short first sentence: "这个简单，B。……", or
    before its first comma: "A，没什么好说的。"; keys listed to end a sentence: "A, B, D. C
    is wrong …", "I went with A, B and C."; empty when that sentence denies something ("A
    错在……")."""
    text = _STRUCK.sub("", text)  # "我第一次选了 ~~A~~，正解是 **C**": a pick taken back
    text = _BOLD_KEY.sub(r"\g<key>", text, count=1)  # "**A**, the … trick."
    mine = _MY_PICK.sub("", text, count=1)
    if mine != text:  # after "I put", lowercase letters are keys too: "I put a, b, d. c …"
        mine = _LOWER_KEYS.sub(lambda m: re.sub(r"\b[a-j]\b", _upper, m[0]), mine, count=1)
    run = (  # "我选的 ABD，…", "这题我的答案是 A B D，C 看起来很像……", "我选的 A、B、D，C 纯属……"
        re.match(r"^\s*(?P<keys>[A-J]{1,6}|[A-J](?:[\s、][A-J]){1,5})\s*(?:[,，。.;；!]|$)", mine)
        if mine != text
        else None
    )
    if mine == text and (alone := re.match(r"^\s*(?P<keys>[A-J]{2,6})\s*(?:[.。]|[—–]|--)", text)):
        letters = alone["keys"]  # "ABD. C just makes the loop weirder."
        run = alone if list(letters) == sorted(set(letters)) else None
    later = (  # keys picked again further on: "……，应该是 AC", not "C 看起来很像但……"
        re.findall(
            r"(?:是|选|为|改成|answer\s+is)\s*([A-J]{1,6})(?![A-Za-z])",
            first_clause(mine)[run.end() :],
        )
        if run
        else []
    )
    if later and later[-1] != run["keys"].replace(" ", ""):
        run = None  # "我当时选了 A，后来查了论文，应该是 AC": the pick was corrected
    if (one := _THE_ONE.match(fold(text))) and one["key"] in dict(
        options
    ):  # "🟢 **A** is the one."
        return [one["key"]]
    if listed := _KEY_LIST.match(mine) or run:  # "我选的 ABD，对答案也是这个。"
        keys = re.findall(r"[A-J]", listed["keys"])
        if all(key in dict(options) for key in keys):
            return list(dict.fromkeys(keys))
    said = _KEYS_THEN_COMMA.match(text)
    if said and (  # not "A，B 都对", but "A B D，C 跟这个没关系。"
        not re.match(r"[A-J]\b", said["after"])
        or DENIES.search(re.split(r"[,，。.;；]", said["after"])[0])
    ):
        keys = re.findall(r"[A-J]", said["keys"])
        if all(key in dict(options) for key in keys):
            return keys
    clause = first_clause(fold(text))
    if DENIES.search(clause):
        return []
    return keys_in_short_clause(clause, options)
