"""AsciiDoc's inline markup and tables as the Markdown-like text the parser reads, for
:mod:`asciidoc`: ``*bold*`` is ``**bold**``, ``_italic_`` its text, ``+literal+`` a code
span, a link or a cross reference its text, ``{name}`` the attribute's value; a table
(``|===``) becomes pipe-table rows.

Text inside code spans and passthroughs is kept as it is written; a character escaped with a
backslash (``\\*not bold*``) is the character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from llmiq.ingest.formats import looks_like_html_page
from llmiq.ingest.lines import ZERO_WIDTH

#: AsciiDoc's built-in character attributes: ``{nbsp}``, ``{plus}``, ...
BUILTIN_ATTRIBUTES = {
    "empty": "", "sp": " ", "nbsp": "\u00a0", "zwsp": "", "wj": "", "apos": "'", "quot": '"',
    "lsquo": "\u2018", "rsquo": "\u2019", "ldquo": "\u201c", "rdquo": "\u201d", "deg": "\u00b0",
    "plus": "+", "brvbar": "\u00a6", "vbar": "|", "amp": "&", "lt": "<", "gt": ">",
    "startsb": "[", "endsb": "]", "caret": "^", "asterisk": "*", "tilde": "~",
    "backslash": "\\", "backtick": "`", "two-colons": "::", "two-semicolons": ";;",
    "cpp": "C++", "cxx": "C++", "pp": "++",
}  # fmt: skip

#: Private-use marks around the number of a stashed piece of text, out of every later rule's
#: reach.
_OPEN, _CLOSE = "\ue000", "\ue001"
_STASHED = re.compile(_OPEN + r"(\d+)" + _CLOSE)

_CURLY = re.compile(r"(?P<q>[\"'])`(?P<text>[^`\s](?:[^`]*?[^`\s])?)`(?P=q)")
_ESCAPED = re.compile(r"\\(\\?[*_#^~`+{\[<])")
_CODE = re.compile(
    r"`\+(?P<plus>.+?)\+`|``(?P<double>.+?)``|(?<![\w`])`(?P<code>[^`\s](?:[^`]*[^`\s])?)`(?![\w`])"
)
_PASS = re.compile(
    r"\+\+\+(?P<raw>.+?)\+\+\+|pass:[a-z,]*\[(?P<macro>.*?)\]"
    r"|\+\+(?P<double>.+?)\+\+|(?<![\w+])\+(?P<single>[^\s+](?:.*?[^\s+])?)\+(?![\w+])"
)
_ATTRIBUTE = re.compile(r"\{(?P<name>\w[\w-]*)\}")
_MATH = re.compile(r"\b(?P<kind>stem|latexmath|asciimath):\[(?P<text>(?:\\\]|[^\]])*)\]")
_FOOTNOTE = re.compile(r"\bfootnote(?:ref)?:(?P<id>[\w-]*)\[(?P<text>(?:\\\]|[^\]])*)\]")
_UI = re.compile(r"\b(?:kbd|btn):\[(?P<text>(?:\\\]|[^\]])*)\]")
_MENU = re.compile(r"\bmenu:(?P<menu>[^\s\[]+)\[(?P<items>[^\]]*)\]")
_IMAGE = re.compile(r"\b(?:image|icon):(?!:)[^\s\[]*\[(?P<attrs>[^\]]*)\]")
_ANCHOR = re.compile(r"\banchor:[\w:.-]+\[(?P<text>[^\]]*)\]|\[\[[\w:.-]+(?:,[^\]]*)?\]\]")
_INDEX = re.compile(r"\(\(\((?:[^()]|\([^()]*\))*\)\)\)|\bindexterm:\[[^\]]*\]")
_INDEX_VISIBLE = re.compile(r"\(\((?P<term>[^()]+)\)\)|\bindexterm2:\[(?P<term2>[^\]]*)\]")
_LINK = re.compile(
    r"(?:\b(?:link|mailto):|(?<![\w/])(?=(?:https?|ftp|irc|file)://))"
    r"(?P<target>[^\s\[]+)\[(?P<text>(?:\\\]|[^\]])*)\]"
)
_XREF = re.compile(r"\bxref:(?P<target>[^\s\[]+)\[(?P<text>[^\]]*)\]")
_CROSS = re.compile(r"<<(?P<target>[^\s,<>][^,<>]*?)(?:,\s*(?P<text>[^<>]+?))?\s*>>")
_BARE_URL = re.compile(r"<(?P<url>(?:https?|ftp)://[^\s<>]+)>")
_ROLE = r"(?:\[[^\[\]]*\])?"
_UNCONSTRAINED = [
    (re.compile(_ROLE + r"\*\*(?P<text>.+?)\*\*"), r"**\g<text>**"),
    (re.compile(_ROLE + r"__(?P<text>.+?)__"), r"\g<text>"),
    (re.compile(_ROLE + r"##(?P<text>.+?)##"), r"\g<text>"),
]
_CONSTRAINED = [
    (
        re.compile(r"(?<![\w;:}*])" + _ROLE + r"\*(?P<text>[^\s*](?:.*?[^\s*])?)\*(?![\w*])"),
        r"**\g<text>**",
    ),
    (
        re.compile(r"(?<![\w;:}_])" + _ROLE + r"_(?P<text>[^\s_](?:.*?[^\s_])?)_(?![\w_])"),
        r"\g<text>",
    ),
    (
        re.compile(r"(?<![\w;:}#&])" + _ROLE + r"#(?P<text>[^\s#](?:.*?[^\s#])?)#(?![\w#])"),
        r"\g<text>",
    ),
    (re.compile(r"\^(?P<text>[^\s^]+)\^"), r"^\g<text>"),
    (re.compile(r"(?<!~)~(?P<text>[^\s~]+)~(?!~)"), r"\g<text>"),
]


def _first_positional(attrs: str) -> str:
    """A macro's text: ``"Docs, with a comma",window=_blank`` -> ``Docs, with a comma``."""
    attrs = attrs.replace("\\]", "]").strip()
    if attrs.startswith('"') and '"' in attrs[1:]:
        return attrs[1:].split('"', 1)[0]
    if "=" in attrs:
        first = attrs.split(",", 1)[0]
        return "" if "=" in first else first.strip()
    return attrs


class _Stash:
    """Pieces of finished text put aside while the rest is rewritten."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def put(self, text: str) -> str:
        self.pieces.append(text)
        return f"{_OPEN}{len(self.pieces) - 1}{_CLOSE}"

    def restore(self, text: str) -> str:
        while _OPEN in text:
            restored = _STASHED.sub(lambda m: self.pieces[int(m[1])], text)
            if restored == text:
                break
            text = restored
        return text


def _code(stash: _Stash) -> Callable[[re.Match[str]], str]:
    def put(match: re.Match[str]) -> str:
        text = match["plus"] or match["double"] or match["code"]
        return stash.put(f"`{text}`")

    return put


def _passthrough(stash: _Stash) -> Callable[[re.Match[str]], str]:
    def put(match: re.Match[str]) -> str:
        if match["raw"] is not None or match["macro"] is not None:
            return stash.put(match["raw"] if match["raw"] is not None else match["macro"])
        return stash.put(f"`{match['double'] or match['single']}`")

    return put


def inline(
    text: str,
    attributes: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
) -> str:
    """``text`` with its inline markup rewritten (see the module docstring); ``attributes``
    are the document's attribute values by lower-case name, ``titles`` the titles of its
    sections and anchors by id, for ``<<id>>``."""
    if not any(c in text for c in "*_#^~`+{[<:(\\"):
        return text
    stash = _Stash()
    text = _ESCAPED.sub(lambda m: stash.put(m[1].lstrip("\\")), text)
    text = _CURLY.sub(
        lambda m: ("\u201c{}\u201d" if m["q"] == '"' else "\u2018{}\u2019").format(m["text"]),
        text,
    )
    text = _CODE.sub(_code(stash), text)
    text = _PASS.sub(_passthrough(stash), text)
    known = {**BUILTIN_ATTRIBUTES, **(attributes or {})}
    text = _ATTRIBUTE.sub(lambda m: known.get(m["name"].lower(), m[0]), text)
    math_kind = known.get("stem", "asciimath") or "asciimath"
    text = _MATH.sub(
        lambda m: stash.put(
            f"${m['text']}$"
            if m["kind"] == "latexmath" or (m["kind"] == "stem" and "latex" in math_kind)
            else f"`{m['text']}`"
        ),
        text,
    )
    text = _FOOTNOTE.sub(lambda m: f" ({m['text'].strip()})" if m["text"].strip() else "", text)
    text = _UI.sub(lambda m: m["text"].replace("\\]", "]"), text)
    text = _MENU.sub(
        lambda m: " > ".join([m["menu"], *[i.strip() for i in m["items"].split(">") if i.strip()]]),
        text,
    )
    text = _IMAGE.sub(lambda m: _first_positional(m["attrs"]).split(",")[0].strip(), text)
    text = _ANCHOR.sub(lambda m: m["text"] or "", text)
    text = _INDEX.sub("", text)
    text = _INDEX_VISIBLE.sub(lambda m: m["term"] or m["term2"], text)
    text = _LINK.sub(
        lambda m: stash.put(_first_positional(m["text"]).rstrip("^") or m["target"]), text
    )
    text = _XREF.sub(lambda m: m["text"] or _title_of(m["target"], titles), text)
    text = _CROSS.sub(lambda m: m["text"] or _title_of(m["target"], titles), text)
    text = _BARE_URL.sub(lambda m: stash.put(m["url"]), text)
    for pattern, replacement in _UNCONSTRAINED:
        text = pattern.sub(lambda m, r=replacement: stash.put(m.expand(r)), text)
    for pattern, replacement in _CONSTRAINED:
        text = pattern.sub(replacement, text)
    return stash.restore(text)


def _title_of(target: str, titles: dict[str, str] | None) -> str:
    """What ``<<target>>`` shows: the title of the section or anchor it names, else the
    target."""
    anchor = target.rsplit("#", 1)[-1]
    return (titles or {}).get(anchor) or anchor.removesuffix(".adoc")


def section_id(title: str) -> str:
    """The id Asciidoctor gives a section titled ``title``: ``_why_lora``."""
    plain = re.sub(r"<[^>]+>|&\w+;|[^\w\s-]", "", title.lower())
    return "_" + re.sub(r"[\s.-]+", "_", plain.strip()).strip("_")


@dataclass
class BlockAttributes:
    """A block attribute line, ``[source,python]``, ``[%collapsible]``, ``[quote, Author]``:
    its style, options (``%name``, ``options="a,b"``) and named attributes."""

    style: str = ""
    positional: list[str] = field(default_factory=list)
    options: set[str] = field(default_factory=set)
    named: dict[str, str] = field(default_factory=dict)


_ITEM = re.compile(r'\s*((?:[\w-]+\s*=\s*)?(?:"(?:[^"\\]|\\.)*"|\'[^\']*\')|[^,]*)\s*(?:,|$)')


def block_attributes(body: str) -> BlockAttributes:
    """The attributes of ``[body]``."""
    found = BlockAttributes()
    items = [m[1] for m in _ITEM.finditer(body) if m.start() < len(body)]
    for n, item in enumerate(items):
        name, equals, value = item.partition("=")
        if equals and re.fullmatch(r"\s*[\w-]+\s*", name):
            value = value.strip().strip("\"'")
            found.named[name.strip().lower()] = value
            if name.strip().lower() in ("options", "opts", "option"):
                found.options |= {o.strip() for o in value.split(",") if o.strip()}
            continue
        item = item.strip().strip("\"'")
        if n == 0:
            shorthand = re.split(r"(?=[#.%])", item)
            found.style = shorthand[0].strip()
            found.options |= {part[1:] for part in shorthand[1:] if part.startswith("%")}
        found.positional.append(item)
    return found


def _column_count(cols: str) -> int | None:
    """``cols="1,3"`` -> 2, ``cols="3*"`` -> 3, ``cols=4`` -> 4."""
    cols = cols.strip()
    if not cols:
        return None
    if re.fullmatch(r"\d+", cols):
        return int(cols)
    count = 0
    for spec in cols.replace(";", ",").split(","):
        times = re.match(r"\s*(\d+)\*", spec)
        count += int(times[1]) if times else 1
    return count


_CELL_START = re.compile(r"(?:(?<=\s)|^)(?:\d+[*+]|\d*\.\d+\+)?[<^>]?(?:\.[<^>])?[adehlmsv]?\|")


def _cells(line: str, separator: str) -> tuple[str, list[str]]:
    """The text before the line's first cell (the previous cell's continuation) and the
    cells the line starts."""
    if separator != "|":
        return "", [cell.strip() for cell in line.split(separator)]
    pieces = _CELL_START.split(line)
    return pieces[0].strip(), [cell.strip() for cell in pieces[1:]]


def table_lines(
    lines: list[str], attrs: BlockAttributes, separator: str, rewrite: Callable[[str], str]
) -> list[str]:
    """The lines between a table's delimiters as pipe-table rows, one output line per input
    line: each row on the line where it starts, a rule row (``| --- |``) on the other lines
    between rows, so that the table stays one table and the blank line under an implicit
    header row is its rule; the cells' text rewritten by ``rewrite``."""
    cells: list[tuple[int, str]] = []  # (line index, text) of every cell
    for i, line in enumerate(lines):
        before, starts = _cells(line, separator)
        if before and cells:
            cells[-1] = (cells[-1][0], f"{cells[-1][1]} {before}".strip())
        cells += [(i, cell) for cell in starts]
    first_line = next((i for i, line in enumerate(lines) if line.strip()), None)
    if not cells or first_line is None:
        return ["" for _ in lines]
    columns = _column_count(attrs.named.get("cols", "")) or sum(
        1 for i, _ in cells if i == cells[0][0]
    )
    rows = [cells[k : k + columns] for k in range(0, len(cells), columns)]
    rule = "|" + " --- |" * columns
    out = ["" for _ in lines]
    for row in rows:
        texts = [rewrite(text) for _, text in row] + [""] * (columns - len(row))
        out[row[0][0]] = "| " + " | ".join(texts) + " |"
    starts = {row[0][0] for row in rows}
    last = max(starts)
    for i in range(rows[0][0][0] + 1, last):
        if i not in starts:
            out[i] = rule
    return out


#: Signs of AsciiDoc no Markdown or plain-text article has; an article with two kinds of
#: them is AsciiDoc.
_ASCIIDOC_SIGNALS = (
    re.compile(r"^:!?\w[\w-]*!?:(?:[ \t]+\S.*)?$", re.M),
    re.compile(r"^={2,6}[ \t]+\S", re.M),
    re.compile(
        r"^\[(?:source|listing|literal|loweralpha|upperalpha|lowerroman|upperroman|arabic|qanda"
        r"|abstract|appendix|discrete|partintro|glossary|bibliography|NOTE|TIP|IMPORTANT"
        r"|WARNING|CAUTION|quote|verse|example|sidebar|%[\w-]+|cols=|options=|\.[\w-]+|#[\w-]+)"
        r"\b[^\]\n]*\][ \t]*$",
        re.M,
    ),
    re.compile(r"^(?:include|ifdef|ifndef|ifeval|endif|image|toc)::\S*\[[^\]\n]*\][ \t]*$", re.M),
    re.compile(r"^(?:/{4,}|\|={3,})[ \t]*$", re.M),
    re.compile(r"^\[\[[\w:.-]+\]\][ \t]*$|<<[\w:.-]+(?:,[^<>\n]+)?>>|\blink:\S+\[|\bxref:\S+\["),
    re.compile(r"(?:^\.{1,2}[ \t]+\S.*\n(?:.*\n)*?){2}", re.M),
    re.compile(r"(?:\S[ \t]\+[ \t]*\n(?:.*\n)*?){2}|^\+[ \t]*\n", re.M),
)
_MARKDOWN_SIGNS = re.compile(
    r"^#{1,6}[ \t]+\S|^[ \t]*(?:```|~~~)|\*\*[^\s*][^*\n]*\*\*|\]\((?:https?:|/|#|\./)"
    r"|^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|",
    re.M,
)
_ASCIIDOC_LEADING = re.compile(r"^(?:[ \t]*\n|//.*\n|:!?\w[\w-]*!?:.*\n)*")
_ASCIIDOC_TITLE = re.compile(r"^=[ \t]+(?!=\s)\S")


def looks_like_asciidoc(text: str) -> bool:
    """Whether an article of unknown format (a ``.txt`` file, pasted text) is AsciiDoc: a
    ``= Title`` first line, or two kinds of AsciiDoc-only markup; never an article with
    Markdown's headings, fences, ``**bold**`` or links, nor a web page."""
    sample = text[:200_000].translate(ZERO_WIDTH).replace("\r\n", "\n")
    if _MARKDOWN_SIGNS.search(sample) or looks_like_html_page(sample):
        return False
    leading = _ASCIIDOC_LEADING.match(sample)
    first = sample[leading.end() if leading else 0 :].split("\n", 1)[0]
    if _ASCIIDOC_TITLE.match(first):
        return True
    return sum(1 for signal in _ASCIIDOC_SIGNALS if signal.search(sample)) >= 2
