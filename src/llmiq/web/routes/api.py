"""The JSON API: the same operations as the pages, for scripts and other front ends.

Single-user mode needs no sign-in. Multi-user mode: ``POST /api/login`` sets the session
cookie and returns the CSRF token that every write sends back in ``X-CSRF-Token``. An answer
may carry an ``Idempotency-Key`` header: sent again with the same key (a retry after a lost
response), it is recorded once and answered as the first time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi import Path as FastApiPath
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from llmiq.bank.model import Bank, Lang, Question
from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.practice.recording import CardState
from llmiq.practice.rerating import RatingRefused, rerate
from llmiq.practice.review import describe_end, pick_next
from llmiq.practice.scheduling import RATING_NAMES, STATE_NAMES
from llmiq.store import progress
from llmiq.store.models import Card
from llmiq.web.answering import (
    MAX_ANSWER_CHARS,
    MAX_DURATION_MS,
    Answered,
    AnswerRefused,
    BadIdempotencyKey,
    KeyReused,
    check_idempotency_key,
    find_question,
    grade_answer,
    record_answer,
)
from llmiq.web.authentication import authenticate, client_address, sign_in
from llmiq.web.deps import ApiViewer, ApiWriter, SessionDep, Viewer, WebDep, practice_for
from llmiq.web.overview import bank_rows, stats_of
from llmiq.web.state import WebApp


class ErrorOut(BaseModel):
    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A body that is not UTF-8 JSON."},
    401: {"model": ErrorOut, "description": "Multi-user mode: not signed in."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such bank, question or card (of yours)."}
}
_WRITE: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "Multi-user mode: missing X-CSRF-Token header."}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorOut,
        "description": "The rating cannot change: the question was answered again, or edited, "
        "since that answer.",
    }
}

router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)

#: Card and answer (review) ids are 32-bit integers in every database llmiq supports.
CardId = Annotated[int, FastApiPath(ge=1, le=2**31 - 1)]
ReviewId = Annotated[int, FastApiPath(ge=1, le=2**31 - 1)]
#: A key per answer, chosen by the client: a retry with the same key is recorded once.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description=(
            "A key you choose for this answer, 1-200 printable ASCII characters (a UUID). Sent "
            "again with the same key — a retry after a timeout or a lost connection — the "
            "answer is recorded once and the response is the first one (the same rating, "
            "card and due date). A key already used for another answer is a 422. Keys are "
            "per person and kept with the answer."
        ),
    ),
]


class BankOut(BaseModel):
    id: str
    title: str
    origin: Literal["built-in", "imported"]
    questions: int
    due: int = Field(description="Cards due today (overdue included).")
    new: int = Field(description="Questions never answered.")


class OptionOut(BaseModel):
    key: str
    text: str


class QuestionOut(BaseModel):
    """A question as asked: no answer, reference or explanation."""

    bank: str
    id: str
    kind: Literal["single", "multiple", "open"]
    topics: list[str]
    prompt: str
    options: list[OptionOut]


class NextOut(BaseModel):
    question: QuestionOut | None
    why: Literal["due", "new", "learning"] | None = None
    card_id: int | None = Field(None, description="None for a question never answered.")
    message: str | None = Field(None, description="Why there is no question, when none.")


class AnswerIn(BaseModel):
    answer: str = Field(max_length=MAX_ANSWER_CHARS, description="Letters, option text or words.")
    duration_ms: int = Field(0, ge=0, le=MAX_DURATION_MS, description="Time taken to answer.")
    rating: int | None = Field(
        None, ge=1, le=4, description="Open questions: your own rating, 1 again .. 4 easy."
    )
    mode: Literal["review", "quiz"] = "review"


class CardOut(BaseModel):
    id: int
    bank: str
    question_id: str
    state: str
    due: datetime
    stability: float | None
    difficulty: float | None
    last_review: datetime | None
    last_rating: str | None


class AnswerOut(BaseModel):
    review_id: int = Field(
        description="This answer's id: POST /api/reviews/{review_id}/rating changes its rating."
    )
    correct: bool | None
    rating: Literal["again", "hard", "good", "easy"]
    answer: list[str] = Field(description="The right option keys (choice questions).")
    reference: str | None = Field(None, description="The reference answer (open questions).")
    card: CardOut


RatingName = Literal["again", "hard", "good", "easy"]


class RatingIn(BaseModel):
    rating: RatingName = Field(description="The answer's new rating, as Anki's four buttons.")


class RatedOut(BaseModel):
    review_id: int
    rating: RatingName
    changed: bool = Field(description="False: the answer had this rating already.")
    card: CardOut = Field(description="The card as rescheduled from the answer with this rating.")


class LoginIn(BaseModel):
    name: str = Field(max_length=100)
    password: str = Field(max_length=1024)


class LoginOut(BaseModel):
    name: str
    csrf_token: str


def _question_out(bank_id: str, question: Question, lang: Lang) -> QuestionOut:
    return QuestionOut(
        bank=bank_id,
        id=question.id,
        kind=question.kind.value,
        topics=question.topics,
        prompt=question.prompt.get(lang),
        options=[OptionOut(key=o.key, text=o.text.get(lang)) for o in question.options],
    )


def _card_out(card: Card | CardState) -> CardOut:
    return CardOut(
        id=card.id,
        bank=card.bank_id,
        question_id=card.question_id,
        state=STATE_NAMES.get(card.state, str(card.state)),
        due=card.due,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
        last_rating=RATING_NAMES.get(card.last_rating or 0),
    )


def _answer_out(answered: Answered, lang: Lang) -> AnswerOut:
    question = answered.question
    return AnswerOut(
        review_id=answered.review_id,
        correct=answered.grade.correct,
        rating=RATING_NAMES[answered.rating],  # type: ignore[arg-type]
        answer=list(question.answer),
        reference=question.reference.get(lang) if question.reference else None,
        card=_card_out(answered.card),
    )


def _bank(web: WebApp, bank_id: str) -> Bank:
    return web.shelf.get(bank_id).bank  # an unknown bank is a 404 (the app's NotFound handler)


def _own_card(web: WebApp, viewer: Viewer, card_id: int) -> Card:
    """The viewer's card; another person's card is "not found", as if it did not exist."""
    practice = practice_for(web, viewer)
    with web.database.reading() as session:
        user_id = practice.existing_user_id(session)
        card = (
            progress.find_card_of_user(session, user_id, card_id) if user_id is not None else None
        )
    if card is None:
        raise HTTPException(404, f"you have no card {card_id}")
    return card


def _json(model: BaseModel) -> Response:
    """A model already validated, as the response (FastAPI would validate it again)."""
    return Response(model.model_dump_json(), media_type="application/json")


async def _question(web: WebApp, bank_id: str, question_id: str) -> tuple[Bank, Question]:
    # for the async answer endpoints: an imported bank is looked up in the thread pool
    bank = (await web.shelf.aget(bank_id)).bank
    try:
        return bank, find_question(bank, question_id)
    except LlmiqError as exc:
        raise HTTPException(404, str(exc)) from None


def _refused(where: list[str], message: str) -> HTTPException:
    # shaped like FastAPI's own validation errors, as the schema says 422s are
    return HTTPException(422, [{"loc": where, "msg": message, "type": "value_error"}])


async def _answer(
    web: WebApp,
    viewer: Viewer,
    bank: Bank,
    question: Question,
    body: AnswerIn,
    lang: Lang,
    key: str | None,
) -> AnswerOut:
    try:
        key = check_idempotency_key(key)
        verdict = grade_answer(question, body.answer, rating=body.rating)
    except BadIdempotencyKey as exc:
        raise _refused(["header", "Idempotency-Key"], str(exc)) from None
    except AnswerRefused as exc:
        raise _refused(["body", "answer"], str(exc)) from None
    try:
        answered = await record_answer(
            web.recorder,
            viewer.name,
            bank,
            question,
            verdict,
            duration_ms=body.duration_ms,
            mode=body.mode,
            key=key,
        )
    except KeyReused as exc:
        raise _refused(["header", "Idempotency-Key"], str(exc)) from None
    return _answer_out(answered, lang)


@router.post(
    "/login",
    response_model=LoginOut,
    responses={429: {"model": ErrorOut, "description": "Too many failed sign-ins."}},
)
def api_login(request: Request, body: LoginIn, web: WebDep, session: SessionDep) -> LoginOut:
    """Sign in (multi-user mode); the response sets the session cookie."""
    if not web.settings.multi_user:
        return LoginOut(name=web.profile, csrf_token=session.csrf_token)
    try:
        found = authenticate(web, body.name.strip(), body.password, client_address(request))
    except LlmiqError as exc:
        raise HTTPException(429, str(exc)) from None
    if found is None:
        raise HTTPException(401, "wrong name or password")
    sign_in(session, *found)
    return LoginOut(name=body.name.strip(), csrf_token=session.csrf_token)


@router.get("/banks", response_model=list[BankOut])
def list_banks(web: WebDep, viewer: ApiViewer, lang: Lang = "en") -> list[BankOut]:
    rows, _ = bank_rows(practice_for(web, viewer), web.shelf.all(), utc_now())
    return [
        BankOut(
            id=row.id,
            title=row.shelved.bank.title.get(lang),
            origin=row.shelved.origin,  # type: ignore[arg-type]
            questions=row.questions,
            due=row.due,
            new=row.new,
        )
        for row in rows
    ]


@router.get("/banks/{bank_id}/next", response_model=NextOut, responses=_NOT_FOUND)
def next_card(web: WebDep, viewer: ApiViewer, bank_id: str, lang: Lang = "en") -> NextOut:
    """The next question of a review session (FSRS order), without its answer."""
    bank = _bank(web, bank_id)
    practice = practice_for(web, viewer)
    practice.sync(bank)
    pick, left = pick_next(practice, bank, web.limits)
    if pick is None:
        message = describe_end(bank.id, left, web.limits, utc_now(), lang)
        return NextOut(question=None, message=message)
    with web.database.reading() as session:
        user_id = practice.existing_user_id(session)
        card = (
            progress.find_card(session, user_id, bank.id, pick.question.id)
            if user_id is not None
            else None
        )
    return NextOut(
        question=_question_out(bank.id, pick.question, lang),
        why=pick.why,  # type: ignore[arg-type]
        card_id=None if card is None else card.id,
    )


@router.post(
    "/banks/{bank_id}/questions/{question_id}/answer",
    response_model=AnswerOut,
    responses=_NOT_FOUND | _WRITE,
)
async def answer_question(
    caller: ApiWriter,
    bank_id: str,
    question_id: str,
    body: AnswerIn,
    idempotency_key: IdempotencyKey = None,
    lang: Lang = "en",
) -> AnswerOut:
    """Grade and record an answer; the card is rescheduled by FSRS. With an
    ``Idempotency-Key`` header, a retry of the same answer is recorded once."""
    web, viewer = caller
    bank, question = await _question(web, bank_id, question_id)
    return _json(await _answer(web, viewer, bank, question, body, lang, idempotency_key))


@router.get("/cards", response_model=list[CardOut], responses=_NOT_FOUND)
def list_cards(web: WebDep, viewer: ApiViewer, bank: str | None = None) -> list[CardOut]:
    """Your cards, soonest due first."""
    if bank is not None:
        _bank(web, bank)
    practice = practice_for(web, viewer)
    with web.database.reading() as session:
        user_id = practice.existing_user_id(session)
        cards = progress.cards_of(session, user_id, bank) if user_id is not None else []
    return [_card_out(card) for card in cards]


@router.get("/cards/{card_id}", response_model=CardOut, responses=_NOT_FOUND)
def get_card(web: WebDep, viewer: ApiViewer, card_id: CardId) -> CardOut:
    return _card_out(_own_card(web, viewer, card_id))


@router.post("/cards/{card_id}/answer", response_model=AnswerOut, responses=_NOT_FOUND | _WRITE)
async def answer_card(
    caller: ApiWriter,
    card_id: CardId,
    body: AnswerIn,
    idempotency_key: IdempotencyKey = None,
    lang: Lang = "en",
) -> AnswerOut:
    """Answer the question of one of your cards (``Idempotency-Key``: as for an answer to a
    question)."""
    web, viewer = caller
    card = await run_in_threadpool(_own_card, web, viewer, card_id)
    bank, question = await _question(web, card.bank_id, card.question_id)
    return _json(await _answer(web, viewer, bank, question, body, lang, idempotency_key))


def _rerate(web: WebApp, viewer: Viewer, review_id: int, rating: int) -> RatedOut:
    practice = practice_for(web, viewer)
    with web.database.reading() as session:
        user_id = practice.existing_user_id(session)
        review = progress.find_review(session, review_id)
        bank_id = review.bank_id if review is not None and review.user_id == user_id else None
    if bank_id is None:  # another person's answer is "not found", as if it did not exist
        raise HTTPException(404, f"you gave no answer {review_id}")
    try:
        rerated = rerate(web.database, web.scheduler, viewer.name, bank_id, review_id, rating)
    except RatingRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return RatedOut(
        review_id=review_id,
        rating=RATING_NAMES[rerated.rating],  # type: ignore[arg-type]
        changed=rerated.changed,
        card=_card_out(rerated.card),
    )


@router.post(
    "/reviews/{review_id}/rating",
    response_model=RatedOut,
    responses=_NOT_FOUND | _WRITE | _CONFLICT,
)
async def rate_answer(caller: ApiWriter, review_id: ReviewId, body: RatingIn) -> RatedOut:
    """Change the rating of one of your answers (``review_id``: an answer's id in the review
    log, as the web's rating buttons after an answer do): its card is rescheduled by FSRS from
    the card just before that answer. Giving the rating it has changes nothing. Refused (409)
    once the question was answered again, or edited, since that answer."""
    web, viewer = caller
    rating = next(value for value, name in RATING_NAMES.items() if name == body.rating)
    return _json(await run_in_threadpool(_rerate, web, viewer, review_id, rating))


@router.get("/stats", responses=_NOT_FOUND)
def api_stats(web: WebDep, viewer: ApiViewer, bank: str | None = None) -> dict[str, Any]:
    """What ``llmiq stats --format json`` prints, for you."""
    if bank is not None:
        _bank(web, bank)
    return stats_of(practice_for(web, viewer), web.shelf.all(), utc_now(), bank)
