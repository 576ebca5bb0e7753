"""Single layout traits of real articles, each in a small article written here: what the
importer infers, what it refuses to guess, and what it reports."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.result import ImportResult, fold_notes


def _parse(text: str, name: str = "/home/ada/notes/quiz.md") -> ImportResult:
    return parse_article(text, name=name, bank_id="t")


def test_keys_named_in_prose_are_all_taken_and_noted() -> None:
    result = _parse(
        "1. Which are unsupervised?\na) SVM\nb) Clustering\nc) Linear regression\n"
        "d) Association\nAnswer: b) Clustering and d) Association\n"
    )
    assert result.bank.questions[0].answer == ["B", "D"]
    assert [str(n) for n in result.notes] == [
        "lines 1-6: question 1: answer read as B, D from 'b) Clustering and d) Association'; "
        "check it"
    ]


def test_an_answer_key_at_the_end_answers_the_questions_and_is_noted() -> None:
    result = _parse(
        "# Quiz\n\n1. First?\nA. x\nB. y\n\n2. Second?\nA. x\nB. y\n\n参考答案：1.B 2.A\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    assert fold_notes(result.notes) == [
        "lines 3-9: questions 1-2: answer from the answer key at line 11"
    ]
    assert any("answer key for questions 1-2" in s.reason for s in result.skipped)


def test_a_numbered_open_answer_is_no_answer_key() -> None:
    result = _parse("1. 什么是 LoRA？\n答案：\n1. 冻结原权重\n2. 训练低秩增量\n")
    question = result.bank.questions[0]
    assert question.kind == "open"
    assert "训练低秩增量" in question.reference.get("zh")


def test_a_sentence_starting_with_a_capital_a_is_no_option() -> None:
    result = _parse("1. Why scale by sqrt(d)?\nA model with large logits saturates.\nAnswer: Yes\n")
    question = result.bank.questions[0]
    assert question.kind == "open"
    assert "A model with large logits" in question.prompt.get("en")


def test_spaced_options_count_only_in_a_run() -> None:
    result = _parse("1. RoPE 作用在 Q 和 K 上。（ ）\nA 正确\nB 错误\n答案：A\n")
    question = result.bank.questions[0]
    assert [(o.key, o.text.get("zh")) for o in question.options] == [("A", "正确"), ("B", "错误")]
    assert question.answer == ["A"]


def test_ticked_boxes_answer_a_question_without_an_answer_line() -> None:
    result = _parse(
        "### 1. Which speed up decoding?\n- [x] KV caching\n- [ ] Higher temperature\n"
        "- [x] Speculative decoding\n\n### 2. Which stores KV in blocks?\n- [ ] FlashAttention\n"
        "- [x] PagedAttention\n"
    )
    assert [q.answer for q in result.bank.questions] == [["A", "C"], ["B"]]
    assert result.notes == []  # ticks are read, not inferred


def test_qa_notes_keep_the_articles_numbers() -> None:
    result = _parse(
        "## Notes\n\n### Q161: What does the KV cache store?\n\nKeys and values of past tokens.\n\n"
        "### Q162: Explain speculative decoding\n\nA draft model proposes; the target verifies.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q161", "q162"]
    assert result.bank.questions[1].reference.get("en").startswith("A draft model")


def test_titles_come_from_front_matter_then_h1_then_the_file_name() -> None:
    body = "1. Q?\nAnswer: Yes\n"
    assert _parse(f"---\ntitle: RAG quiz\nformat: html\n---\n# Other\n\n{body}").bank.title.en == (
        "RAG quiz"
    )
    assert _parse(f"Site notice: we use cookies.\n\n# Decoding\n\n{body}").bank.title.en == (
        "Decoding"
    )
    assert _parse(f"Aditya Verma\n\n{body}").bank.title.en == "quiz"  # a name is no title


def test_end_matter_after_the_last_question_is_the_page_tail() -> None:
    result = _parse(
        "1. Q?\nA. x\nB. y\nAnswer: A\nBecause.\n\n---\n\nThat's all! Subscribe to my newsletter.\n"
    )
    assert result.bank.questions[0].explanation.get("en") == "Because."
    assert any("page tail" in s.reason for s in result.skipped)


def test_page_furniture_is_cut_from_option_lines() -> None:
    result = _parse("1. Which?\nA. Paris Show Answer\nB. Rome\n[点击查看答案]\nAnswer: A\n")
    assert result.bank.questions[0].options[0].text.get("en") == "Paris"
    assert any("page furniture" in s.reason for s in result.skipped)
