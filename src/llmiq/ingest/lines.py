"""Recognise what one line of an interview-question article is.

Each line is matched after folding (:mod:`llmiq.ingest.folding`): full-width ASCII as its
half-width form, circled keys as letters, one character for one, so match offsets in the
folded line are offsets in the original line, and the text we keep is the author's own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from llmiq.ingest.folding import fold
from llmiq.ingest.question_marks import SYMBOLS, question_mark
from llmiq.messages import N_

#: Zero-width characters an article may hold: they are dropped before its lines are read.
ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")


def display_width(text: str) -> int:
    """The columns ``text`` takes, wide East Asian characters two, as title underlines count
    them (docutils, Asciidoctor)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as the importer numbers them, zero-width marks removed."""
    return re.split(r"\r\n|\r|\n", text.translate(ZERO_WIDTH))


class LineKind(Enum):
    BLANK = "blank"
    QUESTION = "question"
    OPTION = "option"
    ANSWER = "answer"
    EXPLANATION = "explanation"
    URL = "url"
    IMAGE = N_("image")
    MARKUP = N_("markup")  # a line that is only an HTML tag, such as <details>
    KEY = N_("answer key")  # a line of an answer key collected apart from the questions
    TEXT = "text"


#: Lines that are part of no question's text: images, lone HTML tags, answer-key lines.
NOISE = (LineKind.IMAGE, LineKind.MARKUP, LineKind.KEY)


@dataclass
class Line:
    """One physical line, with what it could be (a line may be several things at once:
    ``1、`` starts a question or an item of a list inside an explanation)."""

    number: int  # 1-based line number in the file
    raw: str
    kind: LineKind = LineKind.TEXT
    #: question start: the number written (None when unnumbered), the numbering style
    #: (e.g. "N、", "QN", "## N."), its strength, and the text after the marker
    q_number: int | None = None
    q_style: str = ""
    q_strength: int = 0
    #: option: keys and texts (several when an article puts all options on one line), and
    #: the line read as one option, for "A. use plan B. then stop" when a B line follows
    options: list[tuple[str, str]] = field(default_factory=list)
    single_option: tuple[str, str] | None = None
    option_delim: str = ""
    #: answer: the value after the label (may be empty: the value is on the next line), and
    #: an explanation on the same line ("答案：B 解析：……")
    answer_value: str = ""
    inline_explanation: str = ""
    #: URL: written with a label ("原文链接: ...", "Source: ...")
    labelled_url: bool = False
    #: a task-list item ("- [x] ..."): whether it is ticked; None for other lines
    checked: bool | None = None
    #: a thematic break ("---", "───"): blank, but after the last question it ends the article
    rule: bool = False
    #: an answer read from a sentence ("这题选 A 和 C"), not from a labelled line
    in_sentence: bool = False
    #: the text after a marker (question, explanation label) or the whole stripped line
    rest: str = ""

    @property
    def is_question(self) -> bool:
        return self.q_strength > 0


#: The first line of a fenced code block, and its last: the lines between are code, never
#: questions, options or markup to rewrite.
FENCE = re.compile(r"^\s*(?:```|~~~)")


def outside_code(lines: list[str]) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code, with their indexes; the fences themselves are left
    out too."""
    in_code = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code:
            yield i, line


_TAIL_BOLD = re.compile(r"\s*(?:\*\*|__)\s*$")

_OPTION = re.compile(
    r"^\s*(?:>\s*)*(?:[-*+•·]\s*)?(?:\[[ xX]\]\s*)?" + SYMBOLS + r"(?P<bold>\*\*|__)?\s*"
    r"(?:\((?P<pk>[A-Ja-j])\)|[\[【](?P<bk>[A-J])[\]】](?=\s)"  # "(a)", "[B] …"
    r"|(?P<uk>[A-J])\s*(?P<ud>[.、:)|]|\](?!\())|(?P<lk>[a-j])(?:[.):](?=\s)|(?P<lp>\))(?=\S)))"
    r"\s*(?(bold)(?:\*\*|__)?)\s*(?P<text>.*)$"
)
#: Options written on the question's own line: "1、以下哪个是分词算法？ A.BPE B.Adam".
_OPTIONS_AFTER_PROMPT = re.compile(
    r"(?:(?<=[\s?:])|^)\(?A\s*[.、)]\s*(?=\S)"
    r"|(?:(?<=[\s?:*])|^)(?P<lower>\(a\))\s*(?=\S)"  # "…？**(a) FlashAttention (b) …"
)
_ANSWER_LABEL = (
    r"(?:answers?\s*[/|]?\s*(?:参考)?答案|答案\s*[/|]?\s*answers?"  # a bilingual "Answer 答案"
    r"|(?:正确|参考|标准)?答案(?:要点|如下)?(?:是|为)?|解答|答|(?:讨论|最终)结论"
    r"|(?:the\s+|my\s+|our\s+)?(?:correct\s+|right\s+|best\s+|sample\s+|model\s+|suggested\s+|short\s+)?"
    r"answers?(?:\s+(?:is|are))?|参考回答|示例答案|参考解答|回答要点|我(?:当时)?(?:的)?(?:回)?答的?"
    r"|参考(?=\s*[:：]\s*(?!(?:<br\s*/?>\s*)?\[1\])\S)|(?:我的|参考|答题)思路"  # not "参考：[1] …"
    r"|what\s+i['’]?d\s+say|what\s+i\s+(?:said|answered)|my\s+take|how\s+i['’]?d\s+answer(?:\s+it)?"
    r"|背面|反面"  # a flashcard's back
    r"|correct(?:\s+(?:option|choice)s?)?|ans|solution|verdict|expected"  # an interviewer's rubric
    r"|(?:correct|right)\s+(?:response|options?|choices?)"
    r"|(?:正确)?答按|(?:correct\s+)?(?:anwsers?|asnwers?|answres?))"  # typed in a hurry
)
#: The label alone on its line ("**Answer**", "#### 答案要点"): the answer follows below.
_ANSWER_ALONE = re.compile(
    r"^\s*(?:[-*]\s+|(?P<rule>--+|==+)\s*)?(?:>\s*)*(?:#{1,6}\s*)?" + SYMBOLS + r"(?:\*\*|__)?\s*"
    r"(?:(?:正确|参考|标准)?答案(?:要点|如下)?|解答|solution|背面|反面"
    r"|(?:the\s+)?(?:correct\s+|suggested\s+|sample\s+|model\s+|reference\s+|my\s+)?answers?"
    r"|what\s+(?:a|the)\s+(?:strong|good|great|model)\s+answer\s+(?:covers|includes|mentions)"
    r"|what\s+we(?:['’]d)?\s+(?:want|like|expect)\s+to\s+hear"
    r"|what\s+(?:i|we)(?:['’]m|['’]re|\s+am|\s+are)?\s+(?:listen|look)(?:ing)?\s+for)"
    r"(?:\s*\((?!(?:[A-Ja-j]|\d)\))[^()]{2,30}\))?"  # "Answer (points to hit):", "答案（要点）"
    r"\s*(?:\*\*|__)?\s*[:]?\s*(?:\*\*|__)?\s*(?(rule)(?P=rule)\s*)$",  # "-- my answer --"
    re.I,
)
#: "这题选 A 和 C。…" / "A、B、D 三项都对，…": keys chosen in a sentence, Chinese style.
_ANSWER_CHOSEN = re.compile(
    r"^\s*(?:[-*]\s+)?(?:>\s*)*(?:[👉→]\ufe0f?\s*)?(?:\*\*)?\s*(?:"  # "👉 选 B：…"
    r"(?:这题|本题|此题|这道题)?(?:应该|应当|应|要|可以)?选\s*(?P<value>[A-J](?:\s*(?:[,、和及与跟]|and)?\s*[A-J])*)"
    r"|(?:说法)?正确的(?:是|有|选项(?:是|有))\s*[:]?\s*(?P<value3>[A-J](?:\s*(?:[,、和及与跟]|and)?\s*[A-J])*)"
    r"(?:\s*(?:这)?[两三四五六](?:项|个(?:选项)?))?"  # "正确的是 A、B、D 三项"
    r"|(?P<value2>[A-J](?:\s*(?:[,、和及与])\s*[A-J])+)\s*(?:[两三四五]项|选项)?\s*(?:都|均)?"
    r"(?:是)?(?:对的|正确的?|对)(?![A-Za-z\u4e00-\u9fff]{2}))"
    r"\s*(?:\*\*)?\s*(?:[。.，,；;:]\s*(?P<more>.*))?$"
)
#: "Both A and C are common: …", "Only B is correct.": keys chosen in an English sentence.
_ANSWER_CHOSEN_EN = re.compile(
    r"^\s*(?:[-*]\s+)?" + SYMBOLS + r"(?:\*\*)?\s*(?:(?:both|all\s+(?:three|four|of))\s+"
    r"(?P<value>\(?[A-J]\)?(?:\s*,\s*\(?[A-J]\)?)*\s*,?\s+and\s+\(?[A-J]\)?)\s+(?:are|were)"
    r"|only\s+(?P<value2>\(?[A-J]\)?)\s+is"
    r"|(?P<value4>\(?[A-J]\)?)\s+is"  # "💡 B is correct."
    # "b, c and d are all correct": lower-case keys too, held by "and … are all"
    r"|(?P<value3>\(?[A-Ja-j]\)?(?:\s*,\s*\(?[A-Ja-j]\)?)*\s*,?\s+and\s+\(?[A-Ja-j]\)?)\s+are\s+all)"
    r"\s+(?:correct|right|true|valid|common|fine)\b"
    r"\s*[:.,;]?\s*(?:\*\*)?\s*(?P<more>.*)$",
    re.I,
)
#: "→ The right one is **D**.", "💡 It's A: 70 × 0.5 bytes …": a key said in a sentence; the
#: letter is a capital followed by punctuation or a dash, so that "It's A trade-off" is none.
_ANSWER_SAID_EN = re.compile(
    r"^\s*(?:[-*]\s+)?(?:[→➜➡]\s*)?" + SYMBOLS + r"(?:\*\*)?\s*(?i:the\s+(?:right|correct)"
    r"\s+(?:one|answer|option|choice)\s+is|it['’]s)\s+(?:\*\*)?\(?(?P<value>[A-J])\)?(?:\*\*)?"
    r"(?=[.:;,!]|\s*$|\s+[-—–(])\s*[.:;,!]?\s*(?P<more>.*)$"
)
#: Any short label that names an answer, then a separator: "Key: A", "Right answer → C",
#: "💡 Answer — D", "Answer ➜ C", "Correct picks: A, B", "正解：B", "我的回答：", "本题答案 → B".
_ANSWER_GENERAL = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:>\s*)*" + SYMBOLS + r"(?:\*\*|__)?\s*(?:【\s*)?"
    r"(?:(?:(?:the|my|our|correct|right|best|sample|model|suggested|short|final|expected|"
    r"official|reference)\s+){0,3}(?:answer\s+key|answers?|ans|keys?|solutions?|picks?|choices?)"
    r"|[\u4e00-\u9fff]{0,4}(?:答案|正解|解答|回答)(?:要点|如下)?|正确(?:的)?选项|正确项)"
    r"\s*(?:】\s*)?(?:\*\*|__)?\s*(?:[:=▸▶►➜➡⇒]|→|->|=>|—|–|-(?=\s)"
    r"|\.(?=\s*\(?[A-J]\)?(?:[\s.,;]|$))"  # "Ans. D"
    r"|(?<=[\u4e00-\u9fff])\s(?=\s*[A-J]{1,6}\s*(?:$|[（(])))\s*(?:\*\*|__)?\s*"  # "答案 ABD（…）"
    r"(?P<value>.*?)\s*(?:\*\*|__)?\s*$",
    re.I,
)
#: A check mark and a key: "✔ B", "✓ ABD — because ...", "✅ (c)".
_ANSWER_CHECK = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:>\s*)*(?:\*\*|__)?\s*[✔✓✅]\ufe0f?\s*(?:\*\*|__)?\s*"
    r"(?P<value>(?:\(?[A-J]\)|[A-J]+|\([a-j1-9]\)|[a-j]\))(?:\*\*|__)?(?=[\s.,;:、—–-]|$).*?)\s*$"
)
#: An arrow and keys, as quick notes mark the answer: "=> A", "-> A, B, D   (512 / 8)".
_ANSWER_ARROW = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:=>|->|⇒|⟹|→|➜|➡\ufe0f?)\s*(?:\*\*|__)?\s*"  # "**→ ABD**"
    r"(?P<value>(?:[A-J](?:\s*[,、&]\s*[A-J])*|[A-J]{2,6})(?=[\s.,;:)*_—–-]|$).*?)"
    r"\s*(?:\*\*|__)?\s*$"
)
#: An answer numbered like its question, "Q11." answered by "A11: B. ~20 tokens/param".
_ANSWER_NUMBERED = re.compile(
    r"^\s*(?:\*\*|__)?A\d{1,3}\s*(?:\*\*|__)?\s*[:]\s*(?:\*\*|__)?\s*(?P<value>\S.*?)\s*$"
)
#: More keys ticked on the same line: "✓ A · ✓ B · ✓ C · ✗ D".
_TICKED_KEYS = re.compile(r"[✔✓✅]\ufe0f?\s*\(?([A-J])\)?(?=[\s.,;·、|]|$)")
#: "The correct answer is B." / "The answer is (b), because ...": a key right after "is".
_ANSWER_IS = re.compile(
    r"^\s*(?:[-*]\s+)?(?:>\s*)*" + SYMBOLS + r"(?:\*\*|__)?\s*"
    r"(?:the\s+)?(?:correct|right|best)?\s*(?:answer|option|choice)s?\s+(?:is|are)\s*(?:\*\*|__)?\s*"
    r"(?P<value>(?:\(?[A-J]\)|[A-J]|\([a-j]\)|[a-j]\)|[1-9])(?=[\s.,;)*]|$).*?)\s*(?:\*\*|__)?\s*$",
    re.I,
)
_ANSWER = re.compile(
    r"^\s*(?:[-*]\s+)?(?:>\s*)*"
    + SYMBOLS
    + r"(?:\*\*|__|\*|_)?\s*"  # bold or italic: "**Answer:**", "*Answer:*"
    + SYMBOLS  # "**✅ 答案：**"
    + r"(?:【\s*(?:(?:正确|参考|标准)?答案|参考回答|key|answer)\s*】|"
    + _ANSWER_LABEL
    # a note between the label and its colon: "答（面后补的）：", "Answer (my take):", "My
    # answer, cleaned up:"
    + r"(?:\s*\((?!(?:[A-Ja-j]|\d)\))[^()]{1,30}\)|,\s*[a-z][a-z ]{1,20})?"
    + r"\s*(?:(?:\*\*|__|\*|_)?\s*[:]"
    + r"|\.\s*(?:\*\*|__|\*|_)(?=\s|$)))"  # "**Answer.** B"
    r"(?:\s*(?:\*\*|__)|\*(?=\s)|_(?=\s))?\s*(?P<value>.*?)\s*(?:\*\*|__)?\s*$",
    re.I,
)
#: Picks for several questions after one label, "My answers: 1 abd, 2 skip, 3 abd, …": a
#: reader's answer sheet in a thread, no question's answer.
_ANSWER_SHEET = re.compile(
    r"^\s*(?:\d{1,3}\s*[.:)-]?\s*(?:[A-Ja-j]{1,6}|\([a-j]\)|skip(?:ped)?|none|n/a|\?)(?![A-Za-z])"
    r"[^,;，；]{0,30}[,;，；]\s*){2,}\d{1,3}\b"
)
#: What a key's option says, in brackets after it: "A（稠密向量检索）和 C（BM25）".
GLOSS = r"\s*[（(][^()（）]{1,40}[)）]"
_KEY_GLOSS = f"(?:{GLOSS})?"
# "答案是C" / "正确答案为 B" without a colon: only with a key right after, to stay clear of prose.
_ANSWER_NO_COLON = re.compile(
    r"^\s*(?:[-*]\s+)?(?:>\s*)*"
    + SYMBOLS
    + r"(?:\*\*)?\s*(?:正确|参考|标准)?答案(?:是|为|选|\s+(?=[A-J]))\s*"
    r"(?:\*\*)?\s*`?(?P<value>[A-Ja-j]"  # "答案是 `D`"
     + _KEY_GLOSS + r"(?:\s*(?:[,、和及与]|and)?\s*[A-Ja-j]" + _KEY_GLOSS + r")*)`?"
    r"(?:\s*(?:这)?[两三四五六](?:项|个(?:选项)?))?"  # "答案为 A、B、D 三项"
    r"\s*(?:\*\*)?\s*(?:(?:[。.，,；;：:]|\s*[—–]{1,2}|\s+-{1,2}\s|\s+(?=[^\x00-\x7f]))\s*(?P<more>.*))?$"
)
_EXPLANATION = re.compile(
    r"^\s*(?:[-*]\s+)?" + SYMBOLS + r"(?:\*\*|__|\*|_)?\s*"
    r"(?:【\s*(?:答案)?(?:解析|分析|解释|说明)\s*】"
    r"|(?:答案|官方|参考|试题|题目|详细|老师)?(?:解析|分析|解释|讲解|点评|讲评|详解)"
    r"(?:\s*\([^()]{1,12}\))?\s*(?:\*\*|__|\*|_)?\s*[:]"  # "讲解（参考回答）："
    r"|(?:explanation|rationale|reasoning|why)\s*(?:\*\*|__|\*|_)?\s*[:]"
    r"|answer\s+explanation\s*(?:\*\*|__|\*|_)?\s*(?:[:]|$))"  # a quiz site's, alone on its line
    r"(?:\s*(?:\*\*|__)|\*(?=\s)|_(?=\s))?\s*(?P<rest>.*)$",
    re.I,
)
_INLINE_EXPLANATION = re.compile(
    r"\s+(?:【\s*(?:答案)?解析\s*】|(?:答案)?解析\s*[:]|(?:explanation|because)\s*[:])\s*", re.I
)
_URL = re.compile(
    r"^\s*(?:[-*]\s*)?(?P<label>[^\s:]{1,12}\s*:|originally\s+published\s+(?:at|on|in)\b)?"
    r"\s*<?(?P<url>https?://\S+?)>?\.?\s*$",
    re.I,
)
_IMAGE = re.compile(r"^\s*(?:!\[[^\]]*\]\([^)]*\)\s*)+$")
#: A thematic break ("---", "* * *"): a separator, read as a blank line.
_RULE = re.compile(r"^\s*(?:([-*_=─━—–~])\s*)(?:\1\s*){2,}$")
#: "- [x] text", "1. [x] text": a task-list item; checked items are the correct options. A
#: ballot box may stand after a bullet or an item's number ("1. ☑ …").
_CHECKBOX = re.compile(
    r"^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,2}[.)])\s*\[(?P<mark>[ xX✓✔])\]"
    r"|(?:[-*+]\s*|\d{1,2}[.)]\s*)?(?P<box>[☐☑☒□■✅⬜]))\s*(?P<text>.*)$"
)
#: "A 正确" or "- B 错误": a key and a space, an option only in a run A, B, ...
_SPACED_OPTION = re.compile(
    r"^\s*(?:[-*+•·]\s+)?(?P<bold>\*\*|__)?(?P<key>[A-J])(?(bold)(?:\*\*|__))\s+(?P<text>\S.*)$"
)
#: An HTML tag, opening, closing or empty.
TAG = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>")


#: A block's attribute list on a line of its own, as Kramdown and Wiki.js write them under a
#: callout: "{.is-success}", "{: .notice--info}".
_ATTRIBUTE_LINE = re.compile(r"^\s*\{:?\s*[.#][\w-]+(?:\s+[.#][\w-]+)*\s*\}\s*$")


def _is_markup(text: str) -> bool:
    """A line of HTML tags with little text: ``<details><summary>Answer</summary>``; or an
    attribute list alone."""
    if _ATTRIBUTE_LINE.match(text):
        return True
    stripped = text.strip()
    if not (stripped.startswith("<") and stripped.endswith(">") and TAG.match(stripped)):
        return False
    return len(TAG.sub("", stripped).strip()) <= 40


def _split_inline_options(
    text: str, first_key: str, lower: bool = False, delim: str = ""
) -> list[tuple[str, str]]:
    """Split ``"微调 B.数据增强 C.提示校准"``, ``"微调；B.数据增强；C.提示校准"`` or
    ``"微调 | B.数据增强"`` (after ``A.``) into consecutive options; with ``lower``, keys
    written ``b.`` ``c)`` (after ``a.``), as in two-column PDF text; after ``A：``, ``B：`` too
    (``delim`` is the first option's)."""
    options: list[tuple[str, str]] = []
    key, rest = first_key, text
    colon = ":" if delim in (":", "：") else ""
    while True:
        nxt = chr(ord(key) + 1)
        marker = rf"{nxt.lower()}\s*[.)]\s+" if lower else rf"{nxt}\s*[.、){colon}]\s*"
        match = re.search(rf"(?:^|\s|;)\(?{marker}", fold(rest))
        if not match or match.start() == 0:
            options.append((key, rest.strip()))
            return options
        options.append((key, rest[: match.start()].strip().rstrip("|｜").rstrip()))
        key, rest = nxt, rest[match.end() :]


#: Options numbered in parentheses on one line: "(1) Adapter　(2) LoRA　(3) Prefix Tuning".
_DIGIT_OPTIONS = re.compile(r"^\s*(?:[-*]\s+)?\(1\)\s*\S.*?\s\(2\)\s*\S")


def _digit_options(raw: str) -> list[tuple[str, str]]:
    parts = re.split(r"\s*\(([1-9])\)\s*", fold(raw).strip())
    numbers = parts[1::2]
    if numbers != [str(n) for n in range(1, len(numbers) + 1)]:
        return []
    offsets, options, position = [], [], 0
    folded = fold(raw)
    for n in numbers:
        position = folded.index(f"({n})", position)
        offsets.append(position)
        position += 3
    offsets.append(len(raw))
    for k, n in enumerate(numbers):
        text = raw[offsets[k] + 3 : offsets[k + 1]].strip()
        options.append((chr(ord("A") + int(n) - 1), text))
    return options


#: What a quiz page writes over a question's options, with its number again: "Question 11
#: options:" (Brightspace), "第 3 题选项：". No question of its own.
_OPTIONS_LABEL = re.compile(
    r"^\s*(?:question\s*|q)(?P<n>\d{1,3})\s+(?:options|choices|answer\s+choices)\s*:?\s*$"
    r"|^\s*第\s*\d{1,3}\s*题\s*选项\s*[:：]?\s*$",
    re.I,
)


def classify(number: int, raw: str) -> Line:
    """What this line could be; see :class:`Line`."""
    line = Line(number=number, raw=raw, rest=raw.strip())
    text = fold(raw).rstrip()
    if not text.strip() or _RULE.match(text):
        line.kind = LineKind.BLANK
        line.rule = bool(text.strip())
        return line
    if _IMAGE.match(text):
        line.kind = LineKind.IMAGE
        return line
    if _is_markup(text) or _OPTIONS_LABEL.match(text):
        line.kind = LineKind.MARKUP
        return line
    if url := _URL.match(text):
        line.kind = LineKind.URL
        line.rest = url.group("url")
        line.labelled_url = bool(url.group("label"))
        return line
    if _ANSWER_ALONE.match(text):
        line.kind = LineKind.ANSWER
        return line
    if chosen := (
        _ANSWER_CHOSEN.match(text) or _ANSWER_CHOSEN_EN.match(text) or _ANSWER_SAID_EN.match(text)
    ):
        group = next(
            g for g in ("value", "value2", "value3", "value4") if chosen.groupdict().get(g)
        )
        line.kind = LineKind.ANSWER
        line.in_sentence = True
        line.answer_value = raw[chosen.start(group) : chosen.end(group)].strip()
        if chosen["more"]:
            line.inline_explanation = raw[chosen.start("more") :].strip()
        return line
    if (
        match := _ANSWER.match(text)
        or _ANSWER_NO_COLON.match(text)
        or _ANSWER_IS.match(text)
        or _ANSWER_CHECK.match(text)
        or _ANSWER_ARROW.match(text)
        or _ANSWER_NUMBERED.match(text)
        or _ANSWER_GENERAL.match(text)
    ) and not _ANSWER_SHEET.match(text[match.start("value") :]):
        line.kind = LineKind.ANSWER
        value = raw[match.start("value") : match.end("value")]
        if match.re is _ANSWER_CHECK and len(ticked := _TICKED_KEYS.findall(raw)) > 1:
            value = ", ".join(ticked)
        if "more" in match.groupdict() and match["more"]:
            line.inline_explanation = raw[match.start("more") :].strip()
        if label := _INLINE_EXPLANATION.search(fold(value)):  # "答案：B 解析：……"
            line.inline_explanation = value[label.end() :].strip()
            value = value[: label.start()]
        line.answer_value = value.strip()
        return line
    if match := _EXPLANATION.match(text):
        line.kind = LineKind.EXPLANATION
        line.rest = _TAIL_BOLD.sub("", raw[match.start("rest") :]).strip()
        return line
    if _DIGIT_OPTIONS.match(text) and (options := _digit_options(raw)):
        line.kind, line.options, line.single_option = LineKind.OPTION, options, options[0]
        return line
    _read_question_marker(line, text)
    if box := _CHECKBOX.match(text):
        line.checked = _ticked(box)
    if (
        (match := _OPTION.match(text))
        and (match["ud"] != "|" or raw[match.start("ud")] == "｜")
        and (match["lp"] is None or raw[match.start("lp")] == "）")
    ):
        # "A｜防止…" (a full-width bar, as phone notes write options); "A|B testing" is text;
        # "a）GPTQ…" (a full-width bracket needs no space after it); "a)b" is text
        written = match.group("pk") or match.group("bk") or match.group("uk") or match.group("lk")
        key = written.upper()
        body = _TAIL_BOLD.sub("", raw[match.start("text") :]).strip()
        line.option_delim = match.group("ud") or ""
        line.options = _split_inline_options(
            body, key, lower=written.islower(), delim=line.option_delim
        )
        line.single_option = (key, body)
        if not line.is_question:
            line.kind = LineKind.OPTION
            return line
    if line.is_question:
        line.kind = LineKind.QUESTION
        _read_options_after_prompt(line)
    return line


def _read_question_marker(line: Line, text: str) -> None:
    if mark := question_mark(text, line.raw):
        line.q_style, line.q_strength, line.rest = mark.style, mark.strength, mark.rest
        if mark.number is not None:
            line.q_number = mark.number


def _ticked(box: re.Match[str]) -> bool:
    return (box["mark"] or " ") != " " or box["box"] in ("☑", "☒", "■", "✅")


def box_item(raw: str) -> tuple[str, bool] | None:
    """A checkbox line's text and whether it is ticked: ``"☑ BPE"`` -> ``("BPE", True)``;
    None for any other line."""
    if not (box := _CHECKBOX.match(fold(raw))):
        return None
    return _TAIL_BOLD.sub("", raw[box.start("text") :]).strip(), _ticked(box)


def checkbox_text(line: Line) -> str:
    """The text of a task-list item: ``"- [x] Paris"`` -> ``"Paris"``."""
    match = _CHECKBOX.match(fold(line.raw))
    return _TAIL_BOLD.sub("", line.raw[match.start("text") :]).strip() if match else line.rest


_CIRCLED_OPTION = re.compile(r"^\s*(?:[-*+•·]\s*)?(?P<key>[\u2460-\u2469])\s*(?P<text>\S.*)$")


def spaced_option(line: Line) -> tuple[str, str] | None:
    """``("A", "正确")`` for a line ``A 正确``: an option when it stands in a run A, B, ..."""
    if line.kind is not LineKind.TEXT:
        return None
    if circled := _CIRCLED_OPTION.match(line.raw):  # "①第一个按列切": no space needed
        return fold(circled["key"]), circled["text"].strip()
    match = _SPACED_OPTION.match(fold(line.raw))
    return (match["key"], line.raw[match.start("text") :].strip()) if match else None


def _read_options_after_prompt(line: Line) -> None:
    if found := options_after_prompt(line.rest):
        line.rest, line.options = found


def options_after_prompt(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A prompt and the options written after it on its line ("Which … (A) x (B) y"), or
    None when the line has fewer than two."""
    match = _OPTIONS_AFTER_PROMPT.search(fold(text))
    if match is None or match.start() == 0:
        return None
    options = _split_inline_options(text[match.end() :], "A", lower=bool(match["lower"]))
    prompt = _TAIL_BOLD.sub("", text[: match.start()]).strip()
    return (prompt, options) if len(options) >= 2 else None


def base_style(style: str) -> str:
    """The numbering without Markdown decoration: ``"#*N."`` -> ``"N."``."""
    return style.lstrip("#*")
