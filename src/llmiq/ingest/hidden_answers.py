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

An answer a page shows only by its colour is marked too: when the page says so ("红色的选项为
正确答案", "the correct option is in red"), an option (``A. …``, or a table cell beside its
letter) in red, by an inline ``color`` or by a class the page's ``<style>`` colours red,
gets a ✔, which the article parser reads as the option's key.

Left out: answers that only a script holds (a JSON blob, ``onclick="check('B')"``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.html_writer import BLOCKS, SPECIAL, class_styles, class_words
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


def reveal(element: HtmlElement) -> None:
    """Show ``element``: drop its ``hidden`` attribute and the inline style that hides it."""
    element.attrib.pop("hidden", None)
    if "style" in element.attrib:
        element.set("style", _INVISIBLE.sub("", element.get("style", "")))


def _first_line(element: HtmlElement) -> str:
    text = element.text_content()
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _first_block(element: HtmlElement) -> HtmlElement:
    """The block whose text starts ``element``'s: ``<p>`` in ``<div><p><b>(b)</b> …</p></div>``,
    so that a label put before its text lands on the answer's own line."""
    while not (element.text or "").strip():
        children = [c for c in element if isinstance(c.tag, str) and c.text_content().strip()]
        if not children or children[0].tag not in BLOCKS | SPECIAL:
            break
        element = children[0]
    return element


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
        parent = element.getparent()
        # the box or the collapsible around it says answer: "mw-collapsible quiz-answer"
        named = _ANSWER_NAME.search(f"{element.get('class', '')} {element.get('id', '')}")
        boxed = parent is not None and _ANSWER_NAME.search(
            f"{parent.get('class', '')} {parent.get('id', '')}"
        )  # the collapsible around it says answer ("mw-collapsible quiz-answer"), and its label
        collapsed = parent is not None and parent.tag == "details" and element.tag != "summary"
        if not labelled and not named and not collapsed and not boxed:
            continue
        reveal(element)
        if named and not labelled and not collapsed:
            label = "Explanation:" if _EXPLANATION_NAME.search(named.group(0)) else "Answer:"
            # on the line of its first text: "<div><p><b>(b)</b> — …</p></div>"
            holder = _first_block(element)
            holder.text = f"{label} {holder.text or ''}"


#: The page saying that red marks the answers: "红色的选项为正确答案", "correct answers in red".
_RED_SAYS = re.compile(
    r"(?:红色|标红|红字|\bred\b)[^。.;；\n]{0,30}(?:正确|答案|\banswers?\b|\bcorrect\b)"
    r"|(?:正确|答案|\banswers?\b|\bcorrect\b)[^。.;；\n]{0,30}(?:红色|标红|红字|\bred\b)",
    re.I,
)
_COLOR = re.compile(r"(?:^|[;{\s])color\s*:\s*([^;}!]+)", re.I)
_OPTION = re.compile(r"^\s*[(（]?[A-Ja-j][.、．:：)）]\s*\S")
_LETTER = re.compile(r"^\s*[(（]?[A-Ja-j][)）.、．:：]?\s*$")


def _is_red(value: str) -> bool:
    value = value.strip().lower()
    if value in ("red", "crimson", "darkred", "firebrick"):
        return True
    if hexa := re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value):
        digits = hexa.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    elif rgb := re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+).*\)", value):
        red, green, blue = (int(rgb.group(i)) for i in (1, 2, 3))
    else:
        return False
    return red >= 180 and green <= 90 and blue <= 90


def _beside_letter(element: HtmlElement) -> bool:
    """Whether ``element`` is in a table cell whose row opens with a cell holding a letter."""
    cell = next((e for e in (element, *element.iterancestors()) if e.tag in ("td", "th")), None)
    if cell is None or (row := cell.getparent()) is None:
        return False
    cells = [c for c in row if c.tag in ("td", "th")]
    return len(cells) == 2 and cells[1] is cell and bool(_LETTER.match(cells[0].text_content()))


def mark_coloured_answers(root: HtmlElement) -> None:
    """Put a ✔ after each option ``root`` shows in red when the page says that red marks
    the answers (see the module docstring); the tree is changed in place."""
    body = root.find("body")
    if body is None or not _RED_SAYS.search(body.text_content()):
        return
    red_classes = {
        name
        for name, declarations in class_styles(root).items()
        if any(_is_red(c) for c in _COLOR.findall(declarations))
    }
    for element in list(body.iter()):
        if not isinstance(element.tag, str):
            continue
        inline = any(_is_red(c) for c in _COLOR.findall(element.get("style", "")))
        if not inline and not red_classes & set(class_words(element)):
            continue
        text = element.text_content()
        if not _OPTION.match(text) and not _beside_letter(element):
            continue
        if len(element):
            element[-1].tail = (element[-1].tail or "") + " ✔"
        else:
            element.text = (element.text or "") + " ✔"


#: The label a course site's results page sets on an option: "Your answer is correct",
#: "Correct answer" (one the taker missed), "Your selection is incorrect".
_RIGHT_LABEL = re.compile(
    r"^\s*(?:your\s+(?:answer|selection|choice)\s+(?:is|was)\s+correct"
    r"|correct\s+(?:answer|selection|option|choice)|(?:你|您)的(?:答案|选择)正确|正确答案|正确选项)"
    r"\s*[.!。]?\s*$",
    re.I,
)
_WRONG_LABEL = re.compile(
    r"^\s*(?:your\s+(?:answer|selection|choice)\s+(?:is|was)\s+(?:incorrect|wrong)"
    r"|(?:你|您)的(?:答案|选择)错误)\s*[.!。]?\s*$",
    re.I,
)

#: The label on the taker's pick alone, right or wrong ("你的选择", "Your answer"): the key is
#: marked apart, so it says nothing about the answer.
_PICK_LABEL = re.compile(
    r"^\s*(?:(?:你|您)的(?:选择|答案|作答)|your\s+(?:answer|choice|selection|pick))\s*$", re.I
)


def mark_result_labels(root: HtmlElement) -> None:
    """A results page's label on a list item (``<li><span>Your answer is correct</span>
    <p>BPE</p></li>``) moves after the option's text as the mark a saved results page writes
    (``BPE ✔ Correct answer``, ``WordPiece ✘ Your answer``), which
    :mod:`llmiq.ingest.result_marks` reads; a label on the taker's pick alone goes."""
    for item in list(root.iter("li")):
        for label in list(item.iter()):
            if label is item or len(label) or not isinstance(label.tag, str):
                continue
            text = label.text_content()
            if _PICK_LABEL.match(text):
                label.drop_tree()
                continue
            right = _RIGHT_LABEL.match(text) is not None
            if not right and not _WRONG_LABEL.match(text):
                continue
            label.drop_tree()
            last = [e for e in item.iter() if len(e) == 0 and (e.text or "").strip()]
            mark = " ✔ Correct answer" if right else " ✘ Your answer"
            if last:
                last[-1].text = last[-1].text.rstrip() + mark
            else:
                item.text = (item.text or "").rstrip() + mark
            break
