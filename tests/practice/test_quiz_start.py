"""A quiz starts at once: on the default database, answers are recorded through sqlite3 and
built-in banks come from their validated cache, so a quiz imports neither SQLAlchemy nor
pydantic (checked with ``python -X importtime``). Every answer is still saved before the
next question."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.practice.scheduling import RELEARNING, content_hash
from llmiq.store import progress
from llmiq.store.database import open_database

HEAVY = {"sqlalchemy", "alembic", "pydantic", "pydantic_core", "yaml", "torch", "numpy"}


@pytest.fixture(autouse=True)
def ada(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMIQ_PROFILE", "ada")


def _answers(database_url: str | None = None) -> list[tuple[str, str, bool | None]]:
    """ada's answers in the database: (question, answer, right?), in order."""
    database = open_database(database_url)
    with database.transaction() as session:
        user = progress.find_user(session, "ada")
        assert user is not None
        reviews = progress.reviews_of(session, user.id)
    answers = [(review.question_id, review.answer, review.correct) for review in reviews]
    database.close()
    return answers


def _quiz_importing(home: Path, answers: str, *args: str) -> tuple[str, set[str]]:
    """Run ``llmiq quiz`` in a fresh interpreter under ``-X importtime``: its output and the
    top-level packages it imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "llmiq", "quiz", *args],
        input=answers,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"LLMIQ_HOME": str(home), "COLUMNS": "100"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = re.findall(r"^import time:\s+\d+ \|\s+\d+ \| +([\w.]+)$", proc.stderr, re.M)
    assert imported, "no -X importtime report"
    return proc.stdout, {name.split(".")[0] for name in imported}


def test_a_quiz_on_the_default_database_imports_no_sqlalchemy_or_pydantic(
    run_cli: Callable, data_home: Path
) -> None:
    assert run_cli("quiz", "seed", "--in-order", "-n", "1", input="A\n").exit_code == 0
    output, imported = _quiz_importing(data_home, "C\nno\n", "seed", "--in-order", "-n", "2")
    assert output.rstrip().endswith("Score: 2/2")
    assert imported & HEAVY == set()
    assert {"sqlite3", "fsrs", "rich"} <= imported
    assert _answers() == [
        ("prompt-calibration", "A", False),
        ("prompt-calibration", "C", True),
        ("vector-store", "no", True),
    ]


def test_a_quiz_on_another_database_shows_questions_from_the_cache(
    run_cli: Callable, data_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("LLMIQ_DATABASE_URL", url)
    assert run_cli("quiz", "seed", "--in-order", "-n", "1", input="A\n").exit_code == 0
    output, imported = _quiz_importing(data_home, "C\n", "seed", "--in-order", "-n", "1")
    assert output.rstrip().endswith("Score: 1/1")
    assert "sqlalchemy" in imported  # recorded through SQLAlchemy ...
    assert imported & {"pydantic", "yaml", "torch"} == set()  # ... the bank from the cache
    assert [right for _, _, right in _answers(url)] == [False, True]
    assert not (data_home / "llmiq.db").exists()


def test_an_edited_bank_file_is_relearnt_through_sqlite3(
    run_cli: Callable, data_home: Path, tmp_path: Path
) -> None:
    bank_file = tmp_path / "mine.yaml"
    bank_file.write_text(
        "id: mine\ntitle: Mine\nquestions:\n  - id: q1\n    kind: single\n"
        "    prompt: Which one?\n    options: [{key: A, text: One}, {key: B, text: Two}]\n"
        "    answer: A\n",
        "utf-8",
    )
    assert run_cli("quiz", str(bank_file), "-n", "1", input="A\n").exit_code == 0  # makes the db
    bank_file.write_text(bank_file.read_text("utf-8").replace("Which one?", "Which?"), "utf-8")
    output, imported = _quiz_importing(data_home, "", str(bank_file))  # no answer: sync only
    assert "sqlalchemy" not in imported
    assert "Stopped after 0 of 1 question." in output
    database = open_database()
    with database.transaction() as session:
        user = progress.find_user(session, "ada")
        assert user is not None
        [card] = progress.cards_of(session, user.id)
        assert card.content_hash == content_hash(resolve_bank(str(bank_file)).questions[0])
        assert card.state == RELEARNING
    database.close()
    assert len(_answers()) == 1
