"""AsciiDoc articles (Antora pages, GitHub wikis, books): read as the Markdown the parser
knows, one line for each of the author's lines, and told apart from Markdown and plain text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmiq.ingest import import_article, import_text
from llmiq.ingest.asciidoc import asciidoc_to_markdown
from llmiq.ingest.asciidoc_inline import inline, looks_like_asciidoc
from llmiq.ingest.fetch import fetch_page, import_url
from llmiq.ingest.formats import detect_import_format
from llmiq.textfile import decode_text

FIXTURES = Path(__file__).parents[1] / "fixtures"

#: A book chapter's quiz: numbered questions whose options are the nested (lettered) list,
#: the answers in collapsible blocks attached with "+".
BOOK = """\
= Transformer Quiz
Ada Lovelace <ada@example.org>
v2.0, 2024-05-01
:toc:
:imagesdir: images
// draft: check question 3 with the editor

A short quiz on attention. See xref:intro.adoc#setup[the setup page] first.

== Questions

. What does the scaling factor 1/√d~k~ in attention prevent?
.. Vanishing gradients in the feed-forward layer
.. Softmax saturation when dot products grow with dimension
.. Overfitting on long sequences
+
.Answer
[%collapsible]
====
B. Large dot products push softmax into regions with tiny gradients.
====

. Which of these are true of multi-head attention? (select all)
.. Each head has its own projections
.. Heads share one softmax
.. The outputs are concatenated and projected
+
.Answer
[%collapsible]
====
A, C
====

. Explain *why* positional encodings are needed.
+
.Show answer
[%collapsible]
====
Self-attention is permutation-invariant, so positions are needed to tell order apart.
====
"""

#: A Chinese GitHub wiki page: [upperalpha] options, an answer line, an admonition block
#: that explains, a collapsible 答案, an open question; a comment block, a conditional and
#: an image.
WIKI_ZH = """\
= 大模型面试题：微调
张三 <zhangsan@example.cn>
:toc: left
:icons: font

////
内部使用，勿外传
////

== 一、单选题

=== 1. LoRA 训练的是什么？

[upperalpha]
. 全部权重
. 低秩矩阵 B 和 A
. 只有 LayerNorm
. 词表

答案：B

[NOTE]
====
LoRA 冻结原权重，只训练低秩分解矩阵。
====

=== 2. QLoRA 使用的量化格式是？

[upperalpha]
. INT8
. NF4
. FP16
. BF16

.答案
[%collapsible]
====
B
====

== 二、简答题

=== 3. 什么是 P-Tuning？

*答案：* 在输入中加入可训练的连续提示向量，模型参数冻结。

ifdef::env-github[]
TIP: 在 GitHub 上查看效果更好。
endif::[]

image::ptuning.png[P-Tuning 示意图]
"""

#: An interview drill saved as .txt: keys under lettered lists, options with hard line
#: breaks, a checklist, a listing block, an appendix.
DRILL = """\
= Decoding Drill
Sam Lee <sam@example.org>
:experimental:

[abstract]
Three questions on decoding.

== Choice

=== Q1

Which decoding method is deterministic?

[loweralpha]
. Top-k sampling
. Greedy decoding
. Nucleus sampling

Key: b

=== Q2

Which sampling parameter keeps the smallest set of tokens whose probability adds up to p? +
Pick one.

A) temperature +
B) top_p +
C) top_k

Key: B

=== Q3

Which of these reduce repetition? Tick all that apply.

* [x] A repetition penalty
* [ ] Greedy decoding
* [*] No-repeat n-gram blocking

== Discussion

=== Q4

Why does beam search favour short outputs?

*Answer:* Every extra token multiplies in a probability below one, so longer beams score lower.

[source,python]
----
outputs = model.generate(ids, num_beams=4, length_penalty=1.0)
----

[appendix]
== Changelog

* v1.1: added Q4
"""

#: Cheat-sheet layouts: a [qanda] list and a Q&A table, with attribute references.
CHEATS = """\
= RAG Cheat Sheet
:product: LangChain

[qanda]
What does RAG stand for?::
  Retrieval-augmented generation.
Which library do the examples use?:: {product}

What is a vector store?::
  A database that indexes embeddings for nearest-neighbour search.

== Table

[%header,cols="1,3,3"]
|===
|# |Question |Answer

|4
|What is chunk overlap?
|Sharing tokens between adjacent chunks so that no sentence is cut off.

|5
|Why rerank?
|A cross-encoder rescoring the top-k improves precision.
|===
"""

#: Old-style AsciiDoc: two-line titles, answers as a description list.
OLD_STYLE = """\
Sampling Quiz
=============

Question 1
----------

Which decoding method is deterministic?

[upperalpha]
. Top-k sampling
. Greedy decoding

Answer:: B

Question 2
----------

Explain beam search in one sentence.

Answer:: It keeps the _k_ most probable partial sequences at each step.
"""


def _got(result: object) -> list[tuple[str, list[str], list[str] | str | None]]:
    lang = result.lang  # type: ignore[attr-defined]
    return [
        (
            q.kind.value,
            [o.text.get(lang) for o in q.options],
            q.answer if q.is_choice else q.reference.get(lang),
        )
        for q in result.bank.questions  # type: ignore[attr-defined]
    ]


def _skipped(result: object) -> list[tuple[int, int, str]]:
    return [(s.first, s.last, s.reason) for s in result.skipped]  # type: ignore[attr-defined]


def test_a_book_quiz_with_nested_options_and_collapsible_answers() -> None:
    result = import_text(BOOK, name="quiz.adoc", bank_id="t")
    assert result.bank.title.get(result.lang) == "Transformer Quiz"
    assert _got(result) == [
        (
            "single",
            [
                "Vanishing gradients in the feed-forward layer",
                "Softmax saturation when dot products grow with dimension",
                "Overfitting on long sequences",
            ],
            ["B"],
        ),
        (
            "multiple",
            [
                "Each head has its own projections",
                "Heads share one softmax",
                "The outputs are concatenated and projected",
            ],
            ["A", "C"],
        ),
        (
            "open",
            [],
            "Self-attention is permutation-invariant, so positions are needed to tell order apart.",
        ),
    ]
    first = result.bank.questions[0]
    assert first.prompt.get("en") == "What does the scaling factor 1/√dk in attention prevent?"
    assert first.explanation.get("en").startswith("Large dot products")
    assert (2, 5, "front matter, not imported") in _skipped(result)
    assert (6, 6, "markup, not imported") in _skipped(result)
    assert not any("ada@example.org" in s.excerpt for s in result.skipped)


def test_a_chinese_wiki_page_and_the_lines_it_leaves_out() -> None:
    result = import_text(WIKI_ZH, name="微调.adoc", bank_id="t")
    assert result.lang == "zh"
    assert result.bank.title.get(result.lang) == "大模型面试题：微调"
    assert _got(result) == [
        ("single", ["全部权重", "低秩矩阵 B 和 A", "只有 LayerNorm", "词表"], ["B"]),
        ("single", ["INT8", "NF4", "FP16", "BF16"], ["B"]),
        ("open", [], "在输入中加入可训练的连续提示向量，模型参数冻结。"),
    ]
    assert result.bank.questions[0].explanation.get("zh") == "LoRA 冻结原权重，只训练低秩分解矩阵。"
    skipped = _skipped(result)
    assert (2, 4, "front matter, not imported") in skipped
    assert (6, 8, "markup, not imported") in skipped
    assert (47, 47, "markup, not imported") in skipped  # ifdef::env-github[]
    assert (49, 49, "markup, not imported") in skipped  # endif::[]
    assert (51, 51, "image, not imported") in skipped
    image = next(s for s in result.skipped if s.first == 51)
    assert image.excerpt == "image::ptuning.png[P-Tuning 示意图]"
    assert image.text("zh") == "第 51 行：图片，未导入：image::ptuning.png[P-Tuning 示意图]"


def test_asciidoc_saved_as_txt_is_read_as_asciidoc(tmp_path: Path) -> None:
    path = tmp_path / "drill.txt"
    path.write_text(DRILL, "utf-8")
    result = import_article(path, bank_id="t")
    assert result.bank.title.get(result.lang) == "Decoding Drill"
    assert _got(result)[:3] == [
        ("single", ["Top-k sampling", "Greedy decoding", "Nucleus sampling"], ["B"]),
        ("single", ["temperature", "top_p", "top_k"], ["B"]),
        (
            "multiple",
            ["A repetition penalty", "Greedy decoding", "No-repeat n-gram blocking"],
            ["A", "C"],
        ),
    ]
    fourth = result.bank.questions[3]
    assert fourth.kind.value == "open"
    assert fourth.reference.get("en").startswith("Every extra token multiplies")
    assert "sam@example.org" not in str(result.bank.model_dump())
    assert "Changelog" not in str(result.bank.model_dump())
    assert (2, 3, "front matter, not imported") in _skipped(result)


def test_a_qanda_list_and_a_question_table_are_open_questions() -> None:
    result = import_text(CHEATS, name="cheats.adoc", bank_id="t")
    assert _got(result) == [
        ("open", [], "Retrieval-augmented generation."),
        ("open", [], "LangChain"),
        ("open", [], "A database that indexes embeddings for nearest-neighbour search."),
        ("open", [], "Sharing tokens between adjacent chunks so that no sentence is cut off."),
        ("open", [], "A cross-encoder rescoring the top-k improves precision."),
    ]
    assert [q.id for q in result.bank.questions][3:] == ["q4", "q5"]
    assert result.bank.questions[1].prompt.get("en") == "Which library do the examples use?"


def test_two_line_titles_and_description_list_answers() -> None:
    result = import_text(OLD_STYLE, name="sampling.asciidoc", bank_id="t")
    assert result.bank.title.get(result.lang) == "Sampling Quiz"
    assert _got(result) == [
        ("single", ["Top-k sampling", "Greedy decoding"], ["B"]),
        ("open", [], "It keeps the k most probable partial sequences at each step."),
    ]


@pytest.mark.parametrize("text", [BOOK, WIKI_ZH, DRILL, CHEATS, OLD_STYLE])
def test_one_output_line_for_each_input_line(text: str) -> None:
    assert len(asciidoc_to_markdown(text).lines) == len(text.split("\n"))


#: Lines that open, close and mark things, for random articles.
_PIECES = [
    "= T", "== S", ". a", ".. b", "* c", "+", "----", "====", "____", "|===", "| x | y",
    "[loweralpha]", "[%collapsible]", ".Answer", "A:: b", "////", "// c", ":a: b", "",
    "text *b* _i_", "Title", "=====", "```", "[source,python]", "-- ", "--", "[qanda]", "Q?::",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=20), max_size=30))
def test_any_text_keeps_its_line_count(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert len(asciidoc_to_markdown(text).lines) == len(re.split(r"\r\n|\r|\n", text))


def _converted(text: str) -> list[str]:
    return asciidoc_to_markdown(text).lines


def test_blocks_become_fences_quotes_and_plain_lines() -> None:
    text = (
        "[source,python]\n----\nx = 1  // kept\n== kept ==\n----\n....\nliteral\n....\n"
        "[quote, Holtzman et al.]\n____\nDegeneration.\n____\n****\nAside.\n****\n"
        "--\nOpen.\n--\n////\nhidden\n////\n[source]\nprint(1)\n\n<<<\n'''\n"
        "[verse]\nroses\nviolets\n\n[stem]\n++++\nx^2\n++++\n// a comment\n++++\n<b>raw</b>\n++++"
    )
    assert _converted(text) == [
        "", "```python", "x = 1  // kept", "== kept ==", "```", "```", "literal", "```",
        "", "", "> Degeneration.", "", "", "Aside.", "", "", "Open.", "", "", "", "",
        "```", "print(1)", "```", "", "", "", "> roses", "> violets", "", "", "$$", "x^2",
        "$$", "", "", "<b>raw</b>", "",
    ]  # fmt: skip


def test_lists_are_numbered_as_asciidoc_numbers_them() -> None:
    text = (
        ". one\n.. sub\n.. sub\n. two\n\n[upperalpha]\n. x\n. y\n\n[start=4]\n. d\n\nText.\n\n"
        "* [x] ticked\n* [*] also\n* [ ] not +\n** deeper\n* back\n- dash\n\nText.\n\n<1> callout"
        "\n\nText.\n\n. a\n.. b\n... c\n... d\n\nText.\n\nTerm::\n    its definition"
    )
    assert _converted(text) == [
        "1. one", "   a. sub", "   b. sub", "2. two", "", "", "A. x", "B. y", "", "", "4. d",
        "", "Text.", "", "- [x] ticked", "- [x] also", "- [ ] not", "   - deeper", "- back",
        "   - dash", "", "Text.", "", "- callout", "", "Text.", "", "1. a", "   a. b",
        "      i. c", "      ii. d", "", "Text.", "", "Term:", "its definition",
    ]  # fmt: skip


def test_a_paragraph_between_two_lists_restarts_the_numbering() -> None:
    assert _converted(". a\n. b\n\nText.\n\n. c") == ["1. a", "2. b", "", "Text.", "", "1. c"]


def test_a_title_with_a_collapsible_block_becomes_a_details_summary() -> None:
    lines = _converted(".Explanation\n[%collapsible]\n====\nBecause.\n====\n")
    assert lines == ["", "", "<details><summary>Explanation</summary>", "Because.", "", ""]


def test_a_table_of_a_cell_per_line_becomes_one_pipe_table() -> None:
    text = "[cols=2]\n|===\n|Question\n|Answer\n\n|Q1?\n|A1\n|Q2?\n|A2\n|==="
    assert _converted(text) == [
        "", "", "| Question | Answer |", "| --- | --- |", "| --- | --- |", "| Q1? | A1 |",
        "| --- | --- |", "| Q2? | A2 |", "", "",
    ]  # fmt: skip


def test_admonitions_and_header_lines() -> None:
    text = (
        "// first\n:lang: en\n= Title\nA. Author\nv1.0\n:toc:\n\nNOTE: A note.\n"
        "[TIP]\nA tip.\n:name!:\ninclude::other.adoc[]\ntoc::[]"
    )
    converted = asciidoc_to_markdown(text)
    assert converted.lines == [
        "", "", "# Title", "", "", "", "", "A note.", "", "A tip.", "", "", "",
    ]  # fmt: skip
    assert converted.left_out == [
        (0, 0, "markup", ""),
        (1, 1, "front matter", ""),
        (3, 5, "front matter", ""),
        (10, 12, "markup", ":name!:"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*bold* and **un**constrained", "**bold** and **un**constrained"),
        (
            "_italic_ and __it__alic, snake_case and top_p",
            "italic and italic, snake_case and top_p",
        ),
        ("+literal *x*+ and `code *y*` and `+z+`", "`literal *x*` and `code *y*` and `z`"),
        (r"\*not bold* and \{name} vs {name}{nbsp}x", "*not bold* and {name} vs LoRA\u00a0x"),
        ("link:https://a.org[Docs^] https://b.org[site,window=_blank]", "Docs site"),
        ("https://plain.org and <https://q.org>", "https://plain.org and https://q.org"),
        ("<<sec-1,Section One>> and <<_part_two>>", "Section One and Part two"),
        ("kbd:[Ctrl+C], btn:[OK], menu:File[Save > As]", "Ctrl+C, OK, File > Save > As"),
        ("W~0~x + x^2^ and [.red]#red# ##mark##ed", "W0x + x^2 and red marked"),
        ("Q?footnote:[Hu et al., 2021] and image:a.png[Alt,20]", "Q? (Hu et al., 2021) and Alt"),
        ('"`quoted`" and C++ and C#', "\u201cquoted\u201d and C++ and C#"),
        ("latexmath:[\\frac{a}{b}] and stem:[x^2]", "$\\frac{a}{b}$ and `x^2`"),
        ("((visible)) (((hidden)))[[id]]", "visible "),
        ("a * b * c and 2 * 3", "a * b * c and 2 * 3"),
    ],
)
def test_inline_markup(text: str, expected: str) -> None:
    assert inline(text, {"name": "LoRA"}, {"_part_two": "Part two"}) == expected


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("quiz.adoc", "1. Q?\nA. x\nB. y\nAnswer: A\n", "asciidoc"),
        ("quiz.asc", "Q?", "asciidoc"),
        ("notes.txt", BOOK, "asciidoc"),
        ("notes.txt", "\n// draft\n= Quiz\n\n1. Q?\nA. x\nB. y\nAnswer: A\n", "asciidoc"),
        ("pasted text", DRILL, "asciidoc"),
        ("notes.txt", ":toc:\n\n== Part 1\n\n1. Q?\nAnswer: A\n", "asciidoc"),
        ("notes.txt", "[loweralpha]\n. x\n. y\n\n[source,python]\n----\nx\n----\n", "asciidoc"),
        # Markdown, whatever AsciiDoc it seems to have
        ("notes.md", BOOK, "markdown"),
        ("notes.txt", "# Quiz\n\n= Not a title\n", "text"),
        ("notes.txt", ":toc:\n\n== Part 1\n\n```\ncode\n```\n", "text"),
        ("notes.txt", ":toc:\n\n== Part 1\n\n**Answer:** B\n", "text"),
        ("notes.txt", ":toc:\n\n== Part 1\n\nSee [the docs](https://x.org).\n", "text"),
        # plain text with one AsciiDoc-looking thing
        ("notes.txt", "== Part 1 ==\n\n1. Q?\nAnswer: A\n\nNOTE: easy\n", "text"),
        ("notes.txt", "Quiz\n====\n\n1. What is 1 + 1?\nA. 2\nB. 3\nAnswer: A\n", "text"),
        ("notes.txt", "<html><body><h1>= Quiz</h1></body></html>", "html"),
    ],
)
def test_detection(name: str, text: str, expected: str) -> None:
    assert detect_import_format(name, text).name == expected


def test_no_plain_text_or_markdown_article_is_taken_for_asciidoc() -> None:
    articles = [
        path
        for folder in ("articles", "real_world")
        for path in sorted((FIXTURES / folder).iterdir())
        if path.suffix in (".txt", ".md", ".markdown")
    ]
    assert len(articles) > 50
    for path in articles:
        assert not looks_like_asciidoc(decode_text(path.read_bytes(), str(path))), path


def test_the_text_format_reads_asciidoc_as_it_is() -> None:
    result = import_text(DRILL, name="drill.txt", bank_id="t", format="text")
    assert result.bank.title.get(result.lang) != "Decoding Drill"


def test_asciidoc_from_a_url(page_server: object) -> None:
    serve = page_server.serve  # type: ignore[attr-defined]
    data = DRILL.encode("utf-8")
    raw = fetch_page(serve("/wiki/Drill.adoc", data, content_type="text/plain; charset=utf-8"))
    typed = fetch_page(serve("/q", b"1. Q?\nA. x\nAnswer: A\n", content_type="text/asciidoc"))
    plain = fetch_page(serve("/drill.txt", data, content_type="text/plain"))
    markdown = fetch_page(serve("/q.txt", b"# Quiz\n\n1. Q?\n", content_type="text/plain"))
    assert (raw.format, typed.format, plain.format, markdown.format) == (
        "asciidoc", "asciidoc", "asciidoc", "text"
    )  # fmt: skip
    result = import_url(serve("/wiki/Drill.adoc", data, content_type="text/plain"))
    assert result.bank.title.get(result.lang) == "Decoding Drill"
    assert len(result.bank.questions) == 4
