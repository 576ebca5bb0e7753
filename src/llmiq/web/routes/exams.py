"""Exams: the runs of language models on each bank (``llmiq exam run`` stores them), with
accuracy and the spread of recall by the answer's position (RStd), before and after
debiasing."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmiq.bank.model import Text
from llmiq.exam.stored_runs import StoredRun, stored_runs
from llmiq.web.banks import UnknownBank
from llmiq.web.deps import PageViewer, WebDep
from llmiq.web.rendering import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class BankRuns:
    bank_id: str
    title: Text | None  # None when the bank is gone (or was a file never imported)
    runs: list[StoredRun]


@router.get("/exams", response_class=HTMLResponse)
def exams_page(request: Request, web: WebDep, viewer: PageViewer) -> HTMLResponse:
    by_bank: dict[str, list[StoredRun]] = {}
    for run in stored_runs(web.database):
        by_bank.setdefault(run.bank, []).append(run)
    groups = []
    for bank_id, runs in sorted(by_bank.items()):
        try:
            title = web.shelf.get(bank_id).bank.title
        except UnknownBank:  # a bank file never imported, or deleted since
            title = None
        groups.append(BankRuns(bank_id, title, runs))
    return render(request, "exams.html", viewer, {"groups": groups})
