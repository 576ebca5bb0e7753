"""Rewrite the markup that blogs wrap around answers into the plain lines the parser reads,
keeping one output line per input line so that every report still names the author's lines.

- YAML front matter at the top: its ``title:`` is kept, the block is left out.
- ``<details><summary>Answer</summary> B </details>``, Hugo's ``{{< spoiler text="答案" >}}``
  and ``<!-- ANSWER: B -->``: an answer label (``Answer: B``), or an explanation label when
  the summary says so (``Explanation``, ``解析``); other HTML comments are left out.
- Page furniture on a line ("Show Answer", "Click here for answer", "查看答案") is cut off,
  and a results page's reader's answer is left out (:mod:`furniture`).
- HTML written into the Markdown (headings, line breaks between options, table rows, lists,
  ``&nbsp;``, colouring tags) is made Markdown (:mod:`markdown_html`).
- A line that is only a difficulty tag ("难度：⭐⭐⭐", "**Difficulty:** Medium") is left out.
- A table of options (``| A. | 16 | B. | 32 |``) becomes option lines (:mod:`option_tables`).
- Options marked right or wrong (``- HNSW ✔ Correct answer``): a task list (:mod:`result_marks`).
- Obsidian's callouts (``> [!question] Q1. …``, ``> > [!success]- Answer``), embeds and wiki
  links are made plain (:mod:`obsidian`).
- What pandoc writes for a Word document (grid tables, escapes, spans) is made plain
  (:mod:`pandoc`).
- A printed page's running header or footer (a page number, and a line repeated next to
  it) is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from llmiq.ingest.asides import SPOILER_GUARD, aside_reason, chat_paste, table_of_contents
from llmiq.ingest.card_faces import rewrite_card_faces
from llmiq.ingest.chat import rewrite_chat
from llmiq.ingest.coursera_review import rewrite_coursera_review
from llmiq.ingest.difficulty import TAG_LINE as DIFFICULTY_LINE
from llmiq.ingest.feedback_verdicts import rewrite_feedback_verdicts
from llmiq.ingest.fenced_answers import unfence_answers
from llmiq.ingest.furniture import (
    FURNITURE_LINE,
    FURNITURE_TAIL,
    READERS_ANSWER,
    readers_answer_above_right_one,
    without_readers_answer,
)
from llmiq.ingest.interview_turns import rewrite_interview_turns, rewrite_judged_turns
from llmiq.ingest.lines import FENCE, TAG, LineKind, classify
from llmiq.ingest.lms_review import rewrite_lms_review
from llmiq.ingest.logseq import rewrite_logseq
from llmiq.ingest.markdown_html import MarkdownHtml
from llmiq.ingest.mdx import rewrite_mdx
from llmiq.ingest.obsidian import rewrite_obsidian
from llmiq.ingest.option_tables import rewrite_option_tables
from llmiq.ingest.outline import rewrite_outline
from llmiq.ingest.pandoc import rewrite_pandoc
from llmiq.ingest.question_marks import TYPE_TAG_LINE
from llmiq.ingest.result_marks import rewrite_result_marks
from llmiq.ingest.seal_line import strip_seal_line
from llmiq.ingest.site_syntax import is_site_syntax, tidy_site_syntax
from llmiq.messages import N_

_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*[:=]")
_FRONT_MATTER_TITLE = re.compile(r"^title\s*[:=]\s*(?P<title>.+?)\s*$", re.I)

_ANSWER_WORDS = re.compile(r"answer|solution|reveal|show|查看|答案|解答|参考|点击|展开|显示", re.I)
_KEY_WORDS = re.compile(r"answer\s*key|answers\s+to\s+all|答案汇总|答案速查|全部答案", re.I)
_EXPLANATION_WORDS = re.compile(r"explanation|rationale|why|解析|解释|分析", re.I)
_SUMMARY = re.compile(r"<summary[^>]*>(?P<label>.*?)</summary>", re.I | re.S)
_DETAILS_OPEN = re.compile(r"<details[^>]*>", re.I)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.I)
#: Shortcodes that hide an answer: Hugo's {{< spoiler text="Answer" >}}, Hexo's {% spoiler 答案 %}
#: (Butterfly's {% hideToggle 查看答案 %}),
#: WordPress's [collapse title="答案"].
_SHORTCODE_OPEN = re.compile(
    r"\{\{[<%]\s*(?P<name>spoiler|details|expand|collapse|toggle|answer|hint|hidden)\b"
    r"(?P<args>[^}]*?)[>%]\}\}"
    r"|\{%\s*(?P<hname>spoiler|details|hideblock|hidetoggle|fold|hide)\b(?P<hargs>[^%]*)%\}"
    # WordPress's and Typecho's: [collapse title="查看答案"], [spoiler]
    r"|\[(?P<wname>collapse|spoiler|expand|toggle|reveal|hide)\b(?P<wargs>[^\]]*)\](?!\()",
    re.I,
)
#: A Hugo theme's ``hint`` that is a callout box ("{{< hint warning >}}"), not an answer.
_CALLOUT_KIND = re.compile(
    r"^\s*(?:info|warning|danger|note|tip|success|important|caution)\b", re.I
)
_SHORTCODE_CLOSE = re.compile(
    r"\{\{[<%]\s*/\s*(?:spoiler|details|expand|collapse|toggle|answer|hint|hidden)\s*[>%]\}\}"
    r"|\{%\s*end(?:spoiler|details|hideblock|hidetoggle|fold|hide)\s*%\}"
    r"|\[/(?:collapse|spoiler|expand|toggle|reveal|hide)\]",
    re.I,
)
_COMMENT_ANSWER = re.compile(
    r"^\s*<!--\s*(?P<label>(?:correct\s+)?answers?|ans|答案|正确答案|参考答案|key)\s*[:：=]\s*"
    r"(?P<value>.*?)\s*-->\s*$",
    re.I,
)
#: A fence that folds text rather than holding code: Zulip's "```spoiler Answer 1", MyST's
#: "````{dropdown} Model answers" and its other directives of prose.
_FOLD_FENCE = re.compile(
    r"^\s*(?P<fence>`{3,}|~{3,})\s*(?:spoiler\b|\{(?:dropdown|admonition|note|tip|hint|important"
    r"|warning|caution|attention|toggle|solution|exercise)\})(?P<title>.*)$",
    re.I,
)
#: A MyST directive's option under its opening: ":class: dropdown", ":open:".
_DIRECTIVE_OPTION = re.compile(r"^\s*:[a-z][\w-]*:(?:\s.*)?$")
#: A documentation site's container: "::: details 点击查看答案", ":::tip 下一篇", ":::".
_CONTAINER = re.compile(r"^\s*:{3,}\s*(?P<kind>[A-Za-z][\w-]*)?\s*(?P<title>[^:]*?)\s*$")
#: An exam paper's instructions to candidates ("注意事项：1．答案一律写在答题纸上") and its
#: score boxes ("得分  评卷人", "题号  一  二  三  总分"): the paper, not its questions.
_EXAM_INSTRUCTIONS = re.compile(
    r"^\s*(?:(?:\*\*|__)?\s*(?:注意事项|考生须知|答题须知|考试须知|考试说明|答题说明)\s*[:：]?"
    r"\s*(?:\*\*|__)?"
    r"|(?i:(?P<en>(?:general\s+)?instructions(?:\s+(?:to|for)\s+(?:candidates|students))?)"
    r"\s*[:.]))"
)
_SCORE_BOX = re.compile(
    r"^\s*(?:得\s*分(?:\s+评卷人|\s+阅卷人)?|评卷人|阅卷人"
    r"|题\s*号(?:\s+[一二三四五六七八九十]+)+\s+总\s*分)\s*$"
)
#: A line that ends with a page number: the running header or footer of a printed page.
#: ... as a scan's OCR reads it too: "第 l 页（共 3 贞）"
_RUNNING_PAGE = re.compile(
    r"(?:第\s*[\dlI|]+\s*[页贞頁]\s*[（(]?\s*共\s*[\dlI|]+\s*[页贞頁]\s*[）)]?"
    r"|\bpage\s+\d+\s+of\s+\d+)\s*$",
    re.I,
)
#: A slide deck's speaker notes holding the answer: "Notes: Answer: B", "备注：答案：B".
_NOTES_ANSWER = re.compile(
    r"^\s*(?:speaker\s+)?notes?\s*[:：]\s*(?=(?:\*\*)?(?:(?:model|sample|short|reference)\s+)?"
    r"answers?\b|(?:\*\*)?(?:参考)?答案)|^\s*(?:演讲者)?备注\s*[:：]\s*(?=(?:参考)?答案|answer)",
    re.I,
)
#: A slide's speaker notes: the label and the lines under it up to a blank line are the
#: presenter's, not the question's (unless they give its answer: ``_NOTES_ANSWER``).
_SPEAKER_NOTES = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:(?:speaker|presenter)(?:'s)?\s+notes?|(?:演讲者|讲者|演讲)备注)"
    r"\s*(?:\*\*|__)?\s*[:：]?",
    re.I,
)
_LINK = re.compile(r"\[\s*(?:[⬆↑^]\s*)?([^\]]*)\]\([^)]*\)")


@dataclass
class Markup:
    """The rewritten lines (as many as were given) and what was learnt on the way."""

    lines: list[str]
    title: str | None = None
    #: (first, last, reason) of 0-based line ranges left out, for the import report
    left_out: list[tuple[int, int, str]] = field(default_factory=list)


_SLIDE_NUMBER = re.compile(
    r"^(?:q(?:uestion)?\s*|#|no\.?\s*)?(?P<num>\d{1,3})[.)]?(?:\s+[⭐★☆🔥]+)?\s*$", re.I
)


#: A heading that is a toggle's "reveal" label: "#### Show answer", "### 点击查看答案".
_REVEAL_HEADING = re.compile(
    r"^\s{0,3}#{1,6}\s+(?P<label>(?i:(?:show|reveal|view|see|display)\s+(?:the\s+|my\s+|our\s+)?"
    r"(?:answer|solution)s?)|(?:点击)?(?:查看|显示|展开)(?:参考)?(?:答案|解析))\s*[:：]?\s*$"
)


def _labelled_below(lines: list[str], i: int) -> bool:
    """Whether the first text under line ``i`` has a label of its own ("Answer: B")."""
    after = next((text for text in lines[i + 1 :] if text.strip()), "")
    return classify(0, after).kind is LineKind.ANSWER


def _label_for(text: str) -> str:
    """The line a hidden block's label becomes: ``Explanation:``, ``Answer:`` or, for a
    folded answer key, ``Answer key:``."""
    plain = TAG.sub("", text).strip().strip("\"'")
    if _KEY_WORDS.search(plain):  # "Show the answer key": the key's own label
        return "Answer key:"
    if _EXPLANATION_WORDS.search(plain) and not re.search(r"answer|答案", plain, re.I):
        return "Explanation:"
    if not plain or _ANSWER_WORDS.search(plain):
        return "Answer:"
    return ""


def _front_matter(lines: list[str], markup: Markup) -> int:
    """Blank a leading ``---`` ... ``---`` block of ``key: value`` lines (or Hugo's TOML,
    ``+++`` ... ``+++`` around ``key = value``); returns where the article starts."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    closing = ("---", "...") if lines[0].strip() == "---" else ("+++",)  # YAML, or TOML (Hugo)
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in closing:
            block = lines[1:end]
            if not any(_FRONT_MATTER_KEY.match(line) for line in block):
                return 0
            for line in block:
                if found := _FRONT_MATTER_TITLE.match(line):
                    markup.title = found["title"].strip("\"'") or None
            markup.left_out.append((0, end, N_("front matter")))
            for i in range(end + 1):
                lines[i] = ""
            return end + 1
    return 0


#: An Obsidian/GitHub callout header: "> [!success]- 答案", "> [!note] Explanation".
_CALLOUT = re.compile(r"^\s*>\s*\[!(?P<kind>[\w-]+)\][-+]?\s*(?P<title>.*)$")
_ANSWER_CALLOUTS = {"success", "check", "done", "answer", "solution"}


#: A Python-Markdown / MkDocs admonition: '??? success "答案"', '!!! note "Explanation"'.
_ADMONITION = re.compile(
    r"^\s*(?:!!!|\?\?\?\+?)\s*(?P<kind>[\w-]+)(?:\s+[\w-]+)*(?:\s+\"(?P<title>[^\"]*)\")?\s*$"
)


def _rewrite_callout(line: str) -> str:
    """``> [!success]- 答案`` and ``??? success "答案"`` -> ``Answer:``; other callouts and
    admonitions keep their title as text."""
    if admonition := _ADMONITION.match(line):
        title = (admonition["title"] or "").strip()
        label = _label_for(title) if title else ""
        if label or (not title and admonition["kind"].lower() in _ANSWER_CALLOUTS):
            return label or "Answer:"
        return title
    callout = _CALLOUT.match(line)
    if callout is None:
        return line
    title = callout["title"].strip()
    label = _label_for(title) if title else ""
    if label or (not title and callout["kind"].lower() in _ANSWER_CALLOUTS):
        return f"> {label or 'Answer:'}"
    return f"> {title}" if title else ">"


def _rewrite_hidden(line: str) -> str:
    """``<details><summary>Answer</summary>B</details>`` -> ``Answer: B``; a summary that is
    not about the answer keeps its text."""
    if summary := _SUMMARY.search(line):
        label = _label_for(summary["label"])
        after = _DETAILS_CLOSE.sub("", line[summary.end() :])
        before = _DETAILS_OPEN.sub("", line[: summary.start()]).strip()
        text = TAG.sub("", after).strip()
        if not label:
            return f"{before} {TAG.sub('', summary['label']).strip()} {text}".strip()
        return f"{before} {label} {text}".strip() if before else f"{label} {text}".rstrip()
    if shortcode := _SHORTCODE_OPEN.search(line):
        args = shortcode["args"] or shortcode["hargs"] or shortcode["wargs"] or ""
        if (shortcode["name"] or "").lower() == "hint" and _CALLOUT_KIND.match(args):
            return (line[: shortcode.start()] + line[shortcode.end() :]).strip()  # a callout
        label = _label_for(args) or "Answer:"
        rest = _SHORTCODE_CLOSE.sub("", line[shortcode.end() :]).strip()
        before = line[: shortcode.start()].strip()
        return f"{before} {label} {rest}".strip() if before else f"{label} {rest}".rstrip()
    if _SHORTCODE_CLOSE.search(line):
        return _SHORTCODE_CLOSE.sub("", line).rstrip()
    return _REDDIT_SPOILER.sub(r"\1", line)


#: Reddit's (and Discord's Markdown) spoiler: ">!Answer: 2!<".
_REDDIT_SPOILER = re.compile(r">!\s*(.+?)\s*!<")


def _running_headers(lines: list[str]) -> set[str]:
    """Lines a printed page repeats at its top or bottom: a text next to a page number
    ("LLM 面试题库 · 内部学习资料" above "第 1 页 共 4 页") that occurs more than once."""
    near_page_numbers = {
        lines[j].strip()
        for i, line in enumerate(lines)
        if _RUNNING_PAGE.search(line)
        for j in range(max(0, i - 2), min(len(lines), i + 3))
        if j != i and len(lines[j].strip()) >= 4 and not _RUNNING_PAGE.search(lines[j])
    }
    counts = Counter(line.strip() for line in lines)
    return {text for text in near_page_numbers if counts[text] >= 2}


#: A running header that carries its page number: "CS 7650 LLM — Quiz 3 (Spring 2024) 2".
_NUMBERED_HEADER = re.compile(r"^(?P<text>[^#\s].{8,}?)\s+(?P<page>\d{1,3})$")
#: ... unless the number is what it names: "Question 2", "Part 3", "第 2 章".
_NUMBERED_THING = re.compile(
    r"(?:question|problem|exercise|q|part|section|chapter|round|step|day|lecture|slide|task|case"
    r"|example|lesson|week|unit|level|phase|module|no\.?|#|第)\s*$",
    re.I,
)


def _numbered_running_headers(lines: list[str]) -> set[str]:
    """The texts of lines that recur with a different page number after them, at least ten
    lines apart, as a printed page's header or footer does."""
    seen: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        found = _NUMBERED_HEADER.match(line.strip())
        if (
            found
            and not _NUMBERED_THING.search(found["text"])
            and classify(0, line).kind is not LineKind.ANSWER  # "Answer: (b) 64", "… (b) 4"
        ):
            seen.setdefault(found["text"], []).append((i, int(found["page"])))
    return {
        text
        for text, places in seen.items()
        if len({page for _, page in places}) >= 2
        and all(b - a >= 10 for (a, _), (b, _) in pairwise(places))
    }


_PAGE_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")


def _footers_over_page_numbers(lines: list[str]) -> tuple[set[str], set[int]]:
    """A slide deck's or a printed page's footer above its page number alone on a line
    ("AI 平台部 · 内部培训资料 · 请勿外传" then "3"): the texts that recur at least three times
    over increasing numbers, and the lines of those numbers. (A number *above* a repeated
    line is a question's, as a quiz review's "2" over "单选(2分)".)"""
    seen: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        if i == 0 or not (number := _PAGE_NUMBER.match(line)):
            continue
        text = lines[i - 1].strip()
        probe = classify(0, text)
        if len(text) >= 6 and probe.kind is LineKind.TEXT and not probe.is_question:
            seen.setdefault(text, []).append((i, int(number[1])))
    texts: set[str] = set()
    numbers: set[int] = set()
    for text, places in seen.items():
        if len(places) >= 3 and all(a < b for (_, a), (_, b) in pairwise(places)):
            texts.add(text)
            numbers |= {i for i, _ in places}
    return texts, numbers


def rewrite_markup(text_lines: list[str]) -> Markup:
    """See the module docstring. Code blocks are left as they are."""
    lines, chat = rewrite_chat(strip_seal_line(text_lines))
    lines, review = rewrite_lms_review(lines)
    lines, submission = rewrite_coursera_review(lines)
    lines, notes = rewrite_outline(rewrite_logseq(lines))
    lines = unfence_answers(rewrite_pandoc(rewrite_obsidian(rewrite_mdx(lines))))
    lines = rewrite_card_faces(rewrite_judged_turns(rewrite_interview_turns(lines)))
    lines = rewrite_result_marks(rewrite_option_tables(rewrite_feedback_verdicts(lines)))
    markup = Markup(lines, left_out=chat + review + submission + notes)
    start = _front_matter(lines, markup)
    for first, last in chat_paste(lines):
        markup.left_out.append((first, last, N_("page furniture")))
        lines[first : last + 1] = [""] * (last + 1 - first)
    if contents := table_of_contents(lines):
        markup.left_out.append((contents.start, contents.stop - 1, N_("table of contents")))
        lines[contents] = [""] * len(lines[contents])
    running = _running_headers(lines)
    numbered = _numbered_running_headers(lines)
    footers, page_numbers = _footers_over_page_numbers(lines)
    # the document's own title, when it is also the header of its later pages, stays
    opening = [i for i, line in enumerate(lines) if line.strip()][:3]
    title_lines = {i for i in opening if lines[i].strip() in running}
    in_code, folded = False, ""  # ... and the fence of a fold (_FOLD_FENCE) it is in
    instructions = False  # the lines under "注意事项：" that continue it, indented
    label_alone = False  # ... under the label alone on its line, before any of them
    listed = False  # ... or all of them up to a blank line, when the label stands alone
    speaker = False  # in a slide's speaker notes, up to a blank line
    comment_start: int | None = None
    directive = False  # right under a directive's opening, where its options are
    html_in_markdown = MarkdownHtml()
    for i in range(start, len(lines)):
        line = lines[i]
        if comment_start is None and FENCE.match(line):
            folds = None if in_code or folded else _FOLD_FENCE.match(line)
            if folds or (folded and line.strip() == folded):
                lines[i] = _label_for(folds["title"]) if folds else ""
                folded = folds["fence"] if folds else ""
                directive = bool(folds)
                continue
            in_code = not in_code
            continue
        if in_code:
            continue
        if directive and (directive := bool(_DIRECTIVE_OPTION.match(line))):
            markup.left_out.append((i, i, N_("markup")))  # MyST's ":class: dropdown"
            lines[i] = ""
            continue
        line = lines[i] = html_in_markdown.rewrite(line)
        if comment_start is not None:  # inside a comment of several lines
            if "-->" in line:
                markup.left_out.append((comment_start, i, N_("HTML comment")))
                lines[i] = line.split("-->", 1)[1]
                comment_start = None
            else:
                lines[i] = ""
            continue
        speaker = bool(line.strip()) and (
            speaker or (_SPEAKER_NOTES.match(line) is not None and not _NOTES_ANSWER.match(line))
        )
        if speaker:
            markup.left_out.append((i, i, N_("speaker notes")))
            lines[i] = ""
            continue
        if instructions and line.strip() and (listed or line[:1].isspace()):
            markup.left_out.append((i, i, N_("exam instructions")))
            lines[i] = ""
            label_alone = False
            continue
        if label_alone and not line.strip():
            continue  # "**注意事项：**", a blank line, then its list
        label = _EXAM_INSTRUCTIONS.match(line)
        instructions = label is not None
        # the label alone on its line: its instructions are the lines under it, numbered
        # ("1．请将答案写在答题卡上") or not, up to a blank line
        # ... or an English paragraph, wrapped at the margin: "Instructions. This exam has …"
        label_alone = label is not None and not line[label.end() :].strip()
        listed = label_alone or bool(label and label["en"])
        if reason := aside_reason(line):  # a promotion, a grader's remark
            markup.left_out.append((i, i, reason))
            lines[i] = ""
            continue
        if instructions or _SCORE_BOX.match(line):
            markup.left_out.append(
                (i, i, N_("exam instructions") if instructions else N_("score box"))
            )
            lines[i] = ""
            continue
        header = _NUMBERED_HEADER.match(line.strip()) if numbered else None
        if (
            _RUNNING_PAGE.search(line)
            or (running and line.strip() in running and i not in title_lines)
            or (header and header["text"] in numbered)
            or line.strip() in footers
            or i in page_numbers
        ):
            # "《课程》测验二    第 2 页（共 3 页）", "… Page 2 of 3", and the title line a
            # printed page repeats above or below its number
            markup.left_out.append((i, i, N_("page header or footer")))
            lines[i] = ""
            continue
        if line.startswith("\f"):  # a page break in text from a PDF: the next page's header
            markup.left_out.append((i, i, N_("page header")))
            lines[i] = ""
            continue
        if notes := _NOTES_ANSWER.match(line):  # a slide's "Notes: Answer: B. …"
            line = lines[i] = line[notes.end() :]
        if found := _COMMENT_ANSWER.match(line):
            lines[i] = f"Answer: {found['value']}"
            continue
        if "<!--" in line:
            head, _, tail = line.partition("<!--")
            if "-->" in tail:
                lines[i] = head + tail.split("-->", 1)[1]
                if not lines[i].strip():
                    markup.left_out.append((i, i, N_("HTML comment")))
            else:
                lines[i] = head
                comment_start = i
            line = lines[i]
        if container := _CONTAINER.match(line):  # VuePress/VitePress "::: details 答案"
            title = container["title"].strip()
            if title and (label := _label_for(title)) and not _labelled_below(lines, i):
                lines[i] = label
            else:
                markup.left_out.append((i, i, N_("markup")))
                lines[i] = ""
            directive = bool(container["kind"] or title)  # an opening, not the closing ":::"
            continue
        if reveal := _REVEAL_HEADING.match(line):  # a Ghost toggle's "#### Show answer"
            lines[i] = _label_for(reveal["label"])
            continue
        line = _rewrite_callout(_rewrite_hidden(line))
        if (
            (slide := _SLIDE_NUMBER.match(line))
            and lines[i + 1 : i + 2] != []
            and (lines[i + 1].startswith("\t"))
        ):  # a slide outline's title that is only the question's number: "31", "#34", "Q 36"
            line = lines[i] = f"Q{slide['num']}."
        if is_site_syntax(line):  # "{% include ad.html %}", "{: .notice}"
            markup.left_out.append((i, i, N_("markup")))
            lines[i] = ""
            continue
        line = tidy_site_syntax(line)
        if TYPE_TAG_LINE.match(line):  # "[单选题]" above a question: its kind shows anyway
            markup.left_out.append((i, i, N_("question type tag")))
            lines[i] = ""
            continue
        if DIFFICULTY_LINE.match(line):  # "难度：⭐⭐⭐" under a question
            markup.left_out.append((i, i, N_("difficulty tag")))
            lines[i] = ""
            continue
        line = lines[i] = without_readers_answer(line)
        if readers_lines := readers_answer_above_right_one(lines, i):
            markup.left_out.append((i, i + readers_lines - 1, N_("page furniture")))
            lines[i : i + readers_lines] = [""] * readers_lines
            continue
        if (
            FURNITURE_LINE.match(_LINK.sub(r"\1", line))
            or READERS_ANSWER.match(line)
            or SPOILER_GUARD.match(line)
        ):
            markup.left_out.append((i, i, N_("page furniture")))
            line = ""
        else:
            line = FURNITURE_TAIL.sub("", line) if len(line) > 12 else line
        lines[i] = line
    if comment_start is not None:
        markup.left_out.append((comment_start, len(lines) - 1, N_("HTML comment")))
    return markup
