"""Rating like Anki: each rating's next interval, previewed through FSRS itself, and the
terminal's four ratings (1-4, Enter takes llmiq's suggestion)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from llmiq.practice.intervals import format_interval, preview_intervals, rating_choices
from llmiq.practice.quiz import rating_line
from llmiq.practice.scheduling import REVIEW, make_scheduler

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _by_fsrs(card: fsrs.Card) -> dict[int, timedelta]:
    """What fsrs's own scheduler does to a copy of ``card`` for each rating at NOW."""
    scheduler = make_scheduler(fuzz=False)
    out = {}
    for rating in fsrs.Rating:
        scheduled, _ = scheduler.review_card(
            fsrs.Card.from_dict(card.to_dict()), rating, review_datetime=NOW
        )
        out[int(rating)] = scheduled.due - NOW
    return out


class _Stored:
    """A card as the database keeps it (the fields the preview reads)."""

    def __init__(self, card: fsrs.Card) -> None:
        self.id = card.card_id
        self.state = int(card.state)
        self.step = card.step
        self.stability = card.stability
        self.difficulty = card.difficulty
        self.due = card.due
        self.last_review = card.last_review


def test_preview_of_a_new_card_is_what_fsrs_does_to_a_copy() -> None:
    preview = preview_intervals(None, NOW)
    assert preview == _by_fsrs(fsrs.Card(card_id=1, due=NOW))
    assert preview[1] == timedelta(minutes=1)  # the first learning step
    assert preview[1] < preview[2] < preview[3] < preview[4]


def test_preview_of_a_card_in_review_matches_fsrs_and_changes_nothing() -> None:
    scheduler = make_scheduler(fuzz=False)
    card = fsrs.Card(card_id=7, due=NOW - timedelta(days=30))
    at = NOW - timedelta(days=30)
    for rating in (fsrs.Rating.Good, fsrs.Rating.Good, fsrs.Rating.Good):
        card, _ = scheduler.review_card(card, rating, review_datetime=at)
        at = card.due
    assert card.state == fsrs.State.Review
    stored = _Stored(card)
    before = dict(vars(stored))
    preview = preview_intervals(stored, NOW)
    assert preview == _by_fsrs(card)
    assert vars(stored) == before  # a preview, not a review
    assert stored.state == REVIEW
    assert preview[3] > timedelta(days=1)


@pytest.mark.parametrize(
    ("interval", "en", "zh"),
    [
        (timedelta(seconds=30), "<1m", "<1分钟"),
        (timedelta(minutes=10), "10m", "10分钟"),
        (timedelta(hours=5), "5h", "5小时"),
        (timedelta(days=1), "1d", "1天"),
        (timedelta(days=4, hours=3), "4d", "4天"),
        (timedelta(days=70), "2.3mo", "2.3个月"),
        (timedelta(days=60), "2mo", "2个月"),
        (timedelta(days=548), "1.5y", "1.5年"),
    ],
)
def test_intervals_are_written_as_anki_writes_them(interval: timedelta, en: str, zh: str) -> None:
    assert format_interval(interval) == en
    assert format_interval(interval, "zh") == zh


def test_the_rating_line_brackets_the_suggestion() -> None:
    choices = rating_choices(None, NOW, suggested=3)
    assert rating_line(choices) == "1 Again 1m  2 Hard 6m  [3 Good 10m]  4 Easy 8d"
    assert [c.label for c in rating_choices(None, NOW, 1, "zh")] == ["忘记", "困难", "良好", "简单"]


def _ratings(run_cli: Callable) -> list[str]:
    """The ratings of the history, oldest first."""
    lines = run_cli("history", "-n", "20").output.splitlines()[1:]
    return [line.split()[6] for line in reversed(lines)]


def test_keys_1_to_4_choose_the_rating_and_enter_takes_the_suggestion(run_cli: Callable) -> None:
    # wrong (suggests Again) -> 2; right -> Enter (Easy: answered at once); wrong -> Enter;
    # right -> 1; wrong -> 4 (the person's choice wins, as in Anki)
    answers = "A\n2\nno\n\nA\n\nB\n1\nA\n4\n"
    result = run_cli("quiz", "seed", "--in-order", "--lang", "en", "-n", "5", "--rate",
                     input=answers)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "[1 Again 1m]  2 Hard 6m  3 Good 10m  4 Easy 8d" in result.output
    assert "1 Again 1m  2 Hard 6m  3 Good 10m  [4 Easy 8d]" in result.output
    assert "Question 1/5  · 5 left" in result.output
    assert "Question 5/5  · 1 left" in result.output
    assert _ratings(run_cli) == ["hard", "easy", "again", "again", "easy"]


def test_an_unknown_key_asks_again(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", "-n", "1", "--lang", "en", "--rate",
                     input="C\nx\n3\n")  # fmt: skip
    assert "answer 1, 2, 3 or 4, or Enter for 4" in result.output
    assert _ratings(run_cli) == ["good"]


def test_piped_answers_take_the_suggestion_without_a_rating_prompt(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", "--lang", "en", "-n", "2", input="A\nno\n")
    assert "Again 1m" not in result.output
    assert result.output.rstrip().endswith("Score: 1/2")
    assert _ratings(run_cli) == ["again", "easy"]


def test_end_of_input_at_the_rating_keeps_the_answer_with_its_suggestion(
    run_cli: Callable,
) -> None:
    result = run_cli("quiz", "seed", "--in-order", "--lang", "en", "--rate", input="A\n")
    assert result.output.rstrip().endswith("Score: 0/1")
    assert _ratings(run_cli) == ["again"]


def test_review_shows_what_is_left_and_records_the_chosen_rating(run_cli: Callable) -> None:
    result = run_cli("review", "seed", "--lang", "en", "--new-per-day", "3", "--rate",
                     input="C\n3\nno\n\nC\n\n")  # fmt: skip
    assert "Question 1  · new · 3 left" in result.output
    assert "Question 2  · new · 2 left" in result.output
    assert "Question 3  · new · 1 left" in result.output
    assert _ratings(run_cli)[0] == "good"


@pytest.mark.parametrize("lite", [False, True], ids=["sqlalchemy", "sqlite3"])
def test_the_buttons_of_a_card_read_it_without_the_write_lock_or_a_new_profile(
    tmp_path: Path, lite: bool
) -> None:
    """Previewing the intervals is a read: another process holding the write lock does not
    hold it up, and a profile that has not answered yet is not created by it."""
    from llmiq.bank.catalog import resolve_bank
    from llmiq.practice.intervals import card_choices
    from llmiq.practice.recording import Practice
    from llmiq.store.database import open_database
    from llmiq.store.lite import open_lite_database

    path = tmp_path / "a.db"
    open_database(f"sqlite:///{path}").close()
    database = open_lite_database(path) if lite else open_database(f"sqlite:///{path}")
    assert database is not None
    practice = Practice(database, "newcomer", scheduler=make_scheduler(fuzz=False))
    question = resolve_bank("seed").questions[0]
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        choices = card_choices(practice, "seed", question, suggested=3)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [choice.rating for choice in choices] == [1, 2, 3, 4]
    assert [choice.suggested for choice in choices] == [False, False, True, False]
    users = sqlite3.connect(path).execute("SELECT count(*) FROM users").fetchone()[0]
    assert users == 0
    database.close()
