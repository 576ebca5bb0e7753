"""Where a page's article is when readability chose only parts of it: the answers folded in
``<details>`` without their questions, or a piece of each of several boxes (the "解析" under
each question of a quiz review). Each element is numbered (:data:`MARK`) before readability
rewrites the tree, so what it chose is found again in the page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from llmiq.ingest.html_writer import text_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Options A and B in a question's text: what readability left out when it chose only the
#: explanation of each question of a quiz review.
_OPTIONS = re.compile(r"(?<![A-Za-z])A\s*[.、．)][\s\S]*(?<![A-Za-z])B\s*[.、．)]")
#: Each element's number in document order, set before readability rewrites the tree.
MARK = "data-llmiq-n"


def around_pieces(root: HtmlElement, chosen: HtmlElement) -> HtmlElement | None:
    """The block holding the collapsibles when readability chose what is inside them, or
    pieces of several boxes.

    A ``<details>`` answer is part of an article, never the article: readability can score
    the answers' prose above the questions (Docusaurus calls their box
    ``collapsibleContent``, and a class word "content" counts in its favour) and then joins
    every answer box of the same class, so that the questions and options are lost. When
    one of the blocks it chose lies in a ``<details>``, the article is the element of
    ``root`` that holds all it chose, outside the outermost ``<details>``."""
    found = {e.get(MARK): e for e in root.iter() if isinstance(e.tag, str) and e.get(MARK)}
    marked = [e for e in chosen.iter() if isinstance(e.tag, str) and e.get(MARK) in found]
    picked = [found[e.get(MARK)] for e in marked]
    tops = [found[e.get(MARK)] for e in marked if not any(a.get(MARK) for a in e.iterancestors())]
    # or it chose a piece of each of several boxes ("解析" under each question of a quiz
    # review): readability joins siblings only, so pieces with other parents were cut out
    boxes = [e for e in picked if e.get("class") and e.get("class") == tops[0].get("class")]
    cut_out = len(boxes) > 1 and all(
        _OPTIONS.search(text_of(_item(box, boxes)).replace(text_of(box), "")) for box in boxes
    )  # each box's question, with its options, left out
    if not cut_out and not any(_in_details(e) for e in tops):
        return None
    chains = [[*reversed(list(e.iterancestors())), e] for e in picked]
    common = root
    for level in zip(*chains, strict=False):
        if any(e is not level[0] for e in level):
            break
        common = level[0]
    outer = [e for e in (common, *common.iterancestors()) if e.tag == "details"]
    around = outer[-1].getparent() if outer else common
    while around.tag in ("li", "ul", "ol") and around.getparent() is not None:
        around = around.getparent()  # a Notion toggle is a <details> in a list of its own
    return around


def _item(box: HtmlElement, boxes: list[HtmlElement]) -> HtmlElement:
    """The largest element holding ``box`` and no other of ``boxes``: its question, its post."""
    item = box
    while (parent := item.getparent()) is not None and not any(
        other is not box and any(a is parent for a in other.iterancestors()) for other in boxes
    ):
        item = parent
    return item


def _in_details(element: HtmlElement) -> bool:
    return any(e.tag == "details" for e in (element, *element.iterancestors()))
