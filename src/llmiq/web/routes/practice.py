"""Practice in the browser: review (FSRS queue), quiz (every question in order) and the timed
mock interview. Pages work without JavaScript; ``app.js`` adds keyboard shortcuts and the
mock interview's countdown."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from llmiq.bank.model import Bank, Question
from llmiq.errors import LlmiqError
from llmiq.practice.mock import pick_across_topics
from llmiq.practice.review import describe_end, pick_next
from llmiq.practice.scheduling import RATING_NAMES, utc_now
from llmiq.store.models import Review
from llmiq.web.answering import (
    AnswerRefused,
    find_question,
    grade_answer,
    record_answer,
    suggested_rating,
)
from llmiq.web.deps import FormCsrf, PageViewer, Viewer, WebDep, practice_for
from llmiq.web.labs_panel import lab_panel
from llmiq.web.rendering import flash, render, see_other
from llmiq.web.routes.banks import FLAG_REASONS
from llmiq.web.state import WebApp

router = APIRouter(prefix="/practice", include_in_schema=False)

MAX_MOCK_QUESTIONS = 100
MAX_MOCK_MINUTES = 240


def _now_ms() -> int:
    return int(time.time() * 1000)


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except ValueError:
        return default


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
) -> HTMLResponse:
    return render(
        request,
        "question.html",
        viewer,
        {
            "bank": bank,
            "question": question,
            "mode": mode,
            "hidden": hidden | {"mode": mode, "question_id": question.id, "shown_at": _now_ms()},
            "note": note,
            "error": error,
            "deadline": deadline,
            "position": position,
            "reasons": FLAG_REASONS,
        },
        status_code=422 if error else 200,
    )


@router.get("/{bank_id}/review", response_class=HTMLResponse)
def review(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> HTMLResponse:
    bank = web.shelf.get(bank_id).bank
    practice = practice_for(web, viewer)
    practice.sync(bank)
    pick, left = pick_next(practice, bank, web.limits)
    if pick is None:
        message = describe_end(bank.id, left, web.limits, practice.clock())
        return render(request, "done.html", viewer, {"bank": bank, "message": message})
    return _card(request, viewer, bank, pick.question, "review", {}, note=pick.why)


def _quiz_questions(bank: Bank, topic: str) -> list[Question]:
    return [q for q in bank.questions if not topic or topic in q.topics]


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
    questions = _quiz_questions(bank, topic)
    if i >= len(questions) or i < 0:
        message = f"Score: {min(right, len(questions))}/{len(questions)}"
        return render(request, "done.html", viewer, {"bank": bank, "message": message})
    return _card(
        request,
        viewer,
        bank,
        questions[i],
        "quiz",
        {"i": i, "right": right, "topic": topic},
        position=f"{i + 1}/{len(questions)}",
    )


def _mock_serializer(web: WebApp) -> URLSafeSerializer:
    return URLSafeSerializer(web.secret, salt="llmiq-mock")


def _read_mock(web: WebApp, token: str, bank_id: str) -> dict[str, Any]:
    try:
        data = _mock_serializer(web).loads(token)
    except BadSignature:
        raise LlmiqError("this mock interview link is not valid; start a new one") from None
    if data.get("b") != bank_id:
        raise LlmiqError("this mock interview belongs to another bank; start a new one")
    return data


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
    bank = web.shelf.get(bank_id).bank
    form = await request.form()
    try:
        count = int(str(form.get("count", "10")))
        minutes = float(str(form.get("minutes", "15")))
    except ValueError:
        raise LlmiqError("questions and minutes must be numbers") from None
    if not 1 <= count <= MAX_MOCK_QUESTIONS or not 0 < minutes <= MAX_MOCK_MINUTES:
        raise LlmiqError(
            f"a mock interview has 1-{MAX_MOCK_QUESTIONS} questions and lasts at most "
            f"{MAX_MOCK_MINUTES} minutes"
        )
    chosen = pick_across_topics(bank, count, random.Random())
    token = _mock_serializer(web).dumps(
        {"b": bank.id, "q": [q.id for q in chosen], "s": time.time(), "m": minutes}
    )
    return see_other(f"/practice/{bank.id}/mock/run?{urlencode({'t': token, 'i': 0})}")


@router.get("/{bank_id}/mock/run", response_class=HTMLResponse)
def mock_run(
    request: Request, bank_id: str, web: WebDep, viewer: PageViewer, t: str, i: int = 0
) -> Response:
    bank = web.shelf.get(bank_id).bank
    data = _read_mock(web, t, bank.id)
    deadline = data["s"] + data["m"] * 60
    ids = data["q"]
    if i >= len(ids) or i < 0 or time.time() >= deadline:
        return see_other(f"/practice/{bank.id}/mock/report?{urlencode({'t': t})}")
    return _card(
        request,
        viewer,
        bank,
        find_question(bank, ids[i]),
        "mock",
        {"t": t, "i": i},
        deadline=deadline,
        position=f"{i + 1}/{len(ids)}",
    )


@router.get("/{bank_id}/mock/report", response_class=HTMLResponse)
def mock_report(
    request: Request, bank_id: str, web: WebDep, viewer: PageViewer, t: str
) -> HTMLResponse:
    bank = web.shelf.get(bank_id).bank
    data = _read_mock(web, t, bank.id)
    started = datetime.fromtimestamp(data["s"], UTC)
    practice = practice_for(web, viewer)
    with web.database.transaction() as session:
        user_id = practice.existing_user_id(session)
        rows = (
            session.scalars(
                select(Review).where(
                    Review.user_id == user_id,
                    Review.bank_id == bank.id,
                    Review.mode == "mock",
                    Review.reviewed_at >= started - timedelta(seconds=1),
                )
            ).all()
            if user_id is not None
            else []
        )
    given = {row.question_id: row for row in rows}
    answers = []
    for qid in data["q"]:
        question = find_question(bank, qid)
        answers.append({"question": question, "review": given.get(qid)})
    by_topic: dict[str, list[int]] = {}
    for answer in answers:
        for topic in answer["question"].topics or ["(no topic)"]:
            score = by_topic.setdefault(topic, [0, 0])
            score[0] += bool(answer["review"] is not None and answer["review"].correct)
            score[1] += 1
    right = sum(1 for a in answers if a["review"] is not None and a["review"].correct)
    return render(
        request,
        "mock_report.html",
        viewer,
        {
            "bank": bank,
            "answers": answers,
            "right": right,
            "by_topic": by_topic,
            "timed_out": time.time() >= data["s"] + data["m"] * 60 and len(given) < len(data["q"]),
        },
    )


@router.post("/{bank_id}/answer", dependencies=[FormCsrf])
async def answer(request: Request, bank_id: str, web: WebDep, viewer: PageViewer) -> Response:
    """One answer from a question card (or a rating of an open answer)."""
    bank = web.shelf.get(bank_id).bank
    form = await request.form()
    field = lambda name, default="": str(form.get(name, default))  # noqa: E731
    mode = field("mode", "review")
    if mode not in ("review", "quiz", "mock"):
        raise LlmiqError(f"unknown practice mode {mode!r}")
    question = find_question(bank, field("question_id"))
    raw = ",".join(str(v) for v in form.getlist("choice")) or field("answer")
    duration_ms = _int(field("duration_ms"), -1)
    if duration_ms < 0:
        duration_ms = _now_ms() - _int(field("shown_at"), _now_ms())
    carried = {k: field(k) for k in ("i", "right", "topic", "t") if k in form}
    mock: dict[str, Any] | None = None
    deadline = None
    if mode == "mock":
        mock = _read_mock(web, field("t"), bank.id)
        report = f"/practice/{bank.id}/mock/report?{urlencode({'t': field('t')})}"
        deadline = mock["s"] + mock["m"] * 60
        if time.time() >= deadline:
            flash(request, "Time is up: the last answer came too late to count.")
            return see_other(report)
    rating = _int(field("rating")) if field("rating") else None
    if not question.is_choice and rating is None:
        if not raw.strip():
            return _card(
                request,
                viewer,
                bank,
                question,
                mode,
                carried,
                error="Type an answer first.",
                deadline=deadline,
            )
        return render(
            request,
            "rate.html",
            viewer,
            {
                "bank": bank,
                "question": question,
                "given": raw,
                "suggested": suggested_rating(question, raw, duration_ms),
                "hidden": carried
                | {
                    "mode": mode,
                    "question_id": question.id,
                    "answer": raw,
                    "duration_ms": duration_ms,
                },
            },
        )
    try:
        verdict = grade_answer(question, raw, rating=rating)
    except AnswerRefused as exc:
        return _card(
            request, viewer, bank, question, mode, carried, error=str(exc), deadline=deadline
        )
    answered = await record_answer(
        web.recorder, viewer.name, bank, question, verdict, duration_ms=duration_ms, mode=mode
    )
    if mock is not None:
        following = _int(field("i")) + 1
        return see_other(
            f"/practice/{bank.id}/mock/run?{urlencode({'t': field('t'), 'i': following})}"
        )
    if mode == "quiz":
        following = {
            "i": _int(field("i")) + 1,
            "right": _int(field("right")) + bool(answered.grade.correct),
            "topic": field("topic"),
        }
        next_url = f"/practice/{bank.id}/quiz?{urlencode(following)}"
    else:
        next_url = f"/practice/{bank.id}/review"
    return render(
        request,
        "feedback.html",
        viewer,
        {
            "bank": bank,
            "question": question,
            "answered": answered,
            "rating_name": RATING_NAMES[answered.rating],
            "next_url": next_url,
            "lab": lab_panel(question.lab, web.data_dir),
            "reasons": FLAG_REASONS,
            "now": utc_now(),
        },
    )
