"""Import an article in the browser: paste or upload it, see what the importer found (and
every line it did not take), then save the bank. Admins only in multi-user mode: banks are
shared by everyone on the instance."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from llmiq.bank.model import check_identifier
from llmiq.errors import LlmiqError
from llmiq.ingest import ImportResult, bank_id_from, import_text
from llmiq.store.saved_banks import save_bank
from llmiq.textfile import MAX_TEXT_BYTES, decode_text
from llmiq.web.deps import FormCsrf, LangDep, PageAdmin, Viewer, WebDep
from llmiq.web.rendering import flash, render, see_other
from llmiq.web.state import WebApp

router = APIRouter(prefix="/import", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def import_form(request: Request, viewer: PageAdmin) -> HTMLResponse:
    return render(request, "import.html", viewer, {"text": "", "bank_id": "", "title": ""})


async def _article(request: Request) -> tuple[str, str, str, str]:
    """(text, name for messages, bank id, title) from the form; an upload wins over the
    text box."""
    form = await request.form()  # parsed, to the importer's size, by the CSRF check
    upload = form.get("upload")
    name = "the pasted text"
    text = str(form.get("text", ""))
    if isinstance(upload, UploadFile) and upload.filename:
        name = upload.filename
        raw = await upload.read(MAX_TEXT_BYTES + 1)
        if len(raw) > MAX_TEXT_BYTES:
            raise LlmiqError(f"{name}: is larger than {MAX_TEXT_BYTES // 2**20} MiB")
        text = decode_text(raw, name)
    elif len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise LlmiqError(f"the pasted text is larger than {MAX_TEXT_BYTES // 2**20} MiB")
    text = text.replace("\r\n", "\n")
    title = str(form.get("title", "")).strip()
    if len(title) > 500:
        raise LlmiqError("the title is longer than 500 characters")
    bank_id = str(form.get("bank_id", "")).strip()
    if bank_id:
        try:
            check_identifier(bank_id)
        except ValueError as exc:
            raise LlmiqError(f"bank id: {exc}") from None
    else:
        stem = name.rsplit(".", 1)[0] if upload else ""
        bank_id = bank_id_from(stem) if stem else ""
    return text, name, bank_id, title


def _parse(web: WebApp, text: str, name: str, bank_id: str, title: str) -> ImportResult:
    if web.shelf.is_builtin(bank_id):
        raise LlmiqError(f"{bank_id!r} is a built-in bank; choose another bank id")
    return import_text(text, name=name, bank_id=bank_id, title=title or None)


def _preview(
    request: Request, viewer: Viewer, result: ImportResult, text: str, bank_id: str, title: str
) -> HTMLResponse:
    kinds = Counter(q.kind.value for q in result.bank.questions)
    return render(
        request,
        "import_preview.html",
        viewer,
        {
            "result": result,
            "bank": result.bank,
            "kinds": dict(kinds),
            "text": text,
            "bank_id": bank_id,
            "title": title,
        },
    )


@router.post("/preview", dependencies=[FormCsrf])
async def preview(request: Request, web: WebDep, viewer: PageAdmin) -> Response:
    text, name, bank_id, title = await _article(request)
    bank_id = bank_id or "imported"
    try:
        result = await run_in_threadpool(_parse, web, text, name, bank_id, title)
    except LlmiqError as exc:
        return render(
            request,
            "import.html",
            viewer,
            {"text": text, "bank_id": bank_id, "title": title, "error": str(exc)},
            status_code=422,
        )
    return _preview(request, viewer, result, text, bank_id, title)


@router.post("/save", dependencies=[FormCsrf])
async def save(request: Request, web: WebDep, viewer: PageAdmin, lang: LangDep) -> Response:
    text, name, bank_id, title = await _article(request)
    if not bank_id:
        raise LlmiqError("give the bank an id")
    result = await run_in_threadpool(_parse, web, text, name, bank_id, title)
    replaced = await run_in_threadpool(save_bank, web.database, result.bank, title_lang=lang)
    count = len(result.bank.questions)
    flash(
        request,
        f"Saved {count} question(s) as bank {bank_id}" + (" (replaced)." if replaced else "."),
    )
    return see_other(f"/banks/{bank_id}")
