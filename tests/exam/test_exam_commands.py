"""``llmiq exam run`` stores its run; ``list``, ``show`` and ``compare`` read the runs back;
a stopped run (Ctrl-C in-process, SIGKILL of a real process) resumes without measuring
anything twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import create_engine, text

from llmiq.bank.catalog import resolve_bank
from llmiq.exam import backends
from llmiq.exam.backends import BackendRegistry, ModelBackend, Scores, ScoringRequest
from llmiq.exam.debias import request_key
from llmiq.exam.runner import ExamConfig, planned_requests

SEED = resolve_bank("seed")


class Counting(ModelBackend):
    """A model that always prefers the last option and notes every request it is sent; it
    can be told to stop (as Ctrl-C does) after a number of ``score`` calls."""

    sent: ClassVar[list[str]] = []  # request keys, across every instance of a test
    stop_after: ClassVar[int | None] = None

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        if Counting.stop_after is not None:
            if Counting.stop_after == 0:
                raise KeyboardInterrupt
            Counting.stop_after -= 1
        out = []
        for request in requests:
            Counting.sent.append(request_key(request))
            n = len(request.continuations)
            logprobs = tuple(-1.0 if i == n - 1 else -2.0 for i in range(n))
            out.append(Scores(logprobs, tuple(i == n - 1 for i in range(n))))
        return out


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> BackendRegistry:
    """A registry of this test's own: the real baseline and the counting model."""
    local = BackendRegistry()
    local.register("chance", "llmiq.exam.backends:ChanceBackend", "the baseline")
    local.register("counting", f"{__name__}:Counting", "prefers the last option, counts")
    monkeypatch.setattr(backends, "BACKENDS", local)
    Counting.sent, Counting.stop_after = [], None
    return local


def _json(result: object) -> dict:
    return json.loads(result.stdout)  # type: ignore[attr-defined]


def test_a_run_is_stored_and_shown_as_it_was_printed(run_cli: Callable) -> None:
    printed = run_cli("exam", "run", "seed", "--model", "chance", "--debias", "pride",
                      "--format", "json")  # fmt: skip
    assert printed.exit_code == 0
    data = _json(printed)
    assert data["run"] == 1
    shown = run_cli("exam", "show", "1", "--format", "json")
    assert _json(shown) == data
    table = run_cli("exam", "show", "1").stdout
    assert "run 1: chance on seed (en, letter scoring, debias pride)" in table
    assert "22.2%" in table


def test_the_list_shows_every_run_finished_or_not(run_cli: Callable) -> None:
    assert "No exam runs yet" in run_cli("exam", "list").stdout
    run_cli("exam", "run", "seed", "--model", "chance")
    Counting.stop_after = 1
    stopped = run_cli("exam", "run", "seed", "--model", "counting", "--debias", "permute")
    assert stopped.exit_code == 1
    listing = run_cli("exam", "list").stdout.splitlines()
    assert listing[0].split() == ["run", "model", "bank", "lang", "scoring", "debias",
                                  "accuracy", "RStd", "finished"]  # fmt: skip
    assert listing[1].split()[:8] == ["1", "chance", "seed", "en", "letter", "none", "22.2%",
                                      "0.471"]  # fmt: skip
    assert listing[2].split() == ["2", "counting", "seed", "en", "letter", "permute", "-", "-",
                                  "no,", "8", "kept"]  # fmt: skip
    assert run_cli("exam", "list", "--bank", "other").stdout.startswith("No exam runs yet")
    unfinished = run_cli("exam", "show", "2")
    assert unfinished.exit_code == 1
    assert "exam run 2 is unfinished (8 measurements kept)" in unfinished.stderr


def test_an_interrupted_run_resumes_without_measuring_anything_twice(
    run_cli: Callable,
) -> None:
    args = ("exam", "run", "seed", "--model", "counting", "--debias", "permute")
    planned = planned_requests(SEED, ExamConfig(debias="permute"))
    Counting.stop_after = 2  # two batches of 8, then Ctrl-C
    stopped = run_cli(*args)
    assert stopped.exit_code == 1
    assert "stopped: run 1 keeps 16 measurements; the same command resumes it" in stopped.stderr
    assert len(Counting.sent) == 16
    Counting.stop_after = None
    resumed = run_cli(*args, "--format", "json")
    assert resumed.exit_code == 0
    assert "resuming run 1, 16 measurements kept" in resumed.stderr
    assert len(Counting.sent) == len(set(Counting.sent)) == planned  # nothing sent twice
    assert _json(resumed)["run"] == 1
    # a run of the same command from scratch (run 1 is finished: run 2) answers alike
    fresh = run_cli(*args)
    assert "run 2: counting on seed" in fresh.stdout
    assert len(Counting.sent) == 2 * planned
    same = run_cli("exam", "compare", "1", "2").stdout
    assert "They answered every question they share alike." in same


def test_compare_puts_two_runs_side_by_side(run_cli: Callable) -> None:
    run_cli("exam", "run", "seed", "--model", "chance")
    run_cli("exam", "run", "seed", "--model", "counting")
    shown = run_cli("exam", "compare", "1", "2")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["run", "1", "run", "2"]
    assert lines[1].split() == ["model", "chance", "counting"]
    assert any(line.split()[:2] == ["recall", "A"] for line in lines)
    first = {o["id"]: o for o in _json(run_cli("exam", "show", "1", "--format", "json"))[
        "questions"]}  # fmt: skip
    second = {o["id"]: o for o in _json(run_cli("exam", "show", "2", "--format", "json"))[
        "questions"]}  # fmt: skip
    differing = [q for q in first if first[q]["choice"] != second[q]["choice"]]
    assert differing
    assert f"Answered differently ({len(differing)}):" in shown.stdout
    start = lines.index(f"Answered differently ({len(differing)}):")
    assert [line.split()[0] for line in lines[start + 2 :]] == differing


def test_an_unknown_run_is_one_sentence(run_cli: Callable) -> None:
    for args in (("show", "7"), ("compare", "7", "8")):
        result = run_cli("exam", *args)
        assert result.exit_code == 1
        assert result.stderr == "Error: there is no exam run 7; llmiq exam list shows the runs\n"


def test_an_unknown_model_stores_no_run(run_cli: Callable) -> None:
    result = run_cli("exam", "run", "seed", "--model", "nope")
    assert result.exit_code == 1
    assert "no model 'nope'" in result.stderr
    assert "No exam runs yet" in run_cli("exam", "list").stdout


SLOW_PLUGIN = """
    import sys, time
    from llmiq.cli import main
    from llmiq.exam.backends import BACKENDS, ModelBackend, Scores
    from llmiq.exam.debias import request_key

    class Slow(ModelBackend):
        '''Takes 30 ms a request and notes each one in the file argv[1] names.'''

        def score(self, requests):
            out = []
            for r in requests:
                time.sleep(0.03)
                with open(LOG, "a") as log:
                    log.write(request_key(r) + "\\n")
                n = len(r.continuations)
                out.append(Scores((-1.0,) * n, (False,) * n))
            return out

    LOG = sys.argv.pop(1)
    BACKENDS.register("slow", "__main__:Slow", "30 ms a request")
    main()
"""


def _stored_keys(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key FROM exam_measurements")).all()
    engine.dispose()
    return {key for (key,) in rows}


def test_a_killed_process_loses_at_most_the_batch_in_flight(tmp_path: Path) -> None:
    """A real ``llmiq exam run`` (a script registering a slow model as a plug-in would) is
    killed with SIGKILL half-way; run again, it says what it kept and sends only what was
    not stored: at most one batch (8 requests) is measured twice."""
    script, log = tmp_path / "slow_plugin.py", tmp_path / "sent.txt"
    script.write_text(textwrap.dedent(SLOW_PLUGIN), "utf-8")
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    command = [sys.executable, str(script), str(log), "exam", "run", "seed", "--model", "slow",
               "--debias", "permute", "--database-url", url]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if (tmp_path / "exam.db").exists() and len(_try_keys(url)) >= 10:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    kept = _stored_keys(url)
    sent_before = log.read_text().split()
    assert 10 <= len(kept) <= len(sent_before)
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"resuming run 1, {len(kept)} measurements kept" in again.stderr
    sent_after = log.read_text().split()[len(sent_before) :]
    assert not set(sent_after) & kept  # nothing stored is measured again
    assert len(set(sent_before) & set(sent_after)) <= 8  # only the batch in flight
    planned = planned_requests(SEED, ExamConfig(debias="permute"))
    assert len(_stored_keys(url)) == planned


def _try_keys(url: str) -> set[str]:
    try:
        return _stored_keys(url)
    except Exception:  # the run has not created its tables yet
        return set()
