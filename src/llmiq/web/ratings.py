"""The four rating buttons under an answer's feedback, as Anki shows them: each rating with
the interval it would set, llmiq's own rating focused (see :mod:`llmiq.practice.rerating`)."""

from __future__ import annotations

from llmiq.bank.model import Question
from llmiq.practice.intervals import RatingChoice, rating_choices
from llmiq.practice.rerating import rating_choice
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
