"""Statistics: numbers as a page and the CLI's figure as SVG."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from llmiq.clock import utc_now
from llmiq.practice.plots import stats_plot_bytes
from llmiq.practice.stats import RETENTION_NOTE
from llmiq.web.deps import LangDep, PageViewer, WebDep, practice_for
from llmiq.web.overview import stats_of
from llmiq.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request, web: WebDep, viewer: PageViewer, bank: str | None = None
) -> HTMLResponse:
    banks = web.shelf.all()
    numbers = stats_of(practice_for(web, viewer), banks, utc_now(), bank or None)
    return render(
        request,
        "stats.html",
        viewer,
        {
            "stats": numbers,
            "banks": [s.bank for s in banks],
            "chosen": bank or "",
            "retention_note": RETENTION_NOTE,
        },
    )


@router.get("/stats.svg")
def stats_svg(web: WebDep, viewer: PageViewer, lang: LangDep, bank: str | None = None) -> Response:
    """The heatmap, forecast and accuracy by topic, drawn by the CLI's plotting code. Served
    as an image (never inlined), so no text in it can run as script."""
    numbers = stats_of(practice_for(web, viewer), web.shelf.all(), utc_now(), bank or None)
    svg = stats_plot_bytes(numbers, "svg", lang)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
