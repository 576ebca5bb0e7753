"""Answer a question from the web: grade it as the CLI does, take the person's rating where
only they can judge, and record it through :class:`~llmiq.practice.recording.Practice`."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from llmiq.bank.grading import Grade, UnreadableAnswer, grade, parse_choice
from llmiq.bank.model import Bank, Question
from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.practice.quiz import self_rated
from llmiq.practice.recording import Answer, CardState
from llmiq.practice.scheduling import rating_for
from llmiq.store import progress
from llmiq.store.database import Database
from llmiq.web.errors import NotFound
from llmiq.web.recorder import AnswerRecorder

MAX_ANSWER_CHARS = 5000
MAX_DURATION_MS = 24 * 3600 * 1000
#: Idempotency keys: 1-200 printable ASCII characters (a UUID is 36), the column's length.
MAX_KEY_CHARS = 200
_KEY = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_CHARS}}}")


class UnknownAnswer(NotFound):
    """No such answer of this person's in the review log."""


class AnswerRefused(LlmiqError):
    """The answer cannot be graded as given (no option named, rating missing or out of range).
    ``str()`` is the English sentence (the API's); ``llmiq.messages.error_text`` says it for a
    page."""


class BadIdempotencyKey(LlmiqError):
    """An idempotency key that is empty, too long or not printable ASCII (a 422)."""


class KeyReused(LlmiqError):
    """An idempotency key already used for another answer (a 422: keys are per answer);
    ``review_id`` is that answer's."""

    def __init__(self, message: str, review_id: int) -> None:
        super().__init__(message)
        self.review_id = review_id


def check_idempotency_key(key: str | None) -> str | None:
    """``key`` if it can be an idempotency key (None: none was sent); refused in a sentence
    otherwise."""
    if key is None or _KEY.fullmatch(key):
        return key
    raise BadIdempotencyKey(
        f"an idempotency key is 1-{MAX_KEY_CHARS} printable ASCII characters (a UUID will do)"
    )


@dataclass(frozen=True)
class Answered:
    question: Question
    grade: Grade
    rating: int
    card: CardState
    review_id: int


def find_question(bank: Bank, question_id: str) -> Question:
    """``bank``'s question ``question_id``; refused in a sentence when there is none (the API
    answers 404 with it, a page 400)."""
    question = bank.question(question_id)
    if question is None:
        raise LlmiqError(
            N_("bank {bank} has no question {question}"),
            bank=repr(bank.id),
            question=repr(question_id),
        )
    return question


def suggested_rating(question: Question, raw: str, duration_ms: int) -> int | None:
    """What llmiq would rate an open answer by its accepted answers, or None."""
    verdict = grade(question, raw)
    return None if verdict.correct is None else rating_for(verdict, duration_ms)


def grade_answer(question: Question, raw: str, *, rating: int | None = None) -> Grade:
    """Grade an answer as the CLI does. Choice questions ignore ``rating``; an open question
    takes the person's ``rating`` (1-4) or, without one, is graded by its accepted answers."""
    check_length(raw)
    if rating is not None and not 1 <= rating <= 4:
        raise AnswerRefused(N_("the rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy)"))
    try:
        verdict = grade(question, raw)
    except UnreadableAnswer as exc:
        raise AnswerRefused(exc.message, **exc.fields) from None
    if not question.is_choice and rating is not None:
        return self_rated(verdict, rating)
    if verdict.correct is None:
        raise AnswerRefused(
            N_("this open question has only a reference answer: rate your answer 1-4 (rating)")
        )
    return verdict


async def record_answer(
    recorder: AnswerRecorder,
    profile: str,
    bank: Bank,
    question: Question,
    verdict: Grade,
    *,
    duration_ms: int,
    mode: str,
    session_id: str | None = None,
    key: str | None = None,
) -> Answered:
    """Record a graded answer (committed when this returns) and say how it was rated.

    With an idempotency ``key`` used before (a retry), nothing is recorded: the answer is
    told what it was told the first time, or refused (:class:`KeyReused`) when the key was
    first sent with another answer."""
    duration_ms = min(max(int(duration_ms), 0), MAX_DURATION_MS)
    answer = Answer(
        profile, bank.id, question, verdict, duration_ms, mode, utc_now(), session_id, key
    )
    recorded = await recorder.record(answer)
    first = recorded.replayed
    if first is None:
        return Answered(
            question, verdict, rating_for(verdict, duration_ms), recorded.card, recorded.review_id
        )
    card = recorded.card
    if (card.bank_id, card.question_id, first.answer) != (bank.id, question.id, verdict.given):
        raise KeyReused(
            f"the idempotency key {key!r} was used for another answer "
            f"(to {card.bank_id}/{card.question_id}); send a new key with each new answer",
            recorded.review_id,
        )
    replayed = Grade(first.correct, first.answer, verdict.keys, first.rating)
    return Answered(question, replayed, first.rating, card, recorded.review_id)


def check_length(raw: str) -> None:
    if len(raw) > MAX_ANSWER_CHARS:
        raise AnswerRefused(
            N_("the answer is longer than {limit} characters"), limit=MAX_ANSWER_CHARS
        )


def load_answered(database: Database, profile: str, bank: Bank, review_id: int) -> Answered:
    """An answer of ``profile`` to ``bank`` as its feedback shows it, read back from the review
    log (so that reloading the feedback page records nothing)."""
    with database.reading() as session:
        user = progress.find_user(session, profile)
        review = progress.find_review(session, review_id)
        if user is None or review is None or review.user_id != user.id or review.bank_id != bank.id:
            raise UnknownAnswer(
                N_("you gave no answer {answer} in bank {bank}"),
                answer=review_id,
                bank=repr(bank.id),
            )
        card = progress.find_card(session, user.id, bank.id, review.question_id)
    question = find_question(bank, review.question_id)
    keys: frozenset[str] = frozenset()
    if question.is_choice:
        with contextlib.suppress(UnreadableAnswer):
            keys = parse_choice(review.answer, question)
    verdict = Grade(review.correct, review.answer, keys, review.rating)
    if card is None:
        raise UnknownAnswer(N_("the card of answer {answer} is gone"), answer=review_id)
    return Answered(question, verdict, review.rating, card, review.id)  # type: ignore[arg-type]
