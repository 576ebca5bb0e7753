"""Statistics over a large review log: how ``llmiq stats``, ``llmiq history``, the web
statistics page and ``/api/stats`` grow with the number of reviews.

    .venv/bin/python benchmarks/stats_scale.py [--sizes 10000,100000,1000000] [--repeat 3]
        [--keep DIR] [--postgres URL] [--class-size 200] [--per-person 5000] [--explain]

Fills, per size, the default SQLite database of a data directory of its own with the
reviews of one profile through the project's own bulk path (``record_answers``: answers
graded, cards rescheduled by FSRS and the review log appended, many answers per
transaction), spread evenly over the last three years up to now, over every question of
the built-in banks. Then times, each in a process of its own with its peak RSS (median of
``--repeat`` runs, after one warm-up run): ``llmiq stats`` and ``llmiq history -n 20``;
and the ASGI app in-process (GET /stats and /api/stats: first request, and median of the
next three). Prints the growth of each figure per 10x reviews.

With ``--postgres URL`` (or ``$LLMIQ_TEST_POSTGRES_URL``), also a class on PostgreSQL:
``--class-size`` profiles x ``--per-person`` reviews, timed for one of them. The database
must be empty, or hold the class from an earlier run (then it is reused). ``--keep DIR``
keeps (and reuses) the SQLite data directories. ``--explain`` prints the query plans of the
statistics queries (llmiq's code only; it needs the module ``llmiq.store.review_stats``).

Run against older code by putting its ``src`` first: ``PYTHONPATH=/tmp/before/src``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DAYS = 3 * 365
BATCH = 5000
HEAVY = "heavy"


def _questions() -> list[tuple[str, Any]]:
    from llmiq.bank.catalog import builtin_entries, load_entry

    return [
        (bank.id, question)
        for bank in (load_entry(entry) for entry in builtin_entries())
        for question in bank.questions
    ]


def _count_reviews(url: str, profile: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not connection.dialect.has_table(connection, "reviews"):
                return 0
            return connection.execute(
                text(
                    "SELECT count(*) FROM reviews JOIN users ON users.id = reviews.user_id"
                    " WHERE users.name = :name"
                ),
                {"name": profile},
            ).scalar_one()
    finally:
        engine.dispose()


def fill(url: str, profiles: list[str], per_profile: int) -> float:
    """Record ``per_profile`` answers for each profile through ``record_answers``, evenly
    spread (with jitter) over the last :data:`DAYS` days; returns the seconds it took."""
    from llmiq.bank.grading import Grade
    from llmiq.clock import utc_now
    from llmiq.practice.recording import Answer, record_answers
    from llmiq.practice.scheduling import make_scheduler
    from llmiq.store.database import open_database

    questions = _questions()
    rng = random.Random(0)
    database = open_database(url)
    scheduler = make_scheduler(fuzz=False)
    end = utc_now()
    start = end - timedelta(days=DAYS)
    step = (end - start) / per_profile
    started = time.perf_counter()
    done = 0
    total = len(profiles) * per_profile
    for profile in profiles:
        for first in range(0, per_profile, BATCH):
            batch = []
            for n in range(first, min(first + BATCH, per_profile)):
                bank_id, question = rng.choice(questions)
                correct = rng.random() < 0.8
                at = start + step * (n + 0.9 * rng.random())
                grade = Grade(correct, "A")
                batch.append(Answer(profile, bank_id, question, grade, 8000, "review", at))
            record_answers(database, scheduler, batch)
            done += len(batch)
            print(f"\r  filled {done:,}/{total:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    database.close()
    return time.perf_counter() - started


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Seconds, peak RSS in MB, stdout and CPU seconds (user + system: what other work on
    the machine changes least) of a child process, which must succeed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode()}")
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, usage.ru_maxrss / 1024, out.read().decode(), cpu


def _web_child(url: str, profile: str) -> None:
    """In a child process: time GET /stats and /api/stats on the ASGI app; print JSON."""
    from fastapi.testclient import TestClient

    from llmiq.web.main import create_app
    from llmiq.web.settings import WebSettings

    settings = WebSettings(database_url=url or None, profile=profile, _env_file=None)
    app = create_app(settings)
    timings: dict[str, Any] = {}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for path in ("/stats", "/api/stats"):
            seconds = []
            for _ in range(4):
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
            timings[path] = {"first": seconds[0], "median": statistics.median(seconds[1:])}
        timings["reviews"] = client.get("/api/stats").json()["reviews"]
    print(json.dumps(timings))


def _median_run(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, float, float]:
    """Median seconds, highest peak RSS (MB) and median CPU seconds of ``repeat`` runs."""
    runs = [_run(command, env) for _ in range(repeat)]
    return (
        statistics.median(run[0] for run in runs),
        max(run[1] for run in runs),
        statistics.median(run[3] for run in runs),
    )


def measure(url: str | None, profile: str, home: str, repeat: int) -> dict[str, Any]:
    """Time the commands and pages on ``url``, or on the default database of ``home``."""
    env = os.environ | {"LLMIQ_HOME": home, "LLMIQ_PROFILE": profile, "COLUMNS": "120"}
    env.pop("LLMIQ_DATABASE_URL", None)
    if url is not None:
        env["LLMIQ_DATABASE_URL"] = url
    llmiq = [sys.executable, "-m", "llmiq"]
    # warm up: the page cache, and the validated built-in banks' cache (made on first use)
    _run([*llmiq, "stats", "--format", "json"], env)
    stats_s, stats_mb, stats_cpu = _median_run([*llmiq, "stats"], env, repeat)
    history_s, history_mb, history_cpu = _median_run([*llmiq, "history", "-n", "20"], env, repeat)
    _, web_mb, out, _ = _run([sys.executable, __file__, "_web", url or "", profile], env)
    web = json.loads(out.splitlines()[-1])
    return {
        "reviews": web["reviews"],
        "stats_s": stats_s,
        "stats_mb": stats_mb,
        "stats_cpu": stats_cpu,
        "history_s": history_s,
        "history_cpu": history_cpu,
        "history_mb": history_mb,
        "page_first_s": web["/stats"]["first"],
        "page_s": web["/stats"]["median"],
        "api_s": web["/api/stats"]["median"],
        "web_mb": web_mb,
    }


COLUMNS = [
    ("reviews", "reviews", "{:>9,}"),
    ("stats_s", "stats s", "{:>8.2f}"),
    ("stats_cpu", "stats cpu", "{:>9.2f}"),
    ("stats_mb", "stats MB", "{:>8.0f}"),
    ("history_s", "hist s", "{:>7.2f}"),
    ("history_cpu", "hist cpu", "{:>8.2f}"),
    ("history_mb", "hist MB", "{:>7.0f}"),
    ("page_first_s", "/stats 1st", "{:>10.3f}"),
    ("page_s", "/stats s", "{:>8.3f}"),
    ("api_s", "/api s", "{:>7.3f}"),
    ("web_mb", "web MB", "{:>7.0f}"),
]


def _table(rows: list[dict[str, Any]]) -> None:
    print("  ".join(f"{title:>{len(fmt.format(rows[0][key]))}}" for key, title, fmt in COLUMNS))
    for row in rows:
        print("  ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS))
    for smaller, larger in itertools.pairwise(rows):
        factor = larger["reviews"] / smaller["reviews"]
        if factor <= 1:
            continue
        per_10x = {
            title: (larger[key] / smaller[key]) ** (1 / math.log10(factor))
            for key, title, _ in COLUMNS[1:]
            if smaller[key] > 0
        }
        shown = ", ".join(f"{title} x{ratio:.2f}" for title, ratio in per_10x.items())
        print(f"growth per 10x, {smaller['reviews']:,} -> {larger['reviews']:,}: {shown}")


def explain(url: str, profile: str) -> None:
    """The query plans of the statistics queries for ``profile``, as the database reports."""
    from sqlalchemy import event

    from llmiq.clock import utc_now
    from llmiq.practice.days import local_date
    from llmiq.practice.stats import summarise_reviews
    from llmiq.store import progress
    from llmiq.store.database import open_database

    database = open_database(url)
    statements: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM reviews" in statement and (statement, parameters) not in statements:
            statements.append((statement, parameters))

    with database.transaction() as session:
        user = progress.find_user(session, profile)
        assert user is not None
        event.listen(database.engine, "before_cursor_execute", grab)
        summarise_reviews(session, user.id, local_date(utc_now()))
        progress.reviews_of(session, user.id, limit=20, newest_first=True)
        event.remove(database.engine, "before_cursor_execute", grab)
        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        seen = set()
        for statement, parameters in statements:
            if statement in seen:
                continue
            seen.add(statement)
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, COSTS OFF) "
            plan = connection.exec_driver_sql(prefix + statement, parameters).all()
            print("--", " ".join(statement.split())[:110])
            for row in plan[:12]:
                print("     ", row[-1] if sqlite else row[0])
    database.close()


def _postgres_class(url: str, size: int, per_person: int) -> None:
    from sqlalchemy import create_engine

    names = [f"class-{n:03d}" for n in range(size)]
    count = _count_reviews(url, names[-1])
    if count == 0:
        if _count_reviews(url, names[0]) or _has_tables(url):
            raise SystemExit(f"--postgres: {url} holds other data; give an empty database")
        print(f"filling PostgreSQL: {size} profiles x {per_person:,} reviews", file=sys.stderr)
        seconds = fill(url, names, per_person)
        print(f"filled in {seconds:.0f} s ({size * per_person / seconds:,.0f} reviews/s)")
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()
    elif count != per_person:
        raise SystemExit(f"--postgres: {names[-1]} has {count} reviews, not {per_person}")


def _has_tables(url: str) -> bool:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "_web":
        _web_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--keep", type=Path, help="keep and reuse the SQLite files here")
    parser.add_argument("--postgres", default=os.environ.get("LLMIQ_TEST_POSTGRES_URL"))
    parser.add_argument("--class-size", type=int, default=200)
    parser.add_argument("--per-person", type=int, default=5000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (median)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        home = str(Path(tmp) / "home")
        rows = []
        for size in sizes:
            # the default database of a data directory of its own: what a person has
            size_home = folder / str(size)
            url = f"sqlite:///{size_home / 'llmiq.db'}"
            if _count_reviews(url, HEAVY) != size:
                for stale in size_home.glob("llmiq.db*"):
                    stale.unlink()
                print(f"filling SQLite with {size:,} reviews", file=sys.stderr)
                seconds = fill(url, [HEAVY], size)
                print(f"filled {size:,} in {seconds:.0f} s ({size / seconds:,.0f} reviews/s)")
            rows.append(measure(None, HEAVY, str(size_home), args.repeat))
            if args.explain:
                explain(url, HEAVY)
        print(f"({datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, Python {sys.version.split()[0]})")
        # the floor in the same run: how fast this machine starts Python, and llmiq, now
        floor_env = os.environ | {"LLMIQ_HOME": home}
        floors = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "llmiq --help": [sys.executable, "-m", "llmiq", "--help"],
        }
        shown = ", ".join(
            f"{name} {_median_run(command, floor_env, max(args.repeat, 5))[0]:.3f} s"
            for name, command in floors.items()
        )
        print(f"floor (median): {shown}")
        if rows:
            print(f"\nSQLite, one profile, reviews over {DAYS} days up to now")
            _table(rows)
        if args.postgres:
            _postgres_class(args.postgres, args.class_size, args.per_person)
            row = measure(args.postgres, f"class-{args.class_size // 2:03d}", home, args.repeat)
            print(
                f"\nPostgreSQL, {args.class_size} profiles x {args.per_person:,} reviews, "
                "one of them:"
            )
            _table([row])
            if args.explain:
                explain(args.postgres, f"class-{args.class_size // 2:03d}")


if __name__ == "__main__":
    main()
