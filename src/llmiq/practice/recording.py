"""Keep a person's progress: every answer goes to the review log and reschedules the card,
in one transaction, before the next question is shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
from llmiq.store.errors import ConstraintViolation

if TYPE_CHECKING:  # SQLAlchemy and pydantic: a quiz records through sqlite3 without them
    import fsrs

    from llmiq.bank.grading import Grade
    from llmiq.bank.model import AnyBank, AnyQuestion
    from llmiq.store.database import Session
    from llmiq.store.writes import ProgressDatabase, ProgressWrites


@dataclass(frozen=True)
class Answer:
    """One answer to record: whose, to which question, graded how, and when."""

    profile: str
    bank_id: str
    question: AnyQuestion
    grade: Grade
    duration_ms: int
    mode: str  # quiz | review | mock
    at: datetime
    session_id: str | None = None  # the mock interview it belongs to, if tracked
    #: an idempotency key: an answer sent again with its key is recorded once
    key: str | None = None


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


def card_state(row: object) -> CardState:
    """A card's row (read by attribute) as plain data."""
    return CardState(*(getattr(row, name) for name in _CARD_FIELDS))


def _changes(card: CardState) -> dict[str, object]:
    """The row that writes what recording may change over the card ``id`` names."""
    return {"id": card.id} | {name: getattr(card, name) for name in _CHANGING}


@dataclass(frozen=True)
class Replayed:
    """How an answer sent before with the same idempotency key was recorded."""

    answer: str
    correct: bool | None
    rating: int


@dataclass(frozen=True)
class Recorded:
    """An answer as recorded: its row in the review log, and its card after it. ``replayed``:
    the answer's key had been used, so nothing was recorded now and this is the first
    answer's outcome (which may be another question's: the caller compares)."""

    review_id: int
    card: CardState
    replayed: Replayed | None = None


def _replay(row: Any, user_id: int) -> Recorded:
    """The outcome of an answer kept with its key (a row of ``answers_by_key``)."""
    card = CardState(
        row.card_id, user_id, row.bank_id, row.question_id, row.content_hash, row.state,
        row.step, row.stability, row.difficulty, row.due, row.last_review, row.rating,
        row.created_at,
    )  # fmt: skip
    return Recorded(row.review_id, card, Replayed(row.answer, row.correct, row.rating))


def record_answers(
    database: ProgressDatabase, scheduler: fsrs.Scheduler, answers: Sequence[Answer]
) -> list[Recorded]:
    """Log answers and reschedule their cards, in order, in one committed transaction; returns
    each answer's review id and its card as it stands after that answer.

    One transaction for many answers is what lets a busy web server keep up (the cost of a
    commit is shared); the CLI records answers one at a time through :meth:`Practice.record`.

    An answer with a ``key`` its profile has used before (in this batch or an earlier one) is
    not recorded again: it gets the first one's outcome, marked ``replayed``. Two
    transactions keeping the same key at once break ``answer_keys``' primary key; the later
    one fails with :class:`ConstraintViolation`, and recording it again finds the key.
    """
    import fsrs

    digests: dict[tuple[str, str], str] = {}
    reviews: list[dict[str, Any]] = []
    out: list[CardState] = []
    # per answer: the index of its review in ``reviews``, or the outcome it replays
    slots: list[int | Recorded] = []
    fresh_keys: dict[tuple[int, str], int] = {}  # keys recorded in this batch: their review
    with database.writes() as writes:
        users = {name: writes.user_id(name, answers[0].at) for name in {a.profile for a in answers}}
        keys = {(users[a.profile], a.bank_id, a.question.id) for a in answers}
        cards = {
            (row.user_id, row.bank_id, row.question_id): card_state(row)
            for row in writes.card_rows(keys)
        }
        existing = set(cards)
        # read after the cards are locked: a retry that waited for them sees the first's key
        kept = _kept_answers(writes, [(users[a.profile], a.key) for a in answers if a.key])
        for answer in answers:
            user_id, question = users[answer.profile], answer.question
            if answer.key is not None:
                if (user_id, answer.key) in kept:
                    slots.append(kept[(user_id, answer.key)])
                    continue
                if (user_id, answer.key) in fresh_keys:  # sent twice in one batch
                    slots.append(-1 - fresh_keys[(user_id, answer.key)])
                    continue
                fresh_keys[(user_id, answer.key)] = len(reviews)
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
            slots.append(len(reviews))
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
        new_ids = writes.insert_cards(
            [{name: getattr(card, name) for name in _CARD_FIELDS if name != "id"} for card in new]
        )
        for card, card_id in zip(new, new_ids, strict=True):
            card.id = card_id
        writes.update_cards([_changes(cards[key]) for key in existing])
        review_ids = writes.append_reviews(reviews) if reviews else []  # all replayed
        for snapshot in out:  # new cards got their ids at the insert
            snapshot.id = cards[(snapshot.user_id, snapshot.bank_id, snapshot.question_id)].id
        writes.insert_answer_keys(
            [
                {"user_id": user_id, "key": key, "review_id": review_ids[i], "card_id": out[i].id}
                | {name: getattr(out[i], name) for name in _KEPT_CARD_FIELDS}
                for (user_id, key), i in fresh_keys.items()
            ]
        )
    return [_outcome(slot, reviews, review_ids, out) for slot in slots]


_KEPT_CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def _kept_answers(
    writes: ProgressWrites, keyed: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], Recorded]:
    """The outcomes of the answers first sent with these (user id, key) pairs."""
    by_user: dict[int, set[str]] = {}
    for user_id, key in keyed:
        by_user.setdefault(user_id, set()).add(key)
    return {
        (user_id, row.key): _replay(row, user_id)
        for user_id, keys in by_user.items()
        for row in writes.answers_by_key(user_id, keys)
    }


def _outcome(
    slot: int | Recorded, reviews: list[dict[str, Any]], review_ids: list[int], out: list[CardState]
) -> Recorded:
    """An answer's :class:`Recorded` from its slot: a review of this batch (``i``), a repeat
    of one (``-1 - i``), or an outcome kept before."""
    if isinstance(slot, Recorded):
        return slot
    if slot >= 0:
        return Recorded(review_ids[slot], out[slot])
    i = -1 - slot
    review = reviews[i]
    replayed = Replayed(review["answer"], review["correct"], review["rating"])
    return Recorded(review_ids[i], out[i].copy(), replayed)


class Practice:
    """One person's practice on one database. ``clock`` is injectable for tests.

    Recording (:meth:`record`, :meth:`sync`) works on any database answers can be recorded in,
    the sqlite3 one of a quiz included; reading progress (review queues, statistics) takes a
    transaction of an SQLAlchemy :class:`~llmiq.store.database.Database`."""

    def __init__(
        self,
        database: ProgressDatabase,
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
        deleted (and made again) by another process meanwhile. (``session``: a transaction
        of an SQLAlchemy database.)"""
        from llmiq.store import progress

        return progress.ensure_user(session, self.profile, self.clock()).id

    def existing_user_id(self, session: Session) -> int | None:
        """The profile's id if it exists; read-only commands must not create profiles."""
        from llmiq.store import progress

        user = progress.find_user(session, self.profile)
        return None if user is None else user.id

    def record(
        self,
        bank_id: str,
        question: AnyQuestion,
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

    def sync(self, bank: AnyBank) -> int:
        """Send the cards of questions edited since their last review back to relearning;
        returns how many. Their history stays as it was."""
        now = self.clock()
        questions = {question.id: question for question in bank.questions}
        with self.database.writes() as writes:
            changed = []
            for row in writes.bank_cards(writes.user_id(self.profile, now), bank.id):
                question = questions.get(row.question_id)
                if question is None:
                    continue
                if row.content_hash != (digest := content_hash(question)):
                    card = card_state(row)
                    mark_for_relearning(card, self.scheduler, now)
                    card.content_hash = digest
                    changed.append(_changes(card))
            writes.update_cards(changed)
        return len(changed)
