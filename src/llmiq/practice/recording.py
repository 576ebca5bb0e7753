"""Keep a person's progress: every answer goes to the review log and reschedules the card,
in one transaction, before the next question is shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from llmiq.bank.grading import Grade
from llmiq.bank.model import Bank, Question
from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.practice.scheduling import (
    LEARNING,
    apply_fsrs,
    content_hash,
    make_scheduler,
    mark_for_relearning,
    rating_for,
    to_fsrs,
)
from llmiq.store import progress
from llmiq.store.errors import ConstraintViolation

if TYPE_CHECKING:
    import fsrs

    from llmiq.store.database import Database, Session


@dataclass(frozen=True)
class Answer:
    """One answer to record: whose, to which question, graded how, and when."""

    profile: str
    bank_id: str
    question: Question
    grade: Grade
    duration_ms: int
    mode: str  # quiz | review | mock
    at: datetime
    session_id: str | None = None  # the mock interview it belongs to, if tracked


@dataclass(slots=True)
class CardState:
    """A card's row as plain data: what recording works on and hands back (cheaper than ORM
    objects on the hot path of a busy server, and safe to pass between threads)."""

    id: int | None
    user_id: int
    bank_id: str
    question_id: str
    content_hash: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    last_rating: int | None
    created_at: datetime

    def copy(self) -> CardState:
        return CardState(*(getattr(self, name) for name in _CARD_FIELDS))


_CARD_FIELDS = tuple(CardState.__dataclass_fields__)
_CHANGING = ("content_hash", "state", "step", "stability", "difficulty", "due", "last_review",
             "last_rating")  # fmt: skip


@dataclass(frozen=True)
class Recorded:
    """An answer as recorded: its row in the review log, and its card after it."""

    review_id: int
    card: CardState


def record_answers(
    database: Database, scheduler: fsrs.Scheduler, answers: Sequence[Answer]
) -> list[Recorded]:
    """Log answers and reschedule their cards, in order, in one committed transaction; returns
    each answer's review id and its card as it stands after that answer.

    One transaction for many answers is what lets a busy web server keep up (the cost of a
    commit is shared); the CLI records answers one at a time through :meth:`Practice.record`.
    """
    import fsrs

    digests: dict[tuple[str, str], str] = {}
    reviews = []
    out: list[CardState] = []
    with database.transaction() as session:
        users = {
            name: progress.ensure_user(session, name, answers[0].at).id
            for name in {a.profile for a in answers}
        }
        keys = {(users[a.profile], a.bank_id, a.question.id) for a in answers}
        cards = {
            (row.user_id, row.bank_id, row.question_id): CardState(
                *(getattr(row, name) for name in _CARD_FIELDS)
            )
            for row in progress.card_rows(session, keys, for_update=True)
        }
        existing = set(cards)
        for answer in answers:
            user_id, question = users[answer.profile], answer.question
            digest = digests.get((answer.bank_id, question.id))
            if digest is None:
                digest = digests[(answer.bank_id, question.id)] = content_hash(question)
            key = (user_id, answer.bank_id, question.id)
            card = cards.get(key)
            if card is None:
                card = cards[key] = CardState(
                    None, user_id, answer.bank_id, question.id, digest, LEARNING, 0,
                    None, None, answer.at, None, None, answer.at,
                )  # fmt: skip
            elif card.content_hash != digest:
                mark_for_relearning(card, scheduler, answer.at)
            rating = rating_for(answer.grade, answer.duration_ms)
            scheduled, _ = scheduler.review_card(
                to_fsrs(card), fsrs.Rating(rating), review_datetime=answer.at
            )
            apply_fsrs(card, scheduled)
            card.content_hash, card.last_rating = digest, rating
            reviews.append(
                {
                    "user_id": user_id,
                    "bank_id": answer.bank_id,
                    "question_id": question.id,
                    "content_hash": digest,
                    "answer": answer.grade.given,
                    "correct": answer.grade.correct,
                    "rating": rating,
                    "duration_ms": max(0, int(answer.duration_ms)),
                    "reviewed_at": answer.at,
                    "mode": answer.mode,
                    "session_id": answer.session_id,
                }
            )
            out.append(card.copy())
        new = [card for key, card in cards.items() if key not in existing]
        new_ids = progress.insert_cards(
            session,
            [{name: getattr(card, name) for name in _CARD_FIELDS if name != "id"} for card in new],
        )
        for card, card_id in zip(new, new_ids, strict=True):
            card.id = card_id
        progress.update_cards(
            session,
            [
                {"id": cards[key].id} | {n: getattr(cards[key], n) for n in _CHANGING}
                for key in existing
            ],
        )
        review_ids = progress.append_reviews(session, reviews)
    for snapshot in out:  # new cards got their ids at the insert
        snapshot.id = cards[(snapshot.user_id, snapshot.bank_id, snapshot.question_id)].id
    return [Recorded(review_id, card) for review_id, card in zip(review_ids, out, strict=True)]


class Practice:
    """One person's practice on one database. ``clock`` is injectable for tests."""

    def __init__(
        self,
        database: Database,
        profile: str,
        *,
        scheduler: fsrs.Scheduler | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.database = database
        self.profile = profile
        self.scheduler = scheduler or make_scheduler()
        self.clock = clock

    def user_id(self, session: Session) -> int:
        """The profile's id, created on first use. Looked up each time: the profile may be
        deleted (and made again) by another process meanwhile."""
        return progress.ensure_user(session, self.profile, self.clock()).id

    def existing_user_id(self, session: Session) -> int | None:
        """The profile's id if it exists; read-only commands must not create profiles."""
        user = progress.find_user(session, self.profile)
        return None if user is None else user.id

    def record(
        self,
        bank_id: str,
        question: Question,
        grade: Grade,
        duration_ms: int,
        mode: str,
    ) -> CardState:
        """Log the answer and reschedule the question's card; one committed transaction.

        Two processes creating the same new card at once (PostgreSQL, read committed) make
        one of them violate the unique constraint: it retries and finds the card.
        """
        answer = Answer(self.profile, bank_id, question, grade, duration_ms, mode, self.clock())
        for attempt in range(3):
            try:
                return record_answers(self.database, self.scheduler, [answer])[0].card
            except ConstraintViolation:
                if attempt == 2:
                    raise LlmiqError(
                        f"could not save the answer for profile {self.profile!r}: "
                        "another process keeps changing it"
                    ) from None
        raise AssertionError("unreachable")

    def sync(self, bank: Bank) -> int:
        """Send the cards of questions edited since their last review back to relearning;
        returns how many. Their history stays as it was."""
        now = self.clock()
        changed = 0
        with self.database.transaction() as session:
            user_id = self.user_id(session)
            cards = progress.cards_by_question(session, user_id, bank.id)
            for question in bank.questions:
                card = cards.get(question.id)
                if card is not None and card.content_hash != (digest := content_hash(question)):
                    mark_for_relearning(card, self.scheduler, now)
                    card.content_hash = digest
                    changed += 1
        return changed
