"""The four rating buttons under an answer's feedback, as Anki shows them: each rating with
the interval it would set, llmiq's own rating focused (see :mod:`llmiq.practice.rerating`)."""

from __future__ import annotations

from llmiq.bank.model import Question
from llmiq.clock import utc_now
from llmiq.practice.intervals import (
    RatingChoice,
    format_interval,
    preview_intervals,
    rating_choices,
)
from llmiq.practice.rerating import Schedule, rating_choice
from llmiq.practice.scheduling import content_hash, mark_for_relearning
from llmiq.store import progress
from llmiq.web.state import WebApp


def rating_buttons(
    web: WebApp, profile: str, bank_id: str, question: Question, review_id: int, lang: str
) -> list[RatingChoice]:
    """The buttons of answer ``review_id``, none once its question was answered again.
    Intervals are counted from the answer's time, as the rating then applies."""
    choice = rating_choice(
        web.database, web.scheduler, profile, bank_id, review_id,
        graded=question.is_choice or bool(question.accepted),
    )  # fmt: skip
    if choice is None:
        return []
    return rating_choices(choice.before, choice.at, choice.suggested, lang)


def intervals_now(
    web: WebApp, profile: str, bank_id: str, question: Question, lang: str
) -> dict[int, str]:
    """Each rating's next interval for ``question`` answered now (the rating page of an open
    question, before its answer is recorded), from the person's card as recording will find
    it: a question edited since counts the edit as a lapse first."""
    with web.database.reading() as session:
        user = progress.find_user(session, profile)
        card = None if user is None else progress.find_card(session, user.id, bank_id, question.id)
        before = None if card is None else Schedule(
            card.due, card.state, card.step, card.stability, card.difficulty, card.last_review,
            card.id,
        )  # fmt: skip
        edited = card is not None and card.content_hash != content_hash(question)
    now = utc_now()
    if before is not None and edited:
        mark_for_relearning(before, web.scheduler, now)  # type: ignore[arg-type]
    return {
        rating: format_interval(interval, lang)
        for rating, interval in preview_intervals(before, now).items()
    }
