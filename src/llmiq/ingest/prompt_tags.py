"""What people put after a question's text that is not the question: the companies that
asked it, difficulty stars and badges, status lozenges, hints ("— *select all*"), emoji, tags,
attribute lists, and the bold markers left around it."""

from __future__ import annotations

import re

from llmiq.ingest.difficulty import is_level, strip_difficulty

_TAIL_BOLD = re.compile(r"\s*(?:\*\*|__)\s*$")


#: Tags after a question: the companies that asked it ("<sup>字节</sup>"), bare difficulty stars.
_TAIL_TAGS = re.compile(
    r"(?:\s*<sup>[^<>]{1,16}</sup>|\s+[⭐★☆]{1,5}\ufe0f?|(?:^|\s+)(?:[\U0001f300-\U0001faff]\ufe0f?)+"
    r"|\s*[(（](?:bonus|optional|extra|加分题?|选做|附加题?)[)）]"
    # a documentation site's badge ("<Badge text="高频"/>"), a status lozenge ("EASY")
    r"|\s*<Badge\b[^<>]*/?>(?:[^<>]*</Badge>)?|\s+(?-i:EASY|MEDIUM|HARD|BEGINNER|ADVANCED)"
    # a key cap or label in inline HTML ("<kbd>⭐⭐</kbd>", "<span class="badge">高频</span>")
    r"|\s*<(?P<tag>kbd|span|small|mark|label)\b[^<>]*>[^<>]{1,16}</(?P=tag)>"
    r"|\s+(?::[a-z0-9_+-]{2,40}:)+"  # emoji shortcodes: ":fire:", ":star::star:"
    # a note app's tags: "#难度/★☆☆#", Obsidian's "#difficulty/medium", "#rag"
    r"|\s+#[^#\s]{1,24}#|\s+#[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff/-]{0,40}"
    # a hint after a dash: "— *select all*", "– choose two", "· *multiple answers*"
    r"|\s+(?:[—–-]{1,2}|·)\s*[*_]?(?:(?:select|choose|pick)\s+(?:all|one|two|three|\d)"
    r"(?:\s+that\s+apply)?|multiple\s+answers?|multi[\s-]select|more\s+than\s+one)[*_]?"
    # a tag in code or after an emoji: "`【难度：★☆☆】`", "🔥高频"
    r"|\s*`[^`]{0,12}(?:难度|★|☆|⭐|difficulty|level)[^`]{0,12}`"
    r"|\s*`(?:单选|多选|判断|填空|简答|问答|不定项|开放)题?`"  # "`单选`", as a wiki tags it
    # a form's type in square brackets, perhaps then its "required" star: "[单选题] *"
    r"|\s*[\[【](?:单选|多选|判断|填空|简答|问答|不定项)题?[\]】](?:\s*\*(?!\*))?"
    # ... or as a form's result page writes it, then the points: "单选题 （10 分，漏选得 5 分）"
    r"|\s+(?:单选|多选|判断|填空|简答|问答|不定项)题"
    r"|\s*[(（]\s*\d+(?:\.\d+)?\s*(?:分|points?|pts|marks?)(?:\s*[,，;；][^()（）]{1,20})?\s*[)）]"
    r"|(?<=[?？:：])\s*\*(?!\*)"  # a form's "required" star after the question
    r"|\s+[\U0001f300-\U0001faff]\ufe0f?\s?[\u4e00-\u9fff]{1,4}"
    r"|\s*\{:?\s*[#.][\w-][^{}]*\}"  # an attribute list: "{ #q1 }", "{: .question}"
    r"|\s*\{\{\s*\w+\([^{}]*\)\s*\}\}"  # a Zola shortcode: "{{ badge(level="hard") }}"
    r"|\s+asked\s+(?:at|by|in)\s*:\s*[^?？:：]{1,60})+"  # "Asked at: Google · Anthropic"
    r"\s*$",
    re.I,
)


_BOLD_THEN_KIND = re.compile(r"\s*\*\*\s*[(（]\s*(?:单选|多选|不定项|多项|单项)(?:题)?\s*[)）]\s*$")


#: A note on how to answer, after the tags: "<Badge text="Medium" /> *(select all that apply)*".
_ANSWER_NOTE = re.compile(
    r"\s+[*_]?(?P<note>[(（]\s*(?:select|choose|pick|多选|单选|不定项)[^()（）]{0,30}[)）])[*_]?\s*$",
    re.I,
)


def clean_prompt(text: str) -> str:
    """A question's text without trailing bold markers, difficulty tags and company tags; a
    note on how to answer after them stays, after the text."""
    if (note := _ANSWER_NOTE.search(text)) and (cleaned := clean_prompt(text[: note.start()])):
        return f"{cleaned} {note['note']}"
    before, original = None, text.strip()
    while before != text:
        before = text
        text = strip_difficulty(text.strip())  # "— 难度 ★☆☆" whole, before its stars alone
        text = _TAIL_TAGS.sub("", text)
        text = strip_difficulty(_TAIL_BOLD.sub("", text).strip()).strip()
    if text != original and _ANSWER_NOTE.search(text):  # "…?** (select all) — *Medium*"
        return clean_prompt(text)
    if text.count("**") == 1:  # "以下哪些……？**（多选）": the bold's opening went with the number
        text = _BOLD_THEN_KIND.sub("", text)
    return "" if is_level(text) else text


#: A flashcard's front face labelled: "**正面**：…", "**Q:** …", "Front: …".
_FRONT_FACE = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:正面|front|Q)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(?=\S)", re.I
)


#: ... or a tab of its own: "### 题目" over the question, "### 答案" over its answer.
_FRONT_TAB = re.compile(r"^\s*#{1,6}\s*(?:题目|问题|question|front|正面)\s*$", re.I)


def from_front_face(parts: list[str]) -> list[str]:
    """A question's lines from its card's labelled front face on, without the label: the
    topic in the card's heading above it ("卡片 01 · decode 的瓶颈") is no part of it."""
    for k in range(len(parts) - 1, -1, -1):
        if found := _FRONT_FACE.match(parts[k]):
            return [clean_prompt(parts[k][found.end() :].rstrip()), *parts[k + 1 :]]
        if _FRONT_TAB.match(parts[k]) and k + 1 < len(parts):
            return [clean_prompt(parts[k + 1].strip()), *parts[k + 2 :]]
    return parts
