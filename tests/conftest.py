from __future__ import annotations

import contextlib
import http.server
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner, Result

from llmiq.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO_SEED_ARTICLE = FIXTURES / "articles" / "seed_article.txt"


@pytest.fixture(autouse=True)
def data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data directory."""
    home = tmp_path_factory.mktemp("llmiq-home")
    monkeypatch.setenv("LLMIQ_HOME", str(home))
    monkeypatch.delenv("LLMIQ_LANG", raising=False)
    return home


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory per test session into which the built-in language models are
    converted (half a minute or more each, once), shared by every exam and lab test that
    runs one: point ``LLMIQ_HOME`` at it."""
    home = tmp_path_factory.getbasetemp() / "models-home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run the real CLI in-process: ``run_cli("quiz", "seed", input="C\\n")``."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def seed_article() -> Path:
    return REPO_SEED_ARTICLE


def _service_missing(message: str) -> NoReturn:
    """A service some tests need (a PostgreSQL server, Chromium) is unavailable: skip those
    tests, but under CI=true fail them, since CI must run every test."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def service_missing() -> Callable[[str], NoReturn]:
    """``service_missing("Chromium is missing: ...")`` skips the test, or fails it under CI=true.
    A fixture so that conftests below this one can use it: under --import-mode=importlib a
    conftest is not importable by name."""
    return _service_missing


POSTGRES_ENV = "LLMIQ_TEST_POSTGRES_URL"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow])]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: an SQLite file, and a real PostgreSQL server when one is provided
    (scripts/test-postgres start prints its URL; `make test` sets it). Under CI a missing
    server is an error, never a skip."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.db'}"
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        _service_missing(
            f"PostgreSQL is not available: set {POSTGRES_ENV} (scripts/test-postgres start)"
        )
    _reset_postgres(url)
    return url


@pytest.fixture
def scripted() -> Callable[..., Callable[[str], str]]:
    """``scripted("C", "no")``: a read_line that answers with these lines, then EOFError."""

    def make(*answers: str) -> Callable[[str], str]:
        lines = iter(answers)

        def read_line(prompt: str) -> str:
            try:
                return next(lines)
            except StopIteration:
                raise EOFError from None

        return read_line

    return make


@dataclass
class Route:
    """What the local page server answers at one path."""

    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering at all
    length: bool = True  # send Content-Length (else the body ends when the connection does)


class PageServer:
    """A threaded ``http.server`` on 127.0.0.1 (port 0) serving :class:`Route` s by path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.user_agents: list[str] = []  # of every request, in order
        routes, user_agents = self.routes, self.user_agents

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                user_agents.append(self.headers.get("User-Agent", ""))
                route = routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(b"not here", "text/plain", status=404)
                if route.delay:
                    time.sleep(route.delay)
                # The client may have given up, as a size cap or a timeout makes it.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(route.status)
                    if route.content_type is not None:
                        self.send_header("Content-Type", route.content_type)
                    if route.length:
                        self.send_header("Content-Length", str(len(route.body)))
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes | str = b"", **route: object) -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, **route)  # type: ignore[arg-type]
        return self.url(path)


@pytest.fixture
def run_server() -> Iterator[Callable[[http.server.HTTPServer], None]]:
    """``run_server(server)``: serve on a thread until the test ends, then shut it down."""
    running: list[tuple[http.server.HTTPServer, threading.Thread]] = []

    def run(server: http.server.HTTPServer) -> None:
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        running.append((server, thread))

    yield run
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page_server(run_server: Callable[[http.server.HTTPServer], None]) -> PageServer:
    """A local web server for fetching tests; nothing leaves 127.0.0.1."""
    server = PageServer()
    run_server(server.server)
    return server


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
