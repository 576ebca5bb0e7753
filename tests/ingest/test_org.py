"""Org-mode notes: read as the Markdown the parser knows, one line for each of the author's
lines, and told apart from Markdown and plain text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmiq.ingest import import_text
from llmiq.ingest.formats import detect_import_format
from llmiq.ingest.org import inline, looks_like_org, org_to_markdown

NOTES_ZH = """\
#+TITLE: 面试笔记：解码
#+OPTIONS: toc:nil
#+FILETAGS: :llm:

* 说明                                                    :noexport:
复习用，勿外传。

* 单选
** TODO 第1题                                                :高频:
:PROPERTIES:
:ID:       a1
:END:
哪种解码方法是确定性的？
- A. Top-k 采样
- B. 贪心解码
*** 答案
B。每步取概率最大的 token。

** DONE 2
:PROPERTIES:
:ANSWER:   A
:END:
下列哪个参数控制核采样的概率阈值？
1) top_p
2) top_k

** 【3】
哪些方法能减少重复？（多选）
- [X] A. 重复惩罚
- [ ] B. 贪心解码
- [X] C. no-repeat n-gram
*** 答案
勾选的就是答案。
"""

NOTES_EN = """\
#+TITLE: Decoding notes
#+AUTHOR: Sam

* [#A] Why does beam search favour short outputs?                 :core:
#+BEGIN_DETAILS Answer
Every extra token multiplies in a probability *below one*.
#+END_DETAILS

* Q2
What does =temperature= do?
*** Answer
It divides the logits; see [[https://example.org/t][the docs]].
#+BEGIN_SRC python
probs = softmax(logits / t)
#+END_SRC
"""


def test_chinese_drill_notes(in_short: Callable[[Any], list]) -> None:
    result = import_text(NOTES_ZH, name="解码.org", bank_id="t")
    assert result.lang == "zh"
    assert result.bank.title.get("zh") == "面试笔记：解码"
    assert in_short(result) == [
        ("single", ["Top-k 采样", "贪心解码"], ["B"]),
        ("single", ["top_p", "top_k"], ["A"]),
        ("multiple", ["重复惩罚", "贪心解码", "no-repeat n-gram"], ["A", "C"]),
    ]
    assert [q.prompt.get("zh") for q in result.bank.questions][1] == (
        "下列哪个参数控制核采样的概率阈值？"
    )
    skipped = {(s.first, s.last, s.reason) for s in result.skipped}
    assert (2, 3, "front matter, not imported") in skipped
    assert (5, 7, "text outside the questions, not imported") in skipped
    assert (10, 12, "markup, not imported") in skipped
    assert (20, 22, "markup, not imported") in skipped


def test_english_notes_with_blocks(in_short: Callable[[Any], list]) -> None:
    result = import_text(NOTES_EN, name="decoding.org", bank_id="t")
    got = in_short(result)
    assert [kind for kind, _, _ in got] == ["open", "open"]
    assert got[0][2] == "Every extra token multiplies in a probability **below one**."
    assert got[1][2].startswith("It divides the logits; see [the docs](https://example.org/t).")
    assert result.bank.questions[1].prompt.get("en") == "What does `temperature` do?"


def test_lines_and_inline_markup() -> None:
    lines = org_to_markdown(NOTES_ZH).lines
    assert len(lines) == len(NOTES_ZH.split("\n"))
    assert lines[0] == "# 面试笔记：解码"
    assert lines[7] == "## 单选"
    assert lines[23] == "A. top_p"
    assert lines[25] == "答案：A"
    assert inline("/italic/ and ~code~ and a/b/c") == "*italic* and `code` and a/b/c"


def test_detection() -> None:
    assert looks_like_org(NOTES_ZH)
    assert looks_like_org(NOTES_EN)
    assert detect_import_format("notes.txt", NOTES_ZH).name == "org"
    assert detect_import_format("x.org", "1. a?\nAnswer: b\n").name == "org"
    assert not looks_like_org("# Notes\n\n* item one\n* item two\n\n1. Q?\nAnswer: A\n")
    assert not looks_like_org("* 第一点\n* 第二点\n\n1. 问题？\n答案：A\n")
