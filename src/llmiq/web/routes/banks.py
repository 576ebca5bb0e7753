"""The bank browser with search, export downloads, and flags on questions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BeforeValidator

from llmiq.bank.model import Question, Text
from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.export.formats import EXPORT_FORMATS, export_format_for_suffix
from llmiq.messages import N_
from llmiq.store import accounts
from llmiq.web.answering import find_question
from llmiq.web.deps import FormCsrf, LangDep, PageViewer, WebDep, practice_for
from llmiq.web.flags import FLAG_REASONS, MAX_COMMENT_CHARS
from llmiq.web.rendering import flash, render, safe_next, see_other
from llmiq.web.state import WebApp

router = APIRouter(include_in_schema=False)


def _matches(question: Question, words: list[str]) -> bool:
    texts = [question.prompt.zh, question.prompt.en]
    for option in question.options:
        texts += [option.text.zh, option.text.en]
    for text in (question.reference, question.explanation):
        if text is not None:
            texts += [text.zh, text.en]
    haystack = " ".join(t for t in texts if t).casefold()
    return all(word in haystack for word in words)


#: difficulty level -> its name (translated in the templates)
DIFFICULTY_NAMES = {1: N_("basic"), 2: N_("intermediate"), 3: N_("advanced")}


def _blank_is_none(value: object) -> object:
    """An empty select (``?difficulty=``) means no filter, not a validation error."""
    return None if value == "" else value


def _area_name(web: WebApp, area_id: str) -> Text:
    try:
        area = web.shelf.get(area_id).bank.area
    except LlmiqError:
        area = None
    return area or Text(en=area_id)


@router.get("/banks/{bank_id}", response_class=HTMLResponse)
def browse(
    request: Request,
    bank_id: str,
    web: WebDep,
    viewer: PageViewer,
    q: str = "",
    topic: str = "",
    area: str = "",
    difficulty: Annotated[int | None, BeforeValidator(_blank_is_none)] = None,
) -> HTMLResponse:
    shelved = web.shelf.get(bank_id)
    bank = shelved.bank
    words = q.casefold().split()
    shown = [
        question
        for question in bank.questions
        if (not topic or topic in question.topics)
        and (not area or question.area == area)
        and (difficulty is None or question.difficulty == difficulty)
        and (not words or _matches(question, words))
    ]
    topics = sorted({t for question in bank.questions for t in question.topics})
    area_ids = list(dict.fromkeys(question.area for question in bank.questions if question.area))
    areas = [(area_id, _area_name(web, area_id)) for area_id in area_ids]
    return render(
        request,
        "bank.html",
        viewer,
        {
            "bank": bank,
            "origin": shelved.origin,
            "questions": shown,
            "topics": topics,
            "q": q,
            "topic": topic,
            "areas": areas,
            "area": area,
            "difficulty": difficulty,
            "difficulty_names": DIFFICULTY_NAMES,
            "reasons": FLAG_REASONS,
            "export_formats": EXPORT_FORMATS,
        },
    )


@router.get("/banks/{bank_id}/export.{suffix}")
def export(bank_id: str, suffix: str, web: WebDep, viewer: PageViewer, lang: LangDep) -> Response:
    try:
        fmt = export_format_for_suffix(suffix)
    except LlmiqError as exc:
        raise HTTPException(404, str(exc)) from None
    bank = web.shelf.get(bank_id).bank
    return Response(
        fmt.write(bank, lang),
        media_type=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{fmt.file_name(bank.id)}"'},
    )


@router.post("/flags", dependencies=[FormCsrf])
def flag_question(
    request: Request,
    web: WebDep,
    viewer: PageViewer,
    bank_id: Annotated[str, Form()],
    question_id: Annotated[str, Form()],
    reason: Annotated[Literal["answer", "translation", "other"], Form()],
    comment: Annotated[str, Form(max_length=MAX_COMMENT_CHARS)] = "",
    next: Annotated[str, Form()] = "/",
) -> RedirectResponse:
    question = find_question(web.shelf.get(bank_id).bank, question_id)
    practice = practice_for(web, viewer)
    with web.database.transaction() as session:
        accounts.add_flag(
            session,
            user_id=practice.user_id(session),
            bank_id=bank_id,
            question_id=question.id,
            reason=reason,
            comment=comment.strip(),
            now=utc_now(),
        )
    flash(request, N_("Thank you: the question is flagged for an admin to check."))
    return see_other(safe_next(next))
