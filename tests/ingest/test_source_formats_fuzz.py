"""Random documents in each source format's markup: a reader gives an import or one clear
error, never a crash, and its report names only lines the document has."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmiq.errors import LlmiqError
from llmiq.ingest.importing import import_text

_PIECES = {
    "latex": [
        "\\documentclass{exam}", "\\begin{document}", "\\end{document}", "\\title{Quiz}",
        "\\begin{questions}", "\\end{questions}", "\\question[2] What is BPE?", "\\question",
        "\\begin{choices}", "\\end{choices}", "\\choice Adam", "\\CorrectChoice BPE",
        "\\begin{checkboxes}", "\\end{checkboxes}", "\\begin{solution}", "\\end{solution}",
        "\\part", "\\fillin[BPE]", "\\begin{enumerate}", "\\item", "\\end{enumerate}",
        "\\textbf{Answer:} B", "% comment", "\\section{Part A}", "$x^2$", "{", "}", "\\",
    ],
    "org": [
        "#+TITLE: 笔记", "* 题目", "** TODO 1. 什么是 LoRA？ :高频:", "*** 答案", ":PROPERTIES:",
        ":ANSWER: B", ":END:", "- [X] 正确", "- [ ] 错误", "1) 选项", "#+BEGIN_SRC python",
        "#+END_SRC", "#+BEGIN_QUOTE", "#+END_QUOTE", "| a | b |", "|---+---|", "*粗体*", "=code=",
        "[[https://x.y][链接]]", ":noexport:", "",
    ],
    "rst": [
        "Title", "=====", "-----", "Question 1", ".. admonition:: Answer", ".. dropdown:: Answer",
        "   :open:", "   B", ".. note::", ".. code-block:: python", "::", "   x = 1",
        ".. image:: a.png", ".. _label:", "(a) one", "(b) two", "#. item", "term?",
        "   definition", ":field: value", "| line", "``lit``", ":ref:`x`", "`t <u>`_", "",
    ],
    "flashcards": [
        "#separator:tab", "#html:true", "#columns:Front\tBack\tTags", "#separator:Semicolon",
        "What is BPE?\tByte-pair encoding", "Q\tA\ttag", '"multi\nline"\tback', "a;b;c",
        "<b>bold</b>\t<br>x", "\t", "",
    ],
}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(_PIECES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_documents_never_crash(fmt: str, data: st.DataObject) -> None:
    parts = data.draw(st.lists(st.sampled_from(_PIECES[fmt]) | st.text(max_size=15), max_size=30))
    text = "\n".join(parts)
    try:
        result = import_text(text, name=f"fuzz.{fmt}", bank_id="fuzz", format=fmt)
    except LlmiqError:
        return
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert result.bank.questions
    for question in result.bank.questions:
        assert not question.rule_problems()
    for skipped in result.skipped:
        assert 1 <= skipped.first <= skipped.last <= line_count
