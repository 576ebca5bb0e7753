"""Build the web app: ``create_app()`` is the factory uvicorn calls in every worker."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from llmiq import __version__
from llmiq.config import default_profile, load_settings
from llmiq.errors import LlmiqError
from llmiq.messages import N_, error_text
from llmiq.paths import data_dir
from llmiq.practice.queue import DailyLimits
from llmiq.practice.scheduling import make_scheduler
from llmiq.store.database import open_database
from llmiq.store.errors import DatabaseUnavailable
from llmiq.web.api_docs import add_api_docs
from llmiq.web.assets import StaticAssets
from llmiq.web.banks import BankShelf
from llmiq.web.body_limit import BodyLimitMiddleware
from llmiq.web.deps import (
    AdminRequired,
    CsrfRejected,
    SignInRequired,
    lang_of,
    optional_viewer,
)
from llmiq.web.errors import NotFound
from llmiq.web.outage import unavailable
from llmiq.web.recorder import AnswerRecorder
from llmiq.web.rendering import render, see_other
from llmiq.web.routes import admin, api, auth, banks, exams, imports, pages, practice, stats
from llmiq.web.security_headers import SecurityHeadersMiddleware
from llmiq.web.sessions import SessionMiddleware
from llmiq.web.settings import WebSettings
from llmiq.web.state import WebApp

#: Names a browser uses for this machine; any other Host header in single-user mode is a
#: DNS-rebinding attempt (a web page making the browser talk to the local app).
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The app, its database opened (and migrated) and its banks parsed."""
    settings = settings or WebSettings()
    home = data_dir()
    secret = settings.checked_secret(home)
    config = load_settings()
    profile = settings.profile or default_profile(config)
    limits = DailyLimits(
        new=config.new_per_day if settings.new_per_day is None else settings.new_per_day,
        reviews=config.reviews_per_day
        if settings.reviews_per_day is None
        else settings.reviews_per_day,
    )
    database = open_database(settings.database_url)
    package = files("llmiq.web")
    templates = Jinja2Templates(directory=Path(str(package.joinpath("templates"))))
    scheduler = make_scheduler()
    web = WebApp(
        settings=settings,
        database=database,
        shelf=BankShelf(database),
        scheduler=scheduler,
        recorder=AnswerRecorder(database, scheduler),
        templates=templates,
        profile=profile,
        limits=limits,
        data_dir=home,
        secret=secret,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What exists now (modules, banks, templates) lives as long as the process: freezing
        # it keeps the collector from walking it again and again. Under load, full
        # collections paused answers for up to 90 ms before (benchmarks/web_load.py).
        gc.collect()
        gc.freeze()
        web.recorder.start()
        try:
            yield
        finally:
            web.recorder.stop()
            database.close()

    app = FastAPI(
        lifespan=lifespan,
        title="llmiq",
        summary="Practise LLM interview questions with spaced repetition.",
        version=__version__,
        docs_url=None,  # served from local assets by add_api_docs
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = web
    app.add_middleware(
        SessionMiddleware, secret_key=secret, max_age_seconds=settings.session_days * 86400
    )
    app.add_middleware(BodyLimitMiddleware)
    if not settings.multi_user:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)
    app.add_middleware(SecurityHeadersMiddleware)  # last added, outermost: on every response
    app.mount("/static", StaticAssets(Path(str(package.joinpath("static")))), "static")
    for router in (  # the API first: its answer endpoint is the hottest path
        api.router,
        pages.router,
        practice.router,
        banks.router,
        stats.router,
        exams.router,
        imports.router,
        auth.router,
        admin.router,
    ):
        app.include_router(router)
    add_api_docs(app, "/api/openapi.json")
    _add_error_pages(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _said(request: Request, error: LlmiqError) -> str:
    """The error's sentence for its reader: English for the API, else the page's language."""
    return str(error) if _wants_json(request) else error_text(error, lang_of(request))


def _add_error_pages(app: FastAPI) -> None:
    """Errors as a page (or JSON under /api/): one sentence, the right status, no traceback.

    Handlers run on the event loop: the page's look-up of who is signed in goes to the thread
    pool like every other database query (a locked SQLite file held it, and with it every
    request of the process, for the busy timeout), and a database that fails there too
    leaves the page without the signed-in parts, never a bare 500."""

    async def error_page(request: Request, status: int, message: str) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        try:
            viewer = await run_in_threadpool(
                optional_viewer, request.app.state.web, request.scope["session"]
            )
        except DatabaseUnavailable:
            viewer = None
        return render(request, "error.html", viewer, {"message": message}, status_code=status)

    @app.exception_handler(DatabaseUnavailable)  # before LlmiqError: it is one, more specific
    async def database_down(request: Request, exc: DatabaseUnavailable) -> Response:
        return unavailable(request, exc, json=_wants_json(request))

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other(f"/login?next={quote(target, safe='/')}")

    @app.exception_handler(AdminRequired)
    async def admin_only(request: Request, exc: AdminRequired) -> Response:
        return await error_page(request, 403, N_("This page is for admins."))

    @app.exception_handler(CsrfRejected)
    async def csrf(request: Request, exc: CsrfRejected) -> Response:
        return await error_page(
            request,
            403,
            N_(
                "The form was refused: it is stale or did not come from this site. "
                "Reload the page and try again."
            ),
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return await error_page(request, 404, _said(request, exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "the request"
        return await error_page(request, 422, f"{where}: {first.get('msg', 'not valid')}")

    @app.exception_handler(LlmiqError)
    async def refused(request: Request, exc: LlmiqError) -> Response:
        return await error_page(request, 400, _said(request, exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        # error.html translates the message: these, and details raised as catalog messages
        message = exc.detail if isinstance(exc.detail, str) else N_("That did not work.")
        if exc.status_code == 404 and message == "Not Found":
            message = N_("There is no such page.")
        elif exc.status_code == 405:
            message = N_("This address takes no such request; go back and use the page's form.")
        return await error_page(request, exc.status_code, message)
