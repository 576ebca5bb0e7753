"""Quizzes in Moodle's GIFT format."""

from __future__ import annotations

from llmiq.ingest.formats import detect_import_format
from llmiq.ingest.gift import looks_like_gift, parse_gift
from llmiq.ingest.result import ImportResult

_QUIZ = """// Week 7 quiz: fine-tuning
// Import via Question bank > Import > GIFT.
$CATEGORY: $course$/top/Week 7

::Q3 LoRA update::[markdown]In LoRA the update ΔW is written as {
\t~a full d × k matrix#No, that is fine-tuning.
\t=BA, with rank r ≪ d#Right.
\t~a scale vector
}

::Q4 QLoRA::Which are part of QLoRA? (Select all.) {
\t~%50%NF4 base weights
\t~%-100%4-bit adapters
\t~%50%double quantization
\t####The adapters stay in BF16.
}

::Q5::LoRA adds latency at inference once merged.{FALSE}

::Q6 scale::The LoRA output is scaled by {~r / α =α / r ~1 / √d} in most code.

::Q7::Which library ships LoRA for transformers? {=PEFT =peft}

::Q8 Memory::Bytes per parameter for AdamW mixed precision? {#16:2}

::Q9 Forgetting::What is forgetting? {####Losing general skills \\= overwritten weights.}

::Q10 pairs::Match the method to its idea. {=LoRA -> low rank =DPO -> preferences}
"""


def _parse(text: str = _QUIZ) -> ImportResult:
    return parse_gift(text, name="quiz.gift", bank_id="t")


def test_choice_weighted_true_false_short_numeric_and_essay_questions() -> None:
    result = _parse()
    got = {
        q.id: (q.kind, [o.text.get("en") for o in q.options], q.answer)
        for q in result.bank.questions
    }
    assert got["q3"] == (
        "single",
        ["a full d × k matrix", "BA, with rank r ≪ d", "a scale vector"],
        ["B"],
    )
    assert got["q4"][0::2] == ("multiple", ["A", "C"])
    assert got["q5"] == ("single", ["True", "False"], ["B"])
    assert got["q6"] == ("single", ["r / α", "α / r", "1 / √d"], ["B"])
    assert [q.id for q in result.bank.questions] == ["q3", "q4", "q5", "q6", "q7", "q8", "q9"]
    by_id = {q.id: q for q in result.bank.questions}
    assert by_id["q4"].explanation.get("en") == "The adapters stay in BF16."
    assert by_id["q6"].prompt.get("en") == "The LoRA output is scaled by ____ in most code."
    assert by_id["q7"].reference.get("en") == "PEFT"
    assert by_id["q8"].reference.get("en") == "16"
    assert by_id["q9"].reference.get("en") == "Losing general skills = overwritten weights."
    assert "No, that is fine-tuning" not in str(by_id["q3"].model_dump())


def test_the_opening_comment_titles_the_quiz_and_the_rest_is_reported() -> None:
    result = _parse()
    assert result.bank.title.get("en") == "Week 7 quiz: fine-tuning"
    reasons = [(s.first, s.reason) for s in result.skipped]
    assert (2, "markup, not imported") in reasons
    assert (3, "markup, not imported") in reasons
    assert any(reason.startswith("matching question") for _, reason in reasons)


def test_a_gift_quiz_saved_as_text_is_told_from_an_article() -> None:
    assert looks_like_gift(_QUIZ)
    assert detect_import_format("quiz.txt", _QUIZ).name == "gift"
    article = "1. What is LoRA? {short}\nA. x\nB. y\nAnswer: A\n\n```\nd = {~x}\n```\n"
    assert not looks_like_gift(article)
    assert detect_import_format("notes.md", article).name == "markdown"
