"""Piped quiz and mock output at 80 columns: no line padded with trailing spaces, and the mock
report's table shows each question whole."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.bank.catalog import resolve_bank


@pytest.fixture(autouse=True)
def eighty_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LLMIQ_DATABASE_URL", f"sqlite:///{tmp_path / 'progress.db'}")


def padded_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line != line.rstrip()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_piped_quiz_feedback_has_no_trailing_spaces(run_cli: Callable, lang: str) -> None:
    # question 1 has options with their why, sources and a lab hint, all wider than 80 columns
    result = run_cli("quiz", "seed", "--in-order", "-n", "2", "--lang", lang, input="B\nno\n")
    assert result.exit_code == 0
    assert "https://arxiv.org/abs/2102.09690" in result.output
    assert padded_lines(result.output) == []


def test_piped_quiz_lab_hint_wraps_under_its_first_line(run_cli: Callable) -> None:
    output = run_cli("quiz", "seed", "--in-order", "-n", "1", "--lang", "en", input="B\n").output
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if "Prove it:" in line)
    hint = lines[start : lines.index("", start)]
    assert len(hint) > 2  # the claim needs several lines at 80 columns
    assert all(line.startswith("  ") and not line.startswith("   ") for line in hint), hint


def test_mock_report_at_80_columns_shows_whole_questions_unpadded(run_cli: Callable) -> None:
    result = run_cli("mock", "seed", "-n", "10", "--seed", "1", "--lang", "en", input="A\n" * 10)
    assert result.exit_code == 0
    assert padded_lines(result.output) == []
    lines = result.output.splitlines()
    head = next(n for n, line in enumerate(lines) if re.match(r"#\s+question\s+answer", line))
    question_at, answer_at = lines[head].index("question"), lines[head].index("answer")
    rows: list[str] = []
    for line in lines[head + 1 : lines.index("", head)]:
        cell = line[question_at:answer_at].strip()
        if line[:question_at].strip():  # a new row; else the row's question continues
            rows.append(cell)
        else:
            rows[-1] += " " + cell
    prompts = {q.prompt.get("en") for q in resolve_bank("seed").questions}
    assert len(rows) == 10
    assert set(rows) <= prompts, set(rows) - prompts
