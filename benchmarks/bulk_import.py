"""Import and validate a large generated article, with and without the paused collector.

    .venv/bin/python benchmarks/bulk_import.py [--questions 20000]

Generates an article of N four-option questions with explanations, then times, in one
process: parsing it (``import_article``), writing the bank as YAML, and validating the YAML
(``check_bank_text``); each once with the cyclic garbage collector running as usual
(``paused_gc`` made a no-op) and once as shipped. Prints seconds, questions/second and the
ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from llmiq.bank.files import check_bank_text, dump_bank_yaml
from llmiq.ingest import import_article


def _article(count: int) -> str:
    rng = random.Random(0)
    lines = ["# Generated interview questions", ""]
    for n in range(1, count + 1):
        lines += [
            f"{n}. Question {n}: which statement about attention head {n % 12} holds?",
            "A. It weighs tokens by relevance.",
            "B. It predicts the next token by itself.",
            "C. It summarises the document.",
            "D. It clips gradients.",
            f"Answer: {rng.choice('ABCD')}",
            "Explanation: " + "self-attention mixes token representations. " * 3,
            "",
        ]
    return "\n".join(lines)


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _run(path: Path, count: int, label: str) -> dict[str, float]:
    parse_s, result = _timed(lambda: import_article(path, bank_id="bulk"))
    dump_s, text = _timed(lambda: dump_bank_yaml(result.bank))
    check_s, (bank, _) = _timed(lambda: check_bank_text(text, "bulk.yaml"))
    assert bank is not None
    assert len(bank.questions) == count
    row = {"parse": parse_s, "write yaml": dump_s, "validate": check_s}
    print(label, "  ".join(f"{k} {v:6.2f}s ({count / v:,.0f} q/s)" for k, v in row.items()))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "article.md"
        path.write_text(_article(args.questions), encoding="utf-8")
        print(f"{args.questions} questions, {path.stat().st_size / 2**20:.1f} MiB")
        with (
            mock.patch("llmiq.bank.files.paused_gc", contextlib.nullcontext),
            mock.patch("llmiq.ingest.importing.paused_gc", contextlib.nullcontext),
        ):
            plain = _run(path, args.questions, "collector on: ")
        shipped = _run(path, args.questions, "as shipped:   ")
    print("speed-up      ", "  ".join(f"{k} {plain[k] / shipped[k]:.1f}x" for k in plain))


if __name__ == "__main__":
    main()
