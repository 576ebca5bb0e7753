"""Flashcard exports (Anki notes in plain text, Quizlet): a question for each row, the
reports naming the export's lines, and told apart from Markdown and plain text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmiq.ingest import import_text
from llmiq.ingest.flashcards import field_text, looks_like_flashcards
from llmiq.ingest.formats import detect_import_format

ANKI_EN = (
    "#separator:tab\n"
    "#html:true\n"
    "#notetype column:1\n"
    "#tags column:4\n"
    "Basic\t<b>Q1.</b> Which norm drops mean subtraction?<br>A. LayerNorm<br>B. RMSNorm"
    "\t<div><b>B</b></div><div>It only rescales.</div>\tnorm::basics\n"
    'Basic\tWhy residual connections?\t"They give gradients a\n'
    'direct path."\ttraining\n'
    "Basic\t\t\tempty\n"
    "Basic\tWhat is &quot;KV cache&quot;?\tCached keys and values.\tinference\n"
)

QUIZLET_ZH = (
    "LoRA 训练哪些参数？\t低秩矩阵 A 和 B\n"
    "QLoRA 的量化格式？\tNF4\n"
    "哪个是 PEFT 方法？ A. 全参数微调 B. Prefix Tuning\tB\n"
)

SEMICOLON = "#separator:semicolon\n#columns:Front;Back;Deck\n什么是 RAG？;检索增强生成;面试\n"


def test_an_anki_export_in_english(in_short: Callable[[Any], list]) -> None:
    result = import_text(ANKI_EN, name="deck.txt", bank_id="t")
    assert in_short(result) == [
        ("single", ["LayerNorm", "RMSNorm"], ["B"]),
        ("open", [], "They give gradients a direct path."),
        ("open", [], "Cached keys and values."),
    ]
    questions = result.bank.questions
    assert questions[0].prompt.get("en") == "Which norm drops mean subtraction?"
    assert questions[0].explanation.get("en") == "It only rescales."
    assert questions[2].prompt.get("en") == 'What is "KV cache"?'
    assert not any("norm::basics" in q.prompt.get("en") for q in questions)
    assert [(s.first, s.last, s.reason) for s in result.skipped] == [
        (1, 4, "front matter, not imported")
    ]


def test_a_quizlet_export_in_chinese(in_short: Callable[[Any], list]) -> None:
    result = import_text(QUIZLET_ZH, name="paste", bank_id="t")
    assert result.lang == "zh"
    assert in_short(result) == [
        ("open", [], "低秩矩阵 A 和 B"),
        ("open", [], "NF4"),
        ("single", ["全参数微调", "Prefix Tuning"], ["B"]),
    ]


def test_a_semicolon_export_drops_its_deck_column(in_short: Callable[[Any], list]) -> None:
    result = import_text(SEMICOLON, name="rag.txt", bank_id="t")
    assert in_short(result) == [("open", [], "检索增强生成")]


def test_reports_name_the_export_lines() -> None:
    text = "#separator:tab\nA prompt without a back\t\nWhat is RAG?\tRetrieval\n"
    result = import_text(text, name="d.txt", bank_id="t")
    assert len(result.bank.questions) == 1
    dropped = [s for s in result.skipped if s.first > 1]
    assert [(s.first, s.last) for s in dropped] == [(2, 2)]


def test_fields_and_detection() -> None:
    assert field_text("<div>a&nbsp;b</div><ul><li>x</li></ul>", is_html=True) == "a b\n- x"
    assert looks_like_flashcards(ANKI_EN)
    assert looks_like_flashcards(QUIZLET_ZH)
    assert detect_import_format("cards.txt", QUIZLET_ZH).name == "flashcards"
    assert detect_import_format("deck.tsv", "a\tb\n").name == "flashcards"
    assert not looks_like_flashcards("1. What?\tindented\nAnswer: A\n\n2. Why?\nAnswer: B\n")
    assert not looks_like_flashcards("| a\t| b |\n| c\t| d |\n| e\t| f |\n")


def test_an_anki_decks_html_cards_lettered_lists_option_tables_and_ticked_backs(
    in_short: Callable[[Any], list],
) -> None:
    cards = [
        "<span class=qnum>Q1</span> <div>Why can't LLMs spell?</div><ol type=A><li>No attention"
        "</li><li>Subword tokens</li></ol>\t<b>B</b><br>Spelling is per token.",
        "<span class=qnum>Q2</span> <div>What is weight tying?</div><table><tr><td>A</td>"
        "<td>Shared layers</td></tr><tr><td>B</td><td>Embedding = LM head</td></tr></table>\tB",
        "<span class=qnum>Q3</span> <div>Which are subword algorithms?</div><div>☐ WordPiece"
        "</div><div>☐ Whitespace</div><div>☐ BPE</div>\t<div>☑ WordPiece</div>"
        "<div>☐ Whitespace</div><div>☑ BPE</div>",
    ]
    deck = "#separator:tab\n#html:true\n" + "\n".join(cards) + "\n"
    result = import_text(deck, name="deck.txt", bank_id="t")
    assert in_short(result) == [
        ("single", ["No attention", "Subword tokens"], ["B"]),
        ("single", ["Shared layers", "Embedding = LM head"], ["B"]),
        ("multiple", ["WordPiece", "Whitespace", "BPE"], ["A", "C"]),
    ]
    assert [q.prompt.en for q in result.bank.questions][:2] == [
        "Why can't LLMs spell?",
        "What is weight tying?",
    ]


def test_a_quizlet_set_with_a_title_and_choices_crammed_into_its_terms(
    in_short: Callable[[Any], list],
) -> None:
    deck = (
        "Fine-tuning interview flashcards\nexported from my Quizlet set, 4 cards\n\n"
        "1. Which PEFT method adds trainable key/value vectors at every layer?  Prompt tuning / "
        "Prefix tuning / LoRA\tPrefix tuning\n"
        "2. In SFT, which tokens count in the loss? 1. every token 2. the response tokens\t2\n"
        "3. True or false: QLoRA keeps the base in NF4.   A True   B False\tA\n"
        "4. Why mask the prompt tokens?\tSo the gradient goes to the response.\n"
    )
    assert looks_like_flashcards(deck)
    result = import_text(deck, name="set.txt", bank_id="t")
    assert result.bank.title.en == "Fine-tuning interview flashcards"
    assert in_short(result) == [
        ("single", ["Prompt tuning", "Prefix tuning", "LoRA"], ["B"]),
        ("single", ["every token", "the response tokens"], ["B"]),
        ("single", ["True", "False"], ["A"]),
        ("open", [], "So the gradient goes to the response."),
    ]
    assert result.bank.questions[2].prompt.en == "True or false: QLoRA keeps the base in NF4."
    assert [(s.first, s.last) for s in result.skipped] == [(2, 2)]  # the note under the title
