"""Start-up cost of the CLI, side by side with a bare interpreter in the same run.

    .venv/bin/python benchmarks/startup.py [--repeat 15]

Reports the median wall time of ``python -c pass`` (the floor), ``llmiq --help`` and
``llmiq quiz`` up to its first question (answers come from a closed stdin, so the quiz
ends right after printing the first question), and each as a ratio of the floor.
Budget (DESIGN.md): both well under half a second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    llmiq = [sys.executable, "-m", "llmiq"]
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "llmiq --help": [*llmiq, "--help"],
        "llmiq quiz (first question)": [*llmiq, "quiz", "seed", "--in-order", "--lang", "en"],
    }
    floor = None
    print(f"{'command':<30} {'median ms':>10} {'x floor':>8}")
    for name, command in cases.items():
        seconds = _median_seconds(command, args.repeat)
        floor = floor or seconds
        print(f"{name:<30} {seconds * 1000:>10.1f} {seconds / floor:>8.2f}")


if __name__ == "__main__":
    main()
