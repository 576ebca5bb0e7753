"""review, mock, stats, history and profile through the real CLI, on a temporary database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

ALL_RIGHT = "C\nno\nC\nB\nB\nA\nA\nB\nC\nB\n"
TWO_WRONG = "C\nno\nA\nB\nB\nA\nB\nB\nC\nB\n"  # questions 3 and 7 wrong


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("LLMIQ_DATABASE_URL", url)
    monkeypatch.setenv("LLMIQ_PROFILE", "ada")
    return url


def test_scripted_quiz_then_stats_json(run_cli: Callable, db: str) -> None:
    quiz = run_cli("quiz", "seed", "--in-order", "--lang", "en", input=TWO_WRONG)
    assert quiz.output.rstrip().endswith("Score: 8/10")
    stats = json.loads(run_cli("stats", "--format", "json").output)
    assert (stats["reviews"], stats["correct"]) == (10, 8)
    due = {card["question_id"]: card["due"] for card in stats["cards"]}
    missed = {"alignment-techniques", "subword-tokenizers"}
    assert max(due[q] for q in missed) < min(d for q, d in due.items() if q not in missed)
    for card in stats["cards"]:
        assert {"question_id", "due", "stability", "difficulty", "state", "last_rating"} <= set(
            card
        )
    assert stats["by_topic"]["tokenization"]["accuracy"] == 0


def test_stats_table_and_plot(run_cli: Callable, db: str, tmp_path: Path) -> None:
    run_cli("quiz", "seed", "--in-order", "-n", "3", input="C\nno\nA\n")
    plot = tmp_path / "stats.png"
    result = run_cli("stats", "seed", "--plot", str(plot))
    assert result.exit_code == 0
    assert "3 answers, 2 right (67%)" in result.output
    assert "alignment" in result.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_review_says_which_limit_ended_it(run_cli: Callable, db: str) -> None:
    first = run_cli("review", "seed", "--new-per-day", "3", "--lang", "en", input="C\nno\nC\n")
    assert first.exit_code == 0
    assert "Reviewed 3: 3 right." in first.output
    assert "Today's new-question limit (3) is reached; 7 new question(s) wait in seed." in (
        first.output
    )
    none = run_cli("review", "seed", "--new-per-day", "0")
    assert "No new questions today (--new-per-day is 0); 7 wait in seed." in none.output


def test_review_of_a_learnt_bank_says_when_the_next_card_is_due(
    run_cli: Callable, db: str, tmp_path: Path
) -> None:
    bank = tmp_path / "two.yaml"
    bank.write_text(
        "id: two\ntitle: Two\nquestions:\n"
        "  - {id: a, kind: single, prompt: A?, options: [{key: A, text: x}, {key: B, text: y}],"
        " answer: [A]}\n"
        "  - {id: b, kind: single, prompt: B?, options: [{key: A, text: x}, {key: B, text: y}],"
        " answer: [B]}\n",
        encoding="utf-8",
    )
    assert run_cli("review", str(bank), input="A\nB\n").exit_code == 0
    result = run_cli("review", str(bank))
    assert "Nothing due in two now; the next card is due in" in result.output


def test_review_brings_a_miss_back_and_stops_at_limit(run_cli: Callable, db: str) -> None:
    result = run_cli(
        "review", "seed", "--new-per-day", "1", "--limit", "2", "--lang", "en", input="A\nC\n"
    )
    assert result.output.count("Which technique helps mitigate bias") == 2
    assert "learning" in result.output
    assert "Reviewed 2: 1 right." in result.output


def test_mock_interview_reports_by_topic_and_logs(run_cli: Callable, db: str) -> None:
    result = run_cli("mock", "seed", "-n", "4", "--seed", "3", "--lang", "en",
                     input="A\nA\nA\nA\n")  # fmt: skip
    assert result.exit_code == 0
    assert "Mock interview:" in result.output
    assert "✓ Correct" not in result.output
    assert "✗ Wrong" not in result.output
    assert "left" in result.output
    history = run_cli("history", "-n", "10").output
    assert history.count("mock") == 4


def test_mock_with_end_of_input_reports_the_rest_as_not_answered(
    run_cli: Callable, db: str
) -> None:
    result = run_cli("mock", "seed", "-n", "3", "--seed", "1", input="A\n")
    assert "(not answered)" in result.output


def test_profiles(run_cli: Callable, db: str, data_home: Path) -> None:
    assert "Created profile 'bob'" in run_cli("profile", "create", "bob", "--use").output
    assert 'profile = "bob"' in (data_home / "config.toml").read_text()
    run_cli("quiz", "seed", "--in-order", "-n", "1", "--profile", "bob", input="C\n")
    listing = run_cli("profile", "list").output
    assert "bob" in listing
    assert run_cli("profile", "create", "bob").exit_code == 1
    refused = run_cli("profile", "delete", "bob")
    assert refused.exit_code == 1
    assert "add --yes" in refused.output
    assert run_cli("profile", "delete", "bob", "--yes").exit_code == 0
    assert "bob" not in run_cli("profile", "list").output.replace("'bob'", "")
    assert run_cli("profile", "create", "no spaces").exit_code == 1


def test_history_is_newest_first(run_cli: Callable, db: str) -> None:
    run_cli("quiz", "seed", "--in-order", "-n", "2", input="C\nyes\n")
    rows = [line for line in run_cli("history").output.splitlines() if " seed " in line]
    assert "vector-store" in rows[0]
    assert "prompt-calibration" in rows[1]


def test_a_broken_config_file_is_one_sentence(run_cli: Callable, db: str, data_home: Path) -> None:
    (data_home / "config.toml").write_text("new_per_day = -3\n")
    result = run_cli("review", "seed")
    assert result.exit_code == 1
    assert "new_per_day must be a whole number >= 0" in result.output


def test_mock_report_is_saved(run_cli: Callable, db: str, data_home: Path) -> None:
    result = run_cli("mock", "seed", "-n", "2", "--seed", "2", input="A\nA\n")
    assert "Report saved to" in result.output
    (report_file,) = (data_home / "mock-reports").iterdir()
    report = json.loads(report_file.read_text())
    assert report["profile"] == "ada"
    assert report["questions"] == 2
    assert [a["answer"] for a in report["answers"]] == ["A", "A"]


def test_read_only_commands_do_not_create_profiles(run_cli: Callable, db: str) -> None:
    assert "No answers yet for profile 'typo'" in run_cli("history", "--profile", "typo").output
    stats = json.loads(run_cli("stats", "--profile", "typo2", "--format", "json").output)
    assert stats["reviews"] == 0
    listing = run_cli("profile", "list").output
    assert "typo" not in listing


def test_quiz_checks_its_inputs_before_the_first_question(run_cli: Callable, db: str) -> None:
    bad_profile = run_cli("quiz", "seed", "--profile", "bad name", input="C\n")
    assert bad_profile.exit_code == 1
    assert "Question 1" not in bad_profile.output
    bad_url = run_cli("quiz", "seed", "--database-url", "nosuchdb://x", input="C\n")
    assert bad_url.exit_code == 1
    assert "no database driver for 'nosuchdb'" in bad_url.output
    assert "Question 1" not in bad_url.output


def test_config_profile_must_be_a_valid_name(
    run_cli: Callable, db: str, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMIQ_PROFILE")
    (data_home / "config.toml").write_text('profile = "bad name"\n')
    result = run_cli("quiz", "seed", "-n", "1", input="C\n")
    assert result.exit_code == 1
    assert "profile name 'bad name' may hold" in result.output


def test_stats_plot_needs_png_or_svg(run_cli: Callable, db: str, tmp_path: Path) -> None:
    result = run_cli("stats", "--plot", str(tmp_path / "x.jpg"))
    assert result.exit_code == 1
    assert "should end in .png or .svg" in result.output


def test_a_locked_database_is_one_sentence(
    run_cli: Callable, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from llmiq.store import database as store_database

    run_cli("profile", "create", "ada")
    monkeypatch.setattr(store_database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_cli("quiz", "seed", "--in-order", "-n", "1", input="C\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .endswith(
            "progress.db is locked by another process that is writing to it; nothing was written: "
            "try again when it has finished"
        )
    )
    assert "Traceback" not in result.output


def test_banks_imported_by_an_older_llmiq_are_adopted(
    run_cli: Callable, db: str, data_home: Path, seed_article: Path
) -> None:
    legacy = data_home / "banks"
    legacy.mkdir()
    assert run_cli("import", str(seed_article), "-o", str(legacy / "old.yaml"), "--id", "old")
    listing = run_cli("banks").output
    assert "old" in listing
    assert run_cli("quiz", "old", "--in-order", "-n", "1", input="C\n").exit_code == 0


def test_limits_in_config_must_be_whole_numbers(
    run_cli: Callable, db: str, data_home: Path
) -> None:
    (data_home / "config.toml").write_text("new_per_day = true\n")
    result = run_cli("review", "seed")
    assert result.exit_code == 1
    assert "new_per_day must be a whole number >= 0" in result.output
