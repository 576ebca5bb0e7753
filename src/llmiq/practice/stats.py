"""What a person knows: reviews and accuracy by topic, retention, streak, activity heatmap and
the due forecast, from the review log and the FSRS cards.

The review log is only read in aggregate, by the database (``llmiq.store.review_stats``):
answers per question, reviews per local day over the heatmap's weeks, and, for a streak
longer than that, whether each earlier day had a review. Time and memory grow with the
questions and days shown, not with the number of reviews.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from llmiq.messages import N_
from llmiq.practice.days import (
    end_of_local_day,
    local_date,
    local_day_window,
    moments_of_day,
    offset_spans,
)
from llmiq.practice.scheduling import RATING_NAMES, STATE_NAMES, make_scheduler, to_fsrs
from llmiq.store import review_stats
from llmiq.store.review_stats import QuestionTally

if TYPE_CHECKING:
    from llmiq.bank.model import AnyBank
    from llmiq.practice.recording import Practice
    from llmiq.store.database import Session
    from llmiq.store.models import Card

HEATMAP_DAYS = 7 * 17  # about four months, ending today
FORECAST_DAYS = 14
#: Days asked about in the first statement when a streak goes back past the heatmap; each
#: further statement asks about four times as many (a long streak takes a few statements).
_STREAK_BATCH = 64
_STREAK_BATCH_MAX = 4096


#: What the two percentages of the topic table mean, said under it (they often disagree: a
#: question missed a minute ago has 0% accuracy and, just relearnt, ~100% retention).
RETENTION_NOTE = N_(
    "Accuracy: the share of your answers that were right, over all your answers. Retention: "
    "FSRS's estimate of the chance you would recall each card now, averaged over the cards; "
    "it is high right after a review, even after a wrong answer. Due now: ready to review "
    "this minute; due today: before midnight, later learning steps included."
)


def due_counts(dues: Iterable[datetime], now: datetime) -> tuple[int, int]:
    """(due now, due today) of cards due at ``dues``: "due now" can be reviewed this minute;
    "due today" is every card due before local midnight, overdue ones and the learning steps
    coming up later today included (the home page's figure). One definition for the home
    page, the statistics page, ``llmiq stats`` and the API."""
    end_of_today = end_of_local_day(now)
    now_count = today_count = 0
    for due in dues:
        now_count += due <= now
        today_count += due < end_of_today
    return now_count, today_count


def streak(days_with_reviews: set[date], today: date) -> int:
    """Consecutive days with reviews, ending today (or yesterday: today is not over yet)."""
    day = today if today in days_with_reviews else today - timedelta(days=1)
    count = 0
    while day in days_with_reviews:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class ReviewSummary:
    """The review log of one profile, aggregated: what :func:`compute_stats` needs of it."""

    by_question: Sequence[QuestionTally] = ()
    #: reviews per local day, for the heatmap's days (days without reviews may be missing)
    per_day: Mapping[date, int] | None = None
    streak_days: int = 0


def _moments(days: Sequence[date]) -> dict[date, list[tuple[datetime, datetime]]]:
    """Each of ``days`` (newest first) as the UTC intervals whose local date it is."""
    spans = offset_spans(*local_day_window(days[-1], days[0]))
    return {day: moments_of_day(day, spans) for day in days}


def reviews_per_day(
    session: Session, user_id: int, first: date, last: date, bank_id: str | None = None
) -> dict[date, int]:
    """Reviews per local day from ``first`` to ``last`` (days without any left out)."""
    days = [last - timedelta(days=n) for n in range((last - first).days + 1)]
    return review_stats.reviews_per_day(session, user_id, _moments(days), bank_id)


def streak_in_database(
    session: Session,
    user_id: int,
    today: date,
    bank_id: str | None = None,
    known: Mapping[date, int] | None = None,
) -> int:
    """:func:`streak` of the profile's reviews (in ``bank_id``). ``known``: reviews per day
    already counted for the days from its earliest key to ``today``; earlier days are asked
    of the database, a batch of days per statement, until one without reviews."""
    known = known or {}
    known_from = min(known, default=today + timedelta(days=1))
    day = today
    count = 0
    size = _STREAK_BATCH
    while True:
        if day >= known_from:
            batch = [day]
            found = {day} if known.get(day) else set()
        else:
            batch = [day - timedelta(days=n) for n in range(size)]
            size = min(size * 4, _STREAK_BATCH_MAX)
            found = review_stats.days_reviewed(session, user_id, _moments(batch), bank_id)
        for checked in batch:
            if checked not in found:
                if checked == today:  # today is not over yet: count back from yesterday
                    continue
                return count
            count += 1
        day = batch[-1] - timedelta(days=1)


def summarise_reviews(
    session: Session, user_id: int, today: date, bank_id: str | None = None
) -> ReviewSummary:
    """Answers per question, the heatmap's days and the streak, by the database."""
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    per_day = reviews_per_day(session, user_id, first, today, bank_id)
    known = {first + timedelta(days=n): 0 for n in range(HEATMAP_DAYS)} | per_day
    return ReviewSummary(
        by_question=review_stats.answers_by_question(session, user_id, bank_id),
        per_day=per_day,
        streak_days=streak_in_database(session, user_id, today, bank_id, known),
    )


def compute_stats(
    summary: ReviewSummary,
    cards: Sequence[Card],
    banks: Mapping[str, AnyBank],
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
    for tally in summary.by_question:
        for topic in topics_of.get((tally.bank_id, tally.question_id), ["(removed)"]):
            by_topic[topic]["reviews"] += tally.answers
            by_topic[topic]["correct"] += tally.right
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
    per_day = summary.per_day or {}
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
    answers = sum(tally.answers for tally in summary.by_question)
    correct = sum(tally.right for tally in summary.by_question)
    due_now, due_today = due_counts((card.due for card in cards), now)
    return {
        "reviews": answers,
        "correct": correct,
        "accuracy": round(correct / answers, 4) if answers else None,
        "due_now": due_now,
        "due_today": due_today,
        "streak_days": summary.streak_days,
        "by_topic": topics,
        "heatmap": heatmap,
        "forecast": forecast,
        "cards": card_rows,
    }


def load_stats(
    practice: Practice, banks: Mapping[str, AnyBank], now: datetime, bank_id: str | None = None
) -> dict[str, Any]:
    """:func:`compute_stats` of ``practice``'s profile over ``banks`` (or the one called
    ``bank_id``): what ``llmiq stats``, the statistics page and ``/api/stats`` show."""
    from llmiq.store import progress

    chosen = {k: v for k, v in banks.items() if bank_id is None or k == bank_id}
    summary = ReviewSummary()
    cards: Sequence[Card] = []
    with practice.database.reading() as session:
        user_id = practice.existing_user_id(session)
        if user_id is not None:
            summary = summarise_reviews(session, user_id, local_date(now), bank_id)
            cards = progress.cards_of(session, user_id, bank_id)
    return compute_stats(summary, cards, chosen, now)
