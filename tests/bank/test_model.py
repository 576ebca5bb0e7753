from __future__ import annotations

import pytest
from pydantic import ValidationError

from llmiq.bank.model import Bank, Question, Text, detect_language


def _choice(**overrides: object) -> dict:
    data = {
        "id": "q1",
        "kind": "single",
        "prompt": "Which?",
        "options": [{"key": "a", "text": "one"}, {"key": "Ｂ", "text": "two"}],
        "answer": "b",
    }
    return data | overrides


def test_text_falls_back_to_the_other_language() -> None:
    text = Text(zh="微调")
    assert text.get("en") == "微调"
    assert text.get("zh") == "微调"
    assert not text.has("en")


def test_plain_string_is_filed_under_its_language() -> None:
    assert Text.model_validate("提示校准 Prompt calibration").zh == "提示校准 Prompt calibration"
    assert Text.model_validate("Prompt calibration").en == "Prompt calibration"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("微调 Fine-tuning", "zh"),
        ("The word 微调 means fine-tuning in Chinese", "en"),
        ("RLHF", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_option_keys_and_answers_are_normalised() -> None:
    question = Question.model_validate(_choice())
    assert [o.key for o in question.options] == ["A", "B"]
    assert question.answer == ["B"]


def test_multiple_answers_from_a_string() -> None:
    question = Question.model_validate(_choice(kind="multiple", answer="A, B"))
    assert question.answer == ["A", "B"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"answer": ["C"]}, "answer key 'C' is not one of the options (A, B)"),
        ({"answer": ["A", "B"]}, "a single-choice question has exactly one answer"),
        ({"answer": []}, "no answer key given"),
        ({"options": [{"key": "A", "text": "only"}], "answer": "A"}, "at least two options"),
        ({"kind": "essay"}, "Input should be 'single', 'multiple' or 'open'"),
        ({"prompt": {"en": "  "}}, "empty text"),
        ({"id": "has space"}, "must start with a letter or digit"),
        ({"kind": "open", "options": [], "answer": []}, "needs accepted answers or a reference"),
        ({"kind": "open", "answer": []}, "an open question has no options"),
    ],
)
def test_broken_questions_are_rejected(overrides: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Question.model_validate(_choice(**overrides))


def test_bank_rejects_duplicate_ids() -> None:
    with pytest.raises(ValidationError, match="duplicate question id 'q1'"):
        Bank.model_validate({"id": "b", "title": "B", "questions": [_choice(), _choice()]})


def test_bank_topics_in_order_of_appearance() -> None:
    bank = Bank.model_validate(
        {
            "id": "b",
            "title": "B",
            "questions": [_choice(topics=["x", "y"]), _choice(id="q2", topics=["y", "z"])],
        }
    )
    assert bank.topics == ["x", "y", "z"]
