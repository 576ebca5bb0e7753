"""A saved page's title: the article's heading, else ``og:title``, else ``<title>`` without
the site's name (``Page | Site``) or a breadcrumb's (a Confluence export's ``Space : Page``);
none when ``<title>`` only names the site its logo names ("知识星球 | 深度连接铁杆粉丝…")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.html_writer import HEADINGS, SPACE, class_words, text_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·»]\s+|_")


def _without_trail(title: str, trail: list[str]) -> str:
    """``title`` without a leading or trailing name of the breadcrumb trail: a Confluence
    export titles its pages ``Space : Page``, in ``<title>`` and in the ``<h1>`` alike."""
    for name in trail:
        name, separator = re.escape(name), r"(?:\s*[:：]\s*|\s+[|/>»›·\-–—]\s+)"
        for pattern in (rf"^{name}{separator}(?=\S)", rf"(?<=\S){separator}{name}$"):
            if (shorter := re.sub(pattern, "", title)) != title:
                return shorter
    return title


def page_title(
    root: HtmlElement,
    trail: list[str],
    current: str | None = None,
    logos: frozenset[str] = frozenset(),
) -> str | None:
    """The article's title: the first ``<h1>`` inside ``<article>``/``<main>`` (or the only
    one), else ``og:title``, else ``<title>`` without the site's name; without a name of the
    breadcrumb ``trail`` before or after it.

    An only ``<h1>`` outside the article may name the site or the course instead: it is
    passed over when ``<title>`` gives it as the site's name (a blog's name in ``Post - Blog``),
    and the breadcrumb's ``current`` page is the title when ``<title>`` holds that and not
    the ``<h1>`` (a Moodle quiz, whose ``<h1>`` is its course)."""
    headings = root.findall(".//h1")
    inside = [h for h in headings if any(a.tag in ("article", "main") for a in h.iterancestors())]
    page = root.find(".//title")
    whole = _UNREAD.sub("", text_of(page)) if page is not None else ""
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(whole)]
    site = parts[-1] if len(parts) > 1 else None
    if not inside and (named := _named_title(root)):
        return _without_trail(named, trail)  # Blogger's "h3.post-title" under the blog's h1
    for heading in inside or (headings if len(headings) == 1 else []):
        if not (text := text_of(heading)):
            continue
        if not inside and text == site:
            break
        if not inside and current and current in whole and text not in whole:
            return current
        return _without_trail(text, trail)
    for meta in root.iter("meta"):
        if meta.get("property") == "og:title" and (content := (meta.get("content") or "").strip()):
            return _without_trail(_UNREAD.sub("", SPACE.sub(" ", content)), trail)
    if whole and parts[0] not in logos:  # "知识星球 | 深度连接…": the site's own title
        text = _without_trail(whole, trail)
        return _TITLE_SEPARATORS.split(text)[0].strip() or text
    return None


def logo_names(root: HtmlElement) -> frozenset[str]:
    """What the site's logo says it is: its image's ``alt`` text."""
    return frozenset(
        (img.get("alt") or "").strip()
        for img in root.iter("img")
        if "logo" in " ".join([img.get("src") or "", *class_words(img)]).lower()
        or any("logo" in " ".join(class_words(a)).lower() for a in img.iterancestors())
    )


#: What a site's tab title counts before the page's: "(1) What LLM questions … - Quora".
_UNREAD = re.compile(r"^\s*\(\d{1,4}\+?\)\s+")


_TITLE_CLASS = re.compile(r"^(?:post|entry|article)[-_]title$", re.I)


def _named_title(root: HtmlElement) -> str | None:
    """The text of the one heading whose class or ``itemprop`` says it is the post's title."""
    found = [
        e
        for e in root.iter(*HEADINGS)
        if any(_TITLE_CLASS.match(w) for w in class_words(e)) or e.get("itemprop") == "headline"
    ]
    return (text_of(found[0]) or None) if len(found) == 1 else None
