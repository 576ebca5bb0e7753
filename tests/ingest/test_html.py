"""Saved web pages: the article's text is extracted (questions, options, answers, ``<details>``,
code) and the page around it (navigation, sidebars, banners, comments, footers) is not."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmiq.errors import LlmiqError
from llmiq.ingest import import_article, import_text
from llmiq.ingest.formats import detect_import_format
from llmiq.ingest.html import EXTRACTED_NOTE, decode_page, html_to_text, page_charset

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = sorted((FIXTURES / "html").glob("*.html"))
_SPACE = re.compile(r"\s+")


def _expect(page: Path) -> dict:
    return json.loads(page.with_suffix(".expect.json").read_text("utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_question_option_and_answer_line_is_kept(page: Path) -> None:
    text = _SPACE.sub(" ", html_to_text(page.read_text("utf-8")))
    missing = [k for k in _expect(page)["keep"] if _SPACE.sub(" ", k) not in text]
    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_page_furniture_is_kept(page: Path) -> None:
    text = html_to_text(page.read_text("utf-8"))
    assert [a for a in _expect(page)["absent"] if a in text] == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_the_title_is_the_first_line(page: Path) -> None:
    first = html_to_text(page.read_text("utf-8")).splitlines()[0]
    assert first == "# " + _expect(page)["title"]


def test_details_are_raw_lines_as_in_github_markdown() -> None:
    text = html_to_text((FIXTURES / "html" / "zh_details_lists.html").read_text("utf-8"))
    assert "<details>\n<summary>答案</summary>\n\n答案：B\n" in text
    assert text.count("<details>") == text.count("</details>") == 4


def test_lettered_lists_and_items_with_their_own_letters() -> None:
    text = html_to_text(
        "<html><body><article><h1>Quiz</h1><h2>1. Pick one</h2>"
        '<ol type="A"><li>alpha</li><li>beta</li></ol>'
        "<ol><li>A. gamma</li><li>B. delta</li></ol>"
        '<ol start="3"><li>third</li></ol></article></body></html>'
    )
    lines = text.splitlines()
    assert [line for line in lines if line and line[0] in "AB3"] == [
        "A. alpha",
        "B. beta",
        "A. gamma",
        "B. delta",
        "3. third",
    ]


def test_a_layout_tables_cell_keeps_its_lists_letters_and_paragraphs() -> None:
    """An MCQ site lays its article out in one table cell and letters its options by its
    style sheet (``ol.pointsa{list-style-type:lower-alpha}``); readability returns the cell
    without its table, which is still a block, not a run of text."""
    item = (
        '<p class="pq">{n}) How does self-attention\'s compute grow?</p><ol class="pointsa">'
        "<li>Linearly</li><li>Quadratically</li></ol>"
        "<p><strong>Answer:</strong> (b) Quadratically</p><hr>"
    )
    page = (
        "<html><head><style>ol.pointsa{list-style-type:lower-alpha}</style></head><body>"
        '<div class="sidebar"><a href="/">Home</a></div><div id="city"><table><tr><td>'
        f"<h1>Transformer MCQ</h1>{item.format(n=1)}{item.format(n=2)}</td></tr></table></div>"
        "</body></html>"
    )
    lines = html_to_text(page).splitlines()
    assert lines[lines.index("1) How does self-attention's compute grow?") :][:6] == [
        "1) How does self-attention's compute grow?",
        "",
        "a. Linearly",
        "b. Quadratically",
        "",
        "**Answer:** (b) Quadratically",
    ]


def test_code_entities_line_breaks_and_tables() -> None:
    text = html_to_text(
        "<html><body><main><h1>T</h1><p>1. What is <code>a &lt; b</code>?<br>A. yes<br>B. no</p>"
        '<pre><code class="language-python">if a &lt; b:\n    <span class="comment"># note'
        "</span>\n    pass</code></pre>"
        "<table><tr><th>Q#</th><th>Answer</th></tr><tr><td>1</td><td>A</td></tr></table>"
        "</main></body></html>"
    )
    assert "1. What is `a < b`?\nA. yes\nB. no" in text
    assert "```python\nif a < b:\n    # note\n    pass\n```" in text
    assert "| Q# | Answer |\n| --- | --- |\n| 1 | A |" in text


def test_a_saved_page_imports_from_its_file(tmp_path: Path) -> None:
    result = import_article(FIXTURES / "html" / "zh_csdn_strong_answers.html", bank_id="csdn")
    assert result.bank.title.get("zh") == "大模型面试题精选：Transformer 与微调（附答案）"
    assert [q.id for q in result.bank.questions][:4] == ["q1", "q2", "q3", "q4"]
    assert [q.answer for q in result.bank.questions][:4] == [["B"], ["B"], ["A", "B", "C"], ["A"]]
    assert result.note == EXTRACTED_NOTE


def test_pasted_html_without_a_suffix_is_a_page() -> None:
    html = (FIXTURES / "bad" / "page.html").read_text("utf-8")
    assert detect_import_format("the pasted text", html).name == "html"
    assert detect_import_format("saved.txt", html).name == "html"
    assert detect_import_format("notes.md", "# Quiz\n\n1. <b>x</b>?\n").name == "markdown"
    result = import_text(html, name="the pasted text", bank_id="pasted")
    assert len(result.bank.questions) == 3


def test_a_page_forced_through_the_text_parser_is_refused() -> None:
    html = (FIXTURES / "bad" / "page.html").read_text("utf-8")
    with pytest.raises(LlmiqError, match="is an HTML page, not an article's text"):
        import_text(html, name="page.html", bank_id="p", format="text")


def test_the_cli_report_says_its_lines_are_the_extracted_text(run_cli: Callable) -> None:
    result = run_cli("import", str(FIXTURES / "html" / "en_qa_notes.html"), "--id", "notes")
    assert result.output.splitlines()[0] in (f"  {EXTRACTED_NOTE}:", f"Error: {result.output}")
    if result.exit_code:  # the article parser found nothing: its lines are the extracted ones
        assert EXTRACTED_NOTE in result.output


def test_a_gbk_page_on_disk_decodes_by_its_meta_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="gbk"><title>面试题</title></head><body><article>'
        "<h1>大模型面试题</h1><p>1、注意力机制的作用是？</p><p>A. 加权求和<br>B. 排序</p>"
        "<p>答案：A</p></article></body></html>"
    )
    page = tmp_path / "gbk.html"
    page.write_bytes(html.encode("gbk"))
    assert page_charset(page.read_bytes()) == "gbk"
    result = import_article(page, bank_id="gbk")
    assert result.bank.questions[0].prompt.get("zh") == "注意力机制的作用是？"


def test_decoding_prefers_the_header_then_meta_then_detection() -> None:
    text = "<html><head><title>题</title></head><body><p>大模型面试题：注意力机制</p></body></html>"
    raw = text.encode("gb18030")
    assert decode_page(raw, name="p", charset="gbk") == text
    assert decode_page(raw, name="p") == text  # no witness: charset-normalizer
    with pytest.raises(LlmiqError, match="is a PDF document"):
        decode_page(b"%PDF-1.7 ...", name="p")


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<!doctype html><html><body>"])
def test_a_page_without_text_is_one_sentence(html: str) -> None:
    with pytest.raises(LlmiqError):
        import_text(html or " ", name="empty.html", bank_id="e")


_fragment = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "<html>", "<body>", "</body>", "<article>", "</article>", "<nav>", "</nav>",
            "<ol>", '<ol type="A">', "</ol>", "<ul>", "</ul>", "<li>", "</li>", "<p>", "</p>",
            "<details>", "</details>", "<summary>", "</summary>", "<pre>", "</pre>", "<code>",
            "<br>", "<h2>", "</h2>", "<table><tr><td>", "</td></tr></table>", "<strong>",
            "</strong>", "&lt;", "&amp;", "&#x4e2d;", "<!--", "-->", "<script>", "</script>",
            "1. ", "A. ", "B) ", "答案：", "Answer: B", "<input type=checkbox checked>",
            '<meta charset="gbk">', "<![CDATA[", "<?xml ?>", "\x00", "\ufeff",
        ]
    ),
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_fragment, max_size=60))
def test_random_html_never_crashes(parts: list[str]) -> None:
    html = "<!doctype html>" + "".join(parts)
    try:
        result = import_text(html, name="fuzz.html", bank_id="fuzz")
    except LlmiqError:
        return
    for question in result.bank.questions:
        assert not question.rule_problems()


def test_a_breadcrumb_trail_is_page_chrome_not_a_numbered_list() -> None:
    page = (
        "<html><head><title>Quiz</title></head><body>"
        '<ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/ai">AI</a></li>'
        "<li>Inference</li></ol>"
        '<nav aria-label="Breadcrumb"><ol><li>Home</li><li>LLM</li></ol></nav>'
        '<div aria-label="breadcrumb"><a href="/">Start</a> / <a href="/q">Quizzes</a></div>'
        "<article><h1>Inference quiz</h1><p>11. What does temperature do?</p>"
        "<p>A. Divides the logits<br>B. Sets the seed</p><p>Answer: A</p>"
        "<p>12. What is top-p?</p><p>A. A nucleus of tokens<br>B. The top token</p>"
        "<p>Answer: A</p></article></body></html>"
    )
    text = html_to_text(page)
    for chrome in ("Home", "Inference\n", "Start", "Quizzes"):
        assert chrome not in text
    result = import_text(page, name="quiz.html", bank_id="t")
    assert [q.id for q in result.bank.questions] == ["q11", "q12"]


def test_a_google_docs_exports_comments_are_left_out() -> None:
    page = (
        "<html><body><h1>Prep doc</h1>"
        '<p>3. Which are good practices?<sup><a href="#cmnt1" id="cmnt_ref1">[a]</a></sup></p>'
        "<p>a) Deduplicate</p><p>b) One template</p><p>Answer: (a)</p>"
        '<div><p><a href="#cmnt_ref1" id="cmnt1">[a]</a><span>Should we add DoRA?</span></p>'
        "<p><span>_Assigned to Sam_</span></p></div></body></html>"
    )
    text = html_to_text(page)
    assert "[a]" not in text
    assert "DoRA" not in text
    assert "Assigned" not in text
    assert "Which are good practices?" in text


_DOC_SITES = {
    # page: its questions' prompts, the first one's answer, the open one's model answer
    "en_docusaurus_details": (["What does the KV cache", "How does"], "B", "grouped-query"),
    "en_mkdocs_material": (["Which pair does", "What does byte"], "A", "Llama's tokenizer"),
    "en_vitepress_details": (["Why do chunkers", "When is a"], "B", "Typical choices"),
    "en_gitbook_expandable": (["What does the rank r", "How would"], "B", "Evaluate on"),
}


def _doc_site_questions(page: str, html: str) -> None:
    prompts, answer, reference = _DOC_SITES[page]
    questions = import_text(html, name=f"{page}.html", bank_id="doc").bank.questions
    assert [q.kind for q in questions] == ["single", "open"]
    assert all(p in q.prompt.get("en") for p, q in zip(prompts, questions, strict=True))
    assert [o.key for o in questions[0].options] == ["A", "B", "C"]
    assert questions[0].answer == [answer]
    assert reference in questions[1].reference.get("en")


@pytest.mark.parametrize("page", sorted(_DOC_SITES))
def test_documentation_sites_keep_headings_lists_and_folded_answers(page: str) -> None:
    _doc_site_questions(page, (FIXTURES / "html" / f"{page}.html").read_text("utf-8"))


def test_a_docusaurus_page_saved_with_its_answers_collapsed() -> None:
    """Saved from the browser, Docusaurus's collapsed ``<details>`` holds its content in a
    ``<div style="display: none">``: hidden, but an answer all the same."""
    html = (FIXTURES / "html" / "en_docusaurus_details.html").read_text("utf-8")
    collapsed = html.replace(
        "<summary>Show answer</summary><div>",
        '<summary>Show answer</summary><div style="display: none; overflow: hidden; height: 0px;">',
    )
    assert collapsed.count("display: none") == 2
    _doc_site_questions("en_docusaurus_details", collapsed)


def test_an_article_a_script_shows_once_loaded_is_read_and_a_hidden_popup_is_not() -> None:
    """A WeChat article saved from the browser: ``#js_content`` still carries the
    ``visibility: hidden`` its script lifts, while the follow-us popup in it stays hidden."""
    questions = "".join(
        f"<p><strong>{n}. {stem}</strong></p><p>A. {a}</p><p>B. {b}</p><p>答案：{key}</p>"
        for n, stem, a, b, key in (
            (1, "chunk 过小最可能导致什么？", "片段缺少上下文", "向量维度变大", "A"),
            (2, "归一化后哪个度量与余弦排序相同？", "曼哈顿距离", "内积", "B"),
            (3, "调大 efSearch 通常会怎样？", "召回率下降", "召回率上升、延迟变高", "B"),
        )
    )
    popup = (
        '<div style="display: none"><p>微信扫一扫关注该公众号，'
        "每周一套大模型面试周测，附答案解析，面经、八股、学习路线一网打尽。</p></div>"
    )
    page = (
        '<html><body><div id="js_article"><h1 id="activity-name">RAG 周测</h1>'
        f'<div id="js_content" style="visibility: hidden;">{questions}{popup}</div>'
        "</div></body></html>"
    )
    result = import_text(page, name="wechat.html", bank_id="t")
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q1", ["A"]),
        ("q2", ["B"]),
        ("q3", ["B"]),
    ]
    assert "扫一扫" not in html_to_text(page)


def test_a_heading_whose_id_spells_a_furniture_word_is_kept() -> None:
    """freeCodeCamp's heading ids are slugs of their text; readability reads "tool" or
    "comment" in one as page furniture and would drop the question's heading."""
    questions = (
        ("How does tool calling work under the hood?", "The model writes a structured call."),
        ("Which comment styles confuse a tokenizer?", "Long runs of symbols split oddly."),
        ("What is an LLM agent?", "A model in a loop that picks its next action."),
        ("Why keep tool results short?", "Everything returned eats context."),
        ("What is self-consistency?", "Sample several chains of thought and vote."),
        ("When is ReAct better than plain chain of thought?", "When facts must be looked up."),
        ("Why cap an agent's steps?", "Loops and costs grow with every step."),
        ("What is prompt injection?", "Instructions hidden in what the agent reads."),
    )
    sections = "".join(
        f'<h3 id="heading-question-{n}-{_SPACE.sub("-", stem.lower().rstrip("?"))}">'
        f"Question {n}: {stem}</h3><p>{answer} {answer} {answer}</p>"
        for n, (stem, answer) in enumerate(questions, 1)
    )
    related = (  # ids of their own, and one word is not a slug
        '<h3 id="related-widget-title">You may also like</h3><h3 id="comments">Comments</h3>'
    )
    page = (
        f"<html><body><main><article><h1>Agent questions</h1>{sections}{related}"
        "</article></main></body></html>"
    )
    result = import_text(page, name="fcc.html", bank_id="t")
    assert [q.prompt.en for q in result.bank.questions] == [stem for stem, _ in questions]
    assert not {"### You may also like", "### Comments"} & set(html_to_text(page).splitlines())


_QUIZ_ITEM = (
    '<div class="q-item"><div class="q-stem">{n}. {stem}</div><ul class="options">{options}</ul>'
    '<div class="q-tools"><span onclick="show({n})">显示答案</span><span>收藏本题</span>'
    "<span>纠错</span></div><p>正确答案：{answer}</p></div>"
)


def test_an_options_letter_and_a_toolbars_buttons_are_set_apart() -> None:
    texts = ["掩码语言模型", "预测下一个 token", "句子顺序预测"]
    options = "".join(
        f'<li class="option"><span class="opt-key">{key}</span><span class="opt-text">{text}'
        "</span></li>"
        for key, text in zip("ABC", texts, strict=True)
    )
    labels = "".join(  # a radio button's label, its letter in <i>: not a row of items
        f'<li><label><input type="radio" name="q2"><i class="key">{key}</i><span>{text}</span>'
        "</label></li>"
        for key, text in zip("ABC", texts, strict=True)
    )
    page = (
        '<html><head><title>预训练练习</title></head><body><div class="paper"><h1>预训练练习</h1>'
        + _QUIZ_ITEM.format(n=1, stem="GPT 的预训练目标是什么？", options=options, answer="B")
        + _QUIZ_ITEM.format(n=2, stem="BERT 的预训练目标是什么？", options=labels, answer="A")
        + "</div></body></html>"
    )
    text = html_to_text(page)
    assert text.count("- A 掩码语言模型\n- B 预测下一个 token\n- C 句子顺序预测") == 2
    assert "显示答案 收藏本题 纠错" in text
    questions = import_text(page, name="quiz.html", bank_id="quiz").bank.questions
    assert [[o.key for o in q.options] for q in questions] == [["A", "B", "C"]] * 2
    assert [q.options[0].text.get("zh") for q in questions] == ["掩码语言模型"] * 2
    assert [q.answer for q in questions] == [["B"], ["A"]]


@pytest.mark.parametrize(
    ("html", "written"),
    [
        ("<p><em>un</em>believable, <b>Trans</b>former</p>", "unbelievable, **Trans**former"),
        ("<p>大模型<b>预训练</b>的目标</p>", "大模型**预训练**的目标"),
        ("<ul><li><b>Trans</b><i>former</i></li></ul>", "- **Trans**former"),
        # a Google Docs paragraph: a run per format, its spaces inside the runs
        (
            '<p class="c2"><span class="c0">The </span><span class="c0 c5">Trans</span>'
            '<span class="c0">former reads it</span></p>',
            "The Transformer reads it",
        ),
        ('<p><span class="dropcap">A</span><span>fter</span> the exam</p>', "After the exam"),
        ("<p><b>A</b>. <span>Paris</span></p>", "**A**. Paris"),
        ('<p><code><span class="nb">print</span><span class="p">()</span></code></p>', "`print()`"),
    ],
)
def test_words_split_across_elements_stay_whole(html: str, written: str) -> None:
    text = html_to_text(f"<html><body><article>{html}</article></body></html>")
    assert written in text


def test_a_confluence_export_is_titled_by_its_page_not_its_space() -> None:
    page = (
        '<html><head><title>算法组知识库 : 微调面试题</title></head><body><div id="page">'
        '<div id="main-header"><div id="breadcrumb-section"><ol id="breadcrumbs">'
        '<li class="first"><span><a href="index.html">算法组知识库</a></span></li>'
        '<li><span><a href="1638401.html">招聘与面试</a></span></li></ol></div>'
        '<h1 id="title-heading" class="pagetitle"><span id="title-text"> 算法组知识库 : 微调面试题'
        '</span></h1></div><div id="content" class="view">'
        '<div id="main-content" class="wiki-content">'
        "<h3>1. 指令微调时，通常只对哪一部分 token 计算损失？ "
        '<span class="status-macro aui-lozenge aui-lozenge-success">高频</span></h3>'
        "<p>A. 全部 token</p><p>B. 仅 assistant 回复部分</p><p>C. 仅用户输入部分</p>"
        '<div class="expand-container"><div class="expand-content"><p>答案：B</p>'
        "<p>对提示部分的 label 设为 -100，让模型学习如何回答而不是复述问题。</p></div></div>"
        "<h3>2. 全参数微调 7B 模型显存不够时，可以怎么做？</h3><p>A. 增大 batch size</p>"
        "<p>B. 梯度检查点</p><p>C. ZeRO-3 分片</p><p>答案：BC</p></div>"
        '<div class="pageSection group"><div class="pageSectionHeader">'
        '<h2 id="attachments" class="pageSectionTitle">附件:</h2></div><div class="greybox">'
        '<a href="attachments/1/2.png">lora-diagram.png</a> (image/png)<br/>'
        '<a href="attachments/1/3.xlsx">二面评分表.xlsx</a> (application/vnd.ms-excel)<br/>'
        "</div></div></div></div></body></html>"
    )
    text = html_to_text(page)
    assert text.startswith("# 微调面试题\n")
    assert "### 1. 指令微调时，通常只对哪一部分 token 计算损失？\n" in text
    assert "lora-diagram.png" not in text
    assert "二面评分表" not in text
    result = import_text(page, name="confluence.html", bank_id="wiki")
    assert result.bank.title.get("zh") == "微调面试题"
    assert [q.answer for q in result.bank.questions] == [["B"], ["B", "C"]]


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        (
            "en_moodle_review.html",
            [(["A", "B", "C"], ["A"]), (["A", "B", "C"], ["A", "C"]), ([], [])],
        ),
        (
            "en_google_forms_score.html",
            [(["A", "B", "C"], ["B"]), (["A", "B", "C"], ["A", "B"]), ([], [])],
        ),
        ("en_canvas_quiz_results.html", [(["A", "B", "C"], ["B"]), (["A", "B", "C"], ["A", "B"])]),
        ("en_notion_export.html", [(["A", "B", "C"], ["B"])]),  # to-do boxes
        (
            "en_quiz_maker_result.html",
            [(["A", "B", "C"], ["B"]), (["A", "B", "C"], ["A", "B"]), ([], [])],
        ),
        (
            "en_hackerrank_report.html",
            [(["A", "B", "C"], ["B"]), (["A", "B", "C"], ["A", "B"]), ([], [])],
        ),
    ],
)
def test_quiz_pages_of_form_controls_import_their_options_and_keys(
    page: str, keys: list[tuple[list[str], list[str]]]
) -> None:
    result = import_article(FIXTURES / "html" / page, bank_id="quiz")
    questions = result.bank.questions[: len(keys)]
    assert [([o.key for o in q.options], q.answer) for q in questions] == keys
    assert result.bank.title.get("en") == _expect(FIXTURES / "html" / page)["title"]


def test_a_wjx_exam_result_keys_each_question_and_leaves_out_its_furniture() -> None:
    result = import_article(FIXTURES / "html" / "zh_wjx_exam_result.html", bank_id="quiz")
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["B"], ["A", "B"]]
    assert questions[0].prompt.get("zh") == "贪心解码每一步选择？"
    assert questions[2].reference.get("zh").startswith("缓存之前 token 的 K 和 V")
    assert result.bank.title.get("zh") == "解码策略小测"


def test_options_shown_in_red_are_the_key_when_the_page_says_so() -> None:
    page = FIXTURES / "html" / "zh_red_options.html"
    result = import_article(page, bank_id="quiz")
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "B"], ["B"]]
    silent = page.read_text("utf-8").replace("的选项为正确答案", "是重点")
    assert "✔" not in html_to_text(silent)


def test_a_form_quizs_text_answer_is_its_reference() -> None:
    result = import_article(FIXTURES / "html" / "en_moodle_review.html", bank_id="quiz")
    assert result.bank.questions[2].reference.get("en") == "SentencePiece"
    forms = import_article(FIXTURES / "html" / "en_google_forms_score.html", bank_id="quiz")
    assert forms.bank.questions[2].reference.get("en") == "future tokens"
    maker = import_article(FIXTURES / "html" / "en_quiz_maker_result.html", bank_id="quiz")
    assert maker.bank.questions[2].reference.get("en") == "temperature"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        # a blog's name in its only <h1>, outside the post; <title> is "Post - Blog"
        (
            "<title>量化面試題 - 老貓筆記</title></head><body>"
            '<div id="blog-header"><h1>老貓筆記</h1><p>隨手記</p></div>',
            "量化面試題",
        ),
        # a GitHub discussion's number after its title
        (
            "<title>Drill #3 · Discussion #214</title></head><body><main><h1><span>Drill #3</span>"
            ' <span class="f1-light">#214</span></h1>',
            "Drill #3",
        ),
        # the unread count a site puts before its tab title, and no <h1>
        (
            "<title>(1) Which LLM questions come up in interviews? - Quora</title></head><body>",
            "Which LLM questions come up in interviews?",
        ),
    ],
)
def test_a_title_without_the_sites_name_or_the_discussions_number(head: str, title: str) -> None:
    prose = "<p>" + "Quantization maps weights to fewer bits, and so on. " * 8 + "</p>"
    page = (
        f'<html><head>{head}<div class="post">{prose * 3}<p>1. Which is it?</p><p>A. one</p>'
        "<p>B. two</p><p>Answer: B</p></div></body></html>"
    )
    assert html_to_text(page).startswith(f"# {title}\n")


def test_a_list_whose_items_are_paragraphs_survives_extraction() -> None:
    section = (
        "<section><p><strong>Q{n}</strong><strong>　第 {n} 题：两种检索各有什么优缺点？"
        "</strong></p>"
        '</section><section><ul class="list-paddingleft-1"><li><p><strong>BM25</strong>'
        "：擅长精确匹配，不懂同义词。</p></li><li><p><strong>稠密检索</strong>：捕捉语义相似。</p>"
        "<p>但对罕见词不敏感。</p></li></ul><p>两者互补，所以常用混合检索。</p></section>"
    )
    page = (
        '<html><head><title>RAG 面试题</title></head><body><div id="js_content">'
        + "".join(section.format(n=n) for n in (1, 2, 3))
        + "</div></body></html>"
    )
    text = html_to_text(page)
    assert text.count("擅长精确匹配") == 3
    assert "- **稠密检索**：捕捉语义相似。\n  但对罕见词不敏感。\n\n两者互补" in text


def test_a_notebook_keeps_the_questions_after_a_code_cells_output() -> None:
    # readability stops at the output of the code cell between Q6 and Q7
    page = FIXTURES / "held_out_11" / "option-layouts_en_jupyter-html-tokenization.html"
    text = html_to_text(page.read_text("utf-8"))
    assert re.findall(r"^### Q(\d)\.", text, re.M) == [str(n) for n in range(1, 9)]
    assert "End of quiz" in text
    assert "jupyter lab theme" not in text.lower()


def test_a_number_in_a_span_whose_class_reads_as_chrome_stays() -> None:
    # readability drops any element whose class says "tweet", "comment", "footer", ...
    question = '<p><span class="tweet-num">{n}/</span> {q}</p><p>(a) {a}<br>(b) {b}</p>'
    page = (
        "<html><body><article><h1>Position encodings</h1>"
        + question.format(n=15, q="RoPE encodes position by…", a="adding", b="rotating")
        + "<p>Answer: b</p>"
        + question.format(n=16, q="Which is newer?", a="ALiBi", b="YaRN")
        + "<p>Answer: b</p></article></body></html>"
    )
    result = import_text(page, name="thread.html", bank_id="t")
    assert [q.id for q in result.bank.questions] == ["q15", "q16"]


def test_confluence_macro_settings_are_not_text() -> None:
    heading = (
        '<h3><ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">q{n}</ac:parameter>'
        "</ac:structured-macro>Q{n}. <strong>{q}</strong> "
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">EASY</ac:parameter>'
        '<ac:parameter ac:name="colour">Green</ac:parameter></ac:structured-macro></h3>'
        "<p>A) {a}<br/>B) {b}</p><p>Answer: B</p>"
    )
    page = (
        "<h1>Transformer blocks</h1>"
        + heading.format(n=1, q="Where is Pre-LN's LayerNorm?", a="after", b="before")
        + heading.format(n=2, q="What does RMSNorm skip?", a="scaling", b="centering")
    )
    result = import_text(page, name="confluence.html", bank_id="t")
    assert [q.prompt.get("en") for q in result.bank.questions] == [
        "Where is Pre-LN's LayerNorm?",
        "What does RMSNorm skip?",
    ]


def test_a_wiki_page_with_collapsed_answers_and_its_option_layouts() -> None:
    def collapsed(label: str, answer: str) -> str:
        return (
            '<div class="mw-collapsible mw-collapsed quiz-answer"><span role="button">'
            f'<a class="mw-collapsible-text">Expand</a></span><p><b>{label}</b></p>'
            f'<div class="mw-collapsible-content" style="display: none;"><p>{answer}</p></div>'
            "</div>"
        )

    page = (
        "<html><body><div id='content'><h1>Quiz 4: Position encoding</h1>"
        "<p><b>Q1.</b> RoPE encodes position by:</p>"
        "<dl><dd>(a) adding a bias &#160;&#160;(b) rotating q and k &#160;&#160;(c) scaling v"
        "</dd></dl>"
        + collapsed("Answer", "<b>(b)</b> — q·k then depends on m−n.")
        + "<p><b>Q2.</b> Which statements about ALiBi are true?</p><ol>"
        "<li>☑ It adds a linear distance penalty.</li><li>☐ It learns position embeddings.</li>"
        "<li>☑ It extrapolates to longer inputs.</li></ol>"
        + collapsed("Explanation", "The slopes are fixed per head.")
        + "<p><b>Q3.</b> Which make long attention cheaper?</p>"
        "<dl><dt>A</dt><dd>sliding windows</dd><dt>B</dt><dd>more heads</dd>"
        "<dt>C</dt><dd>ring attention</dd></dl>"
        + collapsed("Answer", "Correct: A, C.")
        + "<p><b>Q4.</b> YaRN adds:</p><p>A. a temperature &#160;&#160; B. ALiBi</p>"
        + collapsed("Answer", "Answer: A")
        + "<p><b>Q5.</b> Which method changes RoPE's base?</p>"
        "<ul><li>Position Interpolation</li><li>NTK-aware scaling</li></ul>"
        + collapsed("Answer", "Answer: NTK-aware scaling. PI divides the positions.")
        + "</div></body></html>"
    )
    result = import_text(page, name="wiki.html", bank_id="t")
    answers = [q.answer for q in result.bank.questions]
    assert answers == [["B"], ["A", "C"], ["A", "C"], ["A"], ["B"]]
    assert [len(q.options) for q in result.bank.questions] == [3, 3, 3, 2, 2]


def test_an_ordered_list_lettered_by_the_pages_style_holds_options() -> None:
    page = (
        "<html><head><style>ol.pointsa{list-style-type:lower-alpha}</style></head><body>"
        "<article><h1>LLM MCQ</h1><p>1) What does ReAct interleave?</p>"
        '<ol class="pointsa"><li>Only tool calls</li><li>Reasoning and actions</li></ol>'
        "<p><b>Answer:</b> (b) Reasoning and actions</p>"
        "<p>2) What does the model do in function calling?</p>"
        '<ol style="list-style-type: upper-alpha"><li>Runs the code</li><li>Emits a call</li></ol>'
        "<p><b>Answer:</b> (b)</p></article></body></html>"
    )
    result = import_text(page, name="mcq.html", bank_id="t")
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"]]
    assert [len(q.options) for q in result.bank.questions] == [2, 2]


def test_a_google_docs_list_lettered_by_its_markers_counter_holds_options() -> None:
    """Google Docs draws list markers from a counter in the page's sheet; items that are
    numbers ("0.3") are options too, not items with their own number."""
    rule = '.lst-kix_q3-0>li:before{content:"" counter(lst-kix_q3-0,upper-latin) ". "}'
    page = (
        f"<html><head><title>Quiz</title></head><body><div id='contents'><style>{rule}</style>"
        "<p>3. n = 10 samples, c = 3 pass. What is the unbiased pass@1 estimate?</p>"
        '<ol class="c10 lst-kix_q3-0 start" start="1"><li><span>0.3</span></li>'
        "<li><span>0.1</span></li><li><span>0.97</span></li></ol>"
        "<p><span>Answer: A</span><span> — it is c/n.</span></p></div></body></html>"
    )
    [question] = import_text(page, name="quiz.html", bank_id="t").bank.questions
    assert [o.text.get("en") for o in question.options] == ["0.3", "0.1", "0.97"]
    assert question.answer == ["A"]


def _coursera_question(n: int, prompt: str, body: str, feedback: str = "") -> str:
    return (
        f'<div class="rc-FormPartsQuestion"><h3 class="question-number">{n}.</h3>'
        f'<span class="points">1 / 1 point</span><div class="rc-FormPartsQuestion__contentCell">'
        f"<p>{prompt}</p></div>{body}{feedback}</div>"
    )


def _coursera_option(text: str, *, ticked: bool = False, kind: str = "radio") -> str:
    checked = " checked" if ticked else ""
    box = f'<input type="{kind}"{checked} disabled>'
    return f'<label class="rc-Option">{box}<span>{text}</span></label>'


def _coursera_feedback(text: str) -> str:
    verdict, _, rest = text.partition(" ")
    return f'<div class="rc-FormPartsQuestion__feedback"><strong>{verdict}</strong><br>{rest}</div>'


def test_a_coursera_review_keys_by_its_feedback_not_the_learners_ticks() -> None:
    right = _coursera_question(
        1,
        "What does pass@k measure?",
        _coursera_option("Average BLEU") + _coursera_option("At least one passes", ticked=True),
        _coursera_feedback("Correct Right — the unbiased estimator."),
    )
    wrong = _coursera_question(
        2,
        "A judge prefers whichever answer is shown first. What bias is this?",
        _coursera_option("Verbosity bias", ticked=True) + _coursera_option("Position bias"),
        _coursera_feedback("Incorrect Preferring what appears first is position bias."),
    )
    boxes = _coursera_question(
        3,
        "Which reduce hallucinations? Select all that apply.",
        _coursera_option("Retrieval", ticked=True, kind="checkbox")
        + _coursera_feedback("Correct")
        + _coursera_option("Higher temperature", kind="checkbox")
        + _coursera_option("Self-consistency", ticked=True, kind="checkbox")
        + _coursera_feedback("Correct Stable facts agree."),
    )
    typed = _coursera_question(
        4,
        "Why does a high ROUGE not guarantee faithfulness?",
        "<div><textarea disabled>it counts words</textarea></div>",
        _coursera_feedback("Correct Sample response: ROUGE counts n-gram overlap."),
    )
    page = (
        f"<html><body><main><h1>Graded Quiz</h1>{right}{wrong}{boxes}{typed}</main></body></html>"
    )
    questions = import_text(page, name="quiz.html", bank_id="t").bank.questions
    assert [q.answer for q in questions[:3]] == [["B"], ["B"], ["A", "C"]]
    assert questions[3].reference.get("en") == "ROUGE counts n-gram overlap."


def test_a_blogger_post_is_titled_by_its_post_title_not_the_blogs_name() -> None:
    page = (
        "<html><head><title>Notes from the GPU Poor: Scaling Laws Quiz</title></head><body>"
        "<header><h1 class='title'>Notes from the GPU Poor</h1></header><div class='post'>"
        "<h3 class='post-title entry-title'>Scaling Laws Quiz</h3><div class='post-body'>"
        "<p>1. What does Chinchilla balance?</p><p>A. params and tokens</p><p>B. heads</p>"
        "<p>Answer: A</p></div></div></body></html>"
    )
    result = import_text(page, name="blog.html", bank_id="t")
    assert result.bank.title.get("en") == "Scaling Laws Quiz"


def test_a_learnpress_quiz_result_keys_by_its_correct_class_not_the_takers_choice() -> None:
    def option(text: str, classes: str = "", mark: str = "") -> str:
        status = f'<span class="lp-answer-status">{mark}</span>' if mark else ""
        return (
            f'<li class="answer-option {classes}"><input type="radio" disabled>'
            f'<div class="option-title"><div class="option-title-content">{text}</div></div>'
            f"{status}</li>"
        )

    page = (
        "<html><body><main><h1>Quiz: KV Cache</h1><div class='quiz-questions'>"
        '<div class="question"><h4 class="question-title">Question 1</h4>'
        '<div class="question-content"><p>How much KV cache does a token take?</p></div>'
        '<ul class="answer-options">'
        + option("256 KB", "answered-wrong", "✘ Your answer")
        + option("0.5 MB", "answer-correct", "✔ Correct answer")
        + "</ul><div class='question-explanation-content'><strong>Explanation:</strong>"
        "<p>2 × 32 × 32 × 128 × 2 bytes.</p></div></div></div></main></body></html>"
    )
    question = import_text(page, name="quiz.html", bank_id="t").bank.questions[0]
    assert (question.answer, [o.text.get("en") for o in question.options]) == (
        ["B"],
        ["256 KB", "0.5 MB"],
    )
    assert question.explanation.get("en") == "2 × 32 × 32 × 128 × 2 bytes."


def test_red_options_by_a_class_named_anywhere_in_a_selector_list() -> None:
    page = (
        "<html><head><style>.hl, .key-ans { color: #ff0000 } .hl:hover { color: red }</style>"
        "</head><body><article><h1>小测</h1><p>红色的选项为正确答案。</p>"
        "<p>1. 以下哪个是位置编码？<br>A. LayerNorm<br><span class='hl'>B. RoPE</span></p>"
        "<p>2. 哪个是优化器？<br><span class='key-ans'>A. AdamW</span><br>B. GELU</p>"
        "</article></body></html>"
    )
    questions = import_text(page, name="quiz.html", bank_id="t").bank.questions
    assert [q.answer for q in questions] == [["B"], ["A"]]


def test_a_canvas_reviews_comments_explain_its_choices_and_answer_its_essays() -> None:
    def question(n: int, kind: str, prompt: str, answers: str, comment: str) -> str:
        return (
            f'<div class="display_question question {kind}"><div class="header">'
            f'<span class="name question_name">Question {n}</span></div><div class="text">'
            f'<div class="question_text user_content"><p>{prompt}</p></div>'
            f'<div class="answers">{answers}</div><div class="quiz_comment">'
            f'<div class="quiz_comment_label">General answer comments</div><p>{comment}</p>'
            "</div></div></div>"
        )

    choices = "".join(
        f'<div class="answer{" correct_answer" if right else ""}"><input type="radio" disabled>'
        f'<label><div class="answer_text">{text}</div></label></div>'
        for text, right in (("a random token", False), ("the most probable token", True))
    )
    essay = '<div class="quiz_response_text">Your Answer: fix the prompt</div>'
    first = question(1, "multiple_choice_question", "Greedy picks:", choices, "It is argmax.")
    second = question(
        2, "essay_question", "How would you debug a wrong RAG answer?", essay,
        "Sample answer: first look at what was retrieved.",
    )  # fmt: skip
    page = f"<html><body><div id='questions'>{first}{second}</div></body></html>"
    choice, open_question = import_text(page, name="canvas.html", bank_id="t").bank.questions
    assert choice.answer == ["B"]
    assert choice.explanation.en == "It is argmax."
    assert open_question.reference.en == "first look at what was retrieved."
    assert "fix the prompt" not in str(open_question.model_dump())


def test_a_quiz_review_whose_explanations_readability_prefers_keeps_its_questions() -> None:
    why = (
        "这是因为点积的方差随维度增长，不缩放时 softmax 会变得非常尖锐，梯度很小，训练不稳定；"
        "缩放之后方差回到 1 左右，注意力分布更平滑，梯度也更健康，这一点在大模型里尤其重要。"
    )

    def item(n: int) -> str:
        options = "".join(
            f'<li class="optionItem"><span class="optionPos">{k}.</span>'
            f'<div class="optionCnt"><p>选项 {k}{n}</p></div></li>'
            for k in "ABCD"
        )
        return (
            f'<div class="u-questionItem analysisMode"><div class="qaCate"><span>{n}</span>'
            f'<span>单选(1分)</span></div><div class="qaDescription"><p>第 {n} 个问题是什么？</p>'
            f'</div><div class="choices"><ul>{options}</ul></div><div class="analysisInfo">'
            f'<div class="answerInfo"><span>正确答案：B</span></div><div class="analysisText">'
            f"<span>解析：</span><p>{why}</p></div></div></div>"
        )

    page = (
        '<html><body><div class="m-learnbox"><h2>第4讲 单元测验</h2><div class="j-data-list">'
        + "".join(item(n) for n in range(1, 6))
        + "</div></div></body></html>"
    )
    questions = import_text(page, name="mooc.html", bank_id="t").bank.questions
    assert [(q.id, q.answer) for q in questions] == [(f"q{n}", ["B"]) for n in range(1, 6)]


def test_a_chapters_boxes_answered_in_a_numbered_list_at_its_end() -> None:
    prose = "<p>" + "Attention costs grow with the context, and this chapter covers why. " * 8
    page = (
        "<html><head><title>Chapter 5</title></head><body><main><h1>Chapter 5</h1>"
        f"{prose}</p><p>Check your understanding</p>"
        "<p><strong>1.</strong> GQA with 32 query heads and 8 KV heads shrinks the cache by?</p>"
        "<p>A. 2×<br>B. 4×</p><p><strong>2.</strong> MQA has how many KV groups?</p>"
        "<p>A. One<br>B. Eight</p><p><strong>3.</strong> Why does FlashAttention recompute?</p>"
        '<h2 id="answers"><a class="header" href="#answers">Answers to “Check your '
        "understanding”</a></h2><ol><li><strong>B.</strong> 32 / 8 = 4.</li>"
        "<li><strong>A.</strong> One head shared by all.</li>"
        "<li>Storing the matrix would cost O(N²) memory.</li></ol></main></body></html>"
    )
    text = html_to_text(page)
    assert "## Answers to “Check your understanding”" in text  # a heading that links to itself
    assert "1. **B.** 32 / 8 = 4." in text  # letters out of order: keys, numbered
    result = import_text(page, name="chapter.html", bank_id="t")
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["A"])
    assert third.reference.get("en") == "Storing the matrix would cost O(N²) memory."


def test_a_forms_open_item_answered_by_its_feedback() -> None:
    page = (
        '<html><head><title>RAG quiz</title></head><body><div role="list">'
        '<div role="listitem"><div role="heading" aria-level="3"><span>Which store holds '
        "vectors?</span></div>"
        '<div role="radiogroup"><label><div role="radio" aria-label="A vector database"></div>'
        '<span>A vector database</span><div role="img" aria-label="Correct"></div></label>'
        '<label><div role="radio" aria-label="A CSV file"></div><span>A CSV file</span></label>'
        "</div></div>"
        '<div role="listitem"><div role="heading" aria-level="3"><span>Describe one way to '
        "evaluate a RAG system.</span></div>"
        '<div><div aria-label="Your answer"><span>Ask it 50 questions.</span></div></div>'
        "<div><div>Feedback</div><div>Model answer: score retrieval and generation "
        "separately on a labelled set.</div></div></div>"
        '<div role="listitem"><div role="heading" aria-level="3"><span>Name</span></div>'
        '<div aria-label="Your answer"><span>Sam</span></div></div>'
        "</div></body></html>"
    )
    result = import_text(page, name="form.html", bank_id="t")
    first, second = result.bank.questions
    assert first.answer == ["A"]
    assert second.reference.get("en") == (
        "score retrieval and generation separately on a labelled set."
    )
    assert "Ask it 50" not in str(result.bank.model_dump())


def _notion_block(kind: str, before: str, text: str) -> str:
    return (
        f'<div class="notion-selectable notion-{kind}-block">{before}'
        f'<div data-content-editable-leaf="true">{text}</div></div>'
    )


def _box(checked: bool) -> str:
    state = "true" if checked else "false"
    return f'<div role="checkbox" aria-checked="{state}"><svg></svg></div>'


def test_a_notion_page_saved_from_the_site_keeps_its_ticks_and_list_markers() -> None:
    page = "".join(
        [
            "<html><body><main><h1>Long context drill</h1>",
            "<h3>Q1. Which extend a RoPE model's window? (pick all)</h3>",
            _notion_block("to_do", _box(True), "Position Interpolation"),
            _notion_block("to_do", _box(False), "Doubling the vocabulary"),
            _notion_block("to_do", _box(True), "YaRN"),
            "<h3>Q2. Why keep the first tokens in StreamingLLM's cache?</h3>",
            _notion_block("numbered_list", '<span class="notion-list-number">1.</span>', "Prompt"),
            _notion_block("numbered_list", '<span class="notion-list-number">2.</span>', "Sinks"),
            "<p>Answer: → 2. They are attention sinks.</p>",
            "<h3>Q3. Which are true of MoE serving? (pick all)</h3>",
            _notion_block("bulleted_list", '<div class="pseudoBefore">•</div>', "(A) All resident"),
            _notion_block("bulleted_list", '<div class="pseudoBefore">•</div>', "(B) Cheap"),
            "<p>Answer: (A).</p></main></body></html>",
        ]
    )
    result = import_text(page, name="notion.html", bank_id="n")
    first, second, third = result.bank.questions
    assert (first.answer, second.answer, third.answer) == (["A", "C"], ["B"], ["A"])
    assert [o.text.en for o in second.options] == ["Prompt", "Sinks"]
    assert third.options[0].text.en == "All resident"


def _sphinx_question(number: int, prompt: str, options: list[str]) -> str:
    items = "".join(f"<li><p>{text}</p></li>" for text in options)
    return (
        f'<section id="question-{number}"><h3>Question {number}</h3><p>{prompt}</p>'
        + (f'<ol class="upperalpha simple">{items}</ol>' if options else "")
        + "</section>"
    )


def test_a_sphinx_exam_page_keeps_its_questions_over_the_key_table_readability_prefers() -> None:
    rows = "".join(  # a key whose long notes readability scores above the questions
        f"<tr><td><p>{n}</p></td><td><p>{key}</p></td><td><p>{why * 8}</p></td></tr>"
        for n, key, why in [
            (1, "B", "Blocks are allocated on demand, so only the last block wastes space."),
            (2, "B", "Finished sequences leave and new ones join at every decoding step."),
            (3, "A, C", "LoRA and prefix tuning train few parameters; ZeRO-3 shards state."),
        ]
    )
    page = (
        '<html><body><div role="main" itemprop="articleBody"><h1>Practice Exam 2</h1>'
        + _sphinx_question(
            1, "How does PagedAttention store the KV cache?", ["Contiguous", "Blocks"]
        )
        + _sphinx_question(
            2, "Continuous batching schedules at which granularity?", ["Request", "Step"]
        )
        + _sphinx_question(3, "Which are PEFT methods?", ["LoRA", "ZeRO-3", "(IA)³"])
        + _sphinx_question(4, "Explain why decoding is memory-bound.", [])
        + '<section id="solutions"><h2>Solutions</h2><table><thead><tr><th><p>Question</p></th>'
        "<th><p>Answer</p></th><th><p>Why</p></th></tr></thead><tbody>" + rows + "</tbody></table>"
        "<h3>Model answers, Part C</h3><p>Question 4</p><p>Each step streams every weight.</p>"
        "</section></div></body></html>"
    )
    result = import_text(page, name="exam.html", bank_id="x")
    first, second, third, fourth = result.bank.questions
    assert (first.answer, second.answer, third.answer) == (["B"], ["B"], ["A", "C"])
    assert [o.text.en for o in third.options] == ["LoRA", "ZeRO-3", "(IA)³"]
    assert fourth.prompt.en == "Explain why decoding is memory-bound."
    assert fourth.reference.en == "Each step streams every weight."


def test_a_saved_sphinx_exam_whose_key_table_readability_takes_for_the_article() -> None:
    page = FIXTURES / "held_out_33" / "answer-key_en_rtd-sphinx-practice-exam.html"
    result = import_article(page, bank_id="x")
    assert [q.id for q in result.bank.questions] == [f"q{n}" for n in range(1, 13)]
    assert result.bank.questions[7].answer == ["A", "C"]


def test_a_quiz_sites_option_blocks_marked_correct_and_its_card_headers() -> None:
    page = FIXTURES / "held_out_36" / "page-furniture_en_quizizz-quiz-attention.html"
    result = import_article(page, bank_id="q")
    questions = {q.id: q for q in result.bank.questions}
    assert questions["q1"].answer == ["B"]  # <div class="option correct">
    assert questions["q7"].answer == ["A", "B", "D"]
    assert questions["q1"].prompt.en.startswith("In scaled dot-product attention")  # no header
    assert questions["q1"].explanation.en.startswith("Each row of QKᵀ belongs to one query")


def test_geeksforgeeks_nested_bold_headings_and_its_links_between_sections() -> None:
    page = (
        "<html><body><article><h1>LLM Interview Questions</h1><p>"
        + "Intro to large language models for freshers. " * 8
        + "</p><h3><b><strong>1. What is tokenization?</strong></b></h3>"
        "<p>Tokenization splits raw text into subword tokens mapped to integer IDs.</p>"
        "<p><b>Must Read:</b> <a href='/bpe'>Byte Pair Encoding</a></p>"
        "<h3><b><strong>2. What are embeddings?</strong></b></h3>"
        "<p>Dense vectors in which similar tokens lie close together.</p>"
        "<p><b>Also Check:</b> <a href='/emb'>Word embeddings</a></p></article></body></html>"
    )
    result = import_text(page, name="gfg.html", bank_id="g")
    first, second = result.bank.questions
    assert (first.prompt.en, second.prompt.en) == ("What is tokenization?", "What are embeddings?")
    assert (
        first.reference.en
        == "Tokenization splits raw text into subword tokens mapped to integer IDs."
    )
    assert "Check" not in second.reference.en


def test_a_layout_wrapper_named_like_an_ad_around_the_article_is_kept() -> None:
    questions = "".join(
        f"<h3>Question {n}</h3><p>Which tokenizer property is asked about in question {n}?</p>"
        f"<ul><li>A: bytes</li><li>B: words</li></ul><p><strong>Answer:</strong> A</p>"
        for n in (11, 12, 13)
    )
    page = (
        '<html><body><div class="inner ad-layout"><article class="post"><h1>Part 2</h1>'
        f"<section class='post-content'>{questions}</section></article></div>"
        '<div class="ad-banner">Buy now</div></body></html>'
    )
    result = import_text(page, name="fcc.html", bank_id="f")
    assert [q.id for q in result.bank.questions] == ["q11", "q12", "q13"]
    assert "Buy now" not in str(result.bank.model_dump())


def test_an_editors_task_items_with_their_text_in_a_block_are_ticked_options() -> None:
    item = (
        '<li data-type="taskItem"><label><input type="checkbox"{}><span></span></label>'
        "<div><p>{}</p></div></li>"
    )
    items = "".join(
        item.format(' checked="checked"' if ticked else "", text)
        for ticked, text in [(True, "NF4"), (True, "Double quantization"), (False, "INT4 adapters")]
    )
    html = (
        "<html><body><article><h1>QLoRA</h1><p>This week's check on efficient fine-tuning, "
        "made in the community's editor: tick every option you think is right, then compare "
        "with the ticks below, which mark the correct ones.</p>"
        "<h3>4. Which did the QLoRA paper introduce?</h3>"
        f'<ul data-type="taskList">{items}</ul></article></body></html>'
    )
    question = import_text(html, name="circle.html", bank_id="c").bank.questions[0]
    assert [o.text.get("en") for o in question.options] == [
        "NF4",
        "Double quantization",
        "INT4 adapters",
    ]
    assert question.answer == ["A", "B"]


def test_a_page_titled_only_with_its_sites_name_takes_the_posts_first_line() -> None:
    page = (
        "<html><head><title>知识星球 | 深度连接铁杆粉丝</title></head><body>"
        '<header><a class="logo" href="/"><img src="/logo.png" alt="知识星球"></a></header>'
        '<div class="topic"><div class="content">【第 14 周周测】解码与采样<br>'
        "1. temperature 趋近 0 时等价于？<br>A. 随机采样<br>B. 贪心解码<br>答案：B<br>"
        "2. top-p = 0.9 的含义？<br>A. 累积概率到 0.9 的最小集合<br>B. 前 90% 的 token<br>"
        "答案：A</div></div></body></html>"
    )
    result = import_text(page, name="topic.html", bank_id="t")
    assert result.bank.title.get("zh") == "【第 14 周周测】解码与采样"
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
