"""Org-mode notes (Emacs, org-drill decks, Logseq exports) as the Markdown-like text the
parser reads, one output line per input line so that every report names the author's lines.

- ``#+TITLE:`` is the ``#`` heading; the other ``#+KEYWORD:`` lines, ``#`` comments,
  property drawers and ``#+TBLFM:`` are left out, and reported; a subtree tagged
  ``:noexport:`` is left out as Org leaves it out of every export.
- Headlines lose their TODO keyword, priority cookie and tags; one that is only a question
  number (``** 22``, ``** 【24】``, ``** #26``) names its question (``第22题``,
  ``Question 22``); an ``答案``/``Answer`` headline is an answer label (an explanation label
  when the options are ticked or an ``:ANSWER:`` property gave the key, which becomes an
  answer line after the options).
- ``1)`` items right under a question are its options A, B, …; ``- [X]`` checkboxes,
  tables (``|---+---|`` rules) and ``#+BEGIN_SRC``/``EXAMPLE`` (fenced code), ``QUOTE``
  (``>`` lines) and special blocks (``DETAILS``, ``ANSWER``: a ``<details>`` block) are
  their Markdown forms; ``*bold*``, ``/italic/``, ``=verbatim=``, ``~code~`` and
  ``[[link][text]]`` likewise.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.converted import Rewritten, is_chinese, parse_rewritten
from llmiq.ingest.lines import split_lines
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult

_KEYWORD = re.compile(r"^\s*#\+(?P<key>[A-Za-z_]+)(?:\[[^\]]*\])?:\s*(?P<value>.*?)\s*$")
_BLOCK = re.compile(r"^\s*#\+(?P<edge>begin|end)_(?P<kind>\w+)(?:\s+(?P<args>.*?))?\s*$", re.I)
_COMMENT = re.compile(r"^\s*#(?:\s|$)")
_HEADLINE = re.compile(
    r"^(?P<stars>\*+)\s+(?:(?P<todo>TODO|DONE|NEXT|WAIT|WAITING|HOLD|CANCELED|CANCELLED)\s+)?"
    r"(?:\[#[A-Za-z0-9]\]\s*)?(?P<title>.*?)(?:\s+(?P<tags>:[\w@#%:\u3400-\u9fff]+:))?\s*$"
)
_DRAWER = re.compile(r"^\s*:(?P<name>[\w-]+):\s*$")
_PROPERTY = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
_TABLE_RULE = re.compile(r"^(\s*)\|[-+|]+\|?\s*$")
_ORDERED = re.compile(r"^(?P<indent>\s*)(?P<n>\d{1,2})[.)]\s+(?P<text>\S.*)$")
_CHECKBOX = re.compile(r"^(?P<indent>\s*)[-+]\s+\[(?P<mark>[ xX-])\]\s+(?P<text>.*)$")
_NUMBER_ONLY = re.compile(
    r"^(?:第\s*)?[#【\[(（]?\s*(?:Q|No\.?\s*|Question\s+)?(?P<n>\d{1,4})\s*[】\])）]?\s*"
    r"(?:题|[.、:：])?$",
    re.I,
)
_ANSWER_TITLE = re.compile(
    r"^(?:参考)?(?:答案|解答|回答|答)(?:与解析|及解析)?$|^(?:answer|solution|key)s?$", re.I
)
_LETTER = re.compile(r"^[A-Ha-h](?:\s*[,、，]?\s*[A-Ha-h])*$")
_PROMPT_END = re.compile(
    r"[?？:：]\s*$|（[^（）]*选[^（）]*）\s*$|\([^()]*choose[^()]*\)\s*$", re.I
)
_DETAILS = {"details", "answer", "solution", "spoiler", "hint"}
_LINK = re.compile(r"\[\[(?P<url>[^\]]+)\](?:\[(?P<text>[^\]]+)\])?\]")
_PRE, _POST = r"(?:(?<=^)|(?<=[\s\-('\"{（“]))", r"(?=$|[\s\-.,;:!?'\")}\[（）。，；：！？”])"
_EMPHASIS = {
    "*": (re.compile(_PRE + r"\*(?P<body>[^\s*](?:[^*]*?[^\s*])?)\*" + _POST), "**{}**"),
    "/": (re.compile(_PRE + r"/(?P<body>[^\s/](?:[^/]*?[^\s/])?)/" + _POST), "*{}*"),
    "=": (re.compile(_PRE + r"=(?P<body>[^\s=](?:[^=]*?[^\s=])?)=" + _POST), "`{}`"),
    "~": (re.compile(_PRE + r"~(?P<body>[^\s~](?:[^~]*?[^\s~])?)~" + _POST), "`{}`"),
}


def looks_like_org(text: str) -> bool:
    """Whether an article of unknown format is Org: ``#+TITLE:`` or other ``#+KEYWORD:``
    lines with ``*`` headlines, or ``#+BEGIN_``/``:PROPERTIES:`` blocks; never an article
    with Markdown fences, or with more ``#`` headings (Org's comments) than headlines."""
    sample = text[:200_000].replace("\r\n", "\n")
    headings = len(re.findall(r"^#{1,6}\s+\S", sample, re.M))
    if re.search(r"^\s*```", sample, re.M) or headings > len(re.findall(r"^\*+ ", sample, re.M)):
        return False
    keywords = len(re.findall(r"^#\+[A-Za-z_]+:", sample, re.M))
    blocks = len(re.findall(r"^\s*#\+begin_\w+", sample, re.M | re.I))
    drawers = len(re.findall(r"^\s*:PROPERTIES:\s*$", sample, re.M))
    headlines = len(re.findall(r"^\*+\s+\S", sample, re.M))
    title = re.search(r"^#\+TITLE:\s*\S", sample, re.M | re.I) is not None
    return (title and bool(headlines or keywords >= 2 or blocks)) or (
        headlines >= 2 and (keywords + blocks + drawers) >= 2
    )


def inline(text: str) -> str:
    """Org emphasis and links as Markdown."""
    text = _LINK.sub(lambda m: f"[{m['text']}]({m['url']})" if m["text"] else m["url"], text)
    for pattern, template in _EMPHASIS.values():
        text = pattern.sub(lambda m, t=template: t.format(m["body"]), text)  # type: ignore[misc]
    return text


class _Converter:
    def __init__(self, lines: list[str]) -> None:
        self.src = lines
        self.doc = Rewritten(list(lines))
        self.out = self.doc.lines
        zh = is_chinese("\n".join(lines))
        self.answer_label, self.why_label = (
            ("答案：", "解析：") if zh else ("Answer:", "Explanation:")
        )
        self.question_name = "第{}题" if zh else "Question {}"
        self.has_title = any(re.match(r"^#\+title:", line, re.I) for line in lines)
        self.block = ""  # the kind of the block being read
        self.noexport = 0  # the level of the subtree left out, 0 when none
        self.keyed = ""  # the key an :ANSWER: property gave the current section
        self.ticked = False  # the current section ticks its options
        self.free: list[int] = []  # empty lines of the current section
        self.last_option = -1  # the last line of the section's options
        self.prompt_at = -1  # the line of a question's prompt, for its options
        self.options = 0
        self.skip_to = -1  # the last line of a drawer already read
        self.numbered: tuple[int, str] | None = None  # a number-only headline: (line, n)

    def convert(self) -> Rewritten:
        for i, line in enumerate(self.src):
            self.line(i, line.rstrip())
        self.end_section()
        return self.doc

    def line(self, i: int, line: str) -> None:
        if i <= self.skip_to:
            return
        if self.block in ("src", "example", "comment"):
            if (found := _BLOCK.match(line)) and found["edge"].lower() == "end":
                self.out[i] = "" if self.block == "comment" else "```"
                self.block = ""
            elif self.block == "comment":
                self.doc.leave_out(i, i, N_("markup"), line)
            return
        headline = _HEADLINE.match(line)
        if self.noexport and not (headline and len(headline["stars"]) <= self.noexport):
            self.doc.leave_out(i, i, N_("text outside the questions"), line)
            return
        self.noexport = 0
        if headline:
            self.headline(i, headline)
        elif block := _BLOCK.match(line):
            self.block_edge(i, block)
        elif keyword := _KEYWORD.match(line):
            self.keyword(i, keyword)
        elif _COMMENT.match(line):
            self.doc.leave_out(i, i, N_("markup"), line)
        elif (drawer := _DRAWER.match(line)) and drawer["name"].upper() != "END":
            self.drawer(i, drawer["name"].upper())
        elif not line.strip():
            self.out[i] = ""
            self.free.append(i)
        else:
            self.text(i, line)

    def headline(self, i: int, headline: re.Match[str]) -> None:
        level = len(headline["stars"])
        tags = (headline["tags"] or "").strip(":").split(":")
        if "noexport" in tags:
            self.end_section()
            self.noexport = level
            self.doc.leave_out(i, i, N_("text outside the questions"), headline.string)
            return
        title = inline(headline["title"].strip())
        if _ANSWER_TITLE.match(title) and self.prompt_at >= 0:
            self.out[i] = self.why_label if self.keyed or self.ticked else self.answer_label
            if self.keyed:
                self.place_key(before=i)
            return
        self.end_section()
        if number := _NUMBER_ONLY.match(title):
            title = self.question_name.format(number["n"])
            self.numbered = (i, number["n"])
        self.out[i] = f"{'#' * min(level + self.has_title, 6)} {title}"
        self.prompt_at = -1

    def end_section(self) -> None:
        if self.keyed:
            self.place_key(before=len(self.src))
        self.keyed, self.ticked, self.free, self.numbered = "", False, [], None
        self.last_option, self.prompt_at, self.options = -1, -1, 0

    def place_key(self, *, before: int) -> None:
        """The key an ``:ANSWER:`` property gave, as an answer line on an empty line after
        the options (or the prompt)."""
        after = max(self.last_option, self.prompt_at)
        line = next((k for k in self.free if after < k < before and not self.out[k]), None)
        if line is None:
            line = next((k for k in reversed(self.free) if k < before and not self.out[k]), None)
        if line is not None:
            self.out[line] = f"{self.answer_label} {self.keyed}".replace("： ", "：")
        self.keyed = ""

    def drawer(self, i: int, name: str) -> None:
        end = next(
            (
                k
                for k in range(i + 1, len(self.src))
                if re.match(r"^\s*:END:\s*$", self.src[k], re.I)
            ),
            None,
        )
        if end is None:
            self.text(i, self.src[i])
            return
        for k in range(i + 1, end):
            prop = _PROPERTY.match(self.src[k])
            if (
                prop
                and name == "PROPERTIES"
                and prop["name"].upper() in ("ANSWER", "KEY", "答案")
                and _LETTER.match(prop["value"])
            ):
                self.keyed = prop["value"].upper()
        self.doc.leave_out(i, end, N_("markup"), self.src[i])
        self.skip_to = end

    def keyword(self, i: int, keyword: re.Match[str]) -> None:
        key = keyword["key"].upper()
        if key == "TITLE" and keyword["value"]:
            self.out[i] = f"# {inline(keyword['value'])}"
            return
        seen_text = any(self.out[k].strip() and not self.out[k].startswith("# ") for k in range(i))
        self.doc.leave_out(i, i, N_("markup") if seen_text else N_("front matter"), keyword.string)

    def block_edge(self, i: int, block: re.Match[str]) -> None:
        kind, begin = block["kind"].lower(), block["edge"].lower() == "begin"
        self.out[i] = ""
        if not begin:
            self.block = ""
            self.free.append(i)
            return
        self.block = kind
        if kind == "src":
            self.out[i] = "```" + (block["args"] or "").split(" ")[0]
        elif kind == "example":
            self.out[i] = "```"
        elif kind == "comment":
            self.doc.leave_out(i, i, N_("markup"), block.string)
        elif kind in _DETAILS:
            summary = (block["args"] or "").strip() or ("Answer" if kind != "hint" else "Hint")
            self.out[i] = f"<details><summary>{inline(summary)}</summary>"
        else:
            self.free.append(i)

    def text(self, i: int, line: str) -> None:
        if _TABLE_RULE.match(line):
            self.out[i] = re.sub(r"\+", "|", line)
            return
        if line.lstrip().startswith("#+"):
            self.doc.leave_out(i, i, N_("markup"), line)
            return
        if box := _CHECKBOX.match(line):
            ticked = "x" if box["mark"] in "xX" else " "
            self.ticked = self.ticked or ticked == "x"
            self.last_option = i
            self.out[i] = f"{box['indent']}- [{ticked}] {inline(box['text'])}"
            return
        ordered = _ORDERED.match(line)
        if ordered and self.is_option(i, ordered):
            self.options += 1
            self.last_option = i
            letter = chr(ord("A") + int(ordered["n"]) - 1)
            self.out[i] = f"{ordered['indent']}{letter}. {inline(ordered['text'])}"
            return
        if self.prompt_at < 0:
            self.prompt_at = i
            if self.numbered is not None:  # the prompt carries the number: "21. ..."
                heading, n = self.numbered
                self.out[heading], self.numbered = "", None
                self.free.append(heading)
                self.out[i] = f"{n}. {inline(line.strip())}"
                return
        elif re.match(r"^\s*(?:[-+]\s+)?[A-H][.、)．]\s*\S", line):
            self.last_option = i
        self.out[i] = "> " + inline(line.strip()) if self.block == "quote" else inline(line)

    def is_option(self, i: int, ordered: re.Match[str]) -> bool:
        """Whether the numbered item on line ``i`` is an option of the question above: the
        items run 1, 2, … right after a prompt that asks."""
        n = int(ordered["n"])
        if n != self.options + 1 or self.prompt_at < 0 or n > 8:
            return False
        if n > 1:
            return True
        if not _PROMPT_END.search(self.src[i - 1] if i else ""):
            return False
        following = 1
        for k in range(i + 1, min(len(self.src), i + 9)):
            if (item := _ORDERED.match(self.src[k])) and int(item["n"]) == following + 1:
                following += 1
            else:
                break
        return following >= 2


def org_to_markdown(text: str) -> Rewritten:
    """The lines of Org ``text`` rewritten (see the module docstring), as many as it has,
    and the 0-based ranges left out."""
    return _Converter(split_lines(text)).convert()


def parse_org(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse Org notes: their text as Markdown, through the article parser, and the lines
    left out on the way reported with the parser's own."""
    return parse_rewritten(org_to_markdown(text), name=name, bank_id=bank_id, title=title)
