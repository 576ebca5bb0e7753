"""A Blackboard Learn test review saved as a page: under each question a table of its
details (``table.answerDetails``), a row a label ("Selected Answer:", "Answers:", "Correct
Answer:", "Given Answer:", "Response Feedback:") and rows without one continuing it. The
table becomes the article's paragraphs: each of the "Answers:" rows an option, the one with
Blackboard's correct-answer flag (an icon whose ``alt`` is "Correct") marked as the right
one; "Correct Answer:" the answer; the feedback the explanation. The taker's own answer
("Selected Answer:", "Given Answer:") is left out, right or wrong."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.html_writer import class_words

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_LABELS = {
    "answers": "options",
    "correct answer": "answer",
    "correct answers": "answer",
    "response feedback": "feedback",
    "feedback": "feedback",
}


def _label(row: HtmlElement) -> str | None:
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
    if not cells or "answer" in class_words(cells[0]):
        return None
    text = re.sub(r"\s+", " ", cells[0].text_content()).strip().rstrip(":：").lower()
    return text or None


def _answer_cell(row: HtmlElement) -> HtmlElement | None:
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
    return cells[-1] if cells else None


def answer_detail_tables(root: HtmlElement) -> None:
    """See the module docstring."""
    for table in list(root.iter("table")):
        if "answerDetails" not in class_words(table):
            continue
        paragraphs: list[str] = []
        role: str | None = None
        for row in table.iter("tr"):
            label = _label(row)
            if label is not None:
                role = _LABELS.get(label, "dropped")  # "selected answer", "given answer"
            cell = _answer_cell(row)
            if cell is None or role in (None, "dropped"):
                continue
            flagged = any(
                img.get("alt", "").strip().lower() == "correct" for img in cell.iter("img")
            )
            text = re.sub(r"\s+", " ", cell.text_content()).strip()
            if not text:
                continue
            if role == "options":
                paragraphs.append(text + (" ✔ Correct answer" if flagged else ""))
            elif role == "answer":
                paragraphs.append(f"Answer: {text}")
            else:
                paragraphs.append(f"Explanation: {text}")
        # in the table's place, among the question's own paragraphs, so that the page's
        # reader keeps them together
        parent, at = table.getparent(), table.getparent().index(table)
        for k, text in enumerate(paragraphs):
            paragraph = table.makeelement("p", {})
            paragraph.text = text
            parent.insert(at + k, paragraph)
        table.drop_tree()
