"""Keep a person's progress: every answer goes to the review log and reschedules the card,
in one transaction, before the next question is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from llmiq.bank.model import Bank, Question
from llmiq.errors import LlmiqError
from llmiq.practice.grading import Grade
from llmiq.practice.scheduling import (
    LEARNING,
    apply_fsrs,
    content_hash,
    make_scheduler,
    mark_for_relearning,
    rating_for,
    to_fsrs,
    utc_now,
)
from llmiq.store import progress
from llmiq.store.models import Card, Review

if TYPE_CHECKING:
    import fsrs

    from llmiq.store.database import Database


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
        self._user_id: int | None = None

    def user_id(self, session: Session) -> int:
        """The profile's id, created on first use (and remembered: ids never change)."""
        if self._user_id is None:
            return progress.ensure_user(session, self.profile, self.clock()).id
        return self._user_id

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
    ) -> Card:
        """Log the answer and reschedule the question's card; one committed transaction.

        Two processes creating the same new card at once (PostgreSQL, read committed) make
        one of them violate the unique constraint: it retries and finds the card.
        """
        for attempt in range(3):
            try:
                return self._record(bank_id, question, grade, duration_ms, mode)
            except IntegrityError:
                self._user_id = None  # the profile may have been deleted meanwhile
                if attempt == 2:
                    raise LlmiqError(
                        f"could not save the answer for profile {self.profile!r}: "
                        "another process keeps changing it"
                    ) from None
        raise AssertionError("unreachable")

    def _record(
        self, bank_id: str, question: Question, grade: Grade, duration_ms: int, mode: str
    ) -> Card:
        import fsrs

        now = self.clock()
        digest = content_hash(question)
        rating = rating_for(grade, duration_ms)
        with self.database.transaction() as session:
            user_id = self.user_id(session)
            card = progress.find_card(session, user_id, bank_id, question.id, for_update=True)
            if card is None:
                card = Card(
                    user_id=user_id,
                    bank_id=bank_id,
                    question_id=question.id,
                    content_hash=digest,
                    state=LEARNING,
                    step=0,
                    due=now,
                    created_at=now,
                )
                session.add(card)
            elif card.content_hash != digest:
                mark_for_relearning(card, self.scheduler, now)
            scheduled, _ = self.scheduler.review_card(
                to_fsrs(card), fsrs.Rating(rating), review_datetime=now
            )
            apply_fsrs(card, scheduled)
            card.content_hash, card.last_rating = digest, rating
            remembered = user_id
            session.execute(  # a Core insert: the log is written, never read back here
                insert(Review),
                {
                    "user_id": user_id,
                    "bank_id": bank_id,
                    "question_id": question.id,
                    "content_hash": digest,
                    "answer": grade.given,
                    "correct": grade.correct,
                    "rating": rating,
                    "duration_ms": max(0, int(duration_ms)),
                    "reviewed_at": now,
                    "mode": mode,
                },
            )
        self._user_id = remembered  # committed: safe to remember
        return card

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
