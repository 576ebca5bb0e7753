"""Home and language switch."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from llmiq.clock import utc_now
from llmiq.messages import N_
from llmiq.web.deps import LANG_COOKIE, PageViewer, WebDep, practice_for
from llmiq.web.labs_panel import lab_panel
from llmiq.web.overview import bank_rows
from llmiq.web.rendering import render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, web: WebDep, viewer: PageViewer) -> HTMLResponse:
    rows, streak_days = bank_rows(practice_for(web, viewer), web.shelf.all(), utc_now())
    return render(
        request,
        "home.html",
        viewer,
        {
            "rows": rows,
            "streak": streak_days,
            "due_total": sum(row.due for row in rows),
        },
    )


@router.get("/lang/{lang}")
def switch_language(lang: Literal["zh", "en"], next: str | None = None) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.get("/labs/{lab_id}/{name}")
def lab_figure(lab_id: str, name: str, web: WebDep, viewer: PageViewer) -> FileResponse:
    """A figure of the lab's report shown with the question (only the figures it lists)."""
    panel = lab_panel(lab_id, web.data_dir)
    if panel is None or panel.folder is None or name not in panel.figures:
        raise HTTPException(404, N_("There is no such figure."))
    return FileResponse(panel.folder / name, media_type="image/png")
