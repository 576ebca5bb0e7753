"""A `make run` install, no extras: every command either works or says in one sentence which
extra (or package) to install — never a traceback.

The test makes a virtual environment of its own (no system site packages) and installs llmiq
into it as the Makefile's `run` target does, `pip install -e .` (pip may use its cache and
the package registry), then runs every command of the CLI there. A list of the commands taken
from the CLI itself makes sure that none is left out.
"""

from __future__ import annotations

import os
import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from llmiq.cli import cli

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SEED_YAML = REPO / "src" / "llmiq" / "bank" / "data" / "seed.yaml"
ARTICLE = REPO / "tests" / "fixtures" / "articles" / "seed_article.txt"
PASSWORD = "a long enough password\n"


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    #: "" when the command must work; else what its one-sentence error must say
    says: str = ""
    stdin: str = ""


def cases(tmp: Path) -> list[Case]:
    """Each command as a newcomer would run it, in this order (the profile commands build
    on one another)."""
    web = "pip install 'llmiq[web]'"
    return [
        Case(("--help",)),
        Case(("banks",)),
        Case(("show", "seed")),
        Case(("validate", str(SEED_YAML))),
        Case(("quiz", "seed", "--in-order", "-n", "1"), stdin="C\n"),
        Case(("review", "seed"), stdin="C\n"),
        Case(("mock", "seed", "-n", "1"), stdin="C\n"),
        Case(("history",)),
        Case(("stats",)),
        Case(("stats", "--plot", str(tmp / "stats.png")), says="pip install 'llmiq[plot]'"),
        Case(("import", str(ARTICLE), "-o", str(tmp / "article.yaml"))),
        Case(("export", "seed", "-f", "json", "-o", str(tmp / "seed.json"))),
        Case(("export", "seed", "-f", "csv", "-o", str(tmp / "seed.csv"))),
        Case(("export", "seed", "-f", "md", "-o", str(tmp / "seed.md"))),
        Case(("export", "seed", "-f", "anki", "-o", str(tmp / "seed.apkg"))),
        Case(("profile", "create", "ann")),
        Case(("profile", "use", "ann")),
        Case(
            (
                "profile",
                "list",
            )
        ),
        Case(("profile", "delete", "ann", "--yes")),
        Case(("lab", "list")),
        Case(("lab", "memory", "--params", "7e9")),
        Case(("lab", "run", "attention", "--fast"), says="pip install 'llmiq[labs]'"),
        Case(("exam", "models")),
        Case(("exam", "list")),
        Case(("exam", "run", "seed", "--model", "chance"), says="'llmiq[exam]'"),
        # no run can be made without the exam's numpy: these say there is none
        Case(("exam", "show", "1"), says="there is no exam run 1"),
        Case(("exam", "compare", "1", "2"), says="there is no exam run 1"),
        Case(("account", "list")),
        Case(("account", "create", "ada", "--password-stdin"), says=web, stdin=PASSWORD),
        Case(("account", "password", "ada", "--password-stdin"), says=web, stdin=PASSWORD),
        Case(("serve",), says=web),
        Case(("doctor",)),
        Case(("backup", str(tmp / "backup.db"))),
        Case(("restore", str(tmp / "backup.db"))),
    ]


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    ctx = click.Context(group)
    found: set[tuple[str, ...]] = set()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found |= leaf_commands(command, (*prefix, name))
        elif command is not None:
            found.add((*prefix, name))
    return found


@pytest.fixture(scope="module")
def bare_llmiq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """llmiq installed without extras into a virtual environment of its own."""
    home = tmp_path_factory.mktemp("no-extras-venv")
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(home)
    python = home / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", str(REPO)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    return home / "bin" / "llmiq"


def test_every_command_is_covered(tmp_path: Path) -> None:
    covered = [case.args for case in cases(tmp_path)]
    missing = sorted(
        " ".join(command)
        for command in leaf_commands(cli)
        if not any(args[: len(command)] == command for args in covered)
    )
    assert missing == []


def test_the_environment_has_no_extras(bare_llmiq: Path) -> None:
    python = bare_llmiq.parent / "python"
    for module in ("numpy", "matplotlib", "torch", "fastapi", "argon2", "icu"):
        probe = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
        assert probe.returncode != 0, f"{module} is installed without extras"


def test_every_command_works_or_names_what_to_install(bare_llmiq: Path, tmp_path: Path) -> None:
    env = {**os.environ, "LLMIQ_HOME": str(tmp_path / "home"), "LLMIQ_LANG": "en"}
    env.pop("LLMIQ_DATABASE_URL", None)
    env.pop("LLMIQ_PROFILE", None)
    problems = []
    for case in cases(tmp_path):
        proc = subprocess.run(
            [str(bare_llmiq), *case.args],
            input=case.stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        shown = f"llmiq {' '.join(case.args)}: exit {proc.returncode}, stderr {proc.stderr!r}"
        errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
        if "Traceback" in proc.stderr:
            problems.append(f"{shown} (a traceback)")
        elif not case.says and proc.returncode != 0:
            problems.append(f"{shown} (should work)")
        elif case.says and (proc.returncode == 0 or len(errors) != 1 or case.says not in errors[0]):
            problems.append(f"{shown} (should say {case.says!r} in one sentence)")
    assert problems == []
