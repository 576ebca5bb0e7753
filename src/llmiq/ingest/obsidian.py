"""What Obsidian (and GitHub's alerts) write around a note's text, made plain: callouts,
embeds, wiki links and block ids. One output line per input line; code is left alone.

A callout is a blockquote whose first line names its type, ``> [!question] Q1. …``; its
lines are the note's own text, not a quotation, so their ``>`` markers go. Its title line
becomes the title alone, except for a folded answer (``> > [!success]- Answer``, ``[!check]-
Solution``, ``[!tip]- Reveal``, ``[!example]- My answer``), whose title becomes the label the
parser reads (``Answer:``, ``解析：``). ``![[diagram.png|600]]`` becomes a Markdown image,
``[[PPO|the PPO note]]`` its text, a highlight (``==Ans: B==``, as Obsidian and Typora
mark text) its text, and a block id at the end of a line (``^q2``) goes.
"""

from __future__ import annotations

import re

from llmiq.ingest.lines import FENCE

_CALLOUT = re.compile(r"^(?P<quote>\s*(?:>\s*)+)\[!(?P<type>[\w-]+)\][+-]?\s*(?P<title>.*)$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_ANSWER_TITLE = re.compile(
    r"^(?:\*\*)?(?:(?:my|the|model|sample|suggested|correct|reference)\s+)?(?:answers?|solutions?"
    r"|reveal|key)(?:\s+\w+)?(?:\*\*)?\s*[:：]?$|^(?:参考|正确|标准)?答案|^(?:参考)?解答",
    re.I,
)
_EXPLANATION_TITLE = re.compile(r"^(?:explanation|rationale|why|解析|分析|解释)\s*[:：]?$", re.I)
#: Callout types that hold an answer when they have no title: "> [!success]-".
_ANSWER_TYPES = {"success", "check", "done", "answer", "solution"}
_EMBED = re.compile(r"!\[\[(?P<target>[^\]|]+)(?:\|[^\]]*)?\]\]")
_WIKI_LINK = re.compile(r"\[\[(?:[^\]|]+\|)?(?P<text>[^\]|]+)\]\]")
#: A heading's anchor, as Hugging Face's doc-builder writes it: "# Quiz[[end-of-chapter-quiz]]".
_ANCHOR = re.compile(r"^(#{1,6}\s.*\S)\[\[[a-z0-9][\w-]*\]\]\s*$")
_HIGHLIGHT = re.compile(r"(?<![=\w])==(?=\S)(?P<text>[^=\n]+?)(?<=\S)==(?![=\w])")
_BLOCK_ID = re.compile(r"\s+\^[\w-]+\s*$")


def _depth(line: str) -> int:
    quote = _QUOTE.match(line)
    return quote.group().count(">") if quote else 0


def _title_line(kind: str, title: str) -> str:
    title = title.strip()
    if _ANSWER_TITLE.match(title) or (not title and kind.lower() in _ANSWER_TYPES):
        return "Answer:" if re.search(r"[A-Za-z]", title) or not title else "答案："
    if _EXPLANATION_TITLE.match(title):
        return "解析：" if re.search(r"[\u4e00-\u9fff]", title) else "Explanation:"
    return title


def rewrite_obsidian(lines: list[str]) -> list[str]:
    """See the module docstring."""
    out: list[str] = []
    in_code = False
    callout = 0  # the quote depth of the outermost open callout, 0 outside one
    for line in lines:
        if FENCE.match(_QUOTE.sub("", line) if callout else line):
            in_code = not in_code
        if in_code:
            out.append(_QUOTE.sub("", line) if callout and _depth(line) >= callout else line)
            continue
        depth = _depth(line)
        if callout and depth < callout:
            callout = 0
        if header := _CALLOUT.match(line):
            callout = callout or header["quote"].count(">")
            out.append(_title_line(header["type"], header["title"]))
            continue
        if callout:
            line = _QUOTE.sub("", line)
        line = _EMBED.sub(lambda m: f"![]({m['target'].strip()})", line)
        line = _WIKI_LINK.sub(lambda m: m["text"].strip(), _ANCHOR.sub(r"\1", line))
        line = _HIGHLIGHT.sub(lambda m: m["text"], line)
        out.append(_BLOCK_ID.sub("", line))
    return out
