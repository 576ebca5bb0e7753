from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
