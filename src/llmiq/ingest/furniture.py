"""Page furniture: the buttons, counters and labels a saved or copied quiz page puts around
its questions ("查看答案", "Show answer", "收藏本题 | 纠错", "得分：8/8"), and the reader's own
answer on a results page ("你的答案：A", "小林的回答：…" above "【参考回答】")."""

from __future__ import annotations

import re

from llmiq.ingest.lines import classify

_FURNITURE = (
    r"(?:click\s+here\s+(?:for|to\s+(?:see|view|show|reveal))\s+(?:the\s+)?answers?"
    r"|(?:show|view|reveal|hide|see)\s+(?:the\s+)?(?:answers?|solution)(?:\s*(?:&|and)\s*explanation)?"
    r"|select\s+an\s+(?:answer|option)\s+to\s+check(?:\s+your\s+answer)?"
    r"|check\s+(?:your\s+)?answer"
    r"|(?:点击)?(?:查看|显示|展开|隐藏)(?:参考|正确)?(?:答案|解析|答案解析|答案(?:与|及|和)解析)"
    r"|(?:点击|點擊)(?:此处)?(?:查看|显示)?(?:答案)?"
    r"|请选择(?:一个|一个或多个|多个)?(?:答案|选项)(?:后提交)?"
    r"|(?:(?:单选|多选|不定项)题?\s*[，,]\s*)?(?:请)?(?:先)?(?:选择|选出)(?:一个|一个或多个|多个|所有正确的?)?(?:答案|选项)后(?:再)?提交"
    r"|收藏本题|收藏\s*(?:\(\d+\))?|纠错|报错|我要纠错|查看全部\s*\d+\s*条(?:网友)?(?:解析|评论|回答|讨论)"
    r"|(?:请)?选择(?:一个)?选项(?:后)?(?:查看|看看)?(?:是否正确|对错|答案)"
    r"|分享(?:到|至)(?:微信|微博|QQ|朋友圈|QQ空间)"
    r"|(?:上一|下一)(?:题|套|页)(?:\s*[:：]\s*[^\s　|｜]*)?|提交试卷|提交答案|交卷|返回题库"
    r"|返回(?:测验|作业|考试|练习)列表|(?:去)?讨论区讨论本题|再做一[次遍]|重新作答"
    r"|暂无(?:官方)?(?:题目|本题)?解析.{0,20}"  # "暂无官方题目解析，去讨论区看看吧！"
    r"|返回目录|反馈|添加笔记|求解答\s*(?:\(\d+\))?|邀请讨论|(?:点击)?查看全部讨论|讨论\s*\(\d+\)|查看错题本?|再练一次|答题卡"
    r"|分享给好友|知识点\s*[:：].{0,40}|问问\s*ai\s*助教.{0,30}|ask\s+(?:the\s+)?ai(?:\s+tutor)?\b.{0,40}"
    r"|返回顶部|笔记\s*(?:\(\d+\))?|(?:本题|全站)?正确率\s*[:：]?\s*\d+(?:\.\d+)?\s*%|易错项\s*[:：]\s*[A-J]+"
    r"|(?:已有|共)?\s*\d[\d,.]*\s*万?\s*人(?:浏览|作答|做过|练习|答过)(?:此题|本题)?"
    r"(?:\s*[,，·•|]\s*正确率\s*\d+(?:\.\d+)?\s*%)?"  # "1.2 万人做过 · 正确率 78%"
    r"|请在此(?:处)?(?:输入|填写)(?:你的|您的)?(?:答案|回答)\S*"
    r"|back\s+to\s+top|\d+\s+points?|submit(?:\s+answer)?|next\s+question|previous\s+question"
    r"|mark\s+for\s+review|report\s+(?:an?\s+)?(?:issue|error|problem|mistake)|go\s+to\s+next\s+item|skip\s+question"
    r"|show\s+hint|finish\s+quiz|submit\s+quiz|type\s+your\s+answer\s+here\S*)"
)
#: Furniture that is only furniture on a line of its own ("Check", "Page 2 of 3").
_FURNITURE_ALONE = (
    r"(?:hint|check|reveal|progress\s*:.*|you\s+need\s+\d+\s*%\s+to\s+pass"
    r"|slide\s+\d+(?:\s*(?:/|of)\s*\d+)?|幻灯片\s*\d+(?:\s*/\s*\d+)?|第\s*\d+\s*张幻灯片"
    r"|discuss(?:\s+(?:it\s+)?in\s+(?:the\s+)?forum)?|workspace|report|bookmark|share"
    # Medium's: "Top highlight", "Press enter or click to view image in full size", its
    # newsletter box ("Get Daniel Osei’s stories in your inbox", "Join Medium for free …")
    # an MCQ site's buttons under each question: "Answer & Solution Discuss in Board Save for Later"
    r"|answer\s*(?:&|and)\s*solution|discuss\s+in\s+board|save\s+for\s+later|分享|邀请(?:回答|讨论)"
    r"|top\s+highlight|press\s+enter\s+or\s+click\s+to\s+view\s+image\s+in\s+full\s+size"
    r"|member-only\s+story|listen|subscribe|get\s+.{1,40}?['’]s?\s+stories\s+in\s+your\s+inbox"
    # Ghost's box between sections: "Subscribe to The Gradient Log", "Get part 3 … in your inbox."
    # ("Subscribe to our newsletter" after the last question ends the article: article_end)
    r"|subscribe\s+to\s+(?!(?:my|our)\s).{1,60}|get\s+.{1,60}\s+in\s+your\s+inbox\.?"
    r"|join\s+medium\s+for\s+free\b.*"
    # Substack's box between paragraphs: "Thanks for reading The Eval Gap! Subscribe for free …"
    r"|thanks\s+for\s+reading\b.{1,80}?[!.]\s*subscribe\s+for\s+free\b.*"
    # GeeksforGeeks' links between sections: "**Must Read:** Word Embeddings in NLP"
    r"|(?:must\s+read|also\s+(?:check|read)|read\s+(?:also|more)|recommended\s+reading)"
    r"\s*(?:\*\*|__)?\s*:.*"
    r"|page\s+\d+\s+(?:of|/)\s+\d+|第\s*\d+\s*页(?:\s*[/，,]\s*共\s*\d+\s*页)?"
    r"|found\s+a\s+(?:mistake|typo|bug)\?.*|复制代码|copy\s+code|copied!?|advertisements?|sponsored|广告"
    r"|(?:enter|exit)\s+fullscreen\s+mode"  # dev.to's buttons under a code block
    r"|贡献者\s*[:：]\s*@.*"  # a repository's credit under a question: "> 贡献者：@lynn (#63)"
    r"|(?:做题|答题|练习|浏览|阅读)(?:人数|次数|量)\s*[:：]?\s*[\d,]+"
    # a quiz app's label over the options: "Select one option", "Select all that apply"
    r"|(?:select|choose|pick)\s+(?:one(?:\s+(?:option|answer))?|all\s+that\s+apply)"
    # a homework site's score under each question and its buttons: "4.5分", "AI讲解", "收起"
    r"|\d+(?:\.\d+)?\s*分|ai\s*讲解|收起(?:解析|答案)?|展开(?:全部)?|expand(?:\s+all)?|collapse(?:\s+all)?"
    # "本题得分：0 分", "得分：8/8", "Points: 0 / 8", "Score: 1 of 1"
    r"|(?:本题)?得分\s*[:：]\s*\d+(?:\.\d+)?\s*(?:分|/\s*\d+(?:\.\d+)?)?(?:\s*[(（][^()（）]{1,8}[)）])?"
    r"|待批阅|待评分|已批阅|pending\s+review|not\s+yet\s+graded"  # an open answer's status
    # a MOOC's score table under a question: "得分/总分", then the reader's pick "A. 2.00/2.00"
    r"|得分\s*/\s*总分|[A-J](?:\s*[.、,]\s*[A-J])*\s*[.、]?\s*\d+\.\d+\s*/\s*\d+\.\d+"
    r"|(?:points?|score|marks?)\s*[:：]\s*\d+(?:\.\d+)?\s*(?:/|out\s+of|of)\s*\d+(?:\.\d+)?"
    # a form's score under a question: "(2/2 Points)", "(1.5/3 points)", "2 out of 2 points"
    r"|\d+(?:\.\d+)?\s*(?:/|out\s+of)\s*\d+(?:\.\d+)?\s*(?:points?|pts|marks?))"
)
FURNITURE_TAIL = re.compile(
    r"(?:\s++|\s*+[|\[(（【])\s*+"
    + _FURNITURE
    + r"\s*+[\])）】]?\s*+[.!。]?\s*+(?:[»>→▼▾⬇]\s*+)?$",
    re.I,
)
_FURNITURE_ITEM = (
    r"(?:\*\*|__)?\s*+(?:[\[(（【]\s*+)?(?:[\u2190-\u2bff\U0001f000-\U0001faff\ufe0f]\s*+)*(?:"
    + _FURNITURE
    + "|"
    + _FURNITURE_ALONE
    + ")"
    + r"\s*+[\])）】]?\s*+[.!。:：]?\s*+(?:\*\*|__)?"
    r"\s*+(?:[»>→▼▾⬇]\s*+)?"
)
#: A line of nothing but furniture, items perhaps separated: "收藏本题 | 纠错 | 笔记(12)"; a
#: saved page's buttons can abut: "查看答案收藏纠错", "Show answerReport". Its spaces are
#: matched possessively: a line padded with many spaces would otherwise be split among the
#: items' optional spaces in exponentially many ways before the match fails.
FURNITURE_LINE = re.compile(
    r"^\s*+(?:[-*>]\s*+)*"
    + _FURNITURE_ITEM
    + r"(?:\s*+[|｜·•/]?\s*+"  # links side by side: "查看答案收藏纠错"
    + _FURNITURE_ITEM
    + r")*$",
    re.I,
)


#: "我的答案: C:…;正确答案: A:…;": the reader's answer, then the right one on the same line.
_READERS_THEN_RIGHT = re.compile(
    r"^\s*(?:\S.{0,12}?\s)?(?:(?:我|你|您)的答案|your\s+answer)\s*[:：].*?"
    r"(?=(?:正确答案|correct\s+answer)\s*[:：])",
    re.I,
)
#: A homework site's score after the right answer: "正确答案：B 得分：10.0".
_SCORE_AFTER = re.compile(r"\s+(?:本题)?得分\s*[:：]\s*\d+(?:\.\d+)?\s*分?\s*$")
_READERS_AFTER_RIGHT = re.compile(
    r"\s+(?:(?:我|你|您)的(?:答案|作答|回答)|(?:my|your)\s+(?:answer|response))\s*[:：].*$"
    # a MOOC's verdict on the reader's pick, right after the key: "A、B、C你错选为A、B"
    r"|\s*(?:你|您)(?:错选为|选对了|选错了|答对了|答错了|漏选了?|多选了?|未作答|的选择)\S*.*$",
    re.I,
)
_MY_ANSWER = re.compile(  # the label then its colon, or alone above the answer; "小林的回答："
    r"^\s*(?:(?:[我你您]|(?!参考|标准|正确)[\u4e00-\u9fff]{2,4})的(?:答案|作答|回答)"
    r"|(?:my|your)\s+(?:answer|response))\s*(?:[:：]|$)",
    re.I,
)
_RIGHT_ANSWER = re.compile(  # ... "【参考回答】"
    r"^\s*(?:【\s*(?:正确|参考|标准)(?:答案|回答)\s*】|(?:(?:正确|参考|标准)(?:答案|回答)"
    r"|(?:correct|reference|model)\s+answer)\s*(?:[:：]|$))",
    re.I,
)


def readers_answer_above_right_one(lines: list[str], i: int) -> int:
    """How many lines from ``i`` hold the reader's own answer on a homework site's review
    ("我的答案:" then its text, right above "正确答案:"), 0 when line ``i`` starts none. In notes,
    "我的答案：" is the author's answer: only a "正确答案" label within a few lines, before
    the next paragraph of other text or the next question, says otherwise."""
    if not _MY_ANSWER.match(lines[i]):
        return 0
    paragraphs = 0
    for k in range(i + 1, min(len(lines), i + 12)):
        if _RIGHT_ANSWER.match(lines[k]):
            return k - i
        if not lines[k].strip():
            paragraphs += bool(lines[k - 1].strip())
        elif FURNITURE_LINE.match(lines[k]):
            continue  # "得分：5.0" between the reader's answer and the right one
        elif paragraphs > 1 or classify(0, lines[k]).is_question:
            return 0
    return 0


#: What the reader answered, on a saved results page ("Your answer: (no answer given)",
#: "你的答案：B"): never the article's answer, which is given apart ("Model answer:").
READERS_ANSWER = re.compile(
    r"^\s*(?:[-*>]\s*)*(?:\*\*|__)?\s*(?:your\s+(?:answer|response|choice|selection)s?"
    r"|(?:你|您)的(?:答案|回答|选择|作答))\s*(?:\*\*|__)?\s*[:：]",
    re.I,
)


def without_readers_answer(line: str) -> str:
    """A results line without the reader's answer beside the right one: "我的答案: C:…;正确答案:
    A:…;" keeps the right one, "正确答案: B　你的答案: A (错误)" drops the reader's."""
    if readers := _READERS_THEN_RIGHT.match(line):
        return _SCORE_AFTER.sub("", line[readers.end() :])
    if _RIGHT_ANSWER.match(line) and (readers := _READERS_AFTER_RIGHT.search(line)):
        return line[: readers.start()]
    return line
