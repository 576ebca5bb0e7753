"""``llmiq history`` on the default database reads it through sqlite3 (no SQLAlchemy to
import), and lists exactly what it lists through SQLAlchemy."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ANSWERS = "C\nyes\nA\nB\nB\n"  # right, wrong, wrong, right, right


@pytest.fixture
def answered(run_cli: Callable, data_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five answers of profile ada in the default database of the data directory."""
    monkeypatch.delenv("LLMIQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("LLMIQ_PROFILE", "ada")
    run_cli("quiz", "seed", "--in-order", "-n", "5", input=ANSWERS)
    database = data_home / "llmiq.db"
    assert database.is_file()
    return database


@pytest.mark.parametrize(
    ("args", "shown"), [(["-n", "3"], 3), (["-n", "20"], 5), (["--bank", "seed"], 5)]
)
def test_the_same_answers_through_sqlite3_and_sqlalchemy(
    run_cli: Callable, answered: Path, args: list[str], shown: int
) -> None:
    lite = run_cli("history", *args).output
    through_sqlalchemy = run_cli("history", *args, "--database-url", f"sqlite:///{answered}")
    assert lite == through_sqlalchemy.output
    rows = [line for line in lite.splitlines() if " seed " in line]
    assert len(rows) == shown
    assert "✓" in rows[0]  # the newest answer, the fifth, was right
    if shown == 5:
        assert "prompt-calibration" in rows[-1]  # the oldest, last


def test_history_of_the_default_database_imports_no_sqlalchemy(answered: Path) -> None:
    program = (
        "import sys; from llmiq.cli import cli\n"
        "cli(['history', '-n', '2'], standalone_mode=False)\n"
        "print('sqlalchemy' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", program], env=os.environ.copy(), capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[-1] == "False"
    assert sum(" seed " in line for line in lines) == 2


def test_an_unknown_profile_has_no_answers(run_cli: Callable, answered: Path) -> None:
    result = run_cli("history", "--profile", "nobody")
    assert result.output.strip() == "No answers yet for profile 'nobody'."
