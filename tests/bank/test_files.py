from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.files import BankFileError, dump_bank_yaml, load_bank_file, write_bank_file
from llmiq.errors import LlmiqError

BROKEN = """\
id: demo
title: Demo
questions:
  - id: q1
    kind: single
    prompt: What?
    options:
      - {key: A, text: One}
      - {key: B, text: Two}
    answer: [A, C]
  - id: q1
    kind: essay
    prompt: {en: ""}
    explaination: typo
  - id: q3
    kind: single
    prompt: Which?
    options:
      - {key: A, text: One}
      - {key: B, text: Two}
    answer: [A, B]
"""


def test_validate_reports_every_problem_with_file_line_and_field(
    run_cli: Callable, tmp_path: Path
) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text(BROKEN, encoding="utf-8")
    result = run_cli("validate", str(bank))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    expected = [
        f"{bank}:10: questions[0].answer[1]: answer key 'C' is not one of the options (A, B)",
        f"{bank}:10: questions[0].answer: a single-choice question has exactly one answer, "
        "got A, C (use kind: multiple)",
        f"{bank}:11: questions[1].id: duplicate question id 'q1' (also questions[0])",
        f"{bank}:12: questions[1].kind: unknown kind 'essay' (expected single, multiple or open)",
        f"{bank}:13: questions[1].prompt.en: empty text",
        f"{bank}:14: questions[1].explaination: unknown field",
        f"{bank}:21: questions[2].answer: a single-choice question has exactly one answer, "
        "got A, B (use kind: multiple)",
    ]
    for line in expected:
        assert line in lines
    assert lines[-1] == f"{bank}: 7 problems"


def test_validate_accepts_the_seed_bank(run_cli: Callable) -> None:
    seed = Path(__file__).parents[2] / "src" / "llmiq" / "bank" / "data" / "seed.yaml"
    result = run_cli("validate", str(seed))
    assert result.exit_code == 0
    assert "valid bank 'seed' with 10 questions" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("id: x\ntitle: [unclosed\n", ":3: not valid YAML"),
        ("- just\n- a list\n", "a bank file is a mapping"),
        ("id: x\nid: y\ntitle: T\nquestions: []\n", ":2: id: duplicate key"),
        ("id: x\ntitle: T\nquestions: []\n", "questions: the bank has no questions"),
    ],
)
def test_broken_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankFileError) as info:
        load_bank_file(path)
    assert message in str(info.value)


def test_yaml_round_trip_keeps_everything(tmp_path: Path) -> None:
    seed = resolve_bank("seed")
    path = tmp_path / "copy.yaml"
    write_bank_file(seed, path)
    assert load_bank_file(path) == seed
    assert dump_bank_yaml(load_bank_file(path)) == path.read_text("utf-8")


def test_resolve_bank_by_id_path_and_unknown_name(tmp_path: Path) -> None:
    assert resolve_bank("seed").id == "seed"
    path = tmp_path / "mine.yaml"
    write_bank_file(resolve_bank("seed"), path)
    assert resolve_bank(str(path)).id == "seed"
    with pytest.raises(LlmiqError, match=r"no bank named 'nope'; known banks: .*seed"):
        resolve_bank("nope")


def test_characters_yaml_forbids_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    padding = "# a comment long enough that one stray byte is not mistaken for binary\n" * 3
    path.write_text(f"id: x\ntitle: T\x07\n{padding}questions: []\n", encoding="utf-8")
    with pytest.raises(BankFileError, match=r"bank.yaml:2: not valid YAML: control characters"):
        load_bank_file(path)


def test_an_unknown_field_does_not_hide_a_rule_problem(run_cli: Callable, tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(
        "id: x\ntitle: T\nquestions:\n  - id: q1\n    kind: single\n    prompt: Which?\n"
        "    options: [{key: A, text: a}, {key: B, text: b}]\n    answer: [E]\n"
        "    explaination: typo\n",
        encoding="utf-8",
    )
    output = run_cli("validate", str(path)).output
    assert f"{path}:8: questions[0].answer[0]: answer key 'E' is not one of the options" in output
    assert f"{path}:9: questions[0].explaination: unknown field" in output
