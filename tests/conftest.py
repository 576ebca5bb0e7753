from __future__ import annotations

import os
from collections.abc import Callable
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
