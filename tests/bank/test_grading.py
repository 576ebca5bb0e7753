from __future__ import annotations

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import UnreadableAnswer, grade, matches_accepted, parse_choice

SEED = resolve_bank("seed")
CALIBRATION, VECTOR_STORE = SEED.questions[0], SEED.questions[1]


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("C", "C"),
        (" c ", "C"),
        ("Ｃ", "C"),
        ("a,c", "AC"),
        ("A C", "AC"),
        ("AC", "AC"),
        ("prompt calibration", "C"),
        ("提示校准 Prompt calibration", "C"),
    ],
)
def test_parse_choice(raw: str, keys: str) -> None:
    assert parse_choice(raw, CALIBRATION) == frozenset(keys)


@pytest.mark.parametrize("raw", ["E", "ZZ", "maybe", "1"])
def test_unreadable_choice(raw: str) -> None:
    with pytest.raises(UnreadableAnswer, match="A, B, C, D"):
        parse_choice(raw, CALIBRATION)


def test_grade_choice() -> None:
    assert grade(CALIBRATION, "c").correct is True
    assert grade(CALIBRATION, "A").correct is False
    assert grade(CALIBRATION, "A,C").correct is False


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
