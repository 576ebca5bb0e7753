"""Practice in the browser: review (FSRS queue), quiz (every question in order) and the timed
mock interview. Pages work without JavaScript; ``app.js`` adds keyboard shortcuts and the
mock interview's countdown.

An answer is posted, recorded, then redirected to its feedback page (read back from the
review log), so reloading the feedback records nothing twice. Each card carries a fresh
idempotency key, so that a form sent twice (a double click, a browser retrying after a lost
response) records its answer once.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import FormData

from llmiq.bank.model import Bank, Question
from llmiq.errors import LlmiqError
from llmiq.messages import N_, error_text, translator
from llmiq.practice.mock import pick_across_topics, score_by_topic
from llmiq.practice.rerating import RatingRefused, rerate
from llmiq.practice.review import describe_end, pick_next
from llmiq.practice.scheduling import RATING_NAMES
from llmiq.web.answering import (
    AnswerRefused,
    BadIdempotencyKey,
    KeyReused,
    check_idempotency_key,
    check_length,
    find_question,
    grade_answer,
    load_answered,
    record_answer,
    suggested_rating,
)
from llmiq.web.deps import FormCsrf, PageViewer, Viewer, WebDep, lang_of, practice_for
from llmiq.web.exam_panel import exam_panel
from llmiq.web.flags import FLAG_REASONS
from llmiq.web.labs_panel import lab_panel
from llmiq.web.mock_state import end_early, ended_early, has_ended
from llmiq.web.mock_state import first_answers as first_answers_of
from llmiq.web.ratings import intervals_now, rating_buttons
from llmiq.web.rendering import flash, render, safe_next, see_other
from llmiq.web.state import WebApp

router = APIRouter(prefix="/practice", include_in_schema=False)

MAX_MOCK_QUESTIONS = 100
MAX_MOCK_MINUTES = 240
MODES = ("review", "quiz", "mock")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _int(value: str, default: int = 0) -> int:
    """A number from a hidden form field or the query; anything else is the default."""
    try:
        return int(value)
    except ValueError:
        return default


@dataclass(frozen=True)
class MockInterview:
    """A mock interview, carried in a signed token: its questions, start, length and the id
    its answers are logged under."""

    bank_id: str
    question_ids: list[str]
    started: float  # Unix time
    minutes: float
    session_id: str

    @property
    def deadline(self) -> float:
        return self.started + self.minutes * 60

    def over(self) -> bool:
        return time.time() >= self.deadline

    def token(self, web: WebApp) -> str:
        return _mock_serializer(web).dumps(
            {"b": self.bank_id, "q": self.question_ids, "s": self.started, "m": self.minutes,
             "r": self.session_id}
        )  # fmt: skip

    @classmethod
    def read(cls, web: WebApp, token: str, bank_id: str) -> MockInterview:
        try:
            data = _mock_serializer(web).loads(token)
            mock = cls(data["b"], list(data["q"]), float(data["s"]), float(data["m"]), data["r"])
        except (BadSignature, KeyError, TypeError, ValueError):
            raise LlmiqError(N_("this mock interview link is not valid; start a new one")) from None
        if mock.bank_id != bank_id:
            raise LlmiqError(N_("this mock interview belongs to another bank; start a new one"))
        return mock

    def url(self, web: WebApp, page: str, **query: Any) -> str:
        return f"/practice/{self.bank_id}/mock/{page}?{urlencode({'t': self.token(web)} | query)}"


def _mock_serializer(web: WebApp) -> URLSafeSerializer:
    return URLSafeSerializer(web.secret, salt="llmiq-mock")


def _card(
    request: Request,
    viewer: Viewer,
    bank: Bank,
    question: Question,
    mode: str,
    hidden: dict[str, Any],
    *,
    note: str = "",
    error: str = "",
    deadline: float | None = None,
    position: str = "",
    left: int | None = None,
) -> HTMLResponse:
    """A question card: the form posts the answer with ``hidden`` carried along."""
    return render(
        request,
        "question.html",
        viewer,
        {
            "bank": bank,
            "question": question,
            "mode": mode,
            "hidden": hidden
            | {"mode": mode, "question_id": question.id, "shown_at": _now_ms()}
            | {"idempotency_key": secrets.token_urlsafe(16)},
            "note": note,
            "error": error,
            "deadline": deadline,
            "position": position,
            "left": left,
            "reasons": FLAG_REASONS,
        },
        status_code=422 if error else 200,
    )


def _done(request: Request, viewer: Viewer, bank: Bank, title: str, message: str) -> HTMLResponse:
    return render(request, "done.html", viewer, {"bank": bank, "title": title, "message": message})


@router.get("/{bank_id}/review", response_class=HTMLResponse)
def review(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> HTMLResponse:
    bank = web.shelf.get(bank_id).bank
    practice = practice_for(web, viewer)
    practice.sync(bank)
    pick, left = pick_next(practice, bank, web.limits)
    if pick is None:
        message = describe_end(bank.id, left, web.limits, practice.clock(), lang_of(request))
        return _done(request, viewer, bank, "Nothing to do", message)
    return _card(
        request, viewer, bank, pick.question, "review", {}, note=pick.why, left=left.queued
    )


@router.get("/{bank_id}/quiz", response_class=HTMLResponse)
def quiz(
    request: Request,
    bank_id: str,
    web: WebDep,
    viewer: PageViewer,
    i: int = 0,
    right: int = 0,
    topic: str = "",
) -> HTMLResponse:
    bank = web.shelf.get(bank_id).bank
    questions = [q for q in bank.questions if not topic or topic in q.topics]
    if not 0 <= i < len(questions):
        _ = translator(lang_of(request))
        score = _("Score: {right}/{answered}").format(
            right=min(max(right, 0), len(questions)), answered=len(questions)
        )
        return _done(request, viewer, bank, "Score", score)
    return _card(
        request,
        viewer,
        bank,
        questions[i],
        "quiz",
        {"i": i, "right": right, "topic": topic},
        position=f"{i + 1}/{len(questions)}",
        left=len(questions) - i,
    )


@router.get("/{bank_id}/mock", response_class=HTMLResponse)
def mock_start(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> HTMLResponse:
    bank = web.shelf.get(bank_id).bank
    return render(
        request,
        "mock_start.html",
        viewer,
        {"bank": bank, "count": min(10, len(bank.questions)), "minutes": 15},
    )


@router.post("/{bank_id}/mock", dependencies=[FormCsrf])
async def mock_begin(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> Response:
    bank = (await web.shelf.aget(bank_id)).bank
    form = await request.form()
    count, minutes = _int(str(form.get("count", "10")), -1), _int(str(form.get("minutes")), -1)
    if not 1 <= count <= MAX_MOCK_QUESTIONS or not 0 < minutes <= MAX_MOCK_MINUTES:
        raise LlmiqError(
            f"a mock interview has 1-{MAX_MOCK_QUESTIONS} questions and lasts 1-"
            f"{MAX_MOCK_MINUTES} minutes"
        )
    chosen = pick_across_topics(bank, count, random.Random())
    mock = MockInterview(
        bank.id, [q.id for q in chosen], time.time(), minutes, secrets.token_hex(8)
    )
    return see_other(mock.url(web, "run", i=0))


@router.post("/{bank_id}/mock/end", dependencies=[FormCsrf])
async def mock_end(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> Response:
    """End the interview before its time is up: no more answers, and the report."""
    mock = MockInterview.read(web, str((await request.form()).get("t", "")), bank_id)
    end_early(request, mock.session_id)
    return see_other(mock.url(web, "report"))


@router.get("/{bank_id}/mock/run", response_class=HTMLResponse)
def mock_run(
    request: Request, bank_id: str, web: WebDep, viewer: PageViewer, t: str, i: int = 0
) -> Response:
    bank = web.shelf.get(bank_id).bank
    mock = MockInterview.read(web, t, bank.id)
    if not 0 <= i < len(mock.question_ids) or mock.over() or ended_early(request, mock.session_id):
        return see_other(mock.url(web, "report"))
    return _card(
        request,
        viewer,
        bank,
        find_question(bank, mock.question_ids[i]),
        "mock",
        {"t": t, "i": i},
        deadline=mock.deadline,
        position=f"{i + 1}/{len(mock.question_ids)}",
    )


@router.get("/{bank_id}/mock/report", response_class=HTMLResponse)
def mock_report(
    request: Request, bank_id: str, web: WebDep, viewer: PageViewer, t: str
) -> HTMLResponse:
    """The report, once the interview has ended; before, back to it (see
    :mod:`llmiq.web.mock_state`)."""
    bank = web.shelf.get(bank_id).bank
    mock = MockInterview.read(web, t, bank.id)
    first_answers = first_answers_of(web, viewer, mock.session_id)
    if not has_ended(request, mock.session_id, mock.over(), mock.question_ids, first_answers):
        flash(request, N_("The report opens when the interview ends: when time is up, when "
                          "every question is answered, or when you end it."))  # fmt: skip
        waiting = [n for n, qid in enumerate(mock.question_ids) if qid not in first_answers]
        return see_other(mock.url(web, "run", i=waiting[0]))
    answers = [
        {"question": find_question(bank, qid), "review": first_answers.get(qid)}
        for qid in mock.question_ids
    ]
    by_topic = score_by_topic(
        (a["question"], None if a["review"] is None else bool(a["review"].correct)) for a in answers
    )
    return render(
        request,
        "mock_report.html",
        viewer,
        {
            "bank": bank,
            "answers": answers,
            "right": sum(1 for a in answers if a["review"] is not None and a["review"].correct),
            "unanswered": sum(1 for a in answers if a["review"] is None),
            "by_topic": by_topic,
            "timed_out": mock.over() and len(first_answers) < len(mock.question_ids),
        },
    )


@dataclass(frozen=True)
class PostedAnswer:
    """What a question card (or a rating page) posts."""

    mode: str
    question_id: str
    raw: str  # letters from the options, or the typed text
    duration_ms: int
    rating: int | None
    carried: dict[str, str]  # i, right, topic, t: passed on to the next page
    key: str | None  # the card's idempotency key, carried to the rating page

    @classmethod
    def from_form(cls, form: FormData) -> PostedAnswer:
        field = {key: str(form.get(key, "")) for key in form}
        mode = field.get("mode", "review")
        if mode not in MODES:
            raise LlmiqError(N_("unknown practice mode {mode}"), mode=repr(mode))
        raw = ",".join(str(v) for v in form.getlist("choice")) or field.get("answer", "")
        duration_ms = _int(field.get("duration_ms", ""), -1)
        if duration_ms < 0:  # first post: time since the card was shown
            duration_ms = _now_ms() - _int(field.get("shown_at", ""), _now_ms())
        rating = _int(field["rating"], 0) if field.get("rating") else None
        carried = {k: field[k] for k in ("i", "right", "topic", "t") if k in field}
        try:
            key = check_idempotency_key(field.get("idempotency_key") or None)
        except BadIdempotencyKey as exc:
            raise HTTPException(422, f"{exc}.") from None
        return cls(mode, field.get("question_id", ""), raw, duration_ms, rating, carried, key)

    def next_url(self, bank: Bank, correct: bool) -> str:
        if self.mode == "quiz":
            following = {
                "i": _int(self.carried.get("i", "0")) + 1,
                "right": max(_int(self.carried.get("right", "0")), 0) + correct,
                "topic": self.carried.get("topic", ""),
            }
            return f"/practice/{bank.id}/quiz?{urlencode(following)}"
        return f"/practice/{bank.id}/review"


@router.post("/{bank_id}/answer", dependencies=[FormCsrf])
async def answer(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> Response:
    """One answer from a question card, or the rating of an open answer."""
    bank = (await web.shelf.aget(bank_id)).bank
    posted = PostedAnswer.from_form(await request.form())
    question = find_question(bank, posted.question_id)
    mock = None
    if posted.mode == "mock":
        mock = MockInterview.read(web, posted.carried.get("t", ""), bank.id)
    deadline = mock.deadline if mock else None
    if mock is not None and mock.over():
        flash(request, N_("Time is up: the last answer came too late to count."))
        return see_other(mock.url(web, "report"))
    if mock is not None:
        answered = await run_in_threadpool(first_answers_of, web, viewer, mock.session_id)
        if question.id in answered or has_ended(
            request, mock.session_id, False, mock.question_ids, answered
        ):
            flash(request, N_("This interview has ended or this question was answered: the "
                              "answer does not count."))  # fmt: skip
            return see_other(mock.url(web, "report"))

    def ask_again(error: str) -> HTMLResponse:
        return _card(
            request, viewer, bank, question, posted.mode, posted.carried, error=error,
            deadline=deadline,
        )  # fmt: skip

    try:
        check_length(posted.raw)
        if not question.is_choice and posted.rating is None:
            if not posted.raw.strip():
                return ask_again(translator(lang_of(request))(N_("Type an answer first.")))
            intervals = await run_in_threadpool(
                intervals_now, web, viewer.name, bank.id, question, lang_of(request)
            )
            return _rating_page(request, viewer, bank, question, posted, intervals)
        verdict = grade_answer(question, posted.raw, rating=posted.rating)
    except AnswerRefused as exc:
        return ask_again(error_text(exc, lang_of(request)))
    following = posted.next_url(bank, bool(verdict.correct))
    try:
        answered = await record_answer(
            web.recorder,
            viewer.name,
            bank,
            question,
            verdict,
            duration_ms=posted.duration_ms,
            mode=posted.mode,
            session_id=mock.session_id if mock else None,
            key=posted.key,
        )
    except KeyReused as exc:  # this card's form was sent before with another answer
        flash(request, N_("This card was answered already; this is the answer that counts."))
        review_id = exc.review_id
    else:
        review_id = answered.review_id
    if mock is not None:
        return see_other(mock.url(web, "run", i=_int(posted.carried.get("i", "0")) + 1))
    return see_other(f"/practice/{bank.id}/answered/{review_id}?{urlencode({'next': following})}")


def _rating_page(
    request: Request,
    viewer: Viewer,
    bank: Bank,
    question: Question,
    posted: PostedAnswer,
    intervals: dict[int, str],
) -> HTMLResponse:
    """The reference answer, and 1-4 for the person to rate their own answer, each with the
    interval it would set."""
    return render(
        request,
        "rate.html",
        viewer,
        {
            "bank": bank,
            "question": question,
            "given": posted.raw,
            "suggested": suggested_rating(question, posted.raw, posted.duration_ms),
            "intervals": intervals,
            "hidden": posted.carried
            | {
                "mode": posted.mode,
                "question_id": question.id,
                "answer": posted.raw,
                "duration_ms": posted.duration_ms,
            }
            | ({"idempotency_key": posted.key} if posted.key else {}),
        },
    )


@router.get("/{bank_id}/answered/{review_id}", response_class=HTMLResponse)
async def feedback(
    request: Request,
    bank_id: str,
    review_id: int,
    web: WebDep,
    viewer: PageViewer,
    next: str = "",
) -> HTMLResponse:
    """Feedback on one of your answers: the verdict, every option's why, the explanation,
    how language models answered it (stored exam runs) and the question's lab; under it the
    four rating buttons with their intervals while the answer's rating can still change."""
    bank = (await web.shelf.aget(bank_id)).bank
    answered = await run_in_threadpool(load_answered, web.database, viewer.name, bank, review_id)
    exam = await run_in_threadpool(exam_panel, web.database, bank.id, answered.question.id)
    ratings = await run_in_threadpool(
        rating_buttons, web, viewer.name, bank.id, answered.question, review_id,
        lang_of(request),
    )  # fmt: skip
    return render(
        request,
        "feedback.html",
        viewer,
        {
            "bank": bank,
            "question": answered.question,
            "answered": answered,
            "rating_name": RATING_NAMES.get(answered.rating, "good"),
            "next_url": safe_next(next, f"/practice/{bank.id}/review"),
            "ratings": ratings,
            "lab": lab_panel(answered.question.lab, web.data_dir),
            "exam": exam,
            "reasons": FLAG_REASONS,
        },
    )


@router.post("/{bank_id}/answered/{review_id}/rating", dependencies=[FormCsrf])
async def rate(
    request: Request, bank_id: str, review_id: int, web: WebDep, viewer: PageViewer
) -> Response:
    """One of the four rating buttons: the answer takes that rating (the one it has already:
    nothing changes), then on to the next question. See :mod:`llmiq.practice.rerating`."""
    form = await request.form()
    following = safe_next(str(form.get("next", "")), f"/practice/{bank_id}/review")
    try:
        await run_in_threadpool(
            rerate, web.database, web.scheduler, viewer.name, bank_id, review_id,
            _int(str(form.get("rating", "")), 0),
        )  # fmt: skip
    except RatingRefused as exc:
        flash(request, exc.message, **exc.fields)  # a catalog message: in the page's language
    return see_other(following)
