"""Start-up cost of the CLI, side by side with a bare interpreter in the same run.

    .venv/bin/python benchmarks/startup.py [--repeat 15]

Reports the median wall time of ``python -c pass`` (the floor), ``llmiq --help``, the time
until ``llmiq quiz`` and ``llmiq review`` show their first question (the process is ended
there), and a whole one-answer quiz (``llmiq quiz seed -n 1`` answering from a pipe, the
answer recorded), each also as a ratio of the floor. The commands take turns, one run of each
per round, so that a change in the machine's load shifts them all alike. Runs in a temporary
data directory whose database is created, and whose built-in banks are cached, before timing;
the warm-up also writes llmiq's bytecode, as installing it does (``PYTHONDONTWRITEBYTECODE`` is
not passed on).

Budgets (DESIGN.md, issue 15): --help and the first quiz question well under half a second
(~0.3 s); the one-answer quiz at most 20x the floor.

To time another tree with the same script, put its ``src`` first on the path:
``PYTHONPATH=/tmp/other/src .venv/bin/python benchmarks/startup.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _until(command: list[str], marker: str | None, answers: str, env: dict[str, str]) -> float:
    """Seconds until ``command`` prints a line starting with ``marker`` (then it is ended),
    or, without a marker, until it exits having read ``answers``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert process.stdout is not None
    if marker is None:
        process.communicate(answers.encode())
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed (exit {process.returncode})")
    else:
        for line in process.stdout:
            if line.startswith(marker.encode()):
                break
        else:
            raise SystemExit(f"{' '.join(command)} never printed {marker!r}")
    elapsed = time.perf_counter() - started
    process.kill()
    process.communicate()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    llmiq = [sys.executable, "-m", "llmiq"]
    quiz = [*llmiq, "quiz", "seed", "--in-order"]
    with tempfile.TemporaryDirectory() as home:
        env = os.environ | {"LLMIQ_HOME": home, "LLMIQ_PROFILE": "bench", "PYTHONUNBUFFERED": "1"}
        env.pop("LLMIQ_DATABASE_URL", None)
        # An installed llmiq has its bytecode (pip compiles it): let the warm-up write it,
        # else every run compiles every module of the package from source again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([*llmiq, "profile", "list"], env=env, check=True, capture_output=True)
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], None, ""),
            "llmiq --help": ([*llmiq, "--help"], None, ""),
            "llmiq quiz: first question": (quiz, "Question 1", ""),
            "llmiq review: first question": ([*llmiq, "review", "seed"], "Question 1", ""),
            "llmiq quiz -n 1: one answer": ([*quiz, "-n", "1"], None, "C\n"),
        }
        for command, marker, answers in cases.values():  # warm-up: database, bank cache
            _until(command, marker, answers, env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, (command, marker, answers) in cases.items():
                times[name].append(_until(command, marker, answers, env))
        answered = subprocess.run(
            [*llmiq, "history", "-n", "1000"], env=env, check=True, capture_output=True, text=True
        ).stdout.count("prompt-calibration")
    floor = statistics.median(times["python -c pass"])
    print(f"{'command':<30} {'median ms':>10} {'x floor':>8}")
    for name, runs in times.items():
        seconds = statistics.median(runs)
        print(f"{name:<30} {seconds * 1000:>10.1f} {seconds / floor:>8.2f}")
    print(f"answers recorded by the one-answer quizzes: {answered} of {args.repeat + 1}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
