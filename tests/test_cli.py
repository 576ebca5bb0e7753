from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.cli import cli

README = Path(__file__).parents[1] / "README.md"
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(run_cli: Callable, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert cli.commands[command].help
    assert f"llmiq {command}" in README.read_text("utf-8")


def test_core_imports_no_heavy_library() -> None:
    code = (
        "import sys, llmiq.cli, llmiq.ingest, llmiq.export, llmiq.practice.quiz;"
        "import llmiq.bank.catalog;"
        "heavy = {'torch', 'matplotlib', 'numpy', 'transformers'} & set(sys.modules);"
        "sys.exit(sorted(heavy) or 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_import_into_the_database_then_use_by_id(run_cli: Callable, seed_article: Path) -> None:
    result = run_cli("import", str(seed_article), "--id", "overfit", "--title", "Overfit ten")
    assert result.exit_code == 0
    assert "Imported 10 questions (9 single, 1 open; language zh)" in result.output
    assert "into the database" in result.output
    assert "lines 72-147: page tail" in result.output
    listing = run_cli("banks").output
    assert "overfit" in listing
    assert "imported" in listing
    assert "Overfit ten" in listing
    quiz = run_cli("quiz", "overfit", "--in-order", "-n", "2", input="C\n不\n")
    assert quiz.output.rstrip().endswith("Score: 2/2")
    again = run_cli("import", str(seed_article), "--id", "overfit")
    assert "into the database (replaced)" in again.output


def test_import_refuses_to_shadow_a_builtin_bank(run_cli: Callable, seed_article: Path) -> None:
    result = run_cli("import", str(seed_article), "--id", "seed")
    assert result.exit_code == 1
    assert "'seed' is a built-in bank" in result.output


def test_strict_import_fails_when_a_question_is_dropped(run_cli: Callable, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("1. First?\nA. x\nB. y\nAnswer: A\n\n2. Second?\nA. x\nB. y\n", "utf-8")
    out = tmp_path / "a.yaml"
    lenient = run_cli("import", str(article), "-o", str(out))
    assert lenient.exit_code == 0
    assert "lines 6-8: question without an answer line, not imported: Second?" in lenient.output
    assert "1 question block skipped" in lenient.output
    out.unlink()
    strict = run_cli("import", str(article), "-o", str(out), "--strict")
    assert strict.exit_code == 1
    assert not out.exists()


def test_show_prints_answers_and_whys(run_cli: Callable) -> None:
    result = run_cli("show", "seed", "--lang", "en")
    assert result.exit_code == 0
    assert "Answer: C. Prompt calibration" in result.output
    assert "id: ddp-vs-fsdp" in result.output


def test_data_dir_follows_the_environment(data_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmiq.paths import data_dir

    assert data_dir() == data_home
    monkeypatch.delenv("LLMIQ_HOME")
    assert data_dir().name == "llmiq"


def test_language_defaults_to_the_locale(
    run_cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "哪种技术" in run_cli("quiz", "seed", "--in-order", "-n", "1", input="C\n").output
    monkeypatch.setenv("LLMIQ_LANG", "en")
    assert "Which technique" in run_cli("quiz", "seed", "--in-order", "-n", "1", input="C\n").output


def test_version(run_cli: Callable) -> None:
    assert run_cli("--version").output.startswith("llmiq, version ")


def test_help_runs_as_a_console_script() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "llmiq", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ,
    )
    assert proc.returncode == 0
    assert "quiz" in proc.stdout


def test_invalid_bank_id_is_one_sentence(run_cli: Callable, seed_article: Path) -> None:
    result = run_cli("import", str(seed_article), "--id", "my bank")
    assert result.exit_code == 1
    assert "--id: id 'my bank' must start with a letter or digit" in result.output
    assert "Traceback" not in result.output


def test_article_without_latin_letters_in_its_name_gets_a_distinct_id(
    run_cli: Callable, seed_article: Path, tmp_path: Path
) -> None:
    for name in ("面试题.txt", "大模型.txt"):
        (tmp_path / name).write_bytes(seed_article.read_bytes())
        assert run_cli("import", str(tmp_path / name)).exit_code == 0
    ids = re.findall(r"^(article-[0-9a-f]{8})\s", run_cli("banks").output, re.M)
    assert len(set(ids)) == 2


def test_unwritable_outputs_are_one_sentence(run_cli: Callable, tmp_path: Path) -> None:
    result = run_cli("export", "seed", "-f", "json", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "is a directory; give a file name" in result.output
    (tmp_path / "ro").mkdir(mode=0o500)
    target = tmp_path / "ro" / "x.json"
    result = run_cli("export", "seed", "-f", "json", "-o", str(target))
    if os.geteuid() != 0:  # root writes anywhere; the directory case above still holds
        assert result.exit_code == 1
        assert "cannot write it" in result.output


def test_written_files_get_ordinary_permissions(run_cli: Callable, tmp_path: Path) -> None:
    fresh = tmp_path / "seed.json"
    assert run_cli("export", "seed", "-f", "json", "-o", str(fresh)).exit_code == 0
    assert fresh.stat().st_mode & 0o777 == 0o644
    fresh.chmod(0o640)
    assert run_cli("export", "seed", "-f", "json", "-o", str(fresh)).exit_code == 0
    assert fresh.stat().st_mode & 0o777 == 0o640


def test_the_help_path_does_not_build_the_models() -> None:
    code = (
        "import sys, llmiq.cli;"
        "sys.exit(sorted({'pydantic', 'yaml', 'rich'} & set(sys.modules)) or 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_accounts_without_argon2_say_what_to_install(data_home: Path) -> None:
    """The command line creates accounts without the web package; where the web extra's
    argon2-cffi is missing, that is one sentence, before any password is asked for."""
    code = (
        "import sys; sys.modules['argon2'] = None;"  # as if argon2-cffi were not installed
        "from llmiq.cli import main; sys.argv = ['llmiq', 'account', 'create', 'ada']; main()"
    )
    env = {**os.environ, "LLMIQ_HOME": str(data_home)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "Error: accounts need argon2-cffi to hash passwords: pip install 'llmiq[web]'"
    )


def test_accounts_are_made_without_importing_the_web_app(data_home: Path) -> None:
    code = (
        "import sys; from llmiq.cli import main;"
        "sys.argv = ['llmiq', 'account', 'create', 'ada', '--password-stdin']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.exit(sorted(m for m in sys.modules if m.startswith(('llmiq.web', 'fastapi'))) or 0)"
    )
    env = {**os.environ, "LLMIQ_HOME": str(data_home)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Created account 'ada'" in proc.stdout


def test_import_never_overwrites_its_own_article(
    run_cli: Callable, tmp_path: Path, seed_article: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_bytes(seed_article.read_bytes())
    result = run_cli("import", str(article), "-o", str(article))
    assert result.exit_code == 1
    assert "is the article being imported" in result.output
    assert article.read_bytes() == seed_article.read_bytes()
    # not with --force either, nor through another path to the same file
    same = tmp_path / "." / "a.txt"
    assert run_cli("import", str(article), "-o", str(same), "--force").exit_code == 1
    assert article.read_bytes() == seed_article.read_bytes()


def test_import_replaces_a_bank_file_but_other_files_only_with_force(
    run_cli: Callable, tmp_path: Path, seed_article: Path
) -> None:
    bank = tmp_path / "bank.yaml"
    assert run_cli("import", str(seed_article), "-o", str(bank)).exit_code == 0
    again = run_cli("import", str(seed_article), "-o", str(bank))
    assert again.exit_code == 0
    assert "(replaced)" in again.output
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", "utf-8")
    refused = run_cli("import", str(seed_article), "-o", str(notes))
    assert refused.exit_code == 1
    assert "is not an llmiq bank; add --force" in refused.output
    assert notes.read_text("utf-8") == "my notes\n"
    assert run_cli("import", str(seed_article), "-o", str(notes), "--force").exit_code == 0
    assert notes.read_text("utf-8").startswith("id:")
