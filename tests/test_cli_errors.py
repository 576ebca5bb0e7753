"""Bad input and missing extras on the command line: one sentence on standard error, a
non-zero exit, no traceback, and nothing claimed that did not happen. Each runs the real CLI in
a process of its own, as a person would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def llmiq(
    data_home: Path, *args: str, blocked: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``llmiq ARGS`` in a new process; ``blocked`` modules import as if not installed."""
    code = (
        "import sys\n"
        f"for name in {list(blocked)!r}:\n"
        "    sys.modules[name] = None\n"
        "from llmiq.cli import main\n"
        f"sys.argv = ['llmiq', *{list(args)!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "LLMIQ_HOME": str(data_home)},
    )


def one_sentence(proc: subprocess.CompletedProcess[str]) -> str:
    """The error line of a failed command, checked to be its only output."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize("value", ["-5", "0", "nan", "inf", "-inf"])
def test_lab_memory_refuses_a_model_size_that_is_no_size(data_home: Path, value: str) -> None:
    proc = llmiq(data_home, "lab", "memory", f"--params={value}")
    assert one_sentence(proc) == (
        f"Error: Invalid value for '--params': {value} is not a positive, finite number of "
        "parameters"
    )
    assert proc.stdout == ""


def test_lab_memory_still_answers_a_real_size(data_home: Path) -> None:
    proc = llmiq(data_home, "lab", "memory", "--params", "7e9", "--gpus", "8")
    assert proc.returncode == 0, proc.stderr
    assert "7B" in proc.stdout


@pytest.mark.parametrize("missing", ["numpy", "matplotlib"])
def test_stats_plot_without_its_extra_says_what_to_install(
    data_home: Path, tmp_path: Path, missing: str
) -> None:
    plot = tmp_path / "stats.png"
    proc = llmiq(data_home, "stats", "--plot", str(plot), blocked=(missing,))
    assert one_sentence(proc) == "Error: plots need matplotlib: pip install 'llmiq[plot]'"
    assert not plot.exists()


def test_profile_use_refuses_a_profile_that_does_not_exist(data_home: Path) -> None:
    proc = llmiq(data_home, "profile", "use", "nosuch")
    assert one_sentence(proc) == (
        "Error: no profile named 'nosuch'; create it with: llmiq profile create nosuch --use"
    )
    assert proc.stdout == ""
    assert not (data_home / "config.toml").exists()


def test_deleting_the_default_profile_takes_it_out_of_the_config(data_home: Path) -> None:
    assert llmiq(data_home, "profile", "create", "ann", "--use").returncode == 0
    assert 'profile = "ann"' in (data_home / "config.toml").read_text()
    assert llmiq(data_home, "profile", "use", "ann").returncode == 0  # it exists now
    deleted = llmiq(data_home, "profile", "delete", "ann", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert "It was the default profile; the default is now" in deleted.stdout
    assert "ann" not in (data_home / "config.toml").read_text()
    listed = llmiq(data_home, "profile", "list")
    assert listed.returncode == 0, listed.stderr


def test_history_of_an_unknown_bank_says_so(data_home: Path) -> None:
    proc = llmiq(data_home, "history", "--bank", "nosuch")
    assert one_sentence(proc).startswith("Error: no bank named 'nosuch'; known banks: ")
    known = llmiq(data_home, "history", "--bank", "seed")
    assert known.returncode == 0
    assert known.stdout.startswith("No answers yet for profile")


def test_serve_on_a_busy_port_says_so_before_claiming_anything(data_home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = llmiq(data_home, "serve", "--port", str(port))
    assert one_sentence(proc) == (
        f"Error: port {port} on 127.0.0.1 is in use by another program (another llmiq serve?): "
        "stop it or choose another --port"
    )
    assert proc.stdout == ""  # no URL, no "startup complete"
    assert "Started server" not in proc.stderr


def test_an_article_without_a_title_is_named_after_its_file(
    data_home: Path, tmp_path: Path
) -> None:
    article = tmp_path / "deep" / "folder" / "notes.txt"
    article.parent.mkdir(parents=True)
    article.write_text("1. Which letter comes after A?\nA. C\nB. B\nAnswer: B\n", "utf-8")
    out = tmp_path / "notes.yaml"
    proc = llmiq(data_home, "import", str(article), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "title:\n  en: notes\n" in out.read_text("utf-8")
    assert str(article.parent) not in out.read_text("utf-8")


def test_backup_and_restore_refuse_in_one_sentence_and_touch_nothing(
    data_home: Path, tmp_path: Path
) -> None:
    nothing = llmiq(data_home, "backup", str(tmp_path / "copy.db"))
    assert one_sentence(nothing) == (
        f"Error: there is no database at {data_home / 'llmiq.db'} yet: nothing to back up"
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup\n" * 20, "utf-8")
    restore = llmiq(data_home, "restore", str(notes))
    assert one_sentence(restore) == f"Error: {notes} is not an SQLite database"
    assert not (data_home / "llmiq.db").exists()
    server = "postgresql+psycopg://alice:s3cret@db.example/llmiq"
    advice = llmiq(data_home, "backup", str(tmp_path / "copy.db"), "--database-url", server)
    assert one_sentence(advice) == (
        "Error: llmiq backup copies SQLite databases; the database llmiq is on the postgresql "
        "server db.example: use `pg_dump -h db.example -U alice -Fc -f FILE llmiq`"
    )
    assert list(tmp_path.iterdir()) == [notes]
