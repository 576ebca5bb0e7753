"""Where a web mock interview stands: its answers so far (the review log, by the interview's
id), and whether it has ended (time up, every question answered, or ended by the person).

The report stays hidden until the interview ends, and an answer after the end is refused:
otherwise the report, showing every key, could be read before answering. Ending early is
kept in the signed session cookie (the interview itself lives in a signed link, and the
server keeps no state for it): the browser that ended it can no longer answer in it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from llmiq.store import progress
from llmiq.web.deps import Viewer, practice_for, session_of
from llmiq.web.state import WebApp

#: interviews ended early remembered per browser (the oldest forgotten first)
MAX_ENDED = 20


def first_answers(web: WebApp, viewer: Viewer, session_id: str) -> dict[str, Any]:
    """The first logged answer to each question of the interview ``session_id``."""
    practice = practice_for(web, viewer)
    with web.database.reading() as session:
        user_id = practice.existing_user_id(session)
        logged = (
            [] if user_id is None else progress.reviews_in_session(session, user_id, session_id)
        )
    first: dict[str, Any] = {}
    for review in logged:
        first.setdefault(review.question_id, review)
    return first


def ended_early(request: Request, session_id: str) -> bool:
    return session_id in session_of(request).get("ended_mocks", [])


def end_early(request: Request, session_id: str) -> None:
    session = session_of(request)
    ended = [s for s in session.get("ended_mocks", []) if s != session_id]
    session["ended_mocks"] = [*ended, session_id][-MAX_ENDED:]


def has_ended(
    request: Request, session_id: str, over: bool, question_ids: list[str], answered: dict
) -> bool:
    """Time is up, every question has an answer, or the person ended it here."""
    return over or set(question_ids) <= set(answered) or ended_early(request, session_id)
