"""What a person knows: reviews and accuracy by topic, retention, streak, activity heatmap and
the due forecast, from the review log and the FSRS cards."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from llmiq.bank.model import Bank
from llmiq.practice.days import local_date
from llmiq.practice.scheduling import RATING_NAMES, STATE_NAMES, make_scheduler, to_fsrs

if TYPE_CHECKING:
    from llmiq.practice.recording import Practice
    from llmiq.store.models import Card, Review

HEATMAP_DAYS = 7 * 17  # about four months, ending today
FORECAST_DAYS = 14


def streak(days_with_reviews: set[date], today: date) -> int:
    """Consecutive days with reviews, ending today (or yesterday: today is not over yet)."""
    day = today if today in days_with_reviews else today - timedelta(days=1)
    count = 0
    while day in days_with_reviews:
        count += 1
        day -= timedelta(days=1)
    return count


def compute_stats(
    reviews: Sequence[Review],
    cards: Sequence[Card],
    banks: Mapping[str, Bank],
    now: datetime,
) -> dict[str, Any]:
    """The statistics as plain data (what ``llmiq stats --format json`` prints)."""
    scheduler = make_scheduler(fuzz=False)
    topics_of = {
        (bank_id, q.id): q.topics or ["(no topic)"]
        for bank_id, bank in banks.items()
        for q in bank.questions
    }
    by_topic: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"reviews": 0, "correct": 0, "retention": [], "cards": 0}
    )
    for review in reviews:
        for topic in topics_of.get((review.bank_id, review.question_id), ["(removed)"]):
            by_topic[topic]["reviews"] += 1
            by_topic[topic]["correct"] += bool(review.correct)
    # cards of questions no longer in any bank are never asked again: leave them out
    cards = [card for card in cards if (card.bank_id, card.question_id) in topics_of]
    card_rows = []
    for card in cards:
        retrievability = (
            scheduler.get_card_retrievability(to_fsrs(card), now) if card.last_review else 0.0
        )
        for topic in topics_of.get((card.bank_id, card.question_id), ["(removed)"]):
            by_topic[topic]["retention"].append(retrievability)
            by_topic[topic]["cards"] += 1
        card_rows.append(
            {
                "bank": card.bank_id,
                "question_id": card.question_id,
                "due": card.due.isoformat(),
                "stability": card.stability,
                "difficulty": card.difficulty,
                "state": STATE_NAMES.get(card.state, str(card.state)),
                "last_rating": RATING_NAMES.get(card.last_rating or 0),
                "retrievability": round(retrievability, 4),
            }
        )
    card_rows.sort(key=lambda row: row["due"])
    topics = {}
    for topic, numbers in sorted(by_topic.items()):
        retention = numbers.pop("retention")
        topics[topic] = numbers | {
            "accuracy": round(numbers["correct"] / numbers["reviews"], 4)
            if numbers["reviews"]
            else None,
            "retention": round(sum(retention) / len(retention), 4) if retention else None,
        }
    today = local_date(now)
    per_day = Counter(local_date(r.reviewed_at) for r in reviews)
    heatmap = {
        (today - timedelta(days=offset)).isoformat(): per_day.get(today - timedelta(days=offset), 0)
        for offset in range(HEATMAP_DAYS - 1, -1, -1)
    }
    forecast = dict.fromkeys(
        ((today + timedelta(days=offset)).isoformat() for offset in range(FORECAST_DAYS)), 0
    )
    for card in cards:
        day = max(local_date(card.due), today).isoformat()
        if day in forecast:
            forecast[day] += 1
    correct = sum(1 for r in reviews if r.correct)
    return {
        "reviews": len(reviews),
        "correct": correct,
        "accuracy": round(correct / len(reviews), 4) if reviews else None,
        "due_now": sum(1 for card in cards if card.due <= now),
        "streak_days": streak(set(per_day), today),
        "by_topic": topics,
        "heatmap": heatmap,
        "forecast": forecast,
        "cards": card_rows,
    }


def load_stats(
    practice: Practice, banks: Mapping[str, Bank], now: datetime, bank_id: str | None = None
) -> dict[str, Any]:
    """:func:`compute_stats` of ``practice``'s profile over ``banks`` (or the one called
    ``bank_id``): what ``llmiq stats``, the statistics page and ``/api/stats`` show."""
    from llmiq.store import progress

    chosen = {k: v for k, v in banks.items() if bank_id is None or k == bank_id}
    reviews: Sequence[Review] = []
    cards: Sequence[Card] = []
    with practice.database.transaction() as session:
        user_id = practice.existing_user_id(session)
        if user_id is not None:
            reviews = progress.reviews_of(session, user_id, bank_id)
            cards = progress.cards_of(session, user_id, bank_id)
    return compute_stats(reviews, cards, chosen, now)
