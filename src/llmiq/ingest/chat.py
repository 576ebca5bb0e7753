"""A group chat exported as text (WeChat on the PC or forwarded as a chat record, QQ,
Discord, Slack), where one member posts the questions and, later, their answers, and the
others guess.

Each message starts with a header: ``2024-05-27 08:30:12 老周（群主）``, ``2024-07-01 20:00:03
阿杰(群主)(10086001)``, ``阿杰  21:02``, ``[14-Mar-24 07:00 PM] QuizMaster#0420 (BOT)``,
``maya.k — 11/04/2024 9:12 AM`` (Discord copied from the app), or a name with the time on the
line below (Slack). The quiz is what the members who post questions (a message with options
A, B, ..., or a bot's 🇦 🇧) write; the other members' messages (guesses, thanks, a quoted
question) and the headers leave the text, and so do stickers, reactions, thread notes, day
separators and a line the poster repeats under every question ("React with your answer!").
In the posters' lines, spoilers (``||B||``), Slack's emphasis and emoji codes go; the day's
question, however numbered (``【每日一题】第57题``, ``*QOTD #57*``, ``*Day 59:*``, ``№62``,
``Daily LLM Question #41 · Evaluation``), becomes ``Q57.``; and its answer, posted later
(``57题答案：B``, ``【41 答案】B``, ``#58 → A, B, D``, ``Answer for Day 59: …``, ``№62 = B``,
``Model answer for #48 (from @mods):``), becomes its answer line. One output line per input
line; a text with fewer than four message headers is no chat.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from llmiq.bank.model import detect_language
from llmiq.ingest.lines import LineKind, classify, fold
from llmiq.ingest.question_marks import SYMBOLS, chinese_numeral
from llmiq.messages import N_

_STAMP = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
_HEADERS = (
    re.compile(rf"^\s*\[?{_STAMP}\]?\s+(?P<name>\S.{{0,40}}?)\s*[:：]?\s*$"),
    re.compile(r"^\[(?=[^\]]*\d{1,2}:\d{2})[^\]]{4,30}\]\s+(?P<name>\S.{0,40}?)\s*$"),
    re.compile(
        r"^(?P<name>\S[^\t]{0,30}?)(?:\s{2,}|\t)\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?\s*$"
    ),
    re.compile(rf"^(?P<name>[^\s\d][^\t]{{0,30}}?)\s+\[?{_STAMP}\]?\s*$"),
    # Discord copied from the app: "maya.k — 11/04/2024 9:12 AM", "QOTD Bot APP — Today at 9:00 PM"
    re.compile(
        r"^(?P<name>\S[^\t]{0,40}?)\s+—\s+(?:\d{1,2}/\d{1,2}/\d{2,4},?|today at|yesterday at)"
        r"\s+\d{1,2}:\d{2}\s*[AaPp][Mm]\s*$",
        re.I,
    ),
)
#: WhatsApp: "04/03/2024, 09:01 - Meera Iyer: Morning all!", "[4/3/24, 09:01:33] Meera: …"; a
#: line with no sender ("… created group") is the app's own.
_INLINE_HEADER = re.compile(
    r"^\[?\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?\]?"
    r"\s*[-–]?\s*(?:(?P<name>[^:]{1,40}?):\s(?P<text>.*)|.*)$"
)
#: LINE (Taiwan's, Japan's chat app): "20:58\t老周\t【每日一題 #1】…", the day on a line above
#: ("2025/03/10（一）").
_LINE_APP = re.compile(
    r"^(?:上午|下午|午前|午後|[AaPp][Mm]\s*)?\d{1,2}:\d{2}\t(?P<name>[^\t]{1,40})\t(?P<text>.*)$"
)
#: Slack: the name alone, the time indented on the line below.
_NAME_LINE = re.compile(r"^(?P<name>\S[^\t:：.?!。？！]{0,38})$")
_TIME_LINE = re.compile(r"^\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?\s*$")
#: X (Twitter): the name, the @handle below it, then "·" and the date on lines of their own.
_HANDLE_LINE = re.compile(
    r"^@(?:\w{1,30}|[\w-]{1,40}(?:\.[\w-]{1,30}){1,3})$"
)  # Bluesky's: "@ines.bsky.social"
_X_STAMP = re.compile(
    r"^(?:·|\d{1,2}[hms]|[A-Z][a-z]{2}\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]{2}(?:\s+\d{4})?)$"
)
#: Where a saved thread's own posts end and the site's suggestions begin.
_THREAD_END = re.compile(
    r"^\s*(?:relevant\s+people|who\s+to\s+follow|what[’']s\s+happening"
    r"|discover\s+more|more\s+posts?\s+from\s+.*)\s*$",
    re.I,
)
#: What a sender's name carries beside the name: "(群主)", "（管理员）", "(10086001)", "(BOT)".
_NAME_TAGS = re.compile(r"\s*[(（][^()（）]{1,16}[)）]")
_NOISE = re.compile(
    r"^\s*(?:(?:\[(?:图片|表情|语音|视频|文件|动画表情|image|photo|sticker)\]\s*)+"
    r"|\{reactions\}|(?:\S{1,3}\s*\(\d+\)\s*)+|(?::[\w+-]+:\s*\d+\s*)+|\(edited\)"
    r"|\d+\s+repl(?:y|ies)|last\s+reply\s+.*\bago|view\s+thread|replied\s+to\s+a\s+thread:.*"
    r"|views?|·|replying\s+to\s+@\w+.*|show\s+(?:more\s+)?replies|show\s+this\s+thread"
    r"|\d{1,2}:\d{2}\s*[AaPp][Mm]\s*·\s*\w{3}\s+\d{1,2},\s*\d{4}(?:\s*·.*)?"
    r"|\S+\s+started\s+a\s+thread:.*|\d+\s+messages?\s*›"  # Discord's thread notices
    r"|\(\d{1,3}/\d{1,3}\))\s*$",  # a thread's post counter under a post: "(2/22)"
    re.I,
)
_DAY = re.compile(
    r"^\s*(?:[—–\-=_ ]{3,}\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*[—–\-=_ ]{3,}"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*[(（](?:[一二三四五六日天]|[A-Za-z]{3})[)）]"  # LINE's day
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday)"
    r"(?:,?\s+\w+\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?)?)\s*$",
    re.I,
)
_SPOILER = re.compile(r"\|\|(.+?)\|\|")
_EMOJI_CODE = re.compile(r"(?:^|(?<=\s)):[a-z0-9_+-]+:(?=\s|$)")
_SLACK_BOLD = re.compile(r"(?<![*\w])\*(?!\*)([^*\n]+?)\*(?![*\w])")
#: "⏱️ Time! Answer: …": a short call before an answer label.
_CALL_BEFORE_ANSWER = re.compile(
    r"^\W*\w[^:：]{0,14}?[!！]\s+(?=(?:model\s+)?answers?\s*[:：])", re.I
)
_MARK = r"(?:day|no\.?|№|q(?:uestion)?\s*#?|#|第)"
#: A poster's answer to question N: "57题答案：B", "【41 答案】B。…", "61题：除了 C 都对", "#58 →
#: A, B, D", "Answer for Day 59: …", "60: D", "q61 answers: A, C, D", "№62 = B".
_NUMBERED_ANSWER = re.compile(
    r"^\s*"
    + SYMBOLS
    + r"(?P<lead>(?:(?:model|sample|reference)\s+)?(?:answers?|key)\s+(?:(?:for|to)\s+)?)?"
    rf"[【\[]?\s*{_MARK}?\s*(?P<num>\d{{1,3}})\s*(?:题|号)?\s*"
    r"(?:的)?\s*(?P<label>(?:公布|揭晓)?\s*(?:参考)?(?:答案|解答|回答|思路|答)|参考|answers?|solution)?"
    r"\s*[】\]]?\s*(?:[(（][^()（）]{1,30}[)）]\s*)?"  # "Model answer for #48 (from @mods):"
    r"(?P<sep>[:：=→]|->)?\s*(?P<rest>.*)$",
    re.I,
)
#: How a chat's poster numbers the day's question: "【每日一题】第57题（单选）", "【每日一题】#58",
#: "今日一题 No.60", "【每日一题】61）…", "【每日一题·第六十二题】", "Day 59｜问答题", "QOTD #57".
_SERIES = (
    r"(?:每日一题|今日一题|每天一题|一日一题|打卡|daily(?:\s+\w+)?(?:\s+question)?|question\s+of\s+the\s+day"
    r"|qotd|[a-z]+(?=\s+question\s*#))"  # "Discussion question #48"
)
_DAILY_NUMBER = re.compile(
    r"^\s*"
    + SYMBOLS
    + r"(?P<tag>【[^】]{0,12}】|\[[^\]]{0,12}\]|(?:今天|今日|本周|today['’]s)(?!一题)\s*|"
    + _SERIES
    + r"[\s·:：]*)?\s*(?P<open>[【\[])?\s*"
    r"(?:" + _SERIES + r"\s*[·・:：]?\s*)?(?P<mark>" + _MARK + r"\s*)?"
    r"(?P<num>\d{1,3}|[一二三四五六七八九十百零两]{1,4})(?:\s*/\s*\d{1,3})?\s*(?:题|问)?\s*[】\]]?\s*"
    r"(?:(?<=[】\]])|[)）:：.、｜|—–-]|(?=[(（【\[])|\s|$)\s*(?P<rest>.*)$",
    re.I,
)


@dataclass
class _Message:
    header: int
    sender: str
    first: int  # the first line after the header
    last: int  # inclusive
    inline: str | None = None  # the text on the header's own line (WhatsApp)


def _header(lines: list[str], i: int) -> tuple[str, int, str | None] | None:
    """The sender of a message whose header starts at line ``i``, the header's last line, and
    the message's text on the header's own line (WhatsApp, LINE)."""
    if found := _LINE_APP.match(lines[i]) or _INLINE_HEADER.match(lines[i]):
        return (found["name"] or "").strip(), i, found["text"]
    for pattern in _HEADERS:
        if found := pattern.match(lines[i]):
            return _NAME_TAGS.sub("", found["name"]).strip(), i, None
    if i + 1 < len(lines) and _HANDLE_LINE.match(lines[i + 1].strip()):
        last = i + 1
        while last + 1 < len(lines) and _X_STAMP.match(lines[last + 1].strip()):
            last += 1
        return lines[i].strip(), last, None
    if (
        i + 1 < len(lines)
        and _TIME_LINE.match(lines[i + 1])
        and (found := _NAME_LINE.match(lines[i].strip()))
    ):
        return _NAME_TAGS.sub("", found["name"]).strip(), i + 1, None
    return None


#: A post's reply, repost, like and view counts, each alone on its line under the post.
_COUNTER = re.compile(r"^\s*\d[\d.,]*[KkMm万]?\s*$")


def _messages(lines: list[str], end: int) -> list[_Message]:
    messages: list[_Message] = []
    i = 0
    while i < end:
        if (header := _header(lines, i)) is not None:
            if messages:
                messages[-1].last = i - 1
            sender, last, text = header
            messages.append(_Message(i, sender, last + 1, end - 1, text))
            i = last
        i += 1
    return messages


def _body(lines: list[str], message: _Message) -> list[tuple[int, str]]:
    """The message's lines by index, the header's own text first when it has some, without
    the counts under a post."""
    body = [(message.header, message.inline)] if message.inline is not None else []
    last = message.last
    while last >= message.first and (
        _COUNTER.match(lines[last]) or _NOISE.match(lines[last]) or not lines[last].strip()
    ):
        last -= 1
    return body + [(i, lines[i]) for i in range(message.first, last + 1)]


def _asks(lines: list[str], *messages: _Message) -> bool:
    """Whether messages hold a question with options A, B, ... under it."""
    keys = [
        line.options[0][0]
        for message in messages
        for line in (classify(0, _lettered(text)) for _, text in _body(lines, message))
        if line.options
    ]
    return "A" in keys and "B" in keys


#: An option drawn with a regional-indicator letter, as a Discord bot posts it: "🇦 MMLU".
_FLAG_OPTION = re.compile(r"^\s*(?P<key>[\U0001F1E6-\U0001F1EF])\s+(?=\S)")
#: A reaction under a post, its emoji and its count on lines of their own: "🇦" then "3".
_REACTION = re.compile(r"^\s*[\U0001F1E6-\U0001F1FF]\s*$")
_COUNT = re.compile(r"^\s*\d{1,5}\s*$")


def _lettered(text: str) -> str:
    """ "🇦 MMLU" as "A. MMLU"; any other line as it is."""
    if found := _FLAG_OPTION.match(text):
        return f"{fold(found['key'])}. {text[found.end() :]}"
    return text


def _replies(lines: list[str], message: _Message, *, closing: bool) -> bool:
    """Whether a poster's message is chat, not quiz: it asks nothing, answers nothing and is
    short ("下周出量化，老时间"), or it closes the chat ("That's part 3 … what should I add?").
    A poster's answer is numbered or labelled, and their question is numbered or has
    options."""
    body = [text for _, text in _body(lines, message) if text.strip()]
    if not body or (not closing and (len(body) > 2 or sum(len(text) for text in body) > 80)):
        return False
    for text in body:
        line = _plain(text)
        if _NUMBERED_ANSWER.match(line) and re.match(r"\W*[#№\d【\[qQ第]|\W*(?:day|no)", line):
            return False
        classified = classify(0, line)
        if classified.kind is not LineKind.TEXT or classified.is_question:
            return False
        if (not closing and ("?" in line or "？" in line)) or _DAILY_NUMBER.match(line):
            return False
    return True


def _askers(lines: list[str], messages: list[_Message]) -> set[str]:
    """The members who post questions with options A, B, …, in one message or in messages
    of their own one after another (LINE exports every line as a message)."""
    askers: set[str] = set()
    run: list[_Message] = []
    for message in [*messages, None]:
        if run and (message is None or message.sender != run[0].sender):
            if run[0].sender and _asks(lines, *run):
                askers.add(run[0].sender)
            run = []
        if message is not None:
            run.append(message)
    return askers


def _closing(lines: list[str], posted: list[_Message], asked: list[bool]) -> set[int]:
    """The poster's last messages that close the chat ("That's part 3 … what should I add?")
    or answer a member, after the answer to their last question."""
    closing: set[int] = set()
    for k in reversed(range(len(posted))):
        answers_the_last = k > 0 and asked[k - 1]
        if not _replying(_body(lines, posted[k]), posted[k].sender) and (
            answers_the_last or not _replies(lines, posted[k], closing=True)
        ):
            break
        closing.add(k)
    return closing


_POST_COUNTER = re.compile(r"^\s*\d{1,3}\s*/\s*\d{1,3}\s*$")


def _post_counter(body: list[tuple[int, str]]) -> bool:
    """Whether the first line is a thread's post counter ("2/11") above a question that has
    its own number ("Q1. …"), not the question's number."""
    if not _POST_COUNTER.match(body[0][1]):
        return False
    following = next((text for _, text in body[1:] if text.strip()), "")
    return classify(0, following).q_number is not None


def _asks_something(lines: list[str], message: _Message) -> bool:
    return _asks(lines, message) or any(
        "?" in text or "？" in text for _, text in _body(lines, message)
    )


_REPLYING_TO = re.compile(r"^\s*replying\s+to\s+(?P<handles>@\w+(?:\s*(?:,|and)\s*@\w+)*)", re.I)


def _replying(body: list[tuple[int, str]], sender: str) -> bool:
    """Whether a post answers another member ("Replying to @samk_builds"), not the thread."""
    first = next((text for _, text in body if text.strip()), "")
    return (found := _REPLYING_TO.match(first)) is not None and sender.casefold() not in (
        found["handles"].casefold()
    )


def _plain(line: str) -> str:
    """A poster's line without spoiler bars, Slack emphasis and emoji codes."""
    line = _SPOILER.sub(r"\1", line)
    if ":" in line:
        line = _EMOJI_CODE.sub("", line)
    if "*" in line:
        line = _SLACK_BOLD.sub(r"\1", line)
    return _CALL_BEFORE_ANSWER.sub("", line).strip() if line.strip() else ""


def rewrite_chat(lines: list[str]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The quiz of a chat export, and the (first, last, reason) ranges it leaves out; ``lines``
    unchanged when they are no chat."""
    end = next((i for i, line in enumerate(lines) if _THREAD_END.match(line)), len(lines))
    messages = _messages(lines, end)
    if len(messages) < 4:
        return lines, []
    asking = _askers(lines, messages)
    if not asking:
        return lines, []
    out = list(lines)
    left_out: list[tuple[int, int, str]] = []
    last_question: int | None = None
    posted = [m for m in messages if m.sender in asking]
    asked = [_asks_something(lines, m) for m in posted]
    closing = _closing(lines, posted, asked)
    said = Counter(text.strip() for m in posted for _, text in _body(lines, m))
    boilerplate = {  # "React with your answer! Answer drops at 9 PM." under every question
        text
        for text, times in said.items()
        if times >= 3 and classify(0, _lettered(text)).kind is LineKind.TEXT
    }
    awaiting_answer = False  # the poster's next message answers the question they posted
    k = -1  # the message's place among the poster's
    for message in messages:
        body = _body(lines, message)
        for i in set(range(message.first, message.last + 1)) - {i for i, _ in body}:
            out[i] = ""
        for i in range(message.header, message.first):
            out[i] = ""
        if message.sender in asking:
            k += 1
            chat = k in closing or (
                not awaiting_answer
                and (_replying(body, message.sender) or _replies(lines, message, closing=False))
            )
            if chat:
                for i in range(message.header, message.last + 1):
                    out[i] = ""
                left_out.append(
                    (message.header, message.last, N_("chat message that asks and answers nothing"))
                )
                continue
            awaiting_answer = asked[k] and not any(
                classify(0, _plain(text)).kind is LineKind.ANSWER for _, text in body
            )  # "Q16 … A) … D) … Answer: A B D" in one post
        if message.sender not in asking:
            for i in range(message.first, message.last + 1):
                out[i] = ""
            left_out.append((message.header, message.last, N_("chat messages of other members")))
            continue
        if message.inline is None:
            left_out.append((message.header, message.first - 1, N_("chat message header")))
        for n, (i, text) in enumerate(body):
            reaction = _REACTION.match(text) or (  # "🇦" then "3": not question 3
                _COUNT.match(text) and n > 0 and _REACTION.match(body[n - 1][1])
            )
            if (
                reaction
                or text.strip() in boilerplate
                or _NOISE.match(text)
                or _DAY.match(text)
                or _post_counter(body[n:])
            ):
                out[i] = ""
                continue
            line = out[i] = _plain(_lettered(text))
            folded = fold(line)  # "第57題答案" as "第57题答案"; the text kept is the poster's
            answer = _NUMBERED_ANSWER.match(folded)
            labelled = answer and (answer["label"] or answer["lead"])
            if answer and (labelled or (answer["sep"] and answer["rest"])):
                if int(answer["num"]) == last_question:  # "57题答案：B" under question 57
                    out[i] = f"答案：{line[answer.start('rest') :]}"
                if labelled or int(answer["num"]) == last_question:
                    continue
            daily = _DAILY_NUMBER.match(folded)
            if (
                daily
                and (daily["tag"] or daily["open"] or daily["mark"] or not daily["rest"])
                and (number := _number(daily["num"]))
            ):
                rest = line[daily.start("rest") :].lstrip("—–- ")
                rest = "" if rest.startswith(("·", "・")) else rest  # "#41 · Evaluation": a tag
                marker = f"第{number}题" if detect_language(line) == "zh" else f"Q{number}."
                out[i] = f"{marker} {rest}".rstrip()
                last_question = number
            elif (number := classify(0, line).q_number) is not None:
                last_question = number
    for i in range(messages[0].header):  # a day separator above the first message
        if _DAY.match(lines[i]):
            out[i] = ""
    if end < len(lines):
        out[end:] = [""] * (len(lines) - end)
        left_out.append((end, len(lines) - 1, N_("the site's suggestions after the thread")))
    return out, left_out


def _number(written: str) -> int | None:
    return int(written) if written.isdigit() else chinese_numeral(written)
