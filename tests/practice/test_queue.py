"""The order of a review session, on cards made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from llmiq.bank.catalog import resolve_bank
from llmiq.practice.queue import DailyLimits, Today, next_due, next_pick
from llmiq.store.models import Card

SEED = resolve_bank("seed")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDS = [q.id for q in SEED.questions]


def _card(qid: str, due_in: timedelta, state: int = 2) -> Card:
    return Card(question_id=qid, bank_id="seed", state=state, due=NOW + due_in)


def test_due_cards_first_oldest_first_then_new_in_bank_order() -> None:
    cards = {
        IDS[3]: _card(IDS[3], -timedelta(hours=1)),
        IDS[5]: _card(IDS[5], -timedelta(days=2)),
        IDS[0]: _card(IDS[0], timedelta(days=3)),
    }
    limits, today = DailyLimits(), Today(0, 0)
    pick = next_pick(SEED, cards, NOW, limits, today)
    assert (pick.question.id, pick.why) == (IDS[5], "due")
    cards.pop(IDS[5])
    cards.pop(IDS[3])
    pick = next_pick(SEED, cards, NOW, limits, today)
    assert (pick.question.id, pick.why) == (IDS[1], "new")


def test_limits_stop_new_and_review_cards_but_not_learning_ones() -> None:
    cards = {
        IDS[0]: _card(IDS[0], -timedelta(days=1)),
        IDS[1]: _card(IDS[1], -timedelta(minutes=5), state=1),
    }
    pick = next_pick(SEED, cards, NOW, DailyLimits(new=0, reviews=3), Today(new_seen=0, reviewed=3))
    assert (pick.question.id, pick.why) == (IDS[1], "due")
    cards.pop(IDS[1])
    assert next_pick(SEED, cards, NOW, DailyLimits(new=5, reviews=3), Today(5, 3)) is None


def test_learning_cards_due_soon_are_served_ahead() -> None:
    cards = {qid: _card(qid, timedelta(days=5)) for qid in IDS}
    cards[IDS[2]] = _card(IDS[2], timedelta(minutes=1), state=1)
    pick = next_pick(SEED, cards, NOW, DailyLimits(), Today(0, 0))
    assert (pick.question.id, pick.why) == (IDS[2], "learning")
    cards[IDS[2]] = _card(IDS[2], timedelta(hours=2), state=1)
    assert next_pick(SEED, cards, NOW, DailyLimits(), Today(0, 0)) is None
    assert next_due(SEED, cards) == NOW + timedelta(hours=2)


def test_cards_of_questions_no_longer_in_the_bank_are_ignored() -> None:
    cards = {"gone": _card("gone", -timedelta(days=1))}
    pick = next_pick(SEED, cards, NOW, DailyLimits(), Today(0, 0))
    assert pick.why == "new"
