"""Browser tests: Debian's Chromium (scripts/test-chromium) driven by Playwright's sync API, apps
served by uvicorn in background threads, screenshots under test-artifacts/.

Where Chromium or Playwright is missing the browser tests skip, and fail under CI=true.
While the session's browser is open, Playwright marks its event loop as running in the test
thread between calls: asyncio.run() in a test raises then. Run async code in another thread
(as Starlette's TestClient does).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page

CHROMIUM_ENV = "LLMIQ_TEST_CHROMIUM"
ARTIFACTS_ENV = "LLMIQ_TEST_ARTIFACTS"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    "Chromium is missing: run scripts/test-chromium as root (Debian package chromium)"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Playwright's default is 30 s per action; a local app answers in milliseconds.
ACTION_TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT_S = 30
SCREENSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# What the page printed to its console (errors and warnings) and its uncaught exceptions,
# shown with the test's failure.
BROWSER_LOG = pytest.StashKey[list[str]]()


def artifacts_dir(config: pytest.Config) -> Path:
    """test-artifacts/ in the repository, or $LLMIQ_TEST_ARTIFACTS (relative to the repository)."""
    return config.rootpath / os.environ.get(ARTIFACTS_ENV, "test-artifacts")


@pytest.fixture(scope="session")
def chromium_path(service_missing: Callable[[str], NoReturn]) -> Path:
    """The Chromium executable: $LLMIQ_TEST_CHROMIUM, else /usr/bin/chromium. Skips (fails under
    CI=true) when it or the playwright package is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        service_missing(f"Playwright is missing ({error}): pip install -e '.[dev]'")
    configured = os.environ.get(CHROMIUM_ENV)
    path = Path(configured) if configured else DEFAULT_CHROMIUM
    if not (path.is_file() and os.access(path, os.X_OK)):
        if configured:
            service_missing(f"Chromium is missing: {CHROMIUM_ENV}={configured} is not executable")
        service_missing(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
    except BaseException:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        try:
            browser.close()
        finally:
            playwright.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies or storage from other tests), 1280x900.
    When the test fails, its screenshot goes to test-artifacts/screenshots/failures/."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    log = request.node.stash.setdefault(BROWSER_LOG, [])

    def on_console(message: ConsoleMessage) -> None:
        # Chromium asks every site for /favicon.ico: its 404 is noise.
        if message.type in ("error", "warning") and not message.location["url"].endswith(
            "/favicon.ico"
        ):
            log.append(f"console.{message.type}: {message.text} ({message.location['url']})")

    def on_page_error(error: Error) -> None:
        log.append(f"uncaught: {error.stack or error.message}")

    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def save_screenshot(pytestconfig: pytest.Config) -> Callable[[Page, str], Path]:
    """``save_screenshot(page, "home")`` saves the full page to
    test-artifacts/screenshots/home.png and returns the path."""
    folder = artifacts_dir(pytestconfig) / "screenshots"

    def save(page: Page, name: str) -> Path:
        if not SCREENSHOT_NAME.fullmatch(name):
            raise ValueError(f"screenshot names are letters, digits, '.', '_' and '-': {name!r}")
        return _screenshot(page, folder / f"{name}.png")

    return save


def _screenshot(page: Page, path: Path, timeout_ms: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True, timeout=timeout_ms)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test that used ``page``: screenshot the page while it is still open, and add
    the screenshot's path and the page's console errors to the failure report."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    log = item.stash.get(BROWSER_LOG, [])
    if log:
        report.sections.append(("browser console", "\n".join(log)))
    page = getattr(item, "funcargs", {}).get("page")
    if page is None:
        return report
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", item.nodeid).strip("_")
    path = artifacts_dir(item.config) / "screenshots" / "failures" / f"{name}.png"
    try:
        # A short timeout: a page that hangs must not hold up the report.
        _screenshot(page, path, timeout_ms=5_000)
    except Exception as error:
        report.sections.append(("screenshot", f"failed: {error}"))
    else:
        report.sections.append(("screenshot", str(path)))
    return report


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread of its own (the test thread belongs to
    Playwright's event loop) on a free port of 127.0.0.1, yield its base URL."""
    import uvicorn

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Bound here, handed to uvicorn: the port is known at once and cannot be taken meanwhile.
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            # Leave logging alone: uvicorn's records go to pytest's log capture.
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(config)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as error:  # re-raised in the test thread
                errors.append(error)

        thread = threading.Thread(target=run, name=f"live-server-{port}", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not server.started:
                # A failed lifespan startup ends in SystemExit(3), after uvicorn logged why.
                if errors or not thread.is_alive():
                    raise RuntimeError(
                        f"the live server on port {port} did not start (see the uvicorn.error log)"
                    ) from (errors[0] if errors else None)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the live server on port {port} did not start in time")
                time.sleep(0.01)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=5)
        if errors:
            raise RuntimeError(f"the live server on port {port} failed") from errors[0]
        if thread.is_alive():
            raise RuntimeError(f"the live server on port {port} did not stop")


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    """``live_server(app)`` serves the ASGI app on 127.0.0.1 and returns its base URL
    (``http://127.0.0.1:PORT``), running its lifespan; call it once per app. Every server stops
    when the test ends."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(_serve(app))


# --- the app under test ------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_app(tmp_path: Path, data_home: Path) -> Callable[..., Any]:
    """``make_app(multi_user=True)``: a fresh llmiq app on an SQLite file of this test (two
    apps made in one test share it, as two workers would), or on ``database_url``."""
    import secrets

    from llmiq.web.main import create_app
    from llmiq.web.settings import WebSettings

    secret = secrets.token_urlsafe(32)

    def make(*, multi_user: bool = False, database_url: str | None = None, **settings: Any) -> Any:
        return create_app(
            WebSettings(
                multi_user=multi_user,
                secret_key=secret if multi_user else None,
                database_url=database_url or f"sqlite:///{tmp_path / 'web.db'}",
                **settings,
            )
        )

    return make


@pytest.fixture
def client_of() -> Iterator[Callable[[Any], Any]]:
    """``client_of(app)``: a TestClient on a loopback host name (single-user mode refuses
    others), its app started (lifespan) and stopped at the end of the test."""
    from fastapi.testclient import TestClient

    with ExitStack() as stack:
        yield lambda app: stack.enter_context(
            TestClient(app, base_url="http://127.0.0.1", follow_redirects=True)
        )


def csrf_token(client: Any, path: str = "/banks/seed") -> str:
    """The CSRF token of the client's session, read off a page's form."""
    match = CSRF_INPUT.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def add_account(app: Any, name: str, *, admin: bool = False, password: str = PASSWORD) -> None:
    from llmiq.clock import utc_now
    from llmiq.passwords import hash_password
    from llmiq.store import accounts

    with app.state.web.database.transaction() as session:
        assert accounts.create_account(
            session, name, hash_password(password), is_admin=admin, now=utc_now()
        )


def sign_in(client: Any, name: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_token(client, "/login")},
    )


@pytest.fixture
def web_helpers() -> Any:
    """csrf_token, add_account and sign_in, for test modules (conftests are not importable
    under --import-mode=importlib)."""
    import types

    return types.SimpleNamespace(
        csrf_token=csrf_token, add_account=add_account, sign_in=sign_in, password=PASSWORD
    )


@pytest.fixture
def run_async() -> Callable[[Callable[[], Any]], Any]:
    """``run_async(make_coroutine)``: asyncio.run in a thread of its own. Once the session's
    browser is open, Playwright marks the test thread's loop as running, so asyncio.run()
    there fails."""

    def run(make_coroutine: Callable[[], Any]) -> Any:
        import asyncio

        outcome: dict[str, Any] = {}

        def target() -> None:
            try:
                outcome["value"] = asyncio.run(make_coroutine())
            except BaseException as error:  # re-raised in the test thread
                outcome["error"] = error

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return run
