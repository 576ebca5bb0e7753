"""Bank records, the plain dataclasses the quiz reads: the same bank as the validated model,
read the same way, hashed the same way."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest

from llmiq.bank.catalog import builtin_entries, load_entry
from llmiq.bank.files import bank_to_data
from llmiq.bank.model import Bank, Question
from llmiq.bank.records import BankRecord, Kind, bank_record
from llmiq.practice.scheduling import content_hash

BUILTIN: list[Bank] = [load_entry(entry) for entry in builtin_entries()]


def _record_data(value: Any) -> Any:
    """A record back as plain data, empty fields left out as in :func:`bank_to_data`."""
    if dataclasses.is_dataclass(value):
        fields = {f.name: _record_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {k: v for k, v in fields.items() if v not in (None, [], {})}
    if isinstance(value, tuple):
        return [_record_data(v) for v in value]
    if isinstance(value, Kind):
        return value.value
    return value


def _model_hash(question: Question) -> str:
    """content_hash as it was written before records existed (pydantic's model_dump): the
    digests cards keep in the database must not change."""
    data = question.model_dump(
        mode="json", include={"kind", "prompt", "options", "answer", "accepted", "reference"}
    )
    for option in data.get("options", []):
        option.pop("why", None)
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize("bank", BUILTIN, ids=[b.id for b in BUILTIN])
def test_a_record_holds_exactly_its_models_data(bank: Bank) -> None:
    data = bank_to_data(bank)
    assert _record_data(bank_record(data)) == data


@pytest.mark.parametrize("bank", BUILTIN, ids=[b.id for b in BUILTIN])
def test_record_and_model_read_and_hash_alike(bank: Bank) -> None:
    record = bank_record(bank_to_data(bank))
    assert record.topics == bank.topics
    for model, plain in zip(bank.questions, record.questions, strict=True):
        assert record.question(model.id) is plain
        assert plain.is_choice == model.is_choice
        for lang in ("zh", "en"):
            assert plain.answer_text(lang) == model.answer_text(lang)
            assert plain.prompt.get(lang) == model.prompt.get(lang)
            assert plain.prompt.has(lang) == model.prompt.has(lang)
        assert content_hash(plain) == content_hash(model) == _model_hash(model)


WORKED = [
    (
        {
            "id": "q",
            "kind": "single",
            "prompt": {"en": "Which?", "zh": "哪个？"},
            "options": [{"key": "a", "text": "One", "why": "because"}, {"key": "B", "text": "二"}],
            "answer": "A",
            "explanation": "not hashed",
        },
        "016a95e64e67cc3d3714488c07d4a1cbf5448556b9fb4ffe6892c202bfa99539",
    ),
    (
        {"id": "o", "kind": "open", "prompt": "Why?", "accepted": ["no"], "reference": "No."},
        "3be129aeb4696909e952297e381de8d46b94cc06a7cc0942cf9f6881039728b7",
    ),
]


@pytest.mark.parametrize(("raw", "pinned"), WORKED, ids=["choice", "open"])
def test_content_hash_of_worked_examples_is_pinned(raw: dict, pinned: str) -> None:
    """The digests were worked out by llmiq before records existed (model_dump)."""
    question = Question.model_validate(raw)
    bank = Bank(id="b", title="t", questions=[question])
    assert content_hash(question) == _model_hash(question) == pinned
    assert content_hash(bank_record(bank_to_data(bank)).questions[0]) == pinned


def test_records_import_neither_pydantic_nor_yaml() -> None:
    code = (
        "import sys, llmiq.bank.records, llmiq.bank.cache, llmiq.bank.grading;"
        "sys.exit(sorted({'pydantic', 'yaml'} & {m.split('.')[0] for m in sys.modules}) or 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_record_is_frozen() -> None:
    record: BankRecord = bank_record(bank_to_data(BUILTIN[0]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.questions[0].id = "other"  # type: ignore[misc]
