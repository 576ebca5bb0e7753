"""Answers a practice page hides until the reader clicks "查看答案" / "Show answer".

Quiz and question-bank sites ship every answer in the saved page but hide it: an element with
``style="display:none"`` (or ``visibility:hidden``) or the ``hidden`` attribute, which a
script shows on click. Readability drops hidden elements, as it should for menus, pop-ups and
dialogs, so those answers would be lost. Before extraction, a hidden element is shown again
when it is an answer: its text opens with an answer or explanation label ("正确答案：B",
"Answer: (c)", "解析：…"), or its class or id names an answer (``class="answer"``,
``id="ans3"``, ``solution``, ``jiexi``), in which case an unlabelled text ("B") gets the label
``Answer:`` the way ``<details><summary>Answer</summary>`` does. The hidden body of a
``<details>`` is shown too: a collapsible that a script animates (Docusaurus) is saved from the
browser with its content in a ``<div style="display: none">``, and its ``<summary>`` already
says what it holds. Any other hidden element is left out, as readability leaves it out.

Left out: answers that only a script holds (a JSON blob, ``onclick="check('B')"``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.lines import LineKind, classify

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_INVISIBLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?=;|$)", re.I
)
#: Class or id words practice sites give an answer's box: "answer", "q-answer", "ans3",
#: "solution", "explanation", "analysis", "jiexi" (解析), "daan" (答案).
_ANSWER_NAME = re.compile(
    r"(?:^|[\s_-])(?:answers?|ans\d*|solutions?|explanations?|analysis|jiexi|daan|da-an)"
    r"(?:\d+|[\s_-]|$)",
    re.I,
)
_EXPLANATION_NAME = re.compile(r"explanation|analysis|jiexi", re.I)


def is_hidden(element: HtmlElement) -> bool:
    """Hidden by the ``hidden`` attribute or an inline ``display:none``/``visibility:hidden``."""
    return element.get("hidden") is not None or bool(_INVISIBLE.search(element.get("style", "")))


def _first_line(element: HtmlElement) -> str:
    text = element.text_content()
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def reveal_hidden_answers(root: HtmlElement) -> None:
    """Show the hidden elements of ``root`` that hold an answer (see the module docstring);
    the tree is changed in place."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or not is_hidden(element):
            continue
        first = _first_line(element)
        if not first:
            continue
        labelled = classify(1, first).kind in (LineKind.ANSWER, LineKind.EXPLANATION)
        named = _ANSWER_NAME.search(f"{element.get('class', '')} {element.get('id', '')}")
        parent = element.getparent()
        collapsed = parent is not None and parent.tag == "details" and element.tag != "summary"
        if not labelled and not named and not collapsed:
            continue
        element.attrib.pop("hidden", None)
        if "style" in element.attrib:
            element.set("style", _INVISIBLE.sub("", element.get("style", "")))
        if named and not labelled and not collapsed:
            label = "Explanation:" if _EXPLANATION_NAME.search(named.group(0)) else "Answer:"
            element.text = f"{label} {element.text or ''}"
