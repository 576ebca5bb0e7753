"""What each rating would do: the next interval of a card for Again, Hard, Good and Easy, as
Anki shows it on its four buttons, and the suggested rating llmiq picks by itself.

The preview asks FSRS itself (``Scheduler.review_card`` on a copy of the card, which the
library never changes in place), so it cannot drift from what recording does. Fuzzing is left
out of the preview, as in Anki: the interval recorded may differ from the one shown by the
few percent fuzzing adds to long intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from llmiq.messages import N_, translator
from llmiq.practice.scheduling import AGAIN, EASY, GOOD, HARD, LEARNING, make_scheduler, to_fsrs

if TYPE_CHECKING:
    import fsrs

    from llmiq.bank.model import AnyQuestion
    from llmiq.practice.recording import Practice

RATINGS = (AGAIN, HARD, GOOD, EASY)
#: button labels, as Anki names them (translated through the message catalog)
RATING_LABELS = {AGAIN: N_("Again"), HARD: N_("Hard"), GOOD: N_("Good"), EASY: N_("Easy")}


class CardLike(Protocol):
    """What the preview reads of a card: a stored card or a recording's ``CardState``."""

    id: int | None
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


@dataclass(frozen=True)
class _NewCard:
    """A question never answered: FSRS's new card, due now."""

    due: datetime
    id: int | None = None
    state: int = LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None


def preview_intervals(
    card: CardLike | None, now: datetime, scheduler: fsrs.Scheduler | None = None
) -> dict[int, timedelta]:
    """The interval until the card would next be due for each rating 1-4 given at ``now``
    (UTC); ``card`` None is a question never answered. Nothing is changed or written.

    >>> from datetime import timezone
    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> {r: format_interval(i) for r, i in preview_intervals(None, now).items()}
    {1: '1m', 2: '6m', 3: '10m', 4: '8d'}
    """
    import fsrs

    scheduler = scheduler or make_scheduler(fuzz=False)
    before = to_fsrs(card if card is not None else _NewCard(now))  # type: ignore[arg-type]
    out = {}
    for rating in RATINGS:
        scheduled, _ = scheduler.review_card(before, fsrs.Rating(rating), review_datetime=now)
        out[rating] = max(scheduled.due - now, timedelta(0))
    return out


def format_interval(interval: timedelta, lang: str = "en") -> str:
    """An interval as Anki writes it on a button: ``<1m``, ``10m``, ``3h``, ``4d``, ``2.3mo``,
    ``1.5y`` (months of 30 days, years of 365); in Chinese ``10分钟``, ``4天``, ``2.3个月``.

    >>> format_interval(timedelta(days=70)), format_interval(timedelta(days=4), "zh")
    ('2.3mo', '4天')
    """
    _ = translator(lang)
    seconds = interval.total_seconds()
    if seconds < 60:
        return _("<1m")
    if seconds < 3600:
        return _("{n}m").format(n=round(seconds / 60))
    if seconds < 86400:
        return _("{n}h").format(n=round(seconds / 3600))
    days = seconds / 86400
    if days < 30:
        return _("{n}d").format(n=round(days))
    if days < 365:
        return _("{n}mo").format(n=f"{days / 30:.1f}".removesuffix(".0"))
    return _("{n}y").format(n=f"{days / 365:.1f}".removesuffix(".0"))


@dataclass(frozen=True)
class RatingChoice:
    """One of the four buttons: its rating, label and the interval it would set."""

    rating: int
    label: str
    interval: str
    suggested: bool


def rating_choices(
    card: CardLike | None,
    now: datetime,
    suggested: int,
    lang: str = "en",
    scheduler: fsrs.Scheduler | None = None,
) -> list[RatingChoice]:
    """The four buttons for ``card`` at ``now``, ``suggested`` marked (what both front ends
    show after an answer)."""
    _ = translator(lang)
    return [
        RatingChoice(
            rating, _(RATING_LABELS[rating]), format_interval(interval, lang), rating == suggested
        )
        for rating, interval in preview_intervals(card, now, scheduler).items()
    ]


def card_choices(
    practice: Practice, bank_id: str, question: AnyQuestion, suggested: int, lang: str = "en"
) -> list[RatingChoice]:
    """The four buttons for ``question`` of ``practice``'s profile, answered now: previewed
    from its card as recording will find it (a question edited since its last review counts
    the edit as a lapse first, as recording does)."""
    from llmiq.practice.recording import card_state
    from llmiq.practice.scheduling import content_hash, mark_for_relearning

    now = practice.clock()
    row = practice.database.card_of(practice.profile, bank_id, question.id)
    card = None if row is None else card_state(row)
    if card is not None and card.content_hash != content_hash(question):
        mark_for_relearning(card, make_scheduler(fuzz=False), now)  # type: ignore[arg-type]
    return rating_choices(card, now, suggested, lang)
