"""Progress kept in the database: the same tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import Grade, grade
from llmiq.bank.model import Bank
from llmiq.practice.days import start_of_local_day
from llmiq.practice.queue import DailyLimits
from llmiq.practice.recording import Practice
from llmiq.practice.review import ReviewResult, run_review
from llmiq.practice.scheduling import AGAIN, EASY, GOOD, HARD, make_scheduler
from llmiq.practice.stats import load_stats
from llmiq.store import progress
from llmiq.store.database import Database, open_database

SEED = resolve_bank("seed")
RIGHT = ["C", "no", "C", "B", "B", "A", "A", "B", "C", "B"]


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def practice(database: Database, clock: Clock) -> Practice:
    return Practice(database, "ada", scheduler=make_scheduler(fuzz=False), clock=clock)


def _answer_all(practice: Practice, answers: list[str], seconds: float = 10) -> None:
    for question, answer in zip(SEED.questions, answers, strict=True):
        practice.record(SEED.id, question, grade(question, answer), int(seconds * 1000), "quiz")


def _stats(practice: Practice, bank: Bank = SEED) -> dict:
    with practice.database.transaction() as session:
        practice.user_id(session)  # the profile is made if missing, as by answering
    return load_stats(practice, {bank.id: bank}, practice.clock(), bank.id)


def test_two_missed_questions_come_back_before_the_eight_right_ones(practice: Practice) -> None:
    answers = list(RIGHT)
    answers[2], answers[6] = "A", "B"  # alignment-techniques and subword-tokenizers wrong
    _answer_all(practice, answers)
    stats = _stats(practice)
    assert stats["reviews"] == 10
    assert stats["correct"] == 8
    due = {card["question_id"]: card["due"] for card in stats["cards"]}
    missed = [due["alignment-techniques"], due["subword-tokenizers"]]
    right = [
        d for qid, d in due.items() if qid not in {"alignment-techniques", "subword-tokenizers"}
    ]
    assert max(missed) < min(right)
    assert {c["last_rating"] for c in stats["cards"] if c["question_id"] in due} == {
        "again",
        "good",
    }


@pytest.mark.parametrize(
    ("answer", "seconds", "rating"),
    [("C", 2, EASY), ("C", 10, GOOD), ("C", 90, HARD), ("A", 2, AGAIN)],
)
def test_answer_speed_and_correctness_set_the_rating(
    practice: Practice, answer: str, seconds: float, rating: int
) -> None:
    question = SEED.questions[0]
    card = practice.record(SEED.id, question, grade(question, answer), int(seconds * 1000), "quiz")
    assert card.last_rating == rating


def test_every_answer_is_logged_with_what_was_given(practice: Practice) -> None:
    question = SEED.questions[1]
    practice.record(SEED.id, question, grade(question, "不"), 4321, "review")
    with practice.database.transaction() as session:
        (review,) = progress.reviews_of(session, practice.user_id(session))
    assert (review.question_id, review.answer, review.correct) == ("vector-store", "不", True)
    assert (review.duration_ms, review.mode, review.reviewed_at) == (
        4321,
        "review",
        practice.clock(),
    )
    assert len(review.content_hash) == 64


def test_an_edited_question_is_relearnt_and_keeps_its_history(
    practice: Practice, clock: Clock
) -> None:
    question = SEED.questions[0]
    for _ in range(3):
        practice.record(SEED.id, question, grade(question, "C"), 10_000, "quiz")
        clock.advance(days=30)
    with practice.database.transaction() as session:
        before = progress.cards_by_question(session, practice.user_id(session), SEED.id)
    assert before[question.id].state == 2  # review
    assert before[question.id].due > clock.now
    edited_question = question.model_copy(
        update={"prompt": question.prompt.model_copy(update={"en": "Edited prompt?"})}
    )
    edited = SEED.model_copy(update={"questions": [edited_question, *SEED.questions[1:]]})
    assert practice.sync(edited) == 1
    with practice.database.transaction() as session:
        user_id = practice.user_id(session)
        card = progress.cards_by_question(session, user_id, SEED.id)[question.id]
        history = progress.reviews_of(session, user_id, SEED.id)
    assert card.state == 3  # relearning
    assert card.due <= clock.now
    assert card.stability < before[question.id].stability  # the edit counts as a lapse
    assert len(history) == 3
    assert practice.sync(edited) == 0
    clock.advance(days=1)
    again = practice.record(SEED.id, edited_question, grade(edited_question, "C"), 10_000, "quiz")
    assert again.due - clock.now < before[question.id].due - before[question.id].last_review


def test_profiles_keep_separate_progress(database: Database, clock: Clock) -> None:
    ada = Practice(database, "ada", scheduler=make_scheduler(fuzz=False), clock=clock)
    bob = Practice(database, "bob", scheduler=make_scheduler(fuzz=False), clock=clock)
    _answer_all(ada, RIGHT)
    assert _stats(ada)["reviews"] == 10
    assert _stats(bob)["reviews"] == 0
    with database.transaction() as session:
        assert progress.delete_user(session, "ada")
    with database.transaction() as session:
        assert [u.name for u, _, _ in progress.users_with_activity(session)] == ["bob"]
        assert progress.reviews_of(session, progress.ensure_user(session, "ada", clock()).id) == []


@pytest.fixture
def review(practice: Practice, scripted: Callable) -> Callable:
    def run(answers: list[str], limits: DailyLimits, limit: int | None = None) -> ReviewResult:
        console = Console(file=io.StringIO())
        return run_review(
            SEED, practice, lang="en", console=console, read_line=scripted(*answers),
            limits=limits, limit=limit,
        )  # fmt: skip

    return run


def test_review_serves_new_questions_up_to_the_daily_limit(
    practice: Practice, review: Callable
) -> None:
    result = review(RIGHT, DailyLimits(new=4, reviews=100))
    assert result.answered == 4
    assert result.next_due is not None
    assert _stats(practice)["reviews"] == 4


def test_a_missed_question_comes_back_in_the_same_session(
    practice: Practice, clock: Clock, review: Callable
) -> None:
    result = review(["A", "C"], DailyLimits(new=1, reviews=100))
    assert result.answered == 2
    with practice.database.transaction() as session:
        history = progress.reviews_of(session, practice.user_id(session))
    assert [(r.question_id, r.correct) for r in history] == [
        ("prompt-calibration", False),
        ("prompt-calibration", True),
    ]


def test_due_reviews_come_first_and_count_against_the_review_limit(
    practice: Practice, clock: Clock, review: Callable
) -> None:
    _answer_all(practice, RIGHT, seconds=2)  # easy: straight to the review state
    clock.advance(days=60)  # everything is due, and learnt on an earlier day
    first = review(RIGHT[:3], DailyLimits(new=0, reviews=2))
    assert first.answered == 2
    with practice.database.transaction() as session:
        user_id = practice.user_id(session)
        since = start_of_local_day(clock.now)
        assert progress.count_reviews_of_old_cards_since(session, user_id, SEED.id, since) == 2


def test_nothing_due_reports_when_the_next_card_is(
    practice: Practice, clock: Clock, review: Callable
) -> None:
    _answer_all(practice, RIGHT, seconds=2)
    clock.advance(hours=1)
    result = review([], DailyLimits(new=0, reviews=100))
    assert result.answered == 0
    assert result.next_due is not None
    assert result.next_due > clock.now


def test_stats_by_topic_and_forecast(practice: Practice) -> None:
    answers = list(RIGHT)
    answers[0] = "A"  # prompting/bias wrong
    _answer_all(practice, answers)
    stats = _stats(practice)
    assert stats["by_topic"]["prompting"]["reviews"] == 1
    assert stats["by_topic"]["prompting"]["accuracy"] == 0
    assert stats["by_topic"]["rlhf"]["accuracy"] == 1
    assert 0 < stats["by_topic"]["rlhf"]["retention"] <= 1
    assert sum(stats["forecast"].values()) == 10
    assert stats["streak_days"] == 1
    assert list(stats["heatmap"].values())[-1] == 10


def test_a_self_rating_is_the_fsrs_rating(practice: Practice) -> None:
    callback: Callable[..., object] = practice.record
    card = callback(SEED.id, SEED.questions[1], Grade(None, "dunno", rating=2), 1000, "quiz")
    assert card.last_rating == 2
