"""Spaced repetition with FSRS-6 (the ``fsrs`` package): how an answer becomes a rating, and
how a stored card becomes an ``fsrs.Card`` and back.

Choice questions and open questions with short accepted answers are graded by llmiq:
wrong is Again; right is Good, or Easy when answered within :data:`EASY_SECONDS`, or Hard
when it took longer than :data:`HARD_SECONDS`. Open questions with only a reference answer
are rated by the person, 1-4 as in Anki.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from llmiq.messages import N_

if TYPE_CHECKING:
    import fsrs

    from llmiq.bank.grading import Grade
    from llmiq.bank.model import AnyQuestion
    from llmiq.bank.records import TextRecord
    from llmiq.store.models import Card

EASY_SECONDS = 5
HARD_SECONDS = 60
#: Short learning steps, so a missed question comes back in the same session.
LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # fsrs.Rating, as stored
LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State, as stored
RATING_NAMES = {AGAIN: N_("again"), HARD: N_("hard"), GOOD: N_("good"), EASY: N_("easy")}
STATE_NAMES = {LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


def make_scheduler(fuzz: bool = True) -> fsrs.Scheduler:
    """The FSRS-6 scheduler with llmiq's learning steps. Fuzzing spreads review dates so that
    cards learnt together do not all come back on one day; tests turn it off."""
    import fsrs

    return fsrs.Scheduler(
        learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS, enable_fuzzing=fuzz
    )


def rating_for(grade: Grade, duration_ms: int) -> int:
    """The FSRS rating of an answer (see the module docstring for the rules)."""
    if grade.rating is not None:
        return grade.rating
    if not grade.correct:
        return AGAIN
    if duration_ms <= EASY_SECONDS * 1000:
        return EASY
    if duration_ms > HARD_SECONDS * 1000:
        return HARD
    return GOOD


def _text(text: TextRecord | None) -> dict[str, str | None] | None:
    return None if text is None else {"zh": text.zh, "en": text.en}


def content_hash(question: AnyQuestion) -> str:
    """A hash of what a question asks and accepts; explanations and translations of them can
    change without sending the card back to learning, a changed prompt or key cannot.

    The same for a question's model and its record. Cards keep it: the data hashed is what
    the model's ``model_dump(mode="json")`` gives for these fields (a test holds it there)."""
    data = {
        "kind": question.kind.value,
        "prompt": _text(question.prompt),
        "options": [{"key": o.key, "text": _text(o.text)} for o in question.options],
        "answer": list(question.answer),
        "accepted": list(question.accepted),
        "reference": _text(question.reference),
    }
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def to_fsrs(card: Card) -> fsrs.Card:
    import fsrs

    return fsrs.Card(
        card_id=card.id or 0,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def apply_fsrs(card: Card, scheduled: fsrs.Card) -> None:
    card.state = int(scheduled.state)
    card.step = scheduled.step
    card.stability = scheduled.stability
    card.difficulty = scheduled.difficulty
    card.due = scheduled.due
    card.last_review = scheduled.last_review


def mark_for_relearning(card: Card, scheduler: fsrs.Scheduler, now: datetime) -> None:
    """The question changed since the card was last reviewed: what was remembered may not
    hold any more, so count the edit as a lapse (an Again that is not logged). FSRS lowers
    the stability and sends the card to relearning, due now; its history is untouched."""
    import fsrs

    if card.last_review is None:  # never answered: nothing learnt to forget
        return
    scheduled, _ = scheduler.review_card(to_fsrs(card), fsrs.Rating.Again, review_datetime=now)
    apply_fsrs(card, scheduled)
    card.due = now
