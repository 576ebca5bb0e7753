"""reStructuredText (Sphinx docs, project FAQs): read as the Markdown the parser knows, one
line for each of the author's lines, and told apart from Markdown and plain text."""

from __future__ import annotations

from pathlib import Path

from llmiq.ingest import import_text
from llmiq.ingest.formats import detect_import_format
from llmiq.ingest.rst import rst_to_markdown
from llmiq.ingest.rst_inline import find_titles, inline, looks_like_rst

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

FAQ_ZH = """\
.. _decoding-faq:

:title: 大模型面试题：解码
:作者: 张三
:日期: 2024-05-01

.. contents:: 目录
   :local:

单选题
======

第1题 哪种解码方法是确定性的？
------------------------------

(a) Top-k 采样
(b) 贪心解码
(c) 核采样

.. admonition:: 答案
   :class: dropdown

   B。每步取概率最大的 token。

第2题 下列哪个参数控制核采样的概率阈值？
----------------------------------------

A. ``top_p``
B. ``top_k``

.. dropdown:: 答案：A
   :icon: light-bulb

.. image:: nucleus.png
   :alt: 核采样示意图

问答题
======

什么是 KV cache？
   缓存已生成 token 的键和值，避免重复计算。

温度参数有什么作用？
   用 :math:`T` 缩放 logits，见 `文档 <https://example.org/t>`_。

   .. code-block:: python

      probs = softmax(logits / t)

.. 以下是草稿，不导出
   待补充：束搜索
"""

FAQ_EN = """\
.. meta::
   :description: Decoding FAQ

############
Decoding FAQ
############

:Author: Sam
:Version: 1

.. |HF| replace:: Hugging Face

Sampling
========

.. dropdown:: Why does beam search favour short outputs?
   :open:

   Every extra token multiplies in a probability *below one*.

Which decoding method is deterministic?

a) top-k sampling
b) nucleus sampling
c) greedy decoding

.. toggle::

   **(c)** — it always takes the most probable token.

Quick questions
===============

#. What does ``temperature`` do?

   .. admonition:: Answer

      It divides the logits; see :func:`torch.softmax`.

#. What does |HF| ``generate`` return by default?

   .. admonition:: Solution

      Token ids, for example::

         out = model.generate(ids)

.. figure:: beam.png

   Beam search, width 3.

| Last reviewed by Sam,
| June 2024.
"""


def _got(result: object) -> list[tuple[str, str, list[str], object]]:
    lang = result.lang  # type: ignore[attr-defined]
    return [
        (
            q.kind.value,
            q.prompt.get(lang),
            [o.text.get(lang) for o in q.options],
            q.answer if q.is_choice else q.reference.get(lang),
        )
        for q in result.bank.questions  # type: ignore[attr-defined]
    ]


def test_chinese_sphinx_faq() -> None:
    result = import_text(FAQ_ZH, name="解码.rst", bank_id="t")
    assert result.lang == "zh"
    assert result.bank.title.get("zh") == "大模型面试题：解码"
    got = _got(result)
    assert got[:2] == [
        ("single", "哪种解码方法是确定性的？", ["Top-k 采样", "贪心解码", "核采样"], ["B"]),
        ("single", "下列哪个参数控制核采样的概率阈值？", ["`top_p`", "`top_k`"], ["A"]),
    ]
    assert got[2] == ("open", "什么是 KV cache？", [], "缓存已生成 token 的键和值，避免重复计算。")
    assert got[3][1] == "温度参数有什么作用？"
    assert got[3][3].startswith("用 $T$ 缩放 logits，见 文档。")
    assert "probs = softmax(logits / t)" in got[3][3]
    skipped = {(s.first, s.last, s.reason) for s in result.skipped}
    assert (1, 1, "markup, not imported") in skipped
    assert (4, 5, "front matter, not imported") in skipped
    assert (7, 8, "markup, not imported") in skipped
    assert (34, 35, "image, not imported") in skipped
    assert (50, 51, "markup, not imported") in skipped


def test_english_directives_and_lists() -> None:
    result = import_text(FAQ_EN, name="faq.rest", bank_id="t")
    assert result.bank.title.get("en") == "Decoding FAQ"
    got = _got(result)
    assert got[0] == (
        "open",
        "Why does beam search favour short outputs?",
        [],
        "Every extra token multiplies in a probability *below one*.",
    )
    assert got[1] == (
        "single",
        "Which decoding method is deterministic?",
        ["top-k sampling", "nucleus sampling", "greedy decoding"],
        ["C"],
    )
    assert got[2] == (
        "open",
        "What does `temperature` do?",
        [],
        "It divides the logits; see `torch.softmax`.",
    )
    assert got[3][1] == "What does Hugging Face `generate` return by default?"
    assert got[3][3].startswith("Token ids, for example:\n```\nout = model.generate(ids)\n```")
    skipped = {(s.first, s.last, s.reason) for s in result.skipped}
    assert (1, 2, "markup, not imported") in skipped
    assert (8, 9, "front matter, not imported") in skipped
    assert (11, 11, "markup, not imported") in skipped
    assert (48, 50, "image, not imported") in skipped


def test_one_line_for_each_line() -> None:
    for text in (FAQ_ZH, FAQ_EN):
        assert len(rst_to_markdown(text).lines) == len(text.split("\n"))
    lines = rst_to_markdown(FAQ_EN).lines
    assert lines[4] == "# Decoding FAQ"
    assert lines[3] == lines[5] == ""
    assert lines[12] == "## Sampling"
    assert (lines[33], lines[39]) == (
        "1. What does `temperature` do?",
        "2. What does Hugging Face `generate` return by default?",
    )
    assert (lines[22], lines[44], lines[46]) == ("A. top-k sampling", "```", "```")


def test_title_levels_follow_first_appearance() -> None:
    text = (
        "Top\n===\n\nPart\n----\n\nSub\n~~~\n\nPart 2\n------\n\nOther\n=====\n\nNot a title\n===\n"
    )
    lines = rst_to_markdown(text).lines
    assert [lines[k] for k in (0, 3, 6, 9, 12)] == [
        "# Top",
        "## Part",
        "### Sub",
        "## Part 2",
        "# Other",
    ]
    assert lines[15] == "Not a title"
    zh = rst_to_markdown(FAQ_ZH).lines
    assert (zh[2], zh[9], zh[12]) == (
        "# 大模型面试题：解码",
        "## 单选题",
        "### 第1题 哪种解码方法是确定性的？",
    )
    assert (zh[19], zh[30]) == ("答案：", "答案：A")
    assert (zh[39], zh[40]) == (
        "### 什么是 KV cache？",
        "答案：缓存已生成 token 的键和值，避免重复计算。",
    )
    assert (zh[41], zh[42], zh[46], zh[48]) == (
        "### 温度参数有什么作用？",
        "答案：",
        "```python",
        "```",
    )
    assert [t.text for t in find_titles(["问题", "----", "", "短", "=="])] == [0, 3]
    assert find_titles(["", "Example", "::"]) == []


def test_literal_blocks() -> None:
    lines = rst_to_markdown("Run it ::\n\n   make html\n\n::\n\n  pip install x\nDone.").lines
    assert lines == ["Run it", "```", "make html", "```", "", "```", "pip install x\n```", "Done."]


def test_inline_markup() -> None:
    assert inline("``x`` and :func:`~torch.nn.functional.softmax`") == "`x` and `softmax`"
    assert (
        inline("see :ref:`the guide <guide>` and `vLLM <https://vllm.ai>`_")
        == "see the guide and vLLM"
    )
    assert (
        inline("a `target`_ and word_ and |sub| [1]_", {"sub": "text"})
        == "a target and word and text"
    )
    assert inline("__init__ and snake_case") == "__init__ and snake_case"
    assert inline(":math:`x^2`") == "$x^2$"


def test_detection() -> None:
    assert looks_like_rst(FAQ_ZH)
    assert looks_like_rst(FAQ_EN)
    assert detect_import_format("faq.txt", FAQ_EN).name == "rst"
    assert detect_import_format("the pasted text", FAQ_ZH).name == "rst"
    assert detect_import_format("x.rst", "1. a?\nAnswer: b\n").name == "rst"
    assert not looks_like_rst("# Notes\n\n.. note::\n\n``x`` and :ref:`y`\n\n```\ncode\n```\n")
    assert not looks_like_rst("Notes\n=====\n\n1. 问题？\n答案：A\n\n``x``\n")
    assert not looks_like_rst("Notes\n\n.. note:: read ``x``\n\n1. Q?\nAnswer: A\n")


def test_no_other_fixture_is_rst() -> None:
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".txt", ".md", ".html", ".tex", ".org", ".adoc", ".tsv", ""):
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, IsADirectoryError):
                continue
            if looks_like_rst(text):
                found.append(path.name)
    assert found == ["qa-notes_en_sphinx-rst-serving.txt"]


def test_an_empty_code_block_closed_on_its_own_line_keeps_the_line_numbers() -> None:
    # found by the fuzz test: the fence closed under the directive made the text one line
    # longer, and the page tail was reported at line 4 of a 3-line file
    result = import_text(
        ".. code-block:: python\n.. admonition:: Answer\n©", name="x.rst", bank_id="t", format="rst"
    )
    assert all(1 <= s.first <= s.last <= 3 for s in result.skipped)
