"""Flashcards written as pages: a front and a back face for each card, labelled, in a table of
their own or in tabs, the card's heading naming its topic."""

from __future__ import annotations

import pytest

from llmiq.errors import LlmiqError
from llmiq.ingest import parse_article
from llmiq.ingest.card_faces import rewrite_card_faces
from llmiq.ingest.result import ImportResult


def _parse(text: str) -> ImportResult:
    return parse_article(text, name="cards.md", bank_id="t")


def test_cards_whose_faces_are_labelled_under_a_numbered_heading() -> None:
    result = _parse(
        "# 推理与部署闪卡\n\n### 卡片 07 · decode 的瓶颈\n\n"
        "**正面**：为什么 decode 阶段是 memory-bound 的？\n\n**背面**：\n\n"
        "每一步都要把全部权重从显存读一遍，算术强度很低。\n\n---\n\n"
        "### 卡片 08 · PagedAttention\n\n**正面**：PagedAttention 解决了什么问题？\n\n"
        "**背面**：KV Cache 的显存碎片。\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.prompt.get("zh")) == ("q7", "为什么 decode 阶段是 memory-bound 的？")
    assert first.reference.get("zh") == "每一步都要把全部权重从显存读一遍，算术强度很低。"
    assert (second.id, second.reference.get("zh")) == ("q8", "KV Cache 的显存碎片。")


def test_a_card_with_options_on_its_front_and_its_key_on_its_back() -> None:
    result = _parse(
        "### 1. Routing — *Easy*\n\n**Q:** **How many experts process each token in Mixtral?**"
        "\n\n- A) 1\n- B) 2\n\n**A:** B — top-2 routing.\n\n---\n\n"
        "### 2. Counts — *Easy*\n\n**Q:** **How many parameters are active?**\n\n"
        "- A) 12.9B\n- B) 46.7B\n\n**A:** A — only the FFNs are replicated.\n"
    )
    first, second = result.bank.questions
    assert first.prompt.get("en") == "How many experts process each token in Mixtral?"
    assert (first.answer, second.answer) == (["B"], ["A"])


def test_a_wiki_page_with_a_question_tab_and_an_answer_tab() -> None:
    result = _parse(
        "## 第 1 题 · 分块 {.tabset}\n### 题目\n"
        "**切分文档时设置 overlap 的主要目的是？** `单选` `★☆☆`\n\n"
        "- A. 减少存储\n- B. 避免关键信息被切断在边界上\n\n"
        "### 答案\n> 答案：**B**\n{.is-success}\n\n"
        "代价是存储略增。\n\n## 第 2 题 · 检索 {.tabset}\n### 题目\n"
        "**BM25 属于哪一类检索？** `单选` `★☆☆`\n\n- A. 稀疏检索\n- B. 稠密检索\n\n"
        "### 答案\n> 答案：**A**\n{.is-success}\n"
    )
    first, second = result.bank.questions
    assert first.prompt.get("zh") == "切分文档时设置 overlap 的主要目的是？"
    assert (first.answer, second.answer) == (["B"], ["A"])
    assert first.explanation.get("zh") == "代价是存储略增。"


def test_a_page_with_one_front_and_back_table_per_card() -> None:
    result = _parse(
        "### 卡片 01\n\n| 正面 | 背面 |\n| --- | --- |\n"
        "| Top-p 采样是怎么工作的？ | 取累计概率达到 p 的最小集合再采样。 |\n\n"
        "### 卡片 02\n\n| 正面 | 背面 |\n| --- | --- |\n"
        "| 温度大于 1 会怎样？ A. 更尖锐 B. 更平坦 | **B** 分布被拉平。 |\n"
    )
    first, second = result.bank.questions
    assert first.reference.get("zh") == "取累计概率达到 p 的最小集合再采样。"
    assert (second.kind, second.answer) == ("single", ["B"])


def test_a_decks_page_with_q_and_a_labels_on_lines_of_their_own() -> None:
    result = _parse(
        "# Transformer cards\n\n1. 1\n\nQ\n\nWhat does the causal mask prevent?\n\nA\n\n"
        "Attending to later positions.\n\n2. 2\n\nQ\n\nWhich activation does Llama use?\n\n"
        "a) ReLU\n\nb) SwiGLU\n\nA\n\nb) SwiGLU\n\nA gated linear unit.\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.prompt.get("en")) == ("q1", "What does the causal mask prevent?")
    assert first.reference.get("en") == "Attending to later positions."
    assert (second.id, second.answer) == ("q2", ["B"])


def test_face_labels_are_read_only_where_they_alternate_twice_or_more() -> None:
    once = ["Q", "What is X?", "A", "Y."]
    assert rewrite_card_faces(once) == once
    not_alternating = ["Q", "What is X?", "Q", "What is Y?", "A", "Z.", "A", "W."]
    assert rewrite_card_faces(not_alternating) == not_alternating
    twice = ["Q", "What is X?", "A", "Y.", "Q", "What is Z?", "A", "W."]
    assert rewrite_card_faces(twice) == [
        "",
        "Front: What is X?",
        "Answer:",
        "Y.",
        "",
        "Front: What is Z?",
        "Answer:",
        "W.",
    ]


def test_one_line_cards_in_a_note_and_the_items_after_them() -> None:
    result = _parse(
        "# Scaling cards\n\n- Source:: CS336 notes\n- Cards\n"
        "    - How many tokens per parameter is compute-optimal? >> About 20.\n"
        "    - Pipeline bubble :: The idle time at the start and end of each step.\n"
        "    - Why BF16 rather than FP16? >>>\n"
        "        - Same exponent range as FP32.\n        - No loss scaling.\n"
        "- Practice log\n    - [x] first pass, 6/10\n"
    )
    first, second, third = result.bank.questions
    assert first.prompt.get("en") == "How many tokens per parameter is compute-optimal?"
    assert first.reference.get("en") == "About 20."
    assert second.reference.get("en") == "The idle time at the start and end of each step."
    assert "No loss scaling" in third.reference.get("en")
    dumped = str(result.bank.model_dump())
    assert "first pass" not in dumped
    assert "CS336" not in dumped


def test_code_and_a_single_arrow_are_no_cards() -> None:
    result = _parse(
        "1. What does `cout >> x` do in C++?\n\nAnswer: it reads x from standard input.\n\n"
        "2. What is std::vector?\n\nAnswer: a growable array.\n"
    )
    assert [q.prompt.get("en") for q in result.bank.questions] == [
        "What does `cout >> x` do in C++?",
        "What is std::vector?",
    ]


def test_one_arrow_in_prose_makes_no_card() -> None:
    result = _parse(
        "1. In a shell, what does `a >> b` do?\n\nAnswer: appends to b, as cat x >> log does.\n"
    )
    assert result.bank.questions[0].reference.get("en") == "appends to b, as cat x >> log does."


_SR_NOTE = """#flashcards/llm

# Inference cards

Single-line cards use `::`, longer ones a line with `?`.

What does the KV cache store?
?
The keys and values of every earlier token,
for every layer.
<!--SR:!2026-03-04,9,250-->

What is continuous batching?::Scheduling per decoding step.

Why is decode memory-bound?:::It streams all weights for one token.
"""


def test_obsidian_spaced_repetition_cards_in_a_note_tagged_flashcards() -> None:
    result = parse_article(_SR_NOTE, name="cards.md", bank_id="t")
    got = [(q.prompt.get("en"), q.reference.get("en")) for q in result.bank.questions]
    assert got == [
        (
            "What does the KV cache store?",
            "The keys and values of every earlier token,\nfor every layer.",
        ),
        ("What is continuous batching?", "Scheduling per decoding step."),
        ("Why is decode memory-bound?", "It streams all weights for one token."),
    ]


def test_without_the_deck_tag_double_colons_are_a_notes_fields() -> None:
    untagged = _SR_NOTE.replace("#flashcards/llm", "Tags:: #llm")
    with pytest.raises(LlmiqError):
        parse_article(untagged, name="cards.md", bank_id="t")
