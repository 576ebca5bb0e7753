from __future__ import annotations

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import UnreadableAnswer, grade, matches_accepted, parse_choice

SEED = resolve_bank("seed")
CALIBRATION, VECTOR_STORE = SEED.questions[0], SEED.questions[1]
WARNING_SIGNS = next(  # a multiple-choice question, A-E
    q for q in resolve_bank("alignment").questions if q.id == "reward-hacking-warning-signs"
)


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("C", "C"),
        (" c ", "C"),
        ("Ｃ", "C"),
        ("cc", "C"),
        ("prompt calibration", "C"),
        ("提示校准 Prompt calibration", "C"),
    ],
)
def test_parse_choice(raw: str, keys: str) -> None:
    assert parse_choice(raw, CALIBRATION) == frozenset(keys)


@pytest.mark.parametrize(("raw", "keys"), [("a,c", "AC"), ("A C", "AC"), ("ABD", "ABD")])
def test_parse_several_choices(raw: str, keys: str) -> None:
    assert WARNING_SIGNS.kind == "multiple"
    assert parse_choice(raw, WARNING_SIGNS) == frozenset(keys)


@pytest.mark.parametrize("raw", ["a,c", "A C", "AC", "bad"])
def test_several_letters_on_a_single_choice_question_ask_again(raw: str) -> None:
    assert CALIBRATION.kind == "single"
    with pytest.raises(UnreadableAnswer) as refused:
        parse_choice(raw, CALIBRATION)
    assert str(refused.value) == "this question has one answer: give one of the letters A, B, C, D"


@pytest.mark.parametrize("raw", ["E", "ZZ", "maybe", "1"])
def test_unreadable_choice(raw: str) -> None:
    with pytest.raises(UnreadableAnswer, match="A, B, C, D"):
        parse_choice(raw, CALIBRATION)


def test_grade_choice() -> None:
    assert grade(CALIBRATION, "c").correct is True
    assert grade(CALIBRATION, "A").correct is False
    assert grade(WARNING_SIGNS, "A,B,D").correct is True
    assert grade(WARNING_SIGNS, "A,B").correct is False


@pytest.mark.parametrize(
    ("raw", "correct"),
    [
        ("不需要", True),
        ("不", True),
        ("否", True),
        ("No", True),
        ("no.", True),
        ("NO!", True),
        ("No, only for retrieval", True),
        ("不需要。", True),
        ("yes", False),
        ("不知道", False),
        ("nope", False),
        ("需要", False),
    ],
)
def test_grade_open(raw: str, correct: bool) -> None:
    assert grade(VECTOR_STORE, raw).correct is correct


def test_matches_accepted_needs_a_separator_after_a_prefix() -> None:
    assert matches_accepted("no - not always", ["no"])
    assert not matches_accepted("notable", ["no"])
