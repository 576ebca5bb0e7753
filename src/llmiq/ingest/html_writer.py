"""The HTML of a page's article as the Markdown-like text the article parser reads.

``#`` headings, one line per list item (an ``<ol type="A">`` item gets its letter), blank lines
between paragraphs, fenced code, Markdown tables (a table of options, each row a letter and
its text, as lettered lines), ``**bold**`` and `` `code` ``, and
``<details>``/``<summary>`` kept as raw lines, the way GitHub Markdown articles write them.
Before that, :func:`separate_items` spaces the elements that only a page's style sets apart.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

BLOCKS = {
    "p", "div", "section", "article", "main", "header", "figure", "figcaption", "address",
    "center", "body", "html", "form", "fieldset", "hgroup", "dl", "dt", "dd", "li",
}  # fmt: skip
HEADINGS = {f"h{n}": n for n in range(1, 7)}
SPECIAL = {"ul", "ol", "menu", "pre", "table", "details", "blockquote", "hr", *HEADINGS}
#: An item that numbers or letters itself: "A. x", "b) y", "(c) z", "3、w", "Q4: v".
_OWN_MARKER = re.compile(
    r"^\s*(?:\*\*)?\s*(?:[A-Za-z][.、．):：]|\d{1,3}\s*[.、．):：](?!\d)|[(（][A-Za-z0-9]{1,3}[)）](?=\s|$)"
    r"|Q\d+|第\s*\d+\s*题)"
)
_LEADING_LETTER = re.compile(r"^\s*(?:\*\*)?\s*([A-Za-z])[.、．):：]")


def _letters_out_of_order(element: HtmlElement) -> bool:
    """Whether an ``<ol>``'s items start with letters that do not run A, B, C…: the keys of
    its numbered questions ("1. **B.** The cache …", "2. **A.** One head"), not options that
    letter themselves; their numbers are kept."""
    letters = [
        found[1].upper()
        for item in element
        if item.tag == "li" and (found := _LEADING_LETTER.match(item.text_content()))
    ]
    return len(letters) >= 2 and letters != [chr(ord("A") + n) for n in range(len(letters))]


#: An item's first line that is only its option letter, the option's text in a block after it:
#: ``<li><span>A.</span><div><p>INT8</p></div></li>``.
_BOXES = ("[x]", "[ ]")  # a task item's box, as an input is written
_LETTER_ONLY = re.compile(r"^(?:\[[ x]\]\s*)?(?:\*\*)?[(（]?[A-Za-z][.、．:：)）]?(?:\*\*)?$")
SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000]+")


def text_of(element: HtmlElement | None) -> str:
    """An element's text on one line, each run of spaces one space; "" for no element."""
    return "" if element is None else SPACE.sub(" ", element.text_content()).strip()


def class_words(element: HtmlElement) -> list[str]:
    """The words of an element's ``class`` attribute."""
    return (element.get("class") or "").split()


class Writer:
    """HTML elements to Markdown-like lines; ``out`` holds the lines, "" for a blank one."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.in_list = False  # the last line is a list item: the next item follows tightly

    def _blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def paragraph(self, text: str) -> None:
        lines = [line for line in (s.strip() for s in text.split("\n")) if line]
        if lines:  # an empty block (Notion's ``<div class="indented">``) keeps a list tight
            self._blank()
            self.out.extend(lines)
            self._blank()
            self.in_list = False

    def item(self, text: str) -> None:
        if not self.in_list:
            self._blank()
        elif self.out and self.out[-1] == "":
            self.out.pop()
        self.out.append(text)
        self.in_list = True

    def inline(self, element: HtmlElement) -> str:
        """The text of ``element`` with emphasis, code and line breaks; blocks inside an
        inline element become lines of their own."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            return "\n"
        inner = SPACE.sub(" ", element.text or "") if tag else ""
        for child in element:
            inner += self.inline(child) + SPACE.sub(" ", child.tail or "")
        if tag in ("strong", "b") and inner.strip():
            before = " " if inner[0] == " " else ""
            after = " " if inner[-1] == " " else ""
            core = inner.strip()
            if re.fullmatch(r"\*\*(?:(?!\*\*).)+\*\*", core, re.S):  # <b><strong>…</strong></b>
                return f"{before}{core}{after}"
            return f"{before}**{core}**{after}"
        if tag in ("code", "kbd", "tt") and inner.strip():
            return f"`{inner.strip()}`"
        if tag in BLOCKS or tag in SPECIAL:
            return f"\n{inner}\n"
        return inner

    def walk(self, element: HtmlElement, depth: int = 0) -> None:
        """Write the children of a block element: runs of inline content as paragraphs."""
        pending = SPACE.sub(" ", element.text or "")
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in BLOCKS or tag in SPECIAL or _laid_out_cell(child):
                self.paragraph(pending)
                pending = ""
                self.block(child, depth)
            elif tag:
                pending += self.inline(child)
            pending += SPACE.sub(" ", child.tail or "")
        self.paragraph(pending)

    def block(self, element: HtmlElement, depth: int) -> None:
        tag = element.tag
        if tag in HEADINGS:
            if text := SPACE.sub(" ", self.inline(element)).strip():
                self.paragraph("#" * HEADINGS[tag] + " " + text)
        elif tag in ("ul", "ol", "menu"):
            self.list(element, depth)
        elif tag == "pre":
            self.code(element)
        elif tag == "table":
            self.table(element)
        elif tag == "details":
            self.details(element, depth)
        elif tag == "blockquote":
            quoted = Writer()
            quoted.walk(element, depth)
            self.paragraph("\n".join(f"> {line}" if line else ">" for line in quoted.lines()))
        elif tag == "hr":
            self.paragraph("---")
        else:
            self.walk(element, depth)

    def list(self, element: HtmlElement, depth: int) -> None:
        ordered = element.tag == "ol"
        kind = element.get("type", "1")
        try:
            number = int(element.get("start", "1"))
        except ValueError:
            number = 1
        indent = "  " * depth
        keys = ordered and _letters_out_of_order(element)
        for child in element:
            if child.tag != "li":
                if isinstance(child.tag, str):
                    self.block(child, depth)
                continue
            # The item's own line is its text up to the first block; the rest follows it.
            head = SPACE.sub(" ", child.text or "")
            rest = list(child)
            while rest and rest[0].tag not in BLOCKS and rest[0].tag not in SPECIAL:
                first = rest.pop(0)
                head += (self.inline(first) if isinstance(first.tag, str) else "") + SPACE.sub(
                    " ", first.tail or ""
                )
            tail_text = ""
            if (
                rest
                and rest[0].tag in ("p", "div")
                and (not head.strip() or _LETTER_ONLY.match(head.strip()) or head.strip() in _BOXES)
            ):  # "<li><label><input type=checkbox></label><div><p>text</p></div>" (Tiptap)
                first = rest.pop(0)
                head = head.strip() + " " + self.inline(first).lstrip()
                tail_text = SPACE.sub(" ", first.tail or "")
            lines = [s.strip() for s in head.split("\n") if s.strip()]
            if len(lines) > 1 and _LETTER_ONLY.match(lines[0]):
                lines[:2] = [f"{lines[0]} {lines[1]}"]
            text = lines[0] if lines else ""
            if _OWN_MARKER.match(text) and not keys:
                marker = ""
            elif text.startswith(("[x] ", "[ ] ")):  # a task list, as GitHub Markdown has it
                marker = "- "
            elif ordered:
                marker = _ordinal(number, kind) + " "
            else:
                marker = "- "
            number += 1
            if text or (rest and rest[0].tag != "details"):  # a toggle is no item of its own
                self.item(f"{'' if marker == '' else indent}{marker}{text}")
            for line in lines[1:]:
                self.item(f"{indent}  {line}")
            if tail_text.strip():
                self.paragraph(tail_text)
            for block in rest:
                if isinstance(block.tag, str):
                    self.block(block, depth + 1)
                if block.tail and block.tail.strip():
                    self.paragraph(SPACE.sub(" ", block.tail))
        self.in_list = False
        self._blank()

    def code(self, element: HtmlElement) -> None:
        text = element.text_content().strip("\n")
        if not text.strip():
            return
        language = element.get("data-language", "")
        fence = "~~~~" if "```" in text else "```"
        self._blank()
        self.out.extend([fence + language, *text.split("\n"), fence])
        self._blank()
        self.in_list = False

    def table(self, element: HtmlElement) -> None:
        if _is_layout(element):  # a forum post laid out in a table cell: its text, as text
            for cell in element.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th"):
                self.walk(cell)  # a nested table is a block inside the cell: walked there
            return
        rows = []
        for row in element.iter("tr"):
            cells = [
                SPACE.sub(" ", self.inline(cell)).strip().replace("|", r"\|")
                for cell in row
                if cell.tag in ("td", "th")
            ]
            if any(cells):
                rows.append(cells)
        if not rows:
            return
        if len(rows) >= 2 and all(len(r) == 2 and _KEY_ONLY.match(r[0]) for r in rows):
            letters = [re.sub(r"[^A-Za-z]", "", r[0]) for r in rows]
            self.paragraph("\n".join(f"{k}. {r[1]}" for k, r in zip(letters, rows, strict=True)))
            return  # options laid out as a table, a letter in the first column
        width = max(len(r) for r in rows)
        lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
        lines.insert(1, "|" + " --- |" * width)
        self.paragraph("\n".join(lines))

    def details(self, element: HtmlElement, depth: int) -> None:
        summary = element.find("summary")
        self._blank()
        self.out.append("<details>")
        if summary is not None:
            label = SPACE.sub(" ", self.inline(summary)).strip()
            self.out.append(f"<summary>{label}</summary>")
            summary.drop_tree()  # its tail stays, as the text before the next child
        self.in_list = False
        self._blank()
        self.walk(element, depth)
        self._blank()
        self.out.append("</details>")
        self._blank()

    def lines(self) -> list[str]:
        out = list(self.out)
        while out and out[0] == "":
            out.pop(0)
        while out and out[-1] == "":
            out.pop()
        return out


def _ordinal(number: int, kind: str) -> str:
    """The marker an ``<ol type=...>`` shows: ``(2, "A")`` -> ``"B."``."""
    if kind in ("A", "a") and 1 <= number <= 26:
        letter = chr(ord("A") + number - 1)
        return (letter if kind == "A" else letter.lower()) + "."
    return f"{number}."


def _laid_out_cell(element: HtmlElement) -> bool:
    """A table cell holding headings, paragraphs or lists: a layout table's, which readability
    can return without its table (an MCQ site's whole article in one cell); a block."""
    return element.tag in ("td", "th") and any(
        child.tag in BLOCKS or child.tag in SPECIAL for child in element.iterchildren()
    )


def _is_layout(table: HtmlElement) -> bool:
    """A table used for layout, not data (Discuz and other forums put a whole post in one
    cell): a cell with line breaks, paragraphs or lists, or with a lot of text. A table whose
    first row is a header of ``<th>`` cells is data however long its cells (a cheat sheet's
    ``Question | Answer`` table)."""
    first = next(table.iter("tr"), None)
    if first is not None and len(heads := first.findall("th")) >= 2 and len(first) == len(heads):
        return False
    for cell in table.iter("td", "th"):
        if any(True for _ in cell.iter("br", "p", "div", "ul", "ol", "table") if _ is not cell):
            return True
        if len(cell.text_content()) > 300:
            return True
    return False


#: An element holding nothing but an option's letter: "A", "B.", "(c)", "D、".
_KEY_ONLY = re.compile(r"^[(（]?[A-Za-z][)）.、．:：]?$")
#: The elements a page lays out side by side as items: buttons, tags, an option's parts.
_ITEMS = {"span", "a", "label", "time"}
#: Where adjacent elements are one word: code, and formulas typeset letter by letter.
_NO_ITEMS = {"code", "kbd", "samp", "tt", "pre", "var", "math"}


def separate_items(root: HtmlElement) -> None:
    """Put a space between adjacent elements that a browser shows apart by their style.

    A quiz writes ``<li><span class="key">A</span><span>掩码语言模型</span></li>`` and a
    toolbar ``<span>显示答案</span><span>收藏本题</span>``: CSS (inline-block widths,
    margins) separates them on screen, but their texts abut. Two adjacent elements with no
    text between them get a space when the first holds only an option's letter (not a drop
    cap: "A" then "fter"), or when they are items of a row: a parent holding no text of its
    own, only ``<span>``/``<a>``/``<label>``/``<time>`` elements of two characters or more,
    none of whose texts starts or ends with a space. Prose split across elements keeps its
    words: ``<em>un</em>believable`` has text between, a Google Docs or Word paragraph
    writes its spaces inside its runs (``<span>the </span><span>Trans</span>``), a
    formula's letters are one character each and code is left alone."""
    for parent in root.iter():
        if not isinstance(parent.tag, str) or _no_items(parent):
            continue
        items = [c for c in parent if isinstance(c.tag, str) and c.text_content().strip()]
        if len(items) < 2 or any(c.tag in BLOCKS or c.tag in SPECIAL for c in items):
            continue
        row = _is_row(parent, items)
        for first, second in itertools.pairwise(items):
            between = first.itersiblings()
            if any(e.tail for e in (first, *_until(between, second))):
                continue  # text, or a space, between them already
            left, right = first.text_content(), second.text_content()
            if left[-1].isspace() or right[0].isspace():
                continue
            key = _KEY_ONLY.match(left.strip())
            drop_cap = key and left.strip().isalpha() and right.lstrip()[0].islower()
            if row or (key and not drop_cap):
                first.tail = " "


def _until(siblings: Iterator[HtmlElement], end: HtmlElement) -> list[HtmlElement]:
    """The siblings before ``end``: empty elements (icons) between two items."""
    found = []
    for sibling in siblings:
        if sibling is end:
            break
        found.append(sibling)
    return found


def _no_items(element: HtmlElement) -> bool:
    return any(e.tag in _NO_ITEMS for e in (element, *element.iterancestors()))


def _is_row(parent: HtmlElement, items: list[HtmlElement]) -> bool:
    if (parent.text or "").strip() or any((c.tail or "").strip() for c in parent):
        return False
    for item in items:
        text = item.text_content()
        if item.tag not in _ITEMS or text != text.strip():
            return False
        if len(text) < 2 and not _KEY_ONLY.match(text):
            return False
    return True


def written(element: HtmlElement) -> list[str]:
    """The lines of ``element`` and all it holds."""
    writer = Writer()
    writer.block(element, 0)
    return writer.lines()


def _is_choice(element: HtmlElement) -> bool:
    box = element.find(".//input") if element.tag == "label" else None
    return box is not None and box.get("type", "").lower() in ("radio", "checkbox")


_CHOICE_CLASS = re.compile(r"option|choice|answer", re.I)
_NOT_A_CHOICE = re.compile(r"reveal|show|submit|check|hint|next|prev|review|report", re.I)


def _is_choice_button(element: HtmlElement) -> bool:
    """A quiz's option drawn as a button: ``<button class="option"><span>A</span>…``."""
    if element.tag != "button":
        return False
    words = " ".join(class_words(element))
    first = next((child for child in element if isinstance(child.tag, str)), None)
    keyed = first is not None and re.fullmatch(r"\s*[A-Ja-j][.、)]?\s*", text_of(first) or "")
    return (bool(_CHOICE_CLASS.search(words)) or bool(keyed)) and not _NOT_A_CHOICE.search(words)


def choice_buttons(root: HtmlElement) -> None:
    """Options drawn as buttons side by side become the items of a list, as
    :func:`choice_lists` does for radio labels; other buttons are page controls, dropped."""
    for parent in list(root.iter()):
        if not isinstance(parent.tag, str) or (parent.text or "").strip():
            continue
        children = [child for child in parent if isinstance(child.tag, str)]
        if len(children) >= 2 and all(_is_choice_button(child) for child in children):
            parent.tag = "ul"
            for child in children:
                child.tag = "li"
                child.attrib.pop("type", None)


#: The class a quiz site gives each of a question's options, and the one it adds to the right
#: ones when it shows the answers ("option correct" beside "option incorrect").
_OPTION_CLASS = frozenset({"option", "choice", "answer-option", "quiz-option", "option-item"})
_RIGHT_CLASS = frozenset({"correct", "is-correct", "right", "correct-answer"})


def option_blocks(root: HtmlElement) -> None:
    """A quiz site's options written as blocks side by side (``<div class="option
    correct">``) become the items of a list, the right ones marked as a results page marks
    them (``… ✔ Correct answer``), when the page marks any."""
    for parent in list(root.iter()):
        if not isinstance(parent.tag, str) or (parent.text or "").strip():
            continue
        children = [child for child in parent if isinstance(child.tag, str)]
        if len(children) < 2 or not all(
            _OPTION_CLASS & set(class_words(child)) for child in children
        ):
            continue
        right = [bool(_RIGHT_CLASS & set(class_words(child))) for child in children]
        parent.tag = "ul"
        for child, marked in zip(children, right, strict=True):
            child.tag = "li"
            if any(right) and marked:
                child.append(child.makeelement("span", {}))
                child[-1].text = " ✔ Correct answer"


def choice_lists(root: HtmlElement) -> None:
    """A quiz's choices laid out as ``<label><input type="radio"><span>d_model</span></label>``
    side by side in a ``<div>`` become the items of a list, one choice a line, as a person
    sees them; otherwise their texts would run together on one line."""
    for parent in list(root.iter()):
        if not isinstance(parent.tag, str) or (parent.text or "").strip():
            continue
        children = [child for child in parent if isinstance(child.tag, str)]
        if len(children) >= 2 and all(_is_choice(child) for child in children):
            parent.tag = "ul"
            for child in children:
                child.tag = "li"


def letter_definition_lists(root: HtmlElement) -> None:
    """A definition list whose terms are option letters (``<dt>A</dt><dd>sliding window</dd>``,
    as MediaWiki lays out options) becomes one paragraph an option: ``A. sliding window``."""
    for listing in list(root.iter("dl")):
        terms = [c for c in listing if isinstance(c.tag, str) and c.tag == "dt"]
        keys = [t.text_content().strip().rstrip(".、)").upper() for t in terms]
        if len(terms) < 2 or keys != [chr(ord("A") + n) for n in range(len(terms))]:
            continue
        for term in terms:
            definition = term.getnext()
            if definition is None or definition.tag != "dd":
                break
            text = (
                f"{term.text_content().strip().rstrip('.、)')}. {definition.text_content().strip()}"
            )
            paragraph = term.makeelement("p", {})
            paragraph.text = text
            listing.replace(term, paragraph)
            listing.remove(definition)
        listing.tag = "div"


#: A list lettered by its style, or by the counter its items' markers draw (Google Docs:
#: ``.lst-kix_x-0>li:before{content:"" counter(lst-kix_x-0,upper-latin) ". "}``).
_LIST_STYLE = re.compile(
    r"(?:list-style(?:-type)?\s*:[^;}]*?|counter\(\s*[\w-]+\s*,\s*)"
    r"\b(?P<kind>lower|upper)-(?P<of>alpha|latin|roman)"
)
_CLASS_RULES = re.compile(r"(?P<selectors>[^{}]+)\{(?P<body>[^{}]*)\}")


def class_styles(root: HtmlElement) -> dict[str, str]:
    """Each class word the page's ``<style>`` sheets name in a selector (``.ok, .right``,
    ``ol.pointsa``), with the declarations of every rule that names it."""
    styles: dict[str, str] = {}
    for sheet in root.iter("style"):
        for rule in _CLASS_RULES.finditer(sheet.text_content()):
            for name in re.findall(r"\.([\w-]+)", rule["selectors"]):
                styles[name] = f"{styles.get(name, '')};{rule['body']}"
    return styles


def styled_list_markers(root: HtmlElement) -> None:
    """An ordered list lettered by its style (``ol.pointsa{list-style-type:lower-alpha}`` in the
    page's ``<style>``, its markers' counter, inline, or Sphinx's ``class="upperalpha"``) gets
    the ``type`` a browser
    would draw: its items are
    options a, b, c, not questions 1, 2, 3. Run before the page's styles are dropped."""
    classes = {
        name: _list_type(found)
        for name, declarations in class_styles(root).items()
        if (found := _LIST_STYLE.search(declarations))
    }
    for listing in root.iter("ol"):
        found = _LIST_STYLE.search(listing.get("style", ""))
        kind = _list_type(found) if found else None
        kind = kind or next((classes[c] for c in class_words(listing) if c in classes), None)
        kind = kind or next((_DOCUTILS[c] for c in class_words(listing) if c in _DOCUTILS), None)
        if kind and not listing.get("type"):
            listing.set("type", kind)


#: The classes Sphinx's docutils gives an enumerated list (its stylesheet, not saved with the
#: page, letters them).
_DOCUTILS = {"upperalpha": "A", "loweralpha": "a", "upperroman": "I", "lowerroman": "i"}


def _list_type(found: re.Match[str]) -> str:
    letter = "a" if found["of"] in ("alpha", "latin") else "i"
    return letter.upper() if found["kind"] == "upper" else letter
