"""A different rating for an answer already recorded: the web's four buttons after an answer,
as Anki shows them (each rating with the interval it would set).

Why the answer is recorded first and re-rated after, not recorded at the rating step: an
answer is durable once the person has been told it is taken (the feedback page). Were the
write moved to the rating click, closing the tab, losing the network or a crash between the
two would lose an answer that was acknowledged. So the answer is recorded at once with the
rating llmiq suggests (:func:`~llmiq.practice.scheduling.rating_for`), in one transaction
with its card, and a button other than the suggested one rewrites *that same* review's
rating and the card's schedule in one further transaction.

The schedule a button sets is computed from the card as it stood just before the answer,
and that card is rebuilt from the review log itself: the question's earlier answers replayed
through FSRS (with an edit of the question, seen as a change of content hash between two
answers, counted as the lapse recording counts it). FSRS's state, step, stability and
difficulty depend only on the ratings and their times (fuzzing moves only the due date), so
the rebuilt card is the one recording started from, and nothing extra needs keeping: reloading
the feedback page, a retried form or an answer from yesterday all get the same buttons.
Re-rating is therefore idempotent: a button pressed twice, or the suggested one, gives the
card that choosing it at answer time would have given (fuzzing aside). It is refused once the
question has been answered again: the later answer was scheduled from this rating.

The review log is otherwise append-only; this is the one change made to a row, and only to
its rating: what was answered, whether it was right and how long it took stay as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from llmiq.bank.grading import Grade
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.practice.recording import CardState, card_state
from llmiq.practice.scheduling import (
    AGAIN,
    EASY,
    LEARNING,
    apply_fsrs,
    mark_for_relearning,
    rating_for,
    to_fsrs,
)

if TYPE_CHECKING:
    import fsrs

    from llmiq.store.database import Database, Session


class RatingRefused(LlmiqError):
    """The rating cannot change (not this person's answer, answered again since, bad value)."""


@dataclass
class Schedule:
    """A card's FSRS state (what :func:`~llmiq.practice.scheduling.to_fsrs` reads and
    :func:`~llmiq.practice.scheduling.apply_fsrs` writes)."""

    due: datetime
    state: int = LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    id: int | None = None


def schedule_before(history: Sequence[Any], scheduler: fsrs.Scheduler) -> Schedule:
    """The card just before the last answer of ``history`` (a question's answers, oldest
    first, with ``rating``, ``reviewed_at`` and ``content_hash``), rebuilt by replaying the
    earlier ones as recording scheduled them."""
    import fsrs

    card = Schedule(due=history[0].reviewed_at)
    previous_hash = history[0].content_hash
    for position, row in enumerate(history):
        if row.content_hash != previous_hash:  # the question was edited: a lapse
            mark_for_relearning(card, scheduler, row.reviewed_at)  # type: ignore[arg-type]
        previous_hash = row.content_hash
        if position == len(history) - 1:
            return card
        scheduled, _ = scheduler.review_card(
            to_fsrs(card),  # type: ignore[arg-type]
            fsrs.Rating(row.rating),
            review_datetime=row.reviewed_at,
        )
        apply_fsrs(card, scheduled)  # type: ignore[arg-type]
    raise ValueError("a question's history has at least the answer itself")


@dataclass(frozen=True)
class RatingChoice:
    """An answer whose rating may still change: what its buttons need."""

    review_id: int
    at: datetime  # when it was answered: the intervals are counted from then
    before: Schedule
    suggested: int  # llmiq's own rating of it
    current: int  # the rating it has now


def _answer(session: Session, profile: str, bank_id: str, review_id: int) -> tuple[int, Any]:
    from llmiq.store import progress

    user = progress.find_user(session, profile)
    review = progress.find_review(session, review_id)
    if user is None or review is None or review.user_id != user.id or review.bank_id != bank_id:
        raise RatingRefused(
            N_("you gave no answer {answer} in bank {bank}"), answer=review_id, bank=repr(bank_id)
        )
    return user.id, review


def suggested_rating(review: Any, graded: bool) -> int:
    """llmiq's rating of a logged answer: by its verdict and time when llmiq graded it, else
    the person's own."""
    if not graded or review.correct is None:
        return int(review.rating)
    return rating_for(Grade(review.correct, review.answer), review.duration_ms)


def rating_choice(
    database: Database,
    scheduler: fsrs.Scheduler,
    profile: str,
    bank_id: str,
    review_id: int,
    *,
    graded: bool,
) -> RatingChoice | None:
    """What the buttons of answer ``review_id`` need, or None once the question has been
    answered again (its rating stays). ``graded``: llmiq grades the question itself."""
    from llmiq.store import ratings

    with database.reading() as session:  # no write lock: answers go on being recorded
        user_id, review = _answer(session, profile, bank_id, review_id)
        question_id = review.question_id
        if ratings.latest_review_id(session, user_id, bank_id, question_id) != review_id:
            return None
        history = ratings.card_history(session, user_id, bank_id, question_id, review_id)
        return RatingChoice(
            review_id,
            review.reviewed_at,
            schedule_before(history, scheduler),
            suggested_rating(review, graded),
            review.rating,
        )


@dataclass(frozen=True)
class Rerated:
    rating: int
    due: datetime
    changed: bool  # False: the answer had this rating already
    card: CardState  # the card as it stands after the rating (as rescheduled, if it changed)


def rerate(
    database: Database,
    scheduler: fsrs.Scheduler,
    profile: str,
    bank_id: str,
    review_id: int,
    rating: int,
) -> Rerated:
    """Give answer ``review_id`` of ``profile`` in ``bank_id`` the rating ``rating`` and
    reschedule its card from the card just before that answer, in one transaction. See the
    module docstring for why, and when it is refused."""
    import fsrs

    from llmiq.store import progress, ratings

    if not AGAIN <= rating <= EASY:
        raise RatingRefused(N_("the rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy)"))
    with database.transaction() as session:
        user_id, review = _answer(session, profile, bank_id, review_id)
        question_id = review.question_id
        card = progress.find_card(session, user_id, bank_id, question_id, for_update=True)
        if (
            card is None
            or ratings.latest_review_id(session, user_id, bank_id, question_id) != review_id
        ):
            raise RatingRefused(
                N_("this question has been answered again since: that answer's rating stays")
            )
        if review.rating == rating:
            return Rerated(rating, card.due, changed=False, card=card_state(card))
        if card.content_hash != review.content_hash:  # edited since: its lapse stays counted
            raise RatingRefused(
                N_("this question has been edited since: that answer's rating stays")
            )
        history = ratings.card_history(session, user_id, bank_id, question_id, review_id)
        scheduled, _ = scheduler.review_card(
            to_fsrs(schedule_before(history, scheduler)),  # type: ignore[arg-type]
            fsrs.Rating(rating),
            review_datetime=review.reviewed_at,
        )
        apply_fsrs(card, scheduled)
        card.last_rating = rating
        ratings.set_review_rating(session, review_id, rating)
        return Rerated(rating, card.due, changed=True, card=card_state(card))
