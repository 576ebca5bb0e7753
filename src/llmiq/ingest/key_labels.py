"""How the label of an answer key reads: the line over a key ("参考答案", "Answer key",
"Answers to Review Questions", "the instructors' answer"), over the open questions' answers
after it ("Model answers", "简答题参考答案"), and what an author's comment says before it."""

from __future__ import annotations

import re

from llmiq.ingest.lines import fold
from llmiq.ingest.question_marks import SYMBOLS

#: Labels that say a key follows whatever its values look like.
EXPLICIT = re.compile(
    r"answer\s*key|答案(?:汇总|速查|一览)"
    # ... on a slide of its own: "参考答案（1/2）"
    r"|(?:参考|标准)答案(?:[及与和]?(?:评分标准|评分细则|解析))?(?:\s*\(\d+/\d+\))?\s*$"
    r"|^\W*answers\W*$",
    re.I,
)
#: A chapter's answers to its boxes: 'Answers to “Check your understanding”', "Answers to
#: the self-check".
_BOX_ANSWERS = (
    r"answers?\s+to\s+(?:the\s+)?(?:[“\"‘'][^”\"’']{2,40}[”\"’']"
    r"|(?:check\s+your\s+understanding|self[\s-]*checks?|quiz(?:zes)?|review))"
)
#: A post or page named for the answers to a quiz: "Week 9 quiz — answers".
_QUIZ_ANSWERS = r"(?:quiz|test|exam|questions?)\s*[—–:-]\s*(?:answers|solutions|answer\s+key)"
#: Piazza's answer by the course staff under a post of questions.
_INSTRUCTORS = (
    r"the\s+instructors['’]?\s+answer"
    r"(?:,\s*where\s+instructors\s+collectively\s+construct\s+a\s+single\s+answer)?"
)
#: A label that can only head a key, even right under a question: "公布答案：", "答案揭晓".
ANNOUNCED = re.compile(
    _INSTRUCTORS + r"|answer\s*key|答案(?:汇总|一览|公布|揭晓)|(?:公布|揭晓)(?:一下)?答案"
    r"|^\W*answers,\s*[a-z][a-z ]{1,24}$"  # a thread's reply: "Answers, as promised:"
    r"|^\W*answers\s*[!！]"  # "Answers! Nice work everyone, …"
    r"|" + _QUIZ_ANSWERS + r"\s*$"
    r"|^\W*(?:答案|讲评|解析|题解)(?:来了|来啦)"  # a thread's reply: "答案来了！对一下："
    # a book's appendix: "Answers to Review Questions"
    r"|answers?\s+to\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:questions|exercises|problems)"
    r"|" + _BOX_ANSWERS,
    re.I,
)
#: A comment by the post's author, which a key may open: "老K（星主）：讲评来了，选择题先说：".
_AUTHOR = re.compile(
    r"^\s*(?:\*\*)?[^\s:：*]{1,20}?(?:\*\*)?\s*[(（]"
    r"(?:星主|楼主|作者|博主|up主|题主|群主|op|author|host)[)）]\s*[:：]\s*",
    re.I,
)


#: Rules drawn around a label: "—— 本周答案速查 ——", "=== Answer key ===".
_RULED = re.compile(r"^\s*[-—–=~]{2,}\s*(?=\S)|(?<=\S)\s*[-—–=~]{2,}\s*$")


def without_author(raw: str) -> str:
    """A line folded, without its author's name if it is the author's comment, and without
    the rules drawn around it."""
    return _RULED.sub("", _AUTHOR.sub("", fold(raw), count=1))


LABEL = re.compile(
    r"^\s*(?:#{1,6}\s*)?" + SYMBOLS + r"(?:\*\*|__)?\s*"
    r"(?:[一二三四五六七八九十]+[、.]\s*)?"
    r"(?:(?:reveal|show|view|see|toggle)\s+(?:the\s+)?(?=answer|key|solution))?"  # a spoiler's
    r"(?:"
    + _INSTRUCTORS
    + r"|"
    + _BOX_ANSWERS  # before "answers" alone, which would leave "to “…”" for the key's text
    + r"|(?:答案|讲评|解析|题解)(?:来了|来啦)[!！~～]*(?:[^:：\n]{0,8}(?=[:：]))?"
    r"|[\u4e00-\u9fff]{0,4}答案(?:汇总|速查|一览|与解析|及解析|和解析)?|答案解析汇总"
    r"|(?:the\s+)?answer\s*key(?:s)?|key"
    r"|answers\s*[!！]+(?:\s+[^:：]{1,80})?$"  # "Answers! Nice work everyone, Wen wins."
    r"|answers(?:\s+and\s+explanations|,\s*[a-z][a-z ]{1,24}(?=[:：]))?"  # "Answers, as promised:"
    # a book's appendix: "Appendix B: Answers to Review Questions", "Answers to Exercises"
    r"|(?:appendix\s+\w{1,3}\s*[:.—–-]\s*)?answers?\s+to\s+(?:the\s+)?(?:[\w-]+\s+){0,2}"
    r"(?:questions|exercises|problems)"
    r"|solutions?)"
    r"\s*(?:\*\*|__)?\s*[:]?\s*(?:\*\*|__)?\s*(?P<inline>.*)$",
    re.I,
)
#: A title line that ends in what it is: "《…》期末考试（A卷）参考答案及评分标准".
TITLE_LABEL = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?[^?？:：]{0,40}?(?:(?:参考|标准)答案"
    r"(?:[及与和]?(?:评分标准|评分细则|解析))?"
    r"|(?i:" + _QUIZ_ANSWERS + r"))"  # "Week 9 quiz — answers"
    r"\s*(?:\*\*|__)?\s*(?P<inline>)$"
)
EXPLANATIONS_LABEL = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:(?:部分|详细|参考|重点)?(?:答案)?(?:解析|详解)|(?:部分|补充)说明"
    r"|explanations?|rationales?|why"
    # the answers of the open questions, after the key of the choice ones: "Short-answer
    # notes", "Worked solutions", "简答题参考答案", "问答题要点"
    r"|(?:(?:short[\s-]*answer|open(?:[\s-]*ended)?|written|essay|discussion|worked|model|sample|bonus"
    r"|suggested|reference)"
    r"(?:\s+questions?)?\s+)?(?:notes|answers|solutions)"
    r"(?:\s+(?:for|to)\s+(?:the\s+)?(?:short[\s-]*answer|open(?:[\s-]*ended)?|written|essay"
    r"|discussion|remaining|other)\s+(?:questions?|items?|part))?"  # "Model answers for the …"
    r"|(?:简答|问答|论述|主观|开放|综合)题?(?:的)?(?:参考(?:答案)?|答案|解析|要点|答题要点|答案要点)"
    r"|what\s+i['’]?d\s+(?:hope|want|like)\s+to\s+(?:hear|see)"
    r"|(?:a\s+few\s+|some\s+)?notes\s+on\s+[^:：]{3,50}"  # "A few notes on the ones …:"
    r"|my\s+notes\s+(?:on|for)\s+[^:：]{3,80})"  # "My notes for 11 and 12 (not the only …):"
    r"(?:\s*\([^()]{1,30}\))?"  # "Discussion answers (9 and 10)", "简答题参考（第 9-10 题）"
    r"\s*(?:\*\*|__)?\s*[:]?\s*(?:\*\*|__)?\s*$",
    re.I,
)
