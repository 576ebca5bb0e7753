"""Which question comes next in a review session.

Order, as in Anki: cards that are due (oldest first), then new questions in bank order
while today's new-card limit allows, then learning cards due within :data:`LEARN_AHEAD`
(so a missed question comes back in the same session instead of ending it). Due cards in
the review state count against today's review limit; learning cards never do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from llmiq.practice.scheduling import REVIEW

if TYPE_CHECKING:  # config.py reads DailyLimits from here: no pydantic for it
    from llmiq.bank.model import Bank, Question
    from llmiq.store.models import Card

LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class DailyLimits:
    new: int = 20  # new questions introduced per day and bank
    reviews: int = 200  # due reviews per day and bank


@dataclass(frozen=True)
class Today:
    new_seen: int  # questions first seen today
    reviewed: int  # answers today to questions first seen before today


@dataclass(frozen=True)
class Pick:
    question: Question
    why: str  # "due", "new" or "learning"


def next_pick(
    bank: Bank,
    cards: Mapping[str, Card],
    now: datetime,
    limits: DailyLimits,
    today: Today,
) -> Pick | None:
    questions = {q.id: q for q in bank.questions}
    due = sorted(
        (card for qid, card in cards.items() if qid in questions and card.due <= now),
        key=lambda card: card.due,
    )
    for card in due:
        if card.state != REVIEW or today.reviewed < limits.reviews:
            return Pick(questions[card.question_id], "due")
    if today.new_seen < limits.new:
        for question in bank.questions:
            if question.id not in cards:
                return Pick(question, "new")
    ahead = [
        card
        for qid, card in cards.items()
        if qid in questions and card.state != REVIEW and card.due <= now + LEARN_AHEAD
    ]
    if ahead:
        return Pick(questions[min(ahead, key=lambda card: card.due).question_id], "learning")
    return None


def next_due(bank: Bank, cards: Mapping[str, Card]) -> datetime | None:
    """When the next card of this bank falls due."""
    ids = {q.id for q in bank.questions}
    return min((card.due for qid, card in cards.items() if qid in ids), default=None)
