"""The cache of validated banks: used only when made from the bank's current files by this
llmiq and intact; anything else is validated again and the cache file replaced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmiq.bank.builtin import builtin_sources
from llmiq.bank.cache import builtin_record, cache_path, cached_bank, source_key
from llmiq.bank.catalog import resolve_bank
from llmiq.bank.files import bank_to_data, load_bank_file

BANK_YAML = """\
id: mine
title: Mine
questions:
  - id: q1
    kind: single
    prompt: Which one?
    options:
      - {key: A, text: One}
      - {key: B, text: Two}
    answer: {answer}
"""


class Validations:
    """Validates a bank file as the catalogue does, counting how often it had to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def __call__(self) -> dict:
        self.count += 1
        return bank_to_data(load_bank_file(self.path))


@pytest.fixture
def bank_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(BANK_YAML.replace("{answer}", "A"), "utf-8")
    return path


def _cached(bank_file: Path, cache: Path, validations: Validations) -> str:
    record = cached_bank(cache, source_key([bank_file]), "mine", validations)
    return record.questions[0].answer[0]


def test_a_bank_is_validated_once_then_read_from_the_cache(bank_file: Path, tmp_path: Path) -> None:
    validations = Validations(bank_file)
    cache = tmp_path / "cache" / "mine.json"
    assert _cached(bank_file, cache, validations) == "A"
    assert _cached(bank_file, cache, validations) == "A"
    assert validations.count == 1
    assert cache.is_file()


def test_an_edited_bank_file_is_validated_again(bank_file: Path, tmp_path: Path) -> None:
    validations = Validations(bank_file)
    cache = tmp_path / "mine.json"
    _cached(bank_file, cache, validations)
    bank_file.write_text(BANK_YAML.replace("{answer}", "B"), "utf-8")
    assert _cached(bank_file, cache, validations) == "B"
    assert validations.count == 2
    assert _cached(bank_file, cache, validations) == "B"  # and cached again
    assert validations.count == 2


@pytest.mark.parametrize(
    "damage",
    ["garbage", "empty", "truncated", "body-edited", "header-only", "another-bank"],
)
def test_a_damaged_cache_file_is_never_used_and_is_rebuilt(
    bank_file: Path, tmp_path: Path, damage: str
) -> None:
    validations = Validations(bank_file)
    cache = tmp_path / "mine.json"
    _cached(bank_file, cache, validations)
    good = cache.read_bytes()
    header, _, body = good.partition(b"\n")
    damaged = {
        "garbage": b"\x00\xffnot json at all",
        "empty": b"",
        "truncated": good[: len(good) - 20],
        # a well-formed cache whose answer was changed: the checksum gives it away
        "body-edited": header + b"\n" + body.replace(b'"answer":["A"]', b'"answer":["B"]'),
        "header-only": header,
        "another-bank": header + b"\n" + body.replace(b'"id":"mine"', b'"id":"other"'),
    }[damage]
    assert damaged != good
    cache.write_bytes(damaged)
    assert _cached(bank_file, cache, validations) == "A"
    assert validations.count == 2
    assert cache.read_bytes() == good


def test_a_cache_from_another_llmiq_version_is_rebuilt(bank_file: Path, tmp_path: Path) -> None:
    validations = Validations(bank_file)
    cache = tmp_path / "mine.json"
    _cached(bank_file, cache, validations)
    header, _, body = cache.read_bytes().partition(b"\n")
    stale = json.loads(header) | {"key": "made by another version"}
    cache.write_bytes(json.dumps(stale).encode() + b"\n" + body)
    _cached(bank_file, cache, validations)
    assert validations.count == 2


def test_an_unwritable_cache_still_gives_the_bank(bank_file: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", "utf-8")
    validations = Validations(bank_file)
    assert _cached(bank_file, blocker / "mine.json", validations) == "A"
    assert _cached(bank_file, blocker / "mine.json", validations) == "A"
    assert validations.count == 2


def test_the_key_covers_every_source_file(bank_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("id: other\n", "utf-8")
    key = source_key([bank_file, other])
    other.write_text("id: other2\n", "utf-8")
    assert source_key([bank_file, other]) != key
    assert source_key([bank_file]) != key


def test_builtin_banks_come_back_from_the_cache_as_they_are_validated(data_home: Path) -> None:
    for ref in ("seed", "all-areas"):
        expected = bank_to_data(resolve_bank(ref))
        for _ in range(2):  # made, then read
            record = builtin_record(ref)
            assert record is not None
            assert record.id == ref
            assert [q.id for q in record.questions] == [q["id"] for q in expected["questions"]]
        assert cache_path(ref).is_file()
        assert cache_path(ref).is_relative_to(data_home)


def test_a_tampered_builtin_cache_is_rebuilt(data_home: Path) -> None:
    builtin_record("seed")
    path = cache_path("seed")
    header, _, body = path.read_bytes().partition(b"\n")
    tampered = body.replace(b'"answer":["C"]', b'"answer":["A"]')
    assert tampered != body
    path.write_bytes(header + b"\n" + tampered)
    record = builtin_record("seed")
    assert record is not None
    assert [q.answer for q in record.questions] == [
        tuple(q.answer) for q in resolve_bank("seed").questions
    ]
    assert path.read_bytes().partition(b"\n")[2] == body


def test_only_builtin_banks_are_cached(bank_file: Path) -> None:
    assert builtin_record(str(bank_file)) is None
    assert builtin_record("no-such-bank") is None
    assert builtin_record("seed.yaml") is None
    assert builtin_sources("seed") is not None


def test_a_cached_builtin_bank_is_read_without_pydantic_or_yaml(data_home: Path) -> None:
    builtin_record("seed")
    code = (
        "import sys; from llmiq.bank.cache import builtin_record;"
        "assert builtin_record('seed').questions[0].answer == ('C',);"
        "sys.exit(sorted({'pydantic', 'yaml'} & {m.split('.')[0] for m in sys.modules}) or 0)"
    )
    env = {**os.environ, "LLMIQ_HOME": str(data_home)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr
