"""The curated built-in banks, measured against what they promise: ten areas of bilingual
questions with a why for every option, sources, difficulties, fair answer letters, and labs
behind at least half of the keys."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from llmiq.bank.catalog import (
    ALL_AREAS,
    area_banks,
    backing_questions,
    builtin_entries,
    load_entry,
    resolve_bank,
)
from llmiq.bank.curation import balance_problems, curation_problems, letter_shares
from llmiq.bank.model import Bank, Question
from llmiq.labs.registry import LABS, lab_ids

AREAS = area_banks()
CURATED: list[Question] = [q for bank in AREAS for q in bank.questions]
BUILTIN: list[Bank] = [load_entry(e) for e in builtin_entries() if e.id != ALL_AREAS]


@pytest.mark.parametrize("bank", BUILTIN, ids=lambda bank: bank.id)
def test_every_builtin_bank_meets_the_curated_standard(bank: Bank) -> None:
    assert [str(p) for p in curation_problems(bank, lab_ids())] == []


def test_ten_areas_of_at_least_twelve_questions_and_150_in_all() -> None:
    sizes = {bank.id: len(bank.questions) for bank in AREAS}
    assert len(sizes) >= 10, sizes
    assert min(sizes.values()) >= 12, sizes
    assert len(CURATED) >= 150
    assert len({topic for q in CURATED for topic in q.topics}) >= 10


def test_mostly_multiple_choice_with_labs_behind_half_the_keys() -> None:
    kinds = Counter(q.kind.value for q in CURATED)
    assert (kinds["single"] + kinds["multiple"]) / len(CURATED) >= 0.70, kinds
    assert sum(q.lab is not None for q in CURATED) / len(CURATED) >= 0.50
    assert sum(bool(q.references) for q in CURATED) / len(CURATED) >= 0.90
    assert all(q.difficulty in (1, 2, 3) for q in CURATED)
    assert set(Counter(q.difficulty for q in CURATED)) == {1, 2, 3}


def test_answer_letters_and_option_lengths_give_nothing_away_across_all_areas() -> None:
    assert balance_problems(CURATED) == [], letter_shares(CURATED)


def test_question_ids_are_unique_across_builtin_banks() -> None:
    ids = Counter(q.id for bank in BUILTIN for q in bank.questions)
    assert [qid for qid, n in ids.items() if n > 1] == []


def test_every_lab_backs_its_card_question_and_every_new_lab_backs_curated_ones() -> None:
    backed = backing_questions()
    for info in LABS:
        names = [ref.split("/", 1)[1] for ref in backed.get(info.id, [])]
        assert info.question in names, f"{info.id}: card question {info.question!r} not found"
    curated_labs = {q.lab for q in CURATED if q.lab}
    assert len(curated_labs) >= 12, curated_labs


def test_the_all_areas_bank_holds_every_curated_question_tagged_by_area() -> None:
    combined = resolve_bank(ALL_AREAS)
    assert [q.id for q in combined.questions] == [q.id for q in CURATED]
    assert {q.area for q in combined.questions} == {bank.id for bank in AREAS}


def _all_right(bank: Bank) -> str:
    lines = []
    for q in bank.questions:
        if q.is_choice:
            lines.append(",".join(q.answer))
        elif q.accepted:
            lines.append(q.accepted[0])
        else:
            lines += ["my answer", "4"]  # self-rated: Easy
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bank", AREAS[:3], ids=lambda bank: bank.id)
def test_an_area_bank_is_quizzed_like_the_seed(bank: Bank, run_cli: Callable) -> None:
    result = run_cli("quiz", bank.id, "--in-order", "--lang", "zh", input=_all_right(bank))
    assert result.exit_code == 0
    total = len(bank.questions)
    assert result.output.rstrip().splitlines()[-1] == f"得分：{total}/{total}"


def test_banks_as_json_count_questions_areas_and_labs(run_cli: Callable) -> None:
    import json

    listed = {bank["id"]: bank for bank in json.loads(run_cli("banks", "--format", "json").output)}
    for bank in AREAS:
        entry = listed[bank.id]
        assert entry["origin"] == "built-in"
        assert entry["questions"] == len(bank.questions)
        assert entry["areas"] == [bank.id]
        assert entry["with_lab"] == sum(q.lab is not None for q in bank.questions)
    combined = listed[ALL_AREAS]
    assert combined["questions"] == len(CURATED)
    assert combined["areas"] == sorted(bank.id for bank in AREAS)
    assert listed["seed"]["areas"] == []
