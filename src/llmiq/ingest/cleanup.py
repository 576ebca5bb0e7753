"""Tidying what the parser keeps: lines joined into paragraphs, prompts without stray bold,
and the bank's title (front matter, H1, a first line that reads as a title, else the file
name)."""

from __future__ import annotations

import re

H1 = re.compile(r"^ {0,3}#\s+\S")  # four spaces in: a code block's comment, no heading
_NOTICE = re.compile(
    r"https?://|cookie|subscribe|newsletter|sign\s+in|log\s+in|advert|sponsored|notice|"
    r"本文|原创|转载|版权|阅读\s*\d|点赞|收藏|关注|发布于|更新于|posted|published|updated|read\s+time|"
    r"min(?:ute)?s?\s+read",
    re.I,
)


_CJK = re.compile(r"[\u4e00-\u9fff]")
_BREADCRUMB = re.compile(r"\S\s+[>›»/]\s+\S.*\s[>›»/]\s+\S")


def title_heading(raws: list[str], content: list[int]) -> int | None:
    """Where the article's title heading is among the ``content`` lines: the first H1 (``#
    Title``), else a line underlined with ``===`` or ``---`` among the first few (Markdown's
    other heading, and plain-text newsletters': "** Quiz: 8 Questions" over "-----")."""
    h1 = next((i for i in content if H1.match(raws[i])), None)
    if h1 is not None:
        return h1
    return next(
        (
            i
            for i in content[:4]
            if i + 1 < len(raws)
            and (i == 0 or not raws[i - 1].strip())  # a paragraph of one line
            and re.fullmatch(r"\s*(?:={3,}|-{3,})\s*", raws[i + 1])
            and len(raws[i + 1].strip()) >= len(raws[i].strip()) // 2
        ),
        None,
    )


#: A header that names the post: PTT's "標題  [心得] …", a mail's "Subject: …".
_TITLE_FIELD = re.compile(
    r"^\s*(?:標題|标题|主題|主题|title|subject)\s*(?:[:：]\s*|\s{2,})(?P<title>\S.*)$", re.I
)


def labelled_title(raws: list[str]) -> tuple[int, str] | None:
    """The first of ``raws`` that names the post in a header field, and the name."""
    for k, raw in enumerate(raws):
        if found := _TITLE_FIELD.match(raw):
            return k, found["title"].strip()
    return None


#: Badges after a README's title: "[![Awesome](https://awesome.re/badge.svg)](https://…)".
#: ... and a heading's id, as pandoc and Markua write it: "{#ch-lora}".
_BADGES = re.compile(
    r"\s*\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|\s*!\[[^\]]*\]\([^)]*\)"
    r"|\s*\{#[\w:.-]+\}"
)


def clean_title(raw: str) -> str:
    """A title without heading marks and emphasis; dashes typed as ``---`` and ``--``
    ("Evaluation --- Module 6", "Weeks 1--6", as pandoc and LaTeX write them) become the
    em and en dashes they stand for."""
    title = re.sub(r"^[#\s*_]+|[*_\s#]+$", "", _BADGES.sub("", raw))
    title = re.sub(r"(?<=\S) --- (?=\S)", " — ", title)
    return clean_text(re.sub(r"(?<=\d)--(?=\d)", "–", title))


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: A line that opens with the post's date: "March 4, 2025 / #Machine Learning",
#: "2024-11-17 · 阅读 2k".
_DATELINE = re.compile(
    rf"^\W*(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    r"|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)\s*(?:[/|·•—–-]|$)",
    re.I,
)


def looks_like_title(raw: str) -> bool:
    """A first line that can name the bank: short, not a sentence, not a site notice or a
    breadcrumb, and more than a name ("Aditya Verma"): three words, or six Chinese
    characters."""
    text = raw.strip()
    words = len(re.findall(r"[A-Za-z0-9][\w'-]*", text)) + len(_CJK.findall(text)) // 2
    return (
        0 < len(text) <= 120
        and words >= 3
        and not re.search(r"[.。!！;；]\s*$", text)
        and not _NOTICE.search(text)
        and not _BREADCRUMB.search(text)
        and not _DATELINE.match(text)
    )


def title_line(raws: list[str]) -> int | None:
    """Which of the first lines names the bank: the first, if it reads as a title (the
    second under a dateline: "March 4, 2025 / #Machine Learning"); else,
    in a whole page copied as text (Ctrl+A), the first after its menu, a run of three or
    more short items ("首页", "沸点", "登录 / 注册"), if that one reads as a title and is as
    long as an article's title is (not a badge under the author: "Python领域优质创作者")."""
    if raws and looks_like_title(raws[0]):
        return 0
    if len(raws) > 1 and _DATELINE.match(raws[0]) and looks_like_title(raws[1]):
        return 1  # the title under the post's date and tags
    menu = next((k for k, raw in enumerate(raws) if len(raw.strip()) > 10), len(raws))
    if 3 <= menu < len(raws) and len(raws[menu].strip()) >= 16 and looks_like_title(raws[menu]):
        return menu
    return None


def file_title(name: str) -> str:
    """The file name without its folder and suffix: never a full path as a title."""
    base = re.split(r"[/\\]", name.rstrip("/\\"))[-1]
    return base.rsplit(".", 1)[0] if "." in base.strip(".") else base


def clean_text(text: str) -> str:
    """A prompt or option without bold wrapped around all of it or left unbalanced at an
    end ("**What is LoRA?**", "What is LoRA?**"); bold words inside stay, as written."""
    text = text.strip()
    whole = re.fullmatch(r"(\*\*|__)(?P<inner>(?:(?!\1).)+)\1", text, re.S)
    if whole:
        return whole["inner"].strip()
    if text.count("**") % 2:
        text = re.sub(r"^\*\*\s*|\s*\*\*$", "", text)
    return text.strip()


def join_lines(parts: list[str]) -> str:
    """Join lines, keeping one blank line between paragraphs."""
    text = "\n".join(parts)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def is_breadcrumb(raw: str) -> bool:
    """``牛客网 > 题库 > 专项练习``: the site's path to the page, above its title."""
    return bool(_BREADCRUMB.search(raw))


#: An answer key's pointer to the explanations instead of a key: "see explanation", "见解析".
SEE_BELOW = re.compile(
    r"^\s*(?:[、,，]?\s*\d{1,3}\s*)*"  # "11、12 看解析" read as question 11's "12 看解析"
    r"(?:see\s+(?:the\s+)?(?:explanations?|below|notes?)|(?:看|参?见|详见)(?:下文|解析|下方|详解)|略|—+|-+"
    # "11、12 为简答题，要点见下面的解析。"
    r"|为?(?:简答|问答|开放)题[，,]\s*(?:要点|答案)?(?:看|参?见|详见)(?:下面|下文|下方)的?(?:解析|详解))"
    r"\s*[。.]?\s*$",
    re.I,
)


def heading_level(raw: str) -> int:
    """``## Part 2`` -> 2; 0 for a line that is no Markdown heading."""
    match = re.match(r"^\s*(#{1,6})\s", raw)
    return len(match.group(1)) if match else 0
