"""reStructuredText (Sphinx docs, Read the Docs sources, Python projects' FAQs) as the
Markdown-like text the parser reads, one output line per input line so that every report
names the author's lines.

- Section titles (underlined, or over- and underlined) are ``#`` headings, levels by the
  order their adornment styles first appear; the document title (a first title whose style
  is not used again, or a ``:title:`` field) is the ``#`` heading. A field list at the top
  (``:Author:``) is front matter, left out and reported.
- Directives: an answer (``.. admonition:: Answer``, sphinx-design's ``.. dropdown::
  Answer``, sphinx-togglebutton's ``.. toggle::``, sphinx-exercise's ``.. solution::``) is
  an answer label over its dedented body; a dropdown titled with a question is that question
  with its body the answer. ``.. code-block::``, ``.. code::`` and ``::`` literal blocks are
  fenced code. Notes, tips, hints and other containers leave their text; images, figures,
  targets (``.. _label:``), substitution definitions, ``toctree``, ``contents``, ``meta``,
  ``seealso``, footnotes and comments are left out, and reported.
- Lists: ``#.`` items are numbered, lettered items (``(a)``, ``a)``, ``A.``) are options
  ``A.``, bullets are ``-``; a definition list item whose term asks a question is that
  question with its definition the answer; line blocks (``| ``) lose their bar.
- Inline markup is rewritten by :func:`rst_inline.inline`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.converted import Rewritten, is_chinese, parse_rewritten
from llmiq.ingest.lines import split_lines
from llmiq.ingest.rst_inline import Title, adornment, find_titles, inline
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult

_DIRECTIVE = re.compile(
    r"^(?P<indent>\s*)\.\.\s+(?P<name>[A-Za-z][\w:.+-]*)::(?:\s+(?P<args>.*?))?\s*$"
)
_SUBSTITUTION_DEF = re.compile(
    r"^\s*\.\.\s+\|(?P<name>[^|]+)\|\s+(?P<kind>[\w:-]+)::(?:\s+(?P<args>.*?))?\s*$"
)
_EXPLICIT = re.compile(r"^(?P<indent>\s*)\.\.(?:\s|$)")
_FOOTNOTE = re.compile(r"^\s*\.\.\s+\[(?:#[\w-]*|\*|\d+|[A-Za-z][\w.-]*)\]\s")
_OPTION = re.compile(r"^\s*:[\w-]+:(?:\s|$)")
_FIELD = re.compile(r"^:(?P<name>[^:\s][^:]*?):(?:\s+(?P<value>.*?))?\s*$")
_ANONYMOUS_TARGET = re.compile(r"^\s*__\s+\S+\s*$")
_BULLET = re.compile(r"^(?P<indent>\s*)[-*+•‣⁃]\s+(?P<text>\S.*)$")
_ENUMERATED = re.compile(
    r"^(?P<indent>\s*)(?:\((?P<p>#|\d{1,3}|[A-Ha-h])\)|(?P<d>#|\d{1,3}|[A-Ha-h])[.)])\s+(?P<text>\S.*)$"
)
_LINE_BLOCK = re.compile(r"^(?P<indent>\s*)\|(?:\s+(?P<text>.*?))?\s*$")
_GRID_BORDER = re.compile(r"^\s*\+(?:[-=]+\+)+\s*$")
_SIMPLE_TABLE_BORDER = re.compile(r"^\s*=+(?:\s+=+)+\s*$")
_QUESTION = re.compile(
    r"[?？]\s*$|^(?:Q\s*\d+|Question\s+\d+|问题?\s*\d*|第\s*\d+\s*题)\s*[.:：、)]", re.I
)
_ANSWER_TITLE = re.compile(
    r"^\s*(?:(?:show|reveal|click\s+(?:here\s+)?(?:to\s+)?(?:show|see|reveal))\s+(?:the\s+)?)?"
    r"(?:answers?|solutions?|参考答案|答案|解答|回答|查看答案|点击查看答案|显示答案)"
    r"(?:\s*[:：]\s*(?P<rest>.*?))?\s*$",
    re.I,
)
_EXPLANATION_TITLE = re.compile(r"^\s*(?:explanation|rationale|解析|答案解析|分析)\s*$", re.I)
_CODE = {"code-block", "code", "sourcecode", "highlight-block", "doctest", "testcode",
         "testoutput", "ipython", "jupyter-execute", "code-cell", "parsed-literal",
         "prompt"}  # fmt: skip
_DROPPED = {"image", "figure", "toctree", "contents", "meta", "include", "literalinclude",
            "raw", "highlight", "index", "seealso", "currentmodule", "module", "sectionauthor",
            "codeauthor", "tags", "default-role", "role", "title", "sectnum", "header",
            "footer", "target-notes", "autosummary", "automodule", "autoclass",
            "autofunction", "mermaid", "graphviz", "plot", "youtube", "video", "bibliography",
            "rubric-links", "versionadded", "versionchanged", "deprecated", "spelling:word-list",
            "tab-set-code"}  # fmt: skip
_TITLED = {"admonition", "topic", "sidebar", "rubric", "card", "tab", "tab-item", "exercise",
           "dropdown", "toggle", "details", "collapse", "container", "note", "tip", "hint",
           "important", "warning", "attention", "caution", "danger", "error"}  # fmt: skip
_ANSWERS = {"solution", "answer", "toggle", "spoiler", "details", "collapse"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


class _Converter:
    def __init__(self, lines: list[str]) -> None:
        self.src = [line.rstrip().expandtabs(8) for line in lines]
        self.doc = Rewritten(list(lines))
        self.out = self.doc.lines
        zh = is_chinese("\n".join(lines))
        self.answer_label, self.why_label = (
            ("答案：", "解析：") if zh else ("Answer:", "Explanation:")
        )
        self.subs = self.substitutions()
        self.titles = {t.text: t for t in find_titles(self.src)}
        self.adornments = {
            k for t in self.titles.values() for k in (t.over, t.under) if k is not None
        }
        self.levels = self.title_levels()
        self.level = 1  # the level of the last heading
        self.seen_text = False  # a paragraph or a section after the document title
        self.auto: dict[int, int] = {}  # the next number of a ``#.`` list, by indent
        self.skip_to = -1

    def substitutions(self) -> dict[str, str]:
        subs: dict[str, str] = {}
        for line in self.src:
            if (found := _SUBSTITUTION_DEF.match(line)) and found["kind"] == "replace":
                subs[found["name"]] = found["args"] or ""
        return subs

    def title_levels(self) -> dict[int, int]:
        """The heading level of every title's text line: a first title before any text whose
        style is not used again is the document's title (level 1), else a ``:title:`` field
        is; the other styles take the next levels in the order they first appear."""
        titles = sorted(self.titles.values(), key=lambda t: t.text)
        styles: list[tuple[str, bool]] = []
        for t in titles:
            if t.style not in styles:
                styles.append(t.style)
        first = titles[0] if titles else None
        doc_title = (
            first is not None
            and sum(1 for t in titles if t.style == first.style) == 1
            and len(titles) > 1
            and not any(
                self.src[k][:1].strip() and not _EXPLICIT.match(self.src[k])
                for k in range(first.over if first.over is not None else first.text)
            )
        )
        field_title = any(re.match(r"^:title:\s+\S", line, re.I) for line in self.src)
        self.doc_title = first.text if doc_title and first else -1
        base = 2 if doc_title or field_title else 1
        if doc_title and first:
            styles.remove(first.style)
        levels = {t.text: min(base + styles.index(t.style), 6) for t in titles if t.style in styles}
        if doc_title and first:
            levels[first.text] = 1
        return levels

    def convert(self) -> Rewritten:
        for i in range(len(self.src)):
            if i > self.skip_to:
                self.line(i)
        return self.doc

    def line(self, i: int) -> None:
        line = self.src[i]
        if i in self.adornments:
            self.out[i] = ""
        elif i in self.titles:
            self.title(i, self.titles[i])
        elif not line.strip():
            self.out[i] = ""
        elif _EXPLICIT.match(line):
            self.explicit(i, line)
        elif _ANONYMOUS_TARGET.match(line):
            self.doc.leave_out(i, i, N_("markup"), line)
        elif not self.seen_text and _FIELD.match(line):
            self.field(i)
        else:
            self.text(i, line)

    def title(self, i: int, title: Title) -> None:
        self.level = self.levels.get(i, 1)
        self.seen_text = self.seen_text or i != self.doc_title
        self.auto.clear()
        self.out[i] = f"{'#' * self.level} {inline(self.src[i].strip(), self.subs)}"

    def field(self, i: int) -> None:
        found = _FIELD.match(self.src[i])
        assert found is not None
        end = self.body_end(i, _indent(self.src[i]))
        if found["name"].lower() == "title" and found["value"] and self.doc_title < 0:
            self.out[i] = f"# {inline(found['value'], self.subs)}"
            if end > i:
                self.doc.leave_out(i + 1, end, N_("front matter"), self.src[i + 1])
        else:
            self.doc.leave_out(i, end, N_("front matter"), self.src[i])
        self.skip_to = end

    def body_end(self, i: int, indent: int) -> int:
        """The last line of the block that line ``i`` (at ``indent``) begins: the lines after
        it that are empty or indented further, up to the last that is not empty."""
        last = i
        for k in range(i + 1, len(self.src)):
            line = self.src[k]
            if line.strip():
                if _indent(line) <= indent or k in self.titles or k in self.adornments:
                    break
                last = k
        return last

    def explicit(self, i: int, line: str) -> None:
        indent = _indent(line)
        end = self.body_end(i, indent)
        directive = _DIRECTIVE.match(line)
        if directive is None:
            reason = N_("text outside the questions") if _FOOTNOTE.match(line) else N_("markup")
            self.doc.leave_out(i, end, reason, line)
            self.skip_to = end
            return
        name = directive["name"].lower().rsplit(":", 1)[-1]
        args = inline((directive["args"] or "").strip(), self.subs)
        if name in _CODE:
            self.code(i, end, "" if name == "doctest" else args.split(" ")[0])
        elif name in _DROPPED:
            reason = N_("image") if name in ("image", "figure") else N_("markup")
            if name == "seealso":
                reason = N_("text outside the questions")
            self.doc.leave_out(i, end, reason, line)
            self.skip_to = end
        elif name == "math":
            self.out[i] = args and f"${args}$"
            self.options(i, end)
        else:
            self.container(i, end, name, args)

    def options(self, i: int, end: int) -> int:
        """Blank the directive's option lines (``:class: dropdown``); the first line after
        them."""
        k = i + 1
        while k <= end and _OPTION.match(self.src[k]):
            self.out[k] = ""
            k += 1
        self.skip_to = k - 1
        return k

    def container(self, i: int, end: int, name: str, args: str) -> None:
        """A directive whose body is text: an answer (label, then the body), a question in a
        dropdown's title, or text to keep with its title."""
        body = self.options(i, end)
        answer = _ANSWER_TITLE.match(args) if args else None
        if name in _ANSWERS or answer or (name in ("dropdown", "toggle") and not args):
            if answer and answer["rest"]:
                self.out[i] = f"{self.answer_label} {answer['rest']}".replace("： ", "：")
            else:
                self.out[i] = self.answer_label
            return
        if _EXPLANATION_TITLE.match(args):
            self.out[i] = self.why_label
            return
        if name in ("dropdown", "toggle", "details", "exercise", "card", "admonition") and (
            _QUESTION.search(args)
        ):
            self.out[i] = f"{'#' * min(self.level + 1, 6)} {args}"
            self.label_body(i, body, end)
            return
        if name not in _TITLED:
            self.doc.leave_out(i, i, N_("markup"), self.src[i])
        self.out[i] = args if name in _TITLED and name != "container" else ""

    def label_body(self, i: int, body: int, end: int) -> None:
        """An answer label on the first empty line between a question (line ``i``) and its
        answer, or in front of the answer's first line."""
        free = next((k for k in range(i + 1, end + 1) if not self.src[k].strip()), None)
        first = next((k for k in range(body, end + 1) if self.src[k].strip()), None)
        if free is not None and (first is None or free < first):
            self.out[free] = self.answer_label
            self.skip_to = free
        elif first is not None:
            self.text(first, self.src[first])
            self.out[first] = f"{self.answer_label} {self.out[first]}".replace("： ", "：")
            self.skip_to = first

    def code(self, i: int, end: int, language: str) -> None:
        body = self.options(i, end)
        first = next((k for k in range(body, end + 1) if self.src[k].strip()), end + 1)
        if first > i + 1 and first <= end:
            self.out[i] = ""
            self.out[first - 1] = "```" + language
        else:
            self.out[i] = "```" + language
        self.fence_body(first, end)

    def fence_body(self, first: int, last: int) -> None:
        """Lines ``first``..``last`` as the body of a fence opened above, dedented, and the
        fence closed on the empty line after them (or after the last, when none is)."""
        lines = [k for k in range(first, last + 1) if self.src[k].strip()]
        cut = min((_indent(self.src[k]) for k in lines), default=0)
        for k in range(first, last + 1):
            self.out[k] = self.src[k][cut:]
        if last + 1 < len(self.src) and not self.src[last + 1].strip():
            self.out[last + 1] = "```"
            self.skip_to = last + 1
        else:
            self.out[last] += "\n```"
            self.skip_to = last

    def text(self, i: int, line: str) -> None:
        indent = _indent(line)
        auto = re.match(r"^\s*(?:#\.|\(#\))\s", line) is not None
        self.auto = {k: n for k, n in self.auto.items() if k < indent or (k == indent and auto)}
        if i != self.doc_title:
            self.seen_text = True
        if _GRID_BORDER.match(line):
            self.out[i] = re.sub(r"=", "-", line.strip().replace("+", "|")) if "=" in line else ""
            return
        if _SIMPLE_TABLE_BORDER.match(line) or adornment(line):
            self.out[i] = ""
            return
        if line.rstrip().endswith("::") and self.literal(i, line):
            return
        if self.definition(i, line, indent):
            return
        self.out[i] = self.item(line.strip(), indent)

    def item(self, text: str, indent: int = 0) -> str:
        if bullet := _BULLET.match(text):
            return "- " + inline(bullet["text"], self.subs)
        if enumerated := _ENUMERATED.match(text):
            mark = enumerated["p"] or enumerated["d"]
            body = inline(enumerated["text"], self.subs)
            if mark == "#":
                n = self.auto.get(indent, 1)
                self.auto[indent] = n + 1
                return f"{n}. {body}"
            if mark.isdigit():
                return f"{mark}. {body}"
            return f"{mark.upper()}. {body}"
        block = _LINE_BLOCK.match(text)
        if block and (not text.endswith(" |") or text.strip() == "|"):
            return inline(block["text"] or "", self.subs)
        return inline(text, self.subs)

    def literal(self, i: int, line: str) -> bool:
        """A paragraph ending in ``::`` and the indented literal block after it, fenced."""
        indent = _indent(line)
        if i + 2 >= len(self.src) or self.src[i + 1].strip():
            return False
        start = next((k for k in range(i + 1, len(self.src)) if self.src[k].strip()), None)
        if start is None or _indent(self.src[start]) <= indent:
            return False
        end = self.body_end(i, indent)
        text = line.strip()
        text = text[:-2].rstrip() if text == "::" or text[-3].isspace() else text[:-1]
        self.out[i] = self.item(text) if text else ""
        self.seen_text = True
        self.out[i + 1] = "```"
        self.fence_body(i + 2, end)
        return True

    def definition(self, i: int, line: str, indent: int) -> bool:
        """A definition list item (a term, and its definition indented on the next line):
        when the term asks a question, the question and its answer."""
        if i + 1 >= len(self.src) or (i and self.src[i - 1].strip() and self.out[i - 1]):
            return False
        following = self.src[i + 1]
        if not following.strip() or _indent(following) <= indent or (i + 1) in self.adornments:
            return False
        if _BULLET.match(line) or _ENUMERATED.match(line) or _LINE_BLOCK.match(line):
            return False
        term = inline(re.sub(r"\s+:\s+\S.*$", "", line.strip()), self.subs)
        if not _QUESTION.search(term):
            return False
        heading = f"{'#' * min(self.level + 1, 6)} {term}"
        end = self.body_end(i, indent)
        if (
            i
            and not self.src[i - 1].strip()
            and any(not self.src[k].strip() for k in range(i, end))
        ):
            # an answer of several paragraphs is read under a label of its own
            self.out[i - 1], self.out[i] = heading, self.answer_label
            return True
        self.out[i] = heading
        self.text(i + 1, following)
        self.out[i + 1] = f"{self.answer_label} {self.out[i + 1]}".replace("： ", "：")
        self.skip_to = i + 1
        return True


def rst_to_markdown(text: str) -> Rewritten:
    """The lines of reST ``text`` rewritten (see the module docstring), as many as it has,
    and the 0-based ranges left out."""
    return _Converter(split_lines(text)).convert()


def parse_rst(text: str, *, name: str, bank_id: str, title: str | None = None) -> ImportResult:
    """Parse reST: its text as Markdown, through the article parser, and the lines left out
    on the way reported with the parser's own."""
    return parse_rewritten(rst_to_markdown(text), name=name, bank_id=bank_id, title=title)
