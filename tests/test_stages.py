"""The spinner of long operations: shown on a terminal, never in piped output."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from llmiq.stages import stages


def _read_all(fd: int) -> bytes:
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other side closed (EIO on Linux)
            return out
        if not chunk:
            return out
        out += chunk


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with stages("Importing x", stream=stream) as stage:
        stage("parsing")
    assert stream.getvalue() == ""


def test_a_terminal_sees_the_title_and_each_stage() -> None:
    master, slave = pty.openpty()
    try:
        with open(slave, "w", closefd=False) as stream:
            with stages("Importing x", stream=stream) as stage:
                stage("parsing")
            stream.flush()
        os.close(slave)
        shown = _read_all(master).decode()
    finally:
        os.close(master)
    assert "Importing x" in shown
    assert "Importing x: parsing" in shown


def test_import_names_its_stages_on_a_terminal_and_only_its_result_on_stdout(
    tmp_path: Path,
) -> None:
    lines = ["# Many questions", ""]
    for n in range(1, 201):
        lines += [f"{n}. What is item {n}?", "A. one", "B. two", "Answer: B", ""]
    article = tmp_path / "many.md"
    article.write_text("\n".join(lines), encoding="utf-8")
    master, slave = pty.openpty()
    env = os.environ | {"LLMIQ_HOME": str(tmp_path / "home"), "LLMIQ_LANG": "en"}
    command = [sys.executable, "-m", "llmiq", "import", "many.md", "-o", "many.yaml"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    try:
        terminal = _read_all(master).decode(errors="replace")
    finally:
        os.close(master)
    out, _ = process.communicate(timeout=60)
    stdout = out.decode()
    assert process.returncode == 0, terminal
    assert "Importing" in terminal
    assert "reading and parsing" in terminal
    assert "writing many.yaml" in terminal
    assert stdout.startswith("Imported 200 questions")
    assert "\x1b" not in stdout  # piped: no spinner, no colours
