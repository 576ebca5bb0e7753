"""Import an article in the browser: paste or upload it, or give its URL, see what the
importer found (and every line it did not take), then save the bank. Admins only in
multi-user mode: banks are shared by everyone on the instance. A URL is fetched once, in the
thread pool; the preview carries the fetched text, its format and the URL to the save."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from llmiq.bank.model import check_identifier
from llmiq.errors import LlmiqError
from llmiq.ingest import ImportResult, bank_id_from, import_text
from llmiq.ingest.fetch import bank_id_from_url, fetch_page, is_url, with_source
from llmiq.ingest.formats import AUTO, import_format
from llmiq.ingest.importing import decode_article
from llmiq.ingest.result import fold_notes
from llmiq.messages import N_
from llmiq.store.saved_banks import save_bank
from llmiq.textfile import MAX_TEXT_BYTES
from llmiq.web.deps import FormCsrf, LangDep, PageAdmin, Viewer, WebDep, lang_of
from llmiq.web.rendering import flash, render, see_other
from llmiq.web.state import WebApp

router = APIRouter(prefix="/import", include_in_schema=False)


_EMPTY = {"text": "", "bank_id": "", "title": "", "url": "", "source_url": "", "format": AUTO}


@router.get("", response_class=HTMLResponse)
def import_form(request: Request, viewer: PageAdmin) -> HTMLResponse:
    return render(request, "import.html", viewer, dict(_EMPTY))


@dataclass
class _Article:
    text: str
    name: str  # where the text came from, in messages
    bank_id: str
    title: str
    format: str = AUTO  # a fetched page's, from its content type
    source_url: str = ""  # the URL it was fetched from

    def context(self) -> dict[str, str]:
        return {
            "text": self.text,
            "bank_id": self.bank_id,
            "title": self.title,
            "url": "",
            "source_url": self.source_url,
            "format": self.format,
        }


def _url(value: str, field: str) -> str:
    value = value.strip()
    if value and (not is_url(value) or len(value) > 2000):
        raise LlmiqError(N_("{field}: give an http:// or https:// URL"), field=field)
    return value


async def _article(request: Request) -> _Article:
    """The article from the form: a URL (fetched in the thread pool) wins over an upload,
    which wins over the text box. The preview sends a fetched page back as text, with its
    format and URL."""
    form = await request.form()  # parsed, to the importer's size, by the CSRF check
    upload = form.get("upload")
    url = _url(str(form.get("url", "")), "URL")
    source_url = url or _url(str(form.get("source_url", "")), "source URL")
    name = source_url or "the pasted text"
    format = str(form.get("format", AUTO)) or AUTO
    if format != AUTO:
        import_format(format)  # a known name, or one sentence
    text = str(form.get("text", ""))
    if url:
        allow_private = request.app.state.web.settings.fetches_private_urls
        page = await run_in_threadpool(fetch_page, url, allow_private=allow_private)
        text, format = page.text, page.format
    elif isinstance(upload, UploadFile) and upload.filename:
        name = upload.filename
        raw = await upload.read(MAX_TEXT_BYTES + 1)
        if len(raw) > MAX_TEXT_BYTES:
            raise LlmiqError(
                N_("{name}: is larger than {limit} MiB"), name=name, limit=MAX_TEXT_BYTES // 2**20
            )
        text = decode_article(raw, name=name)
        format, source_url = AUTO, ""
    elif len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise LlmiqError(
            N_("the pasted text is larger than {limit} MiB"), limit=MAX_TEXT_BYTES // 2**20
        )
    text = text.replace("\r\n", "\n")
    title = str(form.get("title", "")).strip()
    if len(title) > 500:
        raise LlmiqError(N_("the title is longer than {limit} characters"), limit=500)
    bank_id = str(form.get("bank_id", "")).strip()
    if bank_id:
        try:
            check_identifier(bank_id)
        except ValueError as exc:
            raise LlmiqError(N_("bank id: {problem}"), problem=exc) from None
    elif source_url:
        bank_id = bank_id_from_url(source_url)
    else:
        stem = name.rsplit(".", 1)[0] if upload else ""
        bank_id = bank_id_from(stem) if stem else ""
    return _Article(text, name, bank_id, title, format, source_url)


def _parse(web: WebApp, article: _Article) -> ImportResult:
    if web.shelf.is_builtin(article.bank_id):
        raise LlmiqError(
            N_("{bank} is a built-in bank; choose another bank id"), bank=repr(article.bank_id)
        )
    result = import_text(
        article.text,
        name=article.name,
        bank_id=article.bank_id,
        title=article.title or None,
        format=article.format,
    )
    return with_source(result, article.source_url) if article.source_url else result


def _preview(
    request: Request, viewer: Viewer, result: ImportResult, article: _Article
) -> HTMLResponse:
    kinds = Counter(q.kind.value for q in result.bank.questions)
    return render(
        request,
        "import_preview.html",
        viewer,
        {
            "result": result,
            "notes": fold_notes(result.notes, lang_of(request)),
            "bank": result.bank,
            "kinds": dict(kinds),
            "note": getattr(result, "note", None),  # a web page's lines are its extracted text's
            **article.context(),
        },
    )


@router.post("/preview", dependencies=[FormCsrf])
async def preview(request: Request, web: WebDep, viewer: PageAdmin) -> Response:
    article = await _article(request)
    article.bank_id = article.bank_id or "imported"
    try:
        result = await run_in_threadpool(_parse, web, article)
    except LlmiqError as exc:
        return render(
            request,
            "import.html",
            viewer,
            {**article.context(), "error": str(exc)},
            status_code=422,
        )
    return _preview(request, viewer, result, article)


@router.post("/save", dependencies=[FormCsrf])
async def save(request: Request, web: WebDep, viewer: PageAdmin, lang: LangDep) -> Response:
    article = await _article(request)
    bank_id = article.bank_id
    if not bank_id:
        raise LlmiqError(N_("give the bank an id"))
    result = await run_in_threadpool(_parse, web, article)
    replaced = await run_in_threadpool(save_bank, web.database, result.bank, title_lang=lang)
    count = len(result.bank.questions)
    if replaced:
        flash(request, N_("Saved {count} question(s) as bank {bank} (replaced)."), count=count,
              bank=bank_id)  # fmt: skip
    else:
        flash(request, N_("Saved {count} question(s) as bank {bank}."), count=count, bank=bank_id)
    return see_other(f"/banks/{bank_id}")
