"""Lines of a copied page that are asides, not the article: a promotion between the questions,
an author's note to self ("TODO: …"), a grader's remark under one, a request not to peek
before the key, and a table of contents that repeats the headings and questions below it."""

from __future__ import annotations

import re
from collections import Counter

from llmiq.messages import N_

#: A line between the questions and their answers that asks not to peek: "（以下为参考答案，
#: 请勿提前翻看）", "先自己想一想再往下看", "—— 答案分割线 ——", "Stop here if you want to test
#: yourself".
SPOILER_GUARD = re.compile(
    # not a key's own label that asks the same: "参考答案（先做再看哦）"
    r"^(?!\W*(?:参考|正确|标准)?答案(?!分割线))\W*(?:[^。.]{0,14}(?:请勿|不要|别)提前(?:翻看|看答案|偷看|看)"
    r"|[^。]{0,8}先(?:自己)?(?:想一想|想想|想|做一遍|做完|做)[^。]{0,8}再(?:往下[滑拉翻]?)?(?:看|翻)"
    r"|[^。]{0,8}(?:做|答|想|写)完了?(?:之后)?再(?:往下)?(?:看|翻)"
    # "做完了吗？下面是答案 👇"
    r"|(?:[^。]{0,8}[？?，,]\s*)?(?:下面|以下|往下)(?:就)?(?:是|为)(?:参考)?答案\W*$"
    r"|[^。]{0,8}答案分割线"
    r"|[^。]{0,24}(?:先|请)?(?:别|不要|请勿)(?:急着)?往下(?:翻|看|滑)"  # "还没做完的同学先别往下翻"
    r"|stop\s+here\s+if\s+you\s+want\s+to\s+test|no\s+peeking|(?:spoilers?|answers?)\s+(?:below|ahead)"
    r"|(?:don['’]?t|do\s+not)\s+scroll\s+(?:down\s+|any\s+)?(?:further|more|down|yet)"
    # "(spacing so you don't see the answers by accident)"
    r"|(?:[^.]{0,12}\s)?so\s+(?:that\s+)?you\s+(?:don['’]?t|do\s+not|won['’]?t)\s+(?:see|read)\s+"
    r"the\s+(?:answers?|key)"
    r"|(?:think|try(?:\s+it)?|guess)\s+(?:yourself\s+)?first\W{0,3}\s*(?:then\s+)?"
    # "👇 Think first, answer below 👇", "🤔 Think first, then click"
    r"(?:(?:the\s+)?(?:answers?|solutions?)\s+(?:below|ahead)|(?:click|tap|open|expand|reveal)\b)"
    r"|(?:done\?\s*)?scroll\s+(?:down\s+)?for\s+(?:the\s+)?(?:answers?|key|solutions?))",
    re.I,
)
#: A line that sells something between a page's questions: a course, a class, premium, VIP.
_PROMOTION = re.compile(
    r"^\s*(?:[-*>]\s*)?(?:\*\*|__)?\s*(?:[\u2190-\u2bff\U0001f000-\U0001faff]\ufe0f?\s*)*(?:"
    r"(?:note\s*[:：]\s*(?:\*\*|__)?\s*)?join\s+(?:our\s+)?free\b.{0,60}\b(?:class|course|group|channel)"
    r"|become\s+a\s+certified\b|enroll\s+(?:in|now|today)\b|want\s+\d+\+?\s+more\b.{0,40}\?"
    r"|are\s+you\s+interview[\s-]+ready\b|unlock\s+(?:all|premium|every)\b"
    # an MCQ site's links between questions: "Check this: Artificial Intelligence MCQs | …
    # Books", "Sanfoundry Certification Contest of the Month is Live. … Participate Now!"
    r"|check\s+this\s*:.{0,80}\b(?:mcqs?|books?)\b|.{0,40}\bcertification\s+contest\b.{0,60}\bparticipate\b"
    r"|【[^】]{0,8}】[^，,。]{0,20}(?:冲刺班|训练营|课程|会员).{0,40}(?:折|>>|›)"
    r"|开通\s*(?:vip|会员)|(?:限时|立即)\s*(?:\d+\s*折|优惠|报名|抢购)"
    r"|下载\s*(?:app|客户端)|扫码(?:领取|关注|加入|添加|进群|下载|免费)"
    # "后台回复「Agent」领取 60 页面试手册"
    r"|(?:公众号)?后台回复\s*\S{1,14}?\s*(?:即可)?(?:免费)?(?:领取|获取)"
    r"|本(?:题库|站)已收录.{0,60}(?:真题|面试题))",  # "👉 本题库已收录大厂真题，点击进入真题专区"
    re.I,
)

#: A grader's remark under a question on a homework site: "教师评语：第三步没提 KL 惩罚，扣分。",
#: "批阅意见：要点基本都有，扣 8 分。"
_GRADER_REMARK = re.compile(
    r"^\s*(?:(?:教师|老师|助教|阅卷)(?:评语|批语|点评|批注|反馈)|(?:批阅|评阅|阅卷)意见"
    r"|(?:instructor|teacher|grader|ta)(?:['’]s)?\s+(?:feedback|comments?|remarks?))\s*[:：]",
    re.I,
)


#: A note the author left to themselves: "📌 TODO: add the multi-agent question", "待补充：…".
_NOTE_TO_SELF = re.compile(
    r"^\s*(?:[-*>]\s*)?(?:\*\*|__)?\s*(?:[\u2190-\u2bff\U0001f000-\U0001faff]\ufe0f?\s*)*"
    r"(?:todo|fixme|tbd|待办|待补充|待完善|待更新|待整理)\s*(?:\*\*|__)?\s*[:：]",
    re.I,
)


def aside_reason(line: str) -> str | None:
    """Why ``line`` is left out, as the import report says it, or None for article text."""
    if _PROMOTION.match(line):  # "Note: Join free QuizBuffer classes at Telegram"
        return N_("promotion")
    if _NOTE_TO_SELF.match(line):
        return N_("the author's note to self")
    if _GRADER_REMARK.match(line):
        return N_("grader's remark")
    return None


#: The label of a table of contents: "文章目录", "目录", "Contents", "Table of Contents".
_CONTENTS = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?:文章目录|目录|本文目录|contents|table\s+of\s+contents|toc)\s*"
    r"(?:\*\*)?\s*[:：]?\s*$",
    re.I,
)


def table_of_contents(lines: list[str]) -> slice | None:
    """A table of contents copied with a page ("文章目录" then the headings and questions the
    article repeats below it) is left out: its lines are each the same as a later one, up to
    the first that is not (the article's own start)."""
    label = next((i for i, line in enumerate(lines[:80]) if _CONTENTS.match(line)), None)
    if label is None:
        return None
    later = Counter(line.strip() for line in lines)
    end = label + 1
    while end < len(lines) and (not lines[end].strip() or later[lines[end].strip()] > 1):
        later[lines[end].strip()] -= 1  # the copy below still counts once
        end += 1
    entries = [line for line in lines[label + 1 : end] if line.strip()]
    return slice(label, end) if len(entries) >= 3 else None


#: What a chat assistant's page adds when its answers are copied: "ChatGPT said:", the
#: reader's own message under "You said:", a code block's language and its "Copy" / "Edit"
#: buttons.
_ASSISTANT_SAID = re.compile(r"^\s*(?:chatgpt|claude|gemini|copilot|deepseek)\s+said\s*:\s*$", re.I)
_YOU_SAID = re.compile(r"^\s*(?:you\s+said|你说)\s*[:：]\s*$", re.I)
_CODE_BUTTONS = re.compile(r"^\s*(?:copy(?:\s+code)?|edit|复制|编辑)\s*$", re.I)


def chat_paste(lines: list[str]) -> list[tuple[int, int]]:
    """The (first, last) ranges a copied chat with an assistant leaves in notes: its
    speaker lines, the reader's message under "You said:" (up to a blank line), and a code
    block's language over its "Copy" and "Edit" buttons."""
    found: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        if _ASSISTANT_SAID.match(line):
            found.append((i, i))
        elif _YOU_SAID.match(line):
            end = i
            while end + 1 < len(lines) and lines[end + 1].strip():
                end += 1
            found.append((i, end))
        elif _CODE_BUTTONS.match(line) and i > 0 and not (found and found[-1][1] >= i):
            first = i - 1 if re.fullmatch(r"\s*[a-z+#-]{1,12}\s*", lines[i - 1]) else i
            end = i + 1 if i + 1 < len(lines) and _CODE_BUTTONS.match(lines[i + 1]) else i
            if first < i or end > i:  # "json" over "Copy", or "Copy" over "Edit"
                found.append((first, end))
    return found
