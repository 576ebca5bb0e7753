"""A database file with garbage in the middle, through the real CLI: one sentence, no
traceback, not a byte written; ``llmiq doctor`` names the damage and ``llmiq restore`` puts
a backup back."""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

Run = Callable[..., tuple[subprocess.CompletedProcess[str], float]]
Sentence = Callable[[subprocess.CompletedProcess[str]], str]


def damage(path: Path) -> bytes:
    """Overwrite four pages in the middle of the file with random bytes; the file's bytes."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 4096 // 2
    data[middle * 4096 : (middle + 4) * 4096] = random.Random(11).randbytes(4 * 4096)
    path.write_bytes(bytes(data))
    return bytes(data)


def _answers(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM reviews").fetchone()[0]
    finally:
        connection.close()


def test_stats_history_and_quiz_refuse_a_damaged_database_and_write_nothing(
    filled_home: Path, run_llmiq: Run, one_sentence: Sentence
) -> None:
    path = filled_home / "llmiq.db"
    damaged = damage(path)
    sentence = (
        f"Error: the database {path} is damaged (database disk image is malformed); llmiq "
        "will not write into it: restore a backup with `llmiq restore FILE`, or run `llmiq "
        "doctor` for details"
    )
    stats, _ = run_llmiq(filled_home, "stats")
    assert one_sentence(stats) == sentence
    history, _ = run_llmiq(filled_home, "history")
    assert one_sentence(history) == sentence
    quiz, _ = run_llmiq(filled_home, "quiz", "seed", "--in-order", "-n", "2", input="A\nB\n")
    assert one_sentence(quiz) == sentence
    assert quiz.stdout == ""  # refused before the first question
    url = f"sqlite:///{path}"  # through SQLAlchemy rather than sqlite3
    other, _ = run_llmiq(filled_home, "quiz", "seed", "-n", "1", "--database-url", url, input="A\n")
    assert one_sentence(other) == sentence
    assert other.stdout == ""
    assert path.read_bytes() == damaged


def test_a_file_that_is_not_a_database_is_one_sentence_too(
    data_home: Path, run_llmiq: Run, one_sentence: Sentence
) -> None:
    path = data_home / "llmiq.db"
    path.write_bytes(random.Random(5).randbytes(64 * 1024))
    stats, _ = run_llmiq(data_home, "stats")
    assert "is damaged (file is not a database)" in one_sentence(stats)
    doctor, _ = run_llmiq(data_home, "doctor")
    assert doctor.returncode == 1
    assert "file is not a database" in doctor.stdout


def test_doctor_on_a_healthy_and_a_damaged_database(filled_home: Path, run_llmiq: Run) -> None:
    healthy, _ = run_llmiq(filled_home, "doctor")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    # columns stand two spaces apart; a long detail wraps onto indented lines
    lines = [re.split(r"\s{2,}", line) for line in healthy.stdout.splitlines()[1:]]
    rows = {cells[0]: cells[1] for cells in lines if cells[0]}
    assert rows == {"database": "ok", "schema": "ok", "integrity": "ok", "free space": "ok",
                    "built-in banks": "ok", "imported banks": "ok"}  # fmt: skip
    damage(filled_home / "llmiq.db")
    broken, _ = run_llmiq(filled_home, "doctor")
    assert broken.returncode == 1
    assert "Traceback" not in broken.stderr
    integrity = next(line for line in broken.stdout.splitlines() if line.startswith("integrity"))
    assert integrity.split()[1:5] == ["problem", "database", "disk", "image"]


def test_backup_then_restore_brings_the_answers_back(
    filled_home: Path, run_llmiq: Run, one_sentence: Sentence
) -> None:
    path = filled_home / "llmiq.db"
    copy = filled_home / "saved.db"
    done, _ = run_llmiq(filled_home, "backup", str(copy))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Backed up {path} to {copy} (")
    assert done.stdout.rstrip().endswith("3,000 answers).")
    again, _ = run_llmiq(filled_home, "backup", str(copy))
    assert one_sentence(again) == f"Error: {copy} exists; add --force to replace it"
    quiz, _ = run_llmiq(filled_home, "quiz", "seed", "--in-order", "-n", "1", input="A\n")
    assert quiz.returncode == 0, quiz.stderr
    assert _answers(path) == 3001
    damage(path)
    restored, _ = run_llmiq(filled_home, "restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Restored {path} from {copy} (3,000 answers, schema ")
    kept = next(filled_home.glob("llmiq.db.before-restore-*"))
    assert f"the database it replaced is kept as {kept}" in restored.stdout
    assert _answers(path) == 3000
    history, _ = run_llmiq(filled_home, "history", "-n", "1")
    assert history.returncode == 0, history.stderr
    stats, _ = run_llmiq(filled_home, "stats")
    assert "3000 answers" in stats.stdout
    notes = filled_home / "notes.txt"
    notes.write_text("not a backup\n" * 20, "utf-8")
    refused, _ = run_llmiq(filled_home, "restore", str(notes))
    assert one_sentence(refused) == f"Error: {notes} is not an SQLite database"
