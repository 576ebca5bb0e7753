"""Another process holds SQLite's write lock: readers answer at once (WAL serves them a
snapshot), writers wait the busy timeout and then say so in one sentence, keeping nothing."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

PROFILE = "ada"  # the profile of conftest's filled database
Run = Callable[..., tuple[subprocess.CompletedProcess[str], float]]
Sentence = Callable[[subprocess.CompletedProcess[str]], str]

#: What the issue asks: ``llmiq stats`` answers within 3 s while another process writes.
READ_BOUND_S = 3.0


def _answers(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM reviews").fetchone()[0]


def test_stats_and_history_answer_while_another_process_holds_the_write_lock(
    filled_home: Path, write_lock_holder: Callable[[Path], Any], run_llmiq: Run
) -> None:
    path = filled_home / "llmiq.db"
    holder = write_lock_holder(path)
    stats, stats_s = run_llmiq(filled_home, "stats")
    history, history_s = run_llmiq(filled_home, "history", "-n", "3")
    url = f"sqlite:///{path}"  # not the default database: through SQLAlchemy, not sqlite3
    other, other_s = run_llmiq(filled_home, "history", "-n", "3", "--database-url", url)
    assert holder.poll() is None  # the lock was held all along
    assert stats.returncode == 0, stats.stderr
    assert f"Progress of {PROFILE}" in stats.stdout
    assert "3000 answers" in stats.stdout
    assert stats_s < READ_BOUND_S, f"llmiq stats took {stats_s:.2f} s under a held lock"
    for proc, seconds in ((history, history_s), (other, other_s)):
        assert proc.returncode == 0, proc.stderr
        assert len([line for line in proc.stdout.splitlines() if " review " in line]) == 3
        assert seconds < READ_BOUND_S, f"llmiq history took {seconds:.2f} s under a held lock"


def test_a_write_waits_for_the_lock_then_says_so_in_one_sentence_and_keeps_nothing(
    filled_home: Path,
    write_lock_holder: Callable[[Path], Any],
    run_llmiq: Run,
    one_sentence: Sentence,
) -> None:
    path = filled_home / "llmiq.db"
    before = _answers(path)
    holder = write_lock_holder(path)
    quiz, seconds = run_llmiq(filled_home, "quiz", "seed", "--in-order", "-n", "1", input="A\n")
    assert holder.poll() is None
    assert one_sentence(quiz) == (
        f"Error: the database sqlite:///{path} is locked by another process that is writing "
        "to it; nothing was written: try again when it has finished"
    )
    assert 14 < seconds < 60  # the busy timeout (15 s), not forever
    holder.communicate("", timeout=30)
    assert _answers(path) == before
    with sqlite3.connect(path) as connection:  # the holder's row was rolled back, too
        names = [row[0] for row in connection.execute("SELECT name FROM users")]
    assert names == [PROFILE]
