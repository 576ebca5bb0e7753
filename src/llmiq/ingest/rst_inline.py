"""What :mod:`rst` needs besides its line-by-line converter: reStructuredText's inline
markup as Markdown, its section titles (levels by the order their adornment styles first
appear, as docutils assigns them), and whether an article of unknown format is reST."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from llmiq.ingest.lines import display_width

_ADORNMENT = re.compile(r"^(?P<c>[!-/:-@\[-`{-~])(?P=c)+\s*$")
_LITERAL = re.compile(r"``(?P<body>\S(?:.*?\S)??)``(?!\w)")
_ROLE = re.compile(
    r"(?<![\w`]):(?P<role>[A-Za-z][\w:+.-]*):`(?P<body>[^`]+)`"
    r"|`(?P<body2>[^`]+)`:(?P<role2>[A-Za-z][\w:+.-]*):"
)
_LINK = re.compile(r"`(?P<text>[^`<]*?)\s*<(?P<url>[^<>`]+)>`__?")
_REFERENCE = re.compile(r"`(?P<text>[^`]+)`__?(?![\w`])")
_TARGET = re.compile(r"_`(?P<text>[^`]+)`")
_WORD_REFERENCE = re.compile(
    r"(?<![\w`/.:-])(?P<word>[A-Za-z0-9\u3400-\u9fff](?:[\w.+-]*[A-Za-z0-9\u3400-\u9fff])?)__?"
    r"(?=$|[\s.,;:!?)\]'\"，。；：！？」）])"
)
_FOOTNOTE_REFERENCE = re.compile(r"\s?\[(?:#[\w-]*|\*|\d+|[A-Za-z][\w.-]*)\]_(?!\w)")
_SUBSTITUTION = re.compile(r"(?<![\w|])\|(?P<name>\S(?:[^|\n]*?\S)?)\|(?:__?)?(?![\w|])")
_CODE_ROLES = {
    "code", "literal", "file", "command", "program", "option", "envvar", "kbd", "samp",
    "func", "meth", "class", "attr", "mod", "obj", "data", "exc", "const", "var", "type",
    "member", "macro", "struct", "enum", "enumerator", "expr", "texpr", "any",
}  # fmt: skip
_PLACEHOLDER = "\x00{}\x00"


def inline(text: str, substitutions: dict[str, str] | None = None) -> str:
    """reST inline markup as Markdown: ``literal`` and code roles as code, other roles and
    hyperlink references as their text, ``|substitutions|`` as what they replace; bold and
    emphasis are written the same way in both."""
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return _PLACEHOLDER.format(len(kept) - 1)

    def code(body: str) -> str:
        return keep(f"``{body}``" if "`" in body else f"`{body}`")

    text = _LITERAL.sub(lambda m: code(m["body"]), text)
    text = _ROLE.sub(lambda m: _role(m["role"] or m["role2"], m["body"] or m["body2"], keep), text)
    text = _LINK.sub(lambda m: m["text"] or m["url"], text)
    text = _TARGET.sub(lambda m: m["text"], text)
    text = _REFERENCE.sub(lambda m: m["text"], text)
    text = _FOOTNOTE_REFERENCE.sub("", text)
    text = _WORD_REFERENCE.sub(lambda m: m["word"], text)
    if not re.match(r"^\s*\|", text):
        subs = substitutions or {}
        text = _SUBSTITUTION.sub(lambda m: subs.get(m["name"], m["name"]), text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m[1])], text)


def _role(role: str, body: str, keep: Callable[[str], str]) -> str:
    name = role.rsplit(":", 1)[-1].lower()
    titled = re.match(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", body, re.S)
    text = titled["title"] if titled and titled["title"] else body
    if name == "math":
        return keep(f"${body}$")
    if name in _CODE_ROLES:
        if text.startswith("~"):
            text = re.split(r"[.:]", text[1:])[-1]
        return keep(f"`{text.lstrip('!')}`")
    if name == "doc" and not (titled and titled["title"]):
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return text


@dataclass(frozen=True)
class Title:
    text: int  # the line of the title's text
    over: int | None  # the line of its overline, if any
    under: int  # the line of its underline
    style: tuple[str, bool]  # (adornment character, overlined)


def adornment(line: str) -> str | None:
    """The character of a line that is only one punctuation character repeated (4 times or
    more, or 2 for a short title's underline), else None."""
    found = _ADORNMENT.match(line)
    return found["c"] if found and line.strip() not in ("::", "..") else None


def find_titles(lines: list[str]) -> list[Title]:
    """The section titles of ``lines``: a line underlined (and maybe overlined) with one
    punctuation character, the underline at least as wide as the text or 4 long, after an
    empty line."""
    titles: list[Title] = []
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        char = adornment(line)
        if (
            char
            and i + 2 < len(lines)
            and lines[i + 1].strip()
            and adornment(lines[i + 1]) is None
            and lines[i + 2].rstrip() == line.rstrip()
            and (i == 0 or not lines[i - 1].strip())
        ):
            titles.append(Title(i + 1, i, i + 2, (char, True)))
            i += 3
            continue
        under = adornment(lines[i + 1])
        if (
            under
            and line.strip()
            and not line[0].isspace()
            and adornment(line) is None
            and (i == 0 or not lines[i - 1].strip())
            and not re.match(r"^\.\.(?:\s|$)", line)
            and (len(lines[i + 1].rstrip()) >= min(4, display_width(line.rstrip())))
        ):
            titles.append(Title(i, None, i + 1, (under, False)))
            i += 2
            continue
        i += 1
    return titles


_MARKDOWN_SIGNS = re.compile(
    r"^#{1,6}[ \t]+\S|^[ \t]*(?:```|~~~)|\]\((?:https?:|/|#|\./)|^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|",
    re.M,
)
_EXPLICIT = re.compile(
    r"^[ \t]*\.\. (?:[A-Za-z][\w:-]*::(?:[ \t]|$)|_[^:\n]+:(?:[ \t]|$)"
    r"|\|[^|\n]+\|[ \t]+\w[\w-]*::)",
    re.M,
)
_RST_SIGNALS = (
    _EXPLICIT,
    re.compile(r"(?<![\w`]):[a-z][\w:+-]*:`[^`\n]+`"),
    re.compile(r"`[^`\n]+ <[^<>\n]+>`__?"),
    re.compile(r"(?<!`)``[^`\n]+``(?!`)"),
    re.compile(
        r"^(?P<c>[=\-~^\"'`#*+])(?P=c){3,}\n.+\n(?P=c){4,}[ \t]*$"
        r"|^\S.*\n(?P<u>[~^\"'`*+])(?P=u){3,}[ \t]*$",
        re.M,
    ),
    re.compile(r"::\n[ \t]*\n[ \t]+\S"),
    re.compile(r"\A(?:\s*\n)*(?:.*\n(?:[=\-~]{4,}\n)?\s*\n)?:[A-Za-z][\w -]*:[ \t]+\S"),
)


def looks_like_rst(text: str) -> bool:
    """Whether an article of unknown format (a ``.txt`` file, pasted text) is reST: an
    explicit markup line (``.. note::``, ``.. _label:``) and another kind of reST-only markup
    (roles, ````literals````, `` `links <url>`_ ``, adorned titles, ``::`` literal blocks,
    a field list at the top); never an article with Markdown headings, fences or links."""
    sample = text[:200_000].replace("\r\n", "\n")
    if _MARKDOWN_SIGNS.search(sample) or re.match(r"\s*<(?:!doctype|html|\?xml)", sample, re.I):
        return False
    if not _EXPLICIT.search(sample):
        return False
    return sum(1 for signal in _RST_SIGNALS if signal.search(sample)) >= 3
