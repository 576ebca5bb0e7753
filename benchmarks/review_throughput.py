"""Scheduling and logging reviews: llmiq against the bare fsrs scheduler, in one run.

    .venv/bin/python benchmarks/review_throughput.py [--reviews 100000] [--database-url URL]

Replays the same stream of answers (1,000 questions of the seed bank's shape, ratings drawn
with a fixed seed, one simulated hour between answers) twice: through ``fsrs.Scheduler``
alone, and through ``Practice.record``, which also loads the card, writes the review log
and commits one transaction per answer (SQLite in a temporary folder unless a URL is
given). Prints reviews/second for both and our overhead as a ratio. The cold start of
``llmiq review`` to its first question is measured by ``benchmarks/startup.py``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.grading import Grade
from llmiq.practice.recording import Practice
from llmiq.practice.scheduling import make_scheduler
from llmiq.store.database import open_database

QUESTIONS = 1000
START = datetime(2026, 1, 1, tzinfo=UTC)


def _stream(count: int) -> list[tuple[int, int]]:
    rng = random.Random(0)
    return [
        (rng.randrange(QUESTIONS), rng.choices((1, 2, 3, 4), (1, 1, 6, 2))[0]) for _ in range(count)
    ]


def bare(stream: list[tuple[int, int]]) -> float:
    scheduler = make_scheduler(fuzz=False)
    cards = [fsrs.Card(card_id=i + 1, due=START) for i in range(QUESTIONS)]
    started = time.perf_counter()
    for n, (index, rating) in enumerate(stream):
        now = START + timedelta(hours=n)
        cards[index], _ = scheduler.review_card(cards[index], fsrs.Rating(rating), now)
    return time.perf_counter() - started


def ours(stream: list[tuple[int, int]], url: str) -> float:
    seed = resolve_bank("seed")
    questions = [
        seed.questions[i % len(seed.questions)].model_copy(update={"id": f"q{i}"})
        for i in range(QUESTIONS)
    ]
    clock_now = [START]
    database = open_database(url)
    practice = Practice(
        database, "bench", scheduler=make_scheduler(fuzz=False), clock=lambda: clock_now[0]
    )
    started = time.perf_counter()
    for n, (index, rating) in enumerate(stream):
        clock_now[0] = START + timedelta(hours=n)
        practice.record(
            "bench", questions[index], Grade(rating > 1, "x", rating=rating), 3000, "review"
        )
    elapsed = time.perf_counter() - started
    database.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    stream = _stream(args.reviews)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        bare_s = bare(stream)
        ours_s = ours(stream, url)
        print(f"{args.reviews} reviews of {QUESTIONS} questions")
        print(f"bare fsrs scheduler      {bare_s:8.2f} s  {args.reviews / bare_s:10,.0f} reviews/s")
        print(f"llmiq schedule + log     {ours_s:8.2f} s  {args.reviews / ours_s:10,.0f} reviews/s")
        print(f"overhead                 {ours_s / bare_s:8.1f}x the bare scheduler's time")


if __name__ == "__main__":
    main()
