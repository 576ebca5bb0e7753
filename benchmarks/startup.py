"""Start-up cost of the CLI, side by side with a bare interpreter in the same run.

    .venv/bin/python benchmarks/startup.py [--repeat 15]

Reports the median wall time of ``python -c pass`` (the floor), ``llmiq --help``, and the
time until ``llmiq quiz`` and ``llmiq review`` show their first question (the process is
ended there), each also as a ratio of the floor. Runs in a temporary data directory whose
database is created before timing. Budget (DESIGN.md): --help and the first quiz question
well under half a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _until(command: list[str], marker: str | None, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert process.stdout is not None
    if marker is None:
        process.communicate()
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
    with tempfile.TemporaryDirectory() as home:
        env = os.environ | {"LLMIQ_HOME": home, "PYTHONUNBUFFERED": "1"}
        env.pop("LLMIQ_DATABASE_URL", None)
        subprocess.run([*llmiq, "profile", "list"], env=env, check=True, capture_output=True)
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "llmiq --help": ([*llmiq, "--help"], None),
            "llmiq quiz: first question": ([*llmiq, "quiz", "seed", "--in-order"], "Question 1"),
            "llmiq review: first question": ([*llmiq, "review", "seed"], "Question 1"),
        }
        floor = None
        print(f"{'command':<30} {'median ms':>10} {'x floor':>8}")
        for name, (command, marker) in cases.items():
            seconds = statistics.median(_until(command, marker, env) for _ in range(args.repeat))
            floor = floor or seconds
            print(f"{name:<30} {seconds * 1000:>10.1f} {seconds / floor:>8.2f}")


if __name__ == "__main__":
    main()
