"""A saved web page becomes the text of its article, which the article parser then reads.

Two steps. readability-lxml (a port of Mozilla's Readability) picks the element holding the
article and drops the page around it: navigation, sidebars, comments, footers, banners. Then
``html_writer`` turns that HTML into the Markdown-like text the parser knows: ``#`` headings,
one line per list item, blank lines between paragraphs, fenced code, Markdown tables, and
``<details>``/``<summary>`` kept as raw lines, the way GitHub Markdown articles write them.

readability alone loses things a quiz needs, so the page is prepared first: code blocks are
flattened to their text (readability drops a ``<span class="comment">`` inside one), task-list
checkboxes become ``[x]``/``[ ]`` (it drops lists holding inputs), and its minimum text length
is one character (else a list of short options, ``A. 1  B. 8  C. 64``, is dropped). Answers a
practice page hides until clicked are shown and options it marks only in red get a ✔
(``hidden_answers``); a hidden element holding most of the page's text is the article a
script shows once loaded (WeChat's ``#js_content``) and is shown too. Other hidden elements and
advertising boxes (``class="ad-box"``, ``adsbygoogle``) are removed. Headings lose their
permalinks ("¶", a zero-width space) and the badges after their text; elements a browser
shows apart by their style (an option's letter and text in two ``<span>``, a toolbar's
buttons) get a space between them. When readability chooses what lies inside ``<details>``
(a documentation site's folded answers), the article is the block holding them. A Notion
export's to-do boxes become ``[x]``/``[ ]`` and its one-item lists are joined again. A quiz
page made of form controls (Moodle, Canvas, Google Forms, Quiz Maker, HackerRank, 问卷星) is
read from its markup instead of readability's choice (``form_quiz``).

The page's title is put back as a ``#`` line when readability left the heading out, without
the site's name (``Page | Site``) or a breadcrumb's (a Confluence export's ``Space : Page``),
and without the "#214" GitHub sets after a discussion's title (``page_title``).
trafilatura was measured too (``benchmarks/html_extraction.py``): it selects as well, but its
output loses ``<details>``, the letters of ``<ol type="A">`` and checkbox states.

Left out: pages that build their article with JavaScript (the saved HTML holds no text), and
images (an option given only as a picture is lost).
"""

from __future__ import annotations

import codecs
import copy
import dataclasses
import logging
import re
from typing import TYPE_CHECKING

from llmiq.errors import LlmiqError
from llmiq.ingest.answer_details import answer_detail_tables
from llmiq.ingest.article import ImportResult
from llmiq.ingest.form_quiz import form_quiz, quiz_lines
from llmiq.ingest.hidden_answers import (
    is_hidden,
    mark_coloured_answers,
    mark_result_labels,
    reveal,
    reveal_hidden_answers,
)
from llmiq.ingest.html_writer import (
    BLOCKS,
    HEADINGS,
    choice_buttons,
    choice_lists,
    class_words,
    letter_definition_lists,
    option_blocks,
    separate_items,
    styled_list_markers,
    text_of,
    written,
)
from llmiq.ingest.page_title import logo_names, page_title
from llmiq.ingest.readability_repair import MARK, around_pieces
from llmiq.messages import N_, Message
from llmiq.textfile import refuse_binary, refuse_control_characters

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Said first in the importer's report: its line numbers are not the page's.
EXTRACTED_NOTE = N_("lines refer to the text extracted from the page")

_DROP = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "button", "select", "textarea", "dialog", "nav", "aside", "footer", "link", "meta", "img",
    "figcaption",
)  # fmt: skip
_INLINE = (
    "a", "abbr", "b", "cite", "code", "em", "font", "i", "kbd", "mark", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "time", "u", "var",
)  # fmt: skip
#: Class or id words of advertising boxes: "ad", "ads", "ad-slot", "top_ad", "adsbox",
#: "adsbygoogle", "advert", "sponsored", "promo-box", and of a site's own sales pitch between
#: the questions: "vip-banner", "upsell", "paywall-box", "cta".
_AD_NAME = re.compile(
    r"^(?:(?:[\w-]*[-_])?(?:ads?|cta)(?:[-_][\w-]*)?|ads?box|adsbygoogle|advert\w*|sponsor\w*"
    r"|promo\w*|upsell\w*|paywall\w*|vip[-_]?(?:banner|tips?|guide|bar|entry|popup|modal|card))$",
    re.I,
)
#: Class or id words of the breadcrumb trail above an article ("Home > AI > Quiz", often an
#: <ol>, read as a numbered list otherwise): page chrome that readability may keep.
_TRAIL_NAME = re.compile(r"^(?:bread-?crumbs?|[\w-]*[-_]breadcrumbs?)$", re.I)
#: Other chrome readability may keep: the attachments and comments a Confluence export lists
#: after the page, each a ``<div class="pageSection">``.
_CHROME_NAME = re.compile(r"^pageSection$", re.I)
#: Class words of a label set beside a heading: "badge", "aui-lozenge", "status-macro", "tag".
_BADGE_NAME = re.compile(r"(?:^|[-_])(?:badge|lozenge|status|chip|pill|tag|label)(?:$|[-_])", re.I)
_ISSUE_NUMBER = re.compile(r"^#\d+$")
_WORD = re.compile(r"[^\W_]+")
_DROP_ROLES = {"navigation", "complementary", "contentinfo", "dialog", "banner", "search"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
#: Characters XML (and so lxml) cannot hold: C0 controls but tab and newlines, lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE = re.compile(r"(?:language|lang|highlight-source)-([\w+#-]+)")


#: GB2312 and GBK pages use characters of their superset; decoding as GB18030 reads them all.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ascii": "utf-8",
              "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}  # fmt: skip


@dataclasses.dataclass
class PageImportResult(ImportResult):
    """An import from a web page: ``note`` heads the report, since the line numbers are those
    of the text extracted from the page, not of its HTML."""

    note: str = EXTRACTED_NOTE


def page_charset(raw: bytes) -> str | None:
    """The charset a page declares in ``<meta charset>`` or ``<meta http-equiv>``, from its
    first 4 KiB: ``b'<meta charset="gbk">'`` -> ``"gbk"``."""
    found = _META_CHARSET.search(raw[:4096])
    return found.group(1).decode("ascii").lower() if found else None


def _codec(charset: str | None) -> str | None:
    """A Python codec for a declared charset, or None for an unknown one."""
    if not charset:
        return None
    charset = charset.strip().strip("\"'").lower()
    charset = _SUPERSETS.get(charset, charset)
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_page(raw: bytes, *, name: str, charset: str | None = None) -> str:
    """Decode a web page or text that may not be UTF-8: the charset a server sent
    (``charset``), else the page's ``<meta charset>``, else UTF-8, else what
    charset-normalizer detects. GBK and GB2312 are read as GB18030. Binary content is one
    :class:`LlmiqError` sentence."""
    refuse_binary(raw, name)
    for candidate in (_codec(charset), _codec(page_charset(raw)), "utf-8-sig"):
        if candidate is None:
            continue
        try:
            text = raw.decode("utf-8-sig" if candidate == "utf-8" else candidate)
        except UnicodeDecodeError:
            continue  # a wrong declaration happens; try the next witness
        refuse_control_characters(text, name)
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise LlmiqError(N_("{name}: cannot tell the text's encoding; save it as UTF-8"), name=name)
    text = str(best)
    refuse_control_characters(text, name)
    return text


def _remove(element: HtmlElement) -> None:
    """Remove ``element`` and its content, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _prepare(root: HtmlElement) -> None:
    """Strip what is never article text and shield what readability would lose."""
    reveal_hidden_answers(root)
    mark_coloured_answers(root)
    mark_result_labels(root)
    answer_detail_tables(root)
    styled_list_markers(root)
    option_blocks(root)
    choice_buttons(root)
    for element in list(root.iter(*_DROP)):
        _remove(element)
    for element in list(root.iter("ac:parameter")):
        # a Confluence macro's settings ("q1" of an anchor, "Green" of a status lozenge);
        # a title (the lozenge's "EASY", an expand's "Answer") is what the page shows
        if element.get("ac:name") != "title":
            _remove(element)
    page_text = len(root.text_content().strip())
    for element in list(root.iter()):  # readability drops these; so must any fallback
        if (
            isinstance(element.tag, str)
            and element.tag not in ("html", "body")
            and is_hidden(element)
        ):
            if len(element.text_content().strip()) * 2 > page_text:
                reveal(element)  # the article itself, which a script shows once it has loaded
            else:
                _remove(element)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".split()
        if (
            element.get("role") in _DROP_ROLES
            or any(_AD_NAME.match(n) or _CHROME_NAME.match(n) for n in names)
            or _is_trail(element)
        ) and not _holds_article(element):
            _remove(element)
    _remove_doc_comments(root)
    _unwrap_item_paragraphs(root)
    _notion_blocks(root)
    _tidy_headings(root)
    choice_lists(root)
    separate_items(root)
    letter_definition_lists(root)
    for pre in root.iter("pre"):
        text = pre.text_content()
        classes = " ".join(
            e.get("class") or "" for e in (pre.getparent(), *pre.iter()) if e is not None
        )
        if language := _LANGUAGE.search(classes):
            pre.set("data-language", language.group(1))
        for child in list(pre):
            pre.remove(child)
        pre.text = text
    for box in list(root.iter("input")):
        if box.get("type", "").lower() == "checkbox":
            mark = "[x] " if box.get("checked") is not None else "[ ] "
            box.tail = mark + (box.tail or "").lstrip()
            box.drop_tag()
        else:
            _remove(box)
    for anchor in list(root.iter("a")):
        if not (anchor.get("href") or "").strip():  # a toggle, not a link: readability would
            anchor.drop_tag()  # count it as one and drop a short answer box for its links
    for element in root.iter(*_INLINE):
        # readability drops any element whose class or id reads as chrome ("tweet-num",
        # "footnote-ref"); inside a paragraph they are the paragraph's own words
        element.attrib.pop("class", None)
        element.attrib.pop("id", None)


def _holds_article(element: HtmlElement) -> bool:
    """Whether ``element`` wraps the page's article (freeCodeCamp's ``<div class="inner
    ad-layout">`` around its ``<article>``): a layout's name is no reason to drop it."""
    return bool(element.xpath(".//article|.//main|.//*[@role='main' or @itemprop='articleBody']"))


def _unwrap_item_paragraphs(root: HtmlElement) -> None:
    """``<li><p>…</p></li>``, as WeChat's and many editors' lists are written: the paragraph
    tags go (a line break between two), because readability scores a list holding
    paragraphs as a weak candidate of its own and drops it."""
    for item in list(root.iter("li")):
        paragraphs = [child for child in item if child.tag == "p"]
        for n, paragraph in enumerate(paragraphs):
            if n:
                paragraph.addprevious(paragraph.makeelement("br", {}))
            paragraph.drop_tag()


_TODO_MARKS = {"checkbox-on": "[x] ", "checkbox-off": "[ ] "}
#: A list item or a to-do as a Notion page shows it live: a box (``role="checkbox"`` and its
#: ``aria-checked``) or a marker ("•", "1.") then the text, each in a block of its own.
_LIVE_BLOCKS = frozenset(
    {"notion-to_do-block", "notion-bulleted_list-block", "notion-numbered_list-block"}
)


def _notion_blocks(root: HtmlElement) -> None:
    """A Notion export's to-do boxes as ``[x]``/``[ ]`` (an empty ``<div class="checkbox
    checkbox-on">`` before the item's text, which would make the item's text a paragraph of
    its own), and its lists joined: Notion writes each block, so each list item, as a list of
    its own (``<ol start="2">``), which would become lists of one item each. On a page saved
    from Notion's site, a to-do's box is its ``aria-checked``, and a list item's text follows
    its marker in a block of its own: both are joined on one line."""
    for box in list(root.iter("div", "span")):
        mark = next((_TODO_MARKS[n] for n in class_words(box) if n in _TODO_MARKS), None)
        if mark is not None and not text_of(box):
            box.tail = mark + (box.tail or "").lstrip()
            _remove(box)
    for block in root.iter("div"):
        if _LIVE_BLOCKS.isdisjoint(class_words(block)):
            continue
        for part in block:  # the page as Notion shows it: the box or marker, then the text
            if part.tag != "div":
                continue
            part.tag = "span"
            if part.get("role") == "checkbox" and not text_of(part):
                part[:] = []
                part.text = "- [x] " if part.get("aria-checked") == "true" else "- [ ] "
            elif "pseudoBefore" in class_words(part):
                part[:] = []
                part.text = "- "
    for first in list(root.iter("ol", "ul")):
        if first.getparent() is None:
            continue
        while (after := first.getnext()) is not None and _continues(first, after):
            first.tail = None
            first.extend(list(after))
            first.tail = after.tail
            after.getparent().remove(after)


def _continues(first: HtmlElement, after: HtmlElement) -> bool:
    """``after`` is the next item of the list ``first``: a list of the same tag and classes,
    with nothing between, numbered on from ``first`` if it is numbered."""
    if (
        after.tag != first.tag
        or not class_words(first)
        or class_words(after) != class_words(first)
        or (first.tail or "").strip()
    ):
        return False
    if first.tag == "ol" and (start := after.get("start")) is not None:
        items = sum(1 for c in first if c.tag == "li")
        return start == str(int(first.get("start") or "1") + items)
    return True


def _spells_text(name: str, text: str) -> bool:
    """Whether an id is the slug of its heading's text ("heading-question-3-how-does-tool-calling
    -work"): readability weighs its words as class names and drops the heading for a "tool" or a
    "comment" in it."""
    words, said = _WORD.findall(name.lower()), set(_WORD.findall(text.lower()))
    return len(words) >= 3 and 3 * sum(w in said for w in words) >= 2 * len(words)


def _tidy_headings(root: HtmlElement) -> None:
    """A heading without an id spelling its text, without its permalink ("¶" in MkDocs and
    Sphinx, "#", a zero-width space in Docusaurus and VitePress, an icon in GitBook) and its
    text out of a link to itself (mdBook),
    without the badges after its text (Confluence's status lozenge "高频",
    ``<span class="badge">New</span>``, the "#214" GitHub sets after an issue's or a
    discussion's title in its own element) and without blocks
    inside it: GitBook writes ``<h2><div>icon</div><div>title</div></h2>``, and a ``<p>`` that
    readability makes of such a ``<div>`` would close the heading when its output is parsed
    again."""
    for heading in list(root.iter(*HEADINGS)):
        if _spells_text(heading.get("id") or "", text_of(heading)):
            del heading.attrib["id"]
        for link in list(heading.iter("a")):
            href, text = link.get("href") or "", link.text_content()
            if href.startswith("#") and not any(c.isalnum() for c in text):
                _remove(link)
            elif href.startswith("#"):  # mdBook's heading, a link to itself: readability
                link.drop_tag()  # drops a heading whose text is all link
        for badge in reversed([e for e in heading.iterdescendants() if isinstance(e.tag, str)]):
            label, whole = text_of(badge), text_of(heading)
            names = class_words(badge)
            if (
                label
                and whole.endswith(label)
                and len(whole) > len(label)
                and (
                    any(_BADGE_NAME.search(n) for n in names)
                    or (heading.tag == "h1" and _ISSUE_NUMBER.match(label))
                )
            ):
                _remove(badge)
        for inner in list(heading.iterdescendants(*BLOCKS)):
            inner.text = " " + (inner.text or "")
            inner.tail = " " + (inner.tail or "")
            inner.drop_tag()


def _remove_doc_comments(root: HtmlElement) -> None:
    """A Google Docs export's comments: the "[a]" marks in the text (links to ``#cmnt1``)
    and the comments themselves at the end (each a block holding a link back to
    ``#cmnt_ref1``)."""
    for link in list(root.iter("a")):
        href = link.get("href") or ""
        if href.startswith("#cmnt_ref"):
            paragraph = next((e for e in link.iterancestors() if e.tag in ("p", "li")), None)
            box = next((e for e in link.iterancestors() if e.tag == "div"), None)
            # the comment's own box, never a wrapper around the document
            if box is not None and len(box.text_content()) < 2000:
                _remove(box)
            elif paragraph is not None:
                _remove(paragraph)
        elif href.startswith("#cmnt"):
            mark = link.getparent() if link.getparent().tag == "sup" else link
            _remove(mark)


def _is_trail(element: HtmlElement) -> bool:
    """A breadcrumb trail above the article ("Home > AI > Quiz")."""
    names = f"{element.get('class', '')} {element.get('id', '')}".split()
    label = (element.get("aria-label") or "").lower()
    return label in ("breadcrumb", "breadcrumbs") or any(_TRAIL_NAME.match(n) for n in names)


def _trail(root: HtmlElement) -> tuple[list[str], str | None]:
    """The names in the page's breadcrumb trails, longest first (the site or wiki space, the
    sections above the page), and the page itself when a trail marks it
    (``aria-current="page"``)."""
    names: set[str] = set()
    current = None
    for trail in (e for e in root.iter() if isinstance(e.tag, str) and _is_trail(e)):
        names.update(text_of(item) for item in trail.findall(".//li") or trail.findall(".//a"))
        here = (
            i for i in trail.iter() if isinstance(i.tag, str) and i.get("aria-current") == "page"
        )
        if current is None and (item := next(here, None)) is not None:
            current = text_of(item) or None
    return sorted(names - {""}, key=len, reverse=True), current


def html_to_text(html: str, *, name: str = "the page") -> str:
    """The article of a saved web page as Markdown-like text (see the module docstring);
    a page with no text is one :class:`LlmiqError` sentence."""
    import lxml.etree
    import lxml.html
    from readability import Document
    from readability.readability import Unparseable

    html = _NOT_XML.sub("", html.lstrip("\ufeff"))
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        raise LlmiqError(N_("{name}: the page holds no text"), name=name) from None
    trail, current = _trail(root)
    quiz, logos = form_quiz(root), logo_names(root)
    _prepare(root)
    title = page_title(root, trail, current, logos)
    if quiz:
        return "\n".join([*([f"# {title}", ""] if title else []), *quiz_lines(quiz)]) + "\n"
    for number, element in enumerate(root.iter()):
        if isinstance(element.tag, str):
            element.set(MARK, str(number))
    pristine = copy.deepcopy(root)  # readability rewrites the tree it is given
    # readability logs a traceback before raising Unparseable; the fallback says enough.
    logging.getLogger("readability.readability").disabled = True
    try:
        summary = Document(root, min_text_length=1).summary(html_partial=True)
    except Unparseable:
        summary = lxml.html.tostring(root, encoding="unicode")
    try:
        article = lxml.html.document_fromstring(summary)
    except (lxml.etree.ParserError, ValueError):
        raise LlmiqError(N_("{name}: the page holds no text"), name=name) from None
    body = article.find("body")
    chosen = body if body is not None else article
    if (around := around_pieces(pristine, chosen)) is not None:
        chosen = around
    lines = written(chosen)
    lines = _questions_elsewhere(pristine, lines) or lines
    if title and not any(line.startswith("# ") for line in lines[:3]):
        lines = [f"# {title}", "", *lines]
    if not any(line.strip() for line in lines):
        raise LlmiqError(N_("{name}: the page holds no text"), name=name)
    return "\n".join(lines) + "\n"


#: A line that starts with a question's number: "1.", "Q3:", "第5题", "**12、**".
_NUMBERED = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?[ \t]*(?:(?:Q(?:uestion)?[ \t]*|第[ \t]*)?\d{1,3}[ \t]*题?"
    r"[ \t]*[.、．:：)）]"
    r"|(?:question|problem)[ \t]*\d{1,3}[ \t]*(?:\*\*)?[ \t]*$)",  # "### Question 3" alone
    re.M | re.I,
)
_CONTAINERS = ("body", "main", "article", "section", "div", "td")


def _questions_elsewhere(root: HtmlElement, extracted: list[str]) -> list[str] | None:
    """The lines of the element that holds the page's questions when readability chose
    another one, or only part of it.

    Readability scores blocks by their prose; on a forum thread whose first post is a list of
    questions written with ``<br>`` (Discuz, phpBB) it can pick a reply instead, and in a
    notebook exported to HTML it can stop at a code cell's output, leaving out the questions
    after it. When the page has at least three lines that start with a question number, the
    deepest block that holds nine in ten of them is the article if the extracted text holds
    fewer than half of them, or if that block carries on the extracted text's run of question
    numbers (1, 2, 3, ..., each line starting as the extracted ones do: "### Q7." after
    "### Q6.")."""
    counting = copy.deepcopy(root)
    for element in counting.iter("br", "td", "tr", *BLOCKS, *HEADINGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    body = counting.find("body")
    if body is None:
        return None
    whole = _numbers(body.text_content())
    if len(whole) < 3:
        return None
    best, depth = body, 0
    for element in body.iter(*_CONTAINERS):
        level = sum(1 for _ in element.iterancestors())
        if level > depth and 10 * len(_numbers(element.text_content())) >= 9 * len(whole):
            best, depth = element, level
    found = root.getroottree().xpath(counting.getroottree().getpath(best))
    if not found:
        return None
    lines = written(found[0])
    if 2 * len(_numbers("\n".join(extracted))) < len(whole):
        return lines
    taken, held = _chain("\n".join(extracted)), _chain("\n".join(lines))
    more = held[len(taken) :]
    if taken and held[: len(taken)] == taken and more:
        shapes = {shape for _, shape in taken}
        if all(shape in shapes for _, shape in more):
            return lines
    return None


def _numbers(text: str) -> list[int]:
    """The numbers of the lines of ``text`` that start with a question number, in order."""
    return [int(re.search(r"\d+", found)[0]) for found in _NUMBERED.findall(text)]


def _chain(text: str) -> list[tuple[int, str]]:
    """The question numbers of ``text`` that continue its first one (1, 2, 3, ...; numbered
    options in between are passed over), each with its line's start, digits left out."""
    chain: list[tuple[int, str]] = []
    for found in _NUMBERED.findall(text):
        number = int(re.search(r"\d+", found)[0])
        if not chain or number == chain[-1][0] + 1:
            chain.append((number, re.sub(r"\d+", "", found.strip())))
    return chain


def parse_html_page(
    text: str, *, name: str, bank_id: str, title: str | None = None
) -> PageImportResult:
    """Parse a saved web page: its article's text, through the article parser. A failure
    that names lines says they are lines of the extracted text."""
    from llmiq.ingest.article import parse_article

    try:
        result = parse_article(
            html_to_text(text, name=name), name=name, bank_id=bank_id, title=title
        )
    except LlmiqError as exc:
        if re.search(r"\bline|:\d+:", str(exc)):
            raise LlmiqError(
                N_("{error} ({note})"), error=exc, note=Message(EXTRACTED_NOTE)
            ) from None
        raise
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    return PageImportResult(**fields)
