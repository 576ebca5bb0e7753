"""The importer against articles in the formats people publish, each with its expected parse
(``NAME.expect.json`` beside ``NAME.txt``/``NAME.md``, written independently of the parser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmiq.errors import LlmiqError
from llmiq.ingest import accepted_variants, import_article, parse_article

ARTICLES = Path(__file__).parents[1] / "fixtures" / "articles"
EXPECTATIONS = sorted(ARTICLES.glob("*.expect.json"))


def _article_for(expectation: Path) -> Path:
    stem = expectation.name.removesuffix(".expect.json")
    return next(p for p in ARTICLES.glob(f"{stem}.*") if not p.name.endswith(".json"))


@pytest.mark.parametrize("expectation", EXPECTATIONS, ids=lambda p: p.name.split(".")[0])
def test_article_imports_as_expected(expectation: Path) -> None:
    expected = json.loads(expectation.read_text("utf-8"))
    result = import_article(_article_for(expectation), bank_id="t")
    lang = result.lang
    got = [
        (
            q.kind.value,
            [o.key for o in q.options],
            q.answer if q.is_choice else q.reference.get(lang),
        )
        for q in result.bank.questions
    ]
    want = [(q["kind"], q["options"], q["answer"]) for q in expected["questions"]]
    assert got == want
    assert lang == expected["lang"]
    for question, spec in zip(result.bank.questions, expected["questions"], strict=True):
        assert spec["prompt_contains"] in question.prompt.get(lang)
        assert question.prompt.has(lang)
    for position, phrase in expected.get("explanation_contains", {}).items():
        explanation = result.bank.questions[int(position) - 1].explanation
        assert explanation is not None
        assert phrase in explanation.get(lang)
    assert [s.first for s in result.dropped_questions] == expected["unanswered_lines"]
    _assert_nothing_from_the_page_tail(result, _article_for(expectation))


def _assert_nothing_from_the_page_tail(result, article: Path) -> None:
    lines = article.read_text("utf-8-sig").splitlines()
    kept = "\n".join(
        q.prompt.get(result.lang)
        + "".join(o.text.get(result.lang) for o in q.options)
        + (q.explanation.get(result.lang) if q.explanation else "")
        for q in result.bank.questions
    )
    for skipped in result.skipped:
        if "page tail" in skipped.reason:
            for line in lines[skipped.first - 1 : skipped.last]:
                assert len(line.strip()) < 12 or line.strip() not in kept


def test_seed_article_keeps_the_inner_list_in_question_2_and_drops_the_page_tail(
    seed_article: Path,
) -> None:
    result = import_article(seed_article, bank_id="seed-import")
    q2, q3 = result.bank.questions[1], result.bank.questions[2]
    assert q2.explanation is not None
    assert "1、情感分析" in q2.explanation.get("zh")
    assert "2、这项任务包括将文本" in q2.explanation.get("zh")
    assert q3.prompt.get("zh").startswith("以下哪一项不是")
    assert result.bank.source is not None
    assert (
        result.bank.source.url == "https://avoid.overfit.cn/post/5cbf407986584cfab3efd5ee3801b697"
    )
    assert result.bank.title.get("zh") == "10个大型语言模型(LLM)常见面试问题和答案解析"
    tail = [s for s in result.skipped if "page tail" in s.reason]
    assert len(tail) == 1
    assert tail[0].first == 72
    everything = " ".join(
        q.prompt.get("zh") + (q.explanation.get("zh") if q.explanation else "")
        for q in result.bank.questions
    )
    for noise in ("rollup", "netty", "Redis", "相关文章"):
        assert noise not in everything


def test_open_answer_accepts_short_forms(seed_article: Path) -> None:
    q2 = import_article(seed_article, bank_id="x").bank.questions[1]
    assert q2.kind == "open"
    assert {"不需要", "不", "否", "no"} <= set(q2.accepted)


def _parse(text: str):
    return parse_article(text, name="article.md", bank_id="t")


def test_numbered_list_inside_an_explanation_that_reaches_the_next_number() -> None:
    text = "\n".join(
        [
            "1. What is X?",
            "A. one",
            "B. two",
            "Answer: A",
            "Reasons:",
            "1. first",
            "2. second",
            "3. third",
            "2. What is Y?",
            "A. one",
            "B. two",
            "Answer: B",
        ]
    )
    bank = _parse(text).bank
    assert [q.answer for q in bank.questions] == [["A"], ["B"]]
    assert bank.questions[1].prompt.get("en") == "What is Y?"
    assert "3. third" in bank.questions[0].explanation.get("en")


def test_lettered_remarks_after_the_answer_stay_in_the_explanation() -> None:
    text = "1、问题?\nA.甲\nB.乙\n答案:B\nA)甲是错的\nB)乙是对的\n2、问题二?\nA.丙\nB.丁\n答案:A\n"
    bank = _parse(text).bank
    assert [len(q.options) for q in bank.questions] == [2, 2]
    assert "A)甲是错的" in bank.questions[0].explanation.get("zh")


@pytest.mark.parametrize(
    ("line", "keys"),
    [
        ("答案:C", ["C"]),
        ("答案：C", ["C"]),
        ("正确答案:A", ["A"]),
        ("【答案】B", ["B"]),
        ("Answer: (b)", ["B"]),
        ("**Answer: B**", ["B"]),
        ("**Answer:** B", ["B"]),
        ("Correct answer: B. Two words", ["B"]),
        ("答案:ABCE", ["A", "B", "C", "E"]),
        ("Answer: A, B, D", ["A", "B", "D"]),
        ("答案:A、B", ["A", "B"]),
        ("答案：ＢＤ", ["B", "D"]),
        ("Answer: Two words", ["B"]),
        ("=> B   (512 / 8)", ["B"]),
        ("-> A, B", ["A", "B"]),
        ("-- my answer --\nB", ["B"]),
        ("答案：a）b）d）", ["A", "B", "D"]),
        ("Answer: (a)(c) — both hold", ["A", "C"]),
        ("Answer ➜ C", ["C"]),
        ("**→ ABD**", ["A", "B", "D"]),
        ("答：A 和 B 对，D 也对。C 错，两者不同。", ["A", "B", "D"]),
        ("答：A 和 B，还有 D。C 最危险。", ["A", "B", "D"]),
        ("Ans. D", ["D"]),
        ("【Key】A", ["A"]),
        ("```\n答案：B\n```", ["B"]),
    ],
)
def test_answer_line_forms(line: str, keys: list[str]) -> None:
    options = "A. One\nB. Two words\nC. Three\nD. Four: with a colon\nE. Five."
    bank = _parse(f"Q1. Which?\n{options}\n{line}\n").bank
    assert bank.questions[0].answer == keys


@pytest.mark.parametrize(
    "option_lines",
    [
        "A. one\nB. two",
        "A、one\nB、two",
        "A．one\nB．two",
        "A) one\nB) two",
        "[A] one\n[B] two",
        "(A) one\n(B) two",
        "（A）one\n（B）two",
        "(a) one\n(b) two",
        "- A. one\n- B. two",
        "• A. one\n• B. two",
        "Ａ．one\nＢ．two",
        "A. one B. two",
    ],
)
def test_option_line_forms(option_lines: str) -> None:
    question = _parse(f"1. Pick one?\n{option_lines}\nAnswer: B\n").bank.questions[0]
    assert [(o.key, o.text.get("en")) for o in question.options] == [("A", "one"), ("B", "two")]


@pytest.mark.parametrize(
    "numbering",
    [
        *("1、", "1.", "1)", "Q1.", "Q1:", "第1题", "一、", "### Question 1\n", "**1. ", "## 1. "),
        *("Q-1: ", "**1 »** ", "1 ⟶ ", "### (1/30)\n", "[Q1]\n", "【问题1】", "题1："),
    ],
)
def test_question_numbering_forms(numbering: str) -> None:
    second = numbering.replace("1", "2").replace("一", "二")
    text = f"{numbering}First?\nA. x\nB. y\n答案:A\n\n{second}Second?\nA. x\nB. y\n答案:B\n"
    bank = _parse(text).bank
    assert [q.answer for q in bank.questions] == [["A"], ["B"]]
    assert bank.questions[1].prompt.get("zh") == "Second?"


def test_question_without_answer_is_reported_by_line() -> None:
    text = (
        "1. First?\nA. x\nB. y\nAnswer: A\n\n"
        "2. Second?\nA. x\nB. y\n\n"
        "3. Third?\nA. x\nB. y\nAnswer: B\n"
    )
    result = _parse(text)
    assert [q.prompt.get("en") for q in result.bank.questions] == ["First?", "Third?"]
    assert [s.first for s in result.dropped_questions] == [6]


def test_answer_key_that_is_not_an_option_is_reported() -> None:
    result = _parse("1. First?\nA. x\nB. y\nAnswer: A\n\n2. Second?\nA. x\nB. y\nAnswer: D\n")
    assert len(result.bank.questions) == 1
    assert result.dropped_questions[0].first == 6
    assert "'D'" in result.dropped_questions[0].reason


def test_faq_style_question_and_answer() -> None:
    result = _parse(
        "Q1: What does RLHF stand for?\nA: Reinforcement learning from human feedback.\n"
    )
    question = result.bank.questions[0]
    assert question.kind == "open"
    assert question.reference.get("en").startswith("Reinforcement learning")


def test_text_without_questions_is_an_error() -> None:
    with pytest.raises(LlmiqError, match="no questions found"):
        _parse("Just a paragraph about transformers.\n\nAnother one.\n")


def test_questions_without_any_answer_is_an_error_naming_the_lines() -> None:
    with pytest.raises(LlmiqError, match=r"found 2 question\(s\) \(lines 1, 4\) but no answer"):
        _parse("1. First?\nA. x\nB. y\n2. Second?\nA. x\nB. y\n")


@pytest.mark.parametrize(
    ("answer", "variants"),
    [
        ("不需要", ["不需要", "不", "否", "no"]),
        ("Yes", ["Yes", "是", "对", "yes"]),
        ("可以", ["可以", "是", "对", "yes"]),
    ],
)
def test_accepted_variants_of_yes_no_answers(answer: str, variants: list[str]) -> None:
    assert accepted_variants(answer) == variants


def test_long_open_answer_is_a_reference_not_an_accepted_short_answer() -> None:
    question = _parse(
        "1. Why?\nAnswer: Because attention weighs tokens by relevance. It is learned.\n"
    ).bank.questions[0]
    assert question.accepted == []
    assert question.reference is not None


_line = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "1、",
            "2.",
            "Q3:",
            "第4题",
            "A.",
            "B)",
            "(c)",
            "答案:",
            "Answer: B",
            "【答案】AC",
            "解析:",
            "相关文章",
            "https://x.y/z",
            "### Question 5",
            "**1. x**",
            "A: y",
            "",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_line, st.text(max_size=20)), max_size=40))
def test_random_text_never_crashes_and_takes_only_what_is_there(
    parts: list[tuple[str, str]],
) -> None:
    text = "\n".join(head + tail for head, tail in parts)
    try:
        result = parse_article(text, name="fuzz.txt", bank_id="fuzz")
    except LlmiqError:
        return
    plain = text.translate(str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff"))
    # a Markdown escape ("\\<", "\\*") is syntax: its character is what the article says
    plain += "\n" + re.sub(r"\\([\"'*_|#.~<>!`$+\-=])", r"\1", plain)
    # ... and so is a wiki link: "[[0]]" reads "0", "[[page|label]]" reads "label"
    plain += "\n" + re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", plain)
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert result.bank.questions
    for question in result.bank.questions:
        assert not question.rule_problems()
        for line in question.prompt.get(result.lang).splitlines():
            assert line.strip() in plain
        for option in question.options:
            assert option.text.get(result.lang).split(" ")[0] in plain
    for skipped in result.skipped:
        assert 1 <= skipped.first <= skipped.last <= line_count


def test_lines_in_code_blocks_are_never_questions() -> None:
    text = (
        "## 1. What does this print?\n\n```python\n# 1. load the data\nx = [1, 2]\n"
        "# 2. print it\nprint(len(x))\n```\n\nA. 1\nB. 2\n\nAnswer: B\n"
    )
    question = _parse(text).bank.questions[0]
    assert question.prompt.get("en").startswith("What does this print?")
    assert "# 1. load the data" in question.prompt.get("en")
    assert question.answer == ["B"]


def test_zero_width_characters_from_scraped_pages_are_ignored() -> None:
    text = "1、问题一？\n\u200bA.甲\nB.乙\n答案：B\u200b\n2、问题二？\nA.甲\nB.乙\n\u200b答案：A\n"
    assert [q.answer for q in _parse(text).bank.questions] == [["B"], ["A"]]


def test_options_on_the_question_line() -> None:
    question = _parse("1、以下哪个是分词算法？ A.BPE B.Adam C.ReLU\n答案：A\n").bank.questions[0]
    assert question.prompt.get("zh") == "以下哪个是分词算法？"
    assert [o.text.get("zh") for o in question.options] == ["BPE", "Adam", "ReLU"]


@pytest.mark.parametrize("sep", ["：", "\n"])
def test_options_on_one_line_parted_by_semicolons(sep: str) -> None:
    text = f"9. 常见的偏差有（多选）{sep}A.位置偏差；B.冗长（长度）偏差；C.自我偏好\n答：AB\n"
    question = _parse(text).bank.questions[0]
    texts = [o.text.get("zh") for o in question.options]
    assert texts == ["位置偏差", "冗长（长度）偏差", "自我偏好"]
    assert question.answer == ["A", "B"]


def test_option_text_with_a_letter_and_dot_inside_stays_whole() -> None:
    text = "1. Which plan?\nA. Use plan B. Then stop\nB. Keep going\nAnswer: A\n"
    options = _parse(text).bank.questions[0].options
    assert [o.text.get("en") for o in options] == ["Use plan B. Then stop", "Keep going"]


def test_bold_words_inside_option_text_survive() -> None:
    text = "1. What does temperature do?\nA. **Scales** the logits\nB. Nothing\nAnswer: A\n"
    assert _parse(text).bank.questions[0].options[0].text.get("en") == "**Scales** the logits"


def test_a_related_box_in_the_middle_does_not_end_the_article() -> None:
    text = (
        "1. First?\nA. x\nB. y\nAnswer: A\n\nFurther reading:\n- some link\n\n"
        "2. Second?\nA. x\nB. y\nAnswer: B\n\n相关文章:\n1. Old post?\nA. x\nB. y\nAnswer: A\n"
    )
    result = _parse(text)
    assert [q.answer for q in result.bank.questions] == [["A"], ["B"]]
    assert any("page tail" in s.reason and s.first == 14 for s in result.skipped)


def test_a_list_in_the_last_explanation_is_not_a_run_of_unanswered_questions() -> None:
    text = (
        "1. First?\nA. x\nB. y\nAnswer: A\n\n2. Why RLHF?\nA. x\nB. y\nAnswer: B\n"
        "Three reasons:\n1. Preference is hard to write down.\n2. It scales.\n"
        "3. It works.\n4. It is cheap.\n"
    )
    result = _parse(text)
    assert result.dropped_questions == []
    assert "4. It is cheap." in result.bank.questions[1].explanation.get("en")


def test_unanswered_question_in_another_numbering_style_is_reported() -> None:
    text = (
        "Q1. First?\nA. x\nB. y\nAnswer: B\n\n"
        "2. Second?\nA. x\nB. y\n\n"
        "Q3. Third?\nA. x\nB. y\nAnswer: A\n"
    )
    result = _parse(text)
    assert [s.first for s in result.dropped_questions] == [6]
    assert result.bank.questions[0].explanation is None


def test_faq_answer_is_not_repeated_in_the_explanation() -> None:
    question = _parse(
        "Q: What is RLHF?\nA: Reinforcement learning from human feedback.\n"
    ).bank.questions[0]
    assert question.explanation is None


def test_html_tag_lines_are_skipped_and_reported() -> None:
    text = (
        "### 1. What does RoPE encode?\n- A. Absolute position\n- B. Relative position\n\n"
        "<details><summary>Answer</summary>\n\n**Answer: B**\n\nRotations.\n\n</details>\n"
    )
    result = _parse(text)
    question = result.bank.questions[0]
    assert question.options[1].text.get("en") == "Relative position"
    assert question.explanation.get("en") == "Rotations."
    assert [s.first for s in result.skipped if "markup" in s.reason] == [11]
    assert [s.first for s in result.skipped if "answer label" in s.reason] == [5]


@pytest.mark.parametrize(
    "answer",
    ["答案：选C", "答案：C选项", "Answer: Option C", "Answer: `C`", "答案：\n**C**", "答案：\n> C"],
)
def test_answer_wrapped_in_words_or_markdown(answer: str) -> None:
    text = f"1. Which?\nA. x\nB. y\nC. z\n{answer}\n"
    assert _parse(text).bank.questions[0].answer == ["C"]


def test_not_necessarily_is_not_no() -> None:
    assert accepted_variants("不一定") == ["不一定"]
    assert accepted_variants("没有区别") == ["没有区别"]


def test_reference_links_stay_in_explanations_and_the_labelled_url_is_the_source() -> None:
    text = (
        "# Quiz\n原文链接: https://example.com/post\n\n1. What is FlashAttention?\nA. x\nB. y\n"
        "Answer: A\nSee:\nhttps://arxiv.org/abs/2205.14135\n"
    )
    bank = _parse(text).bank
    assert bank.source is not None
    assert bank.source.url == "https://example.com/post"
    assert "https://arxiv.org/abs/2205.14135" in bank.questions[0].explanation.get("en")


def test_question_ids_follow_the_article_numbers() -> None:
    text = "3. Third?\nA. x\nB. y\nAnswer: A\n\n7. Seventh?\nA. x\nB. y\nAnswer: B\n"
    assert [q.id for q in _parse(text).bank.questions] == ["q3", "q7"]


def test_restarted_numbering_falls_back_to_positions() -> None:
    text = "1. a?\nA. x\nB. y\nAnswer: A\n\nPart 2\n\n1. b?\nA. x\nB. y\nAnswer: B\n"
    assert [q.id for q in _parse(text).bank.questions] == ["q1", "q2"]


def test_unnumbered_headings_that_ask_are_questions_answered_by_the_prose_below() -> None:
    text = (
        "# Alignment notes\n\nNo single right wording here.\n\n## Background\n\nSome history.\n\n"
        "## Why does RLHF add a KL penalty?\n\nTo keep the policy near the SFT model.\n\n"
        "## 奖励模型怎么训练？\n\n用成对偏好和 Bradley-Terry 损失。\n\n"
        "Want more? The next page covers inference questions.\n"
    )
    questions = _parse(text).bank.questions
    assert [q.id for q in questions] == ["q1", "q2"]
    assert questions[0].prompt.get("en") == "Why does RLHF add a KL penalty?"
    assert questions[0].reference.get("en") == "To keep the policy near the SFT model."
    assert "next page" not in questions[1].reference.get("en")


def test_one_heading_that_asks_is_not_enough_for_qa_notes() -> None:
    with pytest.raises(LlmiqError, match="no questions found"):
        _parse("# Notes\n\n## Why RAG?\n\nBecause models forget.\n\n## Setup\n\nInstall it.\n")


def test_options_written_on_the_line_after_a_bare_numbered_heading() -> None:
    text = (
        "### Q2.\n\nByte-level BPE guarantees that (A) no token is unknown (B) sequences are "
        "shorter (C) the vocabulary has 256 entries\n\n**Answer:** A\n"
    )
    question = _parse(text).bank.questions[0]
    assert question.prompt.get("en") == "Byte-level BPE guarantees that"
    assert [o.text.get("en") for o in question.options] == [
        "no token is unknown",
        "sequences are shorter",
        "the vocabulary has 256 entries",
    ]
    assert question.answer == ["A"]


def test_unnumbered_headings_that_ask_after_numbered_ones_are_questions_too() -> None:
    text = (
        "# Can you answer these serving questions?\n\n## 1. What is continuous batching?\n\n"
        "Requests join the running batch at every step.\n\n### Rapid-fire round\n\n"
        "Some quick ones.\n\n#### What is chunked prefill?\n\nA long prompt's prefill is split.\n"
    )
    result = _parse(text)
    first, second = result.bank.questions
    assert first.reference.get("en").startswith("Requests join the running batch")
    assert (second.prompt.get("en"), second.reference.get("en")) == (
        "What is chunked prefill?",
        "A long prompt's prefill is split.",
    )
    assert result.bank.title.get("en") == "Can you answer these serving questions?"


def test_an_arrow_before_the_keys_is_an_answer_line_not_a_guess() -> None:
    result = _parse("Q1. Which?\nA. One\nB. Two\n=> B   (512 / 8)\n\nQ2. Next?\nA. x\nB. y\n-> A\n")
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    assert not result.notes  # as plain as "Answer: B": nothing inferred


@pytest.mark.parametrize(
    "said", ["> 答案是 `B`，思路是两者更像。", "👉 选 B：efSearch 越大召回越高。"]
)
def test_a_key_said_in_a_quote_or_after_a_pointer_is_an_answer_line(said: str) -> None:
    result = _parse(f"1. HyDE 的做法是？\nA. 摘要\nB. 先生成假设答案再检索\n\n{said}\n")
    assert result.bank.questions[0].answer == ["B"]
    assert not any("under the options" in note.message for note in result.notes)  # its line
