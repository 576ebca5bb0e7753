"""The importer against articles in the formats people publish, each with its expected parse
(``NAME.expect.json`` beside ``NAME.txt``/``NAME.md``, written independently of the parser)."""

from __future__ import annotations

import json
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
    ["1、", "1.", "1)", "Q1.", "Q1:", "第1题", "一、", "### Question 1\n", "**1. ", "## 1. "],
)
def test_question_numbering_forms(numbering: str) -> None:
    second = numbering.replace("1", "2").replace("一", "二")
    text = f"{numbering}First?\nA. x\nB. y\n答案:A\n\n{second}Second?\nA. x\nB. y\n答案:B\n"
    bank = _parse(text).bank
    assert [q.answer for q in bank.questions] == [["A"], ["B"]]
    assert "Second?" in bank.questions[1].prompt.get("zh")


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
def test_random_text_never_crashes_the_importer(parts: list[tuple[str, str]]) -> None:
    text = "\n".join(head + tail for head, tail in parts)
    try:
        result = parse_article(text, name="fuzz.txt", bank_id="fuzz")
    except LlmiqError:
        return
    assert result.bank.questions
    for question in result.bank.questions:
        assert not question.rule_problems()
