"""Answer submission under load on loopback: llmiq's web app against a bare FastAPI app.

    .venv/bin/python benchmarks/web_load.py [--seconds 10] [--clients 64] [--json]
        [--only bare|llmiq] [--client-processes 1] [--warmup 1] [--question-ids ID,ID,...]
        [--database-url URL] [--workers 1[,2,...]] [--profile]

Starts each server as its own uvicorn process (127.0.0.1, a free port, 1 worker, uvloop +
httptools, log level warning), one after the other, and hammers it with N keep-alive
clients (one HTTP/1.1 connection each) for a fixed time after an uncounted warm-up:

- bare: ``bare_app`` below, one ``POST /bare`` that validates the same JSON body as the
  real endpoint (``answer: str, duration_ms: int``) and returns ``{"ok": true}``;
- llmiq: ``llmiq.web.main:create_app`` with ``LLMIQ_HOME`` and a SQLite
  ``LLMIQ_DATABASE_URL`` in a temporary folder, ``POST
  /api/banks/seed/questions/{id}/answer`` cycling over the seed bank's ten questions
  ("no" for the open one, "A" for the others).

The load generator is a lean asyncio client over raw streams (request bytes built once per
path, status line + Content-Length parsed by hand), on uvloop if installed, in this process
(or in ``--client-processes`` spawned ones) - never in the server's. Prints requests/s,
p50 and p99 latency, errors (non-200 answers, connection errors, over the whole run
including the warm-up) and the client's own CPU use (share of one core) side by side, the
llmiq/bare throughput ratio and the goals (ratio >= 0.5, llmiq p99 < 50 ms). Then compares
the 200 answers the clients got from llmiq with the rows its run added to the ``reviews``
table: the exit code is 1 if any answer was lost or any request failed.

Client and server compete for the same cores (2 on the reference machine): the server's one
worker uses at most about one core, and the client's CPU column shows what it takes from
the other. Against a fixed-response uvloop server one client process reaches 70-85,000
requests/s, so the client is far from being the limit here; a second client process only
adds contention on 2 cores. These are loopback numbers with a busy neighbour, not those of a
dedicated host.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from pydantic import BaseModel
from web_profile import Sampler, report, server_cpu_seconds

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
GRACE = 10.0  # seconds a request may still take after the end before it counts as lost
GOAL_RATIO = 0.5
GOAL_P99_MS = 50.0


class AnswerIn(BaseModel):
    answer: str
    duration_ms: int


def bare_app():  # -> fastapi.FastAPI; imported here so the client processes stay lean
    """The floor: FastAPI parsing and validating the same body, and nothing else."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/bare")
    async def bare(body: AnswerIn) -> dict[str, bool]:
        return {"ok": True}

    return app


# --- servers -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(
    app: str, env: dict[str, str], log: Path, app_dir: Path | None, workers: int = 1
) -> Iterator[tuple[int, int]]:
    """Run ``uvicorn --factory app`` until the block ends; yields its port and process id."""
    port = _free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", app, "--factory", "--host", HOST),
        *("--port", str(port), "--workers", str(workers)),
        *("--loop", "uvloop", "--http", "httptools"),
        *("--log-level", "warning", "--no-access-log"),
        *(("--app-dir", str(app_dir)) if app_dir else ()),
    ]
    with log.open("wb") as out:
        # Own session: a Ctrl-C reaches only us, and we stop the server in `finally`.
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{app} exited with {process.returncode}:\n{_tail(log)}")
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"{app} did not answer on port {port}:\n{_tail(log)}"
                    ) from None
                time.sleep(0.05)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _count_reviews(database: Path | str) -> int | None:
    """Rows in ``reviews`` of a SQLite file or, given a URL, of any database (None: no table)."""
    if isinstance(database, str):
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import DBAPIError

        engine = create_engine(database)
        try:
            with engine.connect() as connection:
                return connection.execute(text("SELECT count(*) FROM reviews")).scalar_one()
        except DBAPIError:
            return None
        finally:
            engine.dispose()
    if not database.exists():
        return None
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM reviews").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()


# --- load client ---------------------------------------------------------------------------


def _request(port: int, path: str, body: dict[str, object]) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    keep = b"\r\nconnection: close" not in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        await reader.readexactly(int(lower[at + 17 : lower.index(b"\r\n", at + 2)]))
    elif b"\r\ntransfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF (no trailers)
            if size == 0:
                break
    else:
        await reader.read()
        keep = False
    return status, keep


class _Stats:
    def __init__(self) -> None:
        self.ok = 0  # 200 answers over the whole run, warm-up and tail included
        self.latencies: list[float] = []  # seconds, 200 answers completed inside the window
        self.errors: Counter[str] = Counter()
        self.cpu = 0.0  # seconds of this process's CPU time while the clients ran


async def _client(
    port: int,
    requests: list[bytes],
    first: int,
    start: float,
    window: tuple[float, float],
    stats: _Stats,
) -> None:
    counted_from, end = window
    writer: asyncio.StreamWriter | None = None
    n = first
    with contextlib.suppress(OSError):
        reader, writer = await asyncio.open_connection(HOST, port)
    await asyncio.sleep(start - time.perf_counter())
    try:
        while time.perf_counter() < end:
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(HOST, port)
                except OSError as error:
                    stats.errors[type(error).__name__] += 1
                    await asyncio.sleep(0.05)
                    continue
            request = requests[n % len(requests)]
            n += 1
            started = time.perf_counter()
            try:
                writer.write(request)
                status, keep = await _response(reader)
            except (OSError, EOFError, ValueError, asyncio.LimitOverrunError) as error:
                stats.errors[type(error).__name__] += 1
                writer.close()
                writer = None
                continue
            done = time.perf_counter()
            if status == 200:
                stats.ok += 1
                if counted_from <= done < end:
                    stats.latencies.append(done - started)
            else:
                stats.errors[f"HTTP {status}"] += 1
            if not keep:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


def _load(
    port: int,
    requests: list[bytes],
    clients: int,
    first: int,
    start_at: float,
    warmup: float,
    seconds: float,
) -> tuple[int, list[float], Counter[str], float]:
    """Run `clients` connections in this process; `start_at` is wall-clock (time.time)."""

    async def run() -> _Stats:
        start = start_at - time.time() + time.perf_counter()
        window = (start + warmup, start + warmup + seconds)
        stats = _Stats()
        cpu = time.process_time()
        tasks = [
            asyncio.create_task(_client(port, requests, first + i, start, window, stats))
            for i in range(clients)
        ]
        done, pending = await asyncio.wait(tasks, timeout=window[1] + GRACE - time.perf_counter())
        for task in pending:
            task.cancel()
            stats.errors["no answer"] += 1
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()
        stats.cpu = time.process_time() - cpu
        return stats

    try:
        import uvloop
    except ImportError:
        stats = asyncio.run(run())
    else:
        stats = uvloop.run(run())
    return stats.ok, stats.latencies, stats.errors, stats.cpu


def _measure(port: int, requests: list[bytes], args: argparse.Namespace) -> dict[str, object]:
    processes = max(1, min(args.client_processes, args.clients))
    shares = [args.clients // processes + (i < args.clients % processes) for i in range(processes)]
    firsts = [sum(shares[:i]) for i in range(processes)]
    common = (args.warmup, args.seconds)
    if processes == 1:
        parts = [_load(port, requests, args.clients, 0, time.time() + 0.2, *common)]
    else:
        start_at = time.time() + 2.0  # spawned interpreters need a moment to start
        with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
            futures = [
                pool.submit(_load, port, requests, share, first, start_at, *common)
                for share, first in zip(shares, firsts, strict=True)
            ]
            parts = [future.result() for future in futures]
    latencies = sorted(latency for _, part, _, _ in parts for latency in part)
    errors: Counter[str] = Counter()
    for _, _, part_errors, _ in parts:
        errors.update(part_errors)
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        p50, p99 = cuts[49] * 1000, cuts[98] * 1000
    else:
        p50 = p99 = None
    return {
        "requests_per_s": len(latencies) / args.seconds,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "ok_total": sum(ok for ok, _, _, _ in parts),
        # share of one core the load client used (all its processes, warm-up included)
        "client_cpu": sum(cpu for _, _, _, cpu in parts) / (args.warmup + args.seconds),
    }


# --- the two servers -----------------------------------------------------------------------


def _seed_requests(port: int, ids: list[str] | None) -> list[bytes]:
    from llmiq.bank.catalog import resolve_bank

    questions = {question.id: question for question in resolve_bank("seed").questions}
    ids = ids or list(questions)[:10]
    return [
        _request(
            port,
            f"/api/banks/seed/questions/{qid}/answer",
            {
                "answer": "no" if qid in questions and questions[qid].kind == "open" else "A",
                "duration_ms": 3000,
            },
        )
        for qid in ids
    ]


def _profiled(pid: int, port: int, requests: list[bytes], args) -> dict[str, object]:
    """``_measure``, plus the server's CPU per answered request (and its layers with
    ``--profile``)."""
    sampler = Sampler(pid, 0.2 + args.warmup, args.seconds) if args.profile else None
    if sampler:
        sampler.start()
    cpu = server_cpu_seconds(pid)
    result = _measure(port, requests, args)
    cpu = server_cpu_seconds(pid) - cpu
    result["server_cpu_ms"] = 1000 * cpu / result["ok_total"] if result["ok_total"] else None
    if sampler:
        result["layers"] = dict(sampler.finish())
    return result


def _run(name: str, tmp: Path, args: argparse.Namespace, workers: int = 1) -> dict[str, object]:
    env = os.environ | {"LLMIQ_HOME": str(tmp), "PYTHONUNBUFFERED": "1"}
    log = tmp / f"server-{name}.log"
    if name == "bare":
        with _server("web_load:bare_app", env, log, HERE) as (port, pid):
            requests = [_request(port, "/bare", {"answer": "A", "duration_ms": 3000})]
            result = _profiled(pid, port, requests, args)
    else:
        database: Path | str = args.database_url or tmp / "bench.db"
        env["LLMIQ_DATABASE_URL"] = args.database_url or f"sqlite:///{database}"
        with _server("llmiq.web.main:create_app", env, log, None, workers) as (port, pid):
            before = _count_reviews(database) or 0
            result = _profiled(pid, port, _seed_requests(port, args.question_ids), args)
        after = _count_reviews(database)  # the server has stopped: everything is on disk
        result["reviews_added"] = None if after is None else after - before
    if result["errors"]:
        result["server_log_tail"] = _tail(log)
    return result


def _ms(value: object) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ms3(value: object) -> str:
    return "-" if value is None else f"{value:.3f}"


def _report(results: dict[str, dict[str, object]], summary: dict[str, object], args) -> None:
    cores = os.cpu_count()
    print(
        f"{args.clients} keep-alive clients in {args.client_processes} process(es), "
        f"{args.seconds:g} s after a {args.warmup:g} s warm-up; "
        f"{cores} CPUs shared by client and server; llmiq on "
        f"{'SQLite' if not args.database_url else args.database_url.split(':')[0]}, "
        f"uvicorn workers {','.join(map(str, args.workers))}"
    )
    print(
        f"{'server':<9} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'client CPU':>11} {'server CPU ms/req':>18}"
    )
    for name, result in results.items():
        print(
            f"{name:<9} {result['requests_per_s']:>11,.0f} {_ms(result['p50_ms']):>8} "
            f"{_ms(result['p99_ms']):>8} {result['errors']:>7} {result['client_cpu']:>11.0%}"
            f" {_ms3(result['server_cpu_ms']):>18}"
        )
    for name, result in results.items():
        if "layers" in result:
            lines = report(name, Counter(result["layers"]), result["server_cpu_ms"])
            print("\n".join(lines))
    for name, result in results.items():
        if result["errors"]:
            kinds = ", ".join(f"{kind} x{count}" for kind, count in result["error_kinds"].items())
            print(f"{name} errors: {kinds}; end of its server log:", file=sys.stderr)
            print(result["server_log_tail"], file=sys.stderr)
    if "ratio" in summary:
        print(
            f"llmiq/bare throughput {summary['ratio']:.2f}  "
            f"(goal >= {GOAL_RATIO}: {'yes' if summary['ratio_ok'] else 'NO'})"
        )
    if "llmiq" in results:
        print(
            f"llmiq p99 {_ms(results['llmiq']['p99_ms'])} ms  "
            f"(goal < {GOAL_P99_MS:g} ms: {'yes' if summary['p99_ok'] else 'NO'})"
        )
    for name, result in results.items():
        if name == "bare":
            continue
        if name != "llmiq":
            print(f"{name}/llmiq throughput {summary['scale_out'][name]:.2f}")
        added = result["reviews_added"]
        print(
            f"{name} answers: {result['ok_total']:,} with 200, rows added to reviews: "
            f"{'-' if added is None else format(added, ',')}"
            f" - {'nothing lost' if added == result['ok_total'] else 'MISMATCH'}"
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that `finally` stops the servers on SIGTERM too


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds, not counted")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--only", choices=("bare", "llmiq"))
    parser.add_argument(
        "--question-ids",
        type=lambda text: text.split(","),
        help="comma-separated; default: the first ten questions of the seed bank",
    )
    parser.add_argument(
        "--database-url",
        help="llmiq's database (e.g. postgresql+psycopg://...); default: SQLite in a temp folder",
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1],
        help="uvicorn workers for llmiq, comma-separated to compare (e.g. 1,2); default 1",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample each server with py-spy and print where its CPU goes, layer by layer",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    args = parser.parse_args()
    if args.profile and (reason := Sampler.available()):
        parser.error(reason)
    if any(n < 1 for n in args.workers):
        parser.error("--workers takes counts of 1 or more, e.g. 1,2")
    signal.signal(signal.SIGTERM, _interrupt)
    # (name, workers): the first llmiq run is "llmiq", the others "llmiq wN"
    runs = [] if args.only == "llmiq" else [("bare", 1)]
    if args.only != "bare":
        runs += [("llmiq" if i == 0 else f"llmiq w{n}", n) for i, n in enumerate(args.workers)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = {name: _run(name, Path(tmp), args, n) for name, n in runs}
    except KeyboardInterrupt:
        print("interrupted; the servers are stopped", file=sys.stderr)
        raise SystemExit(130) from None
    summary: dict[str, object] = {}
    if "bare" in results and "llmiq" in results:
        bare_rps = results["bare"]["requests_per_s"]
        summary["ratio"] = results["llmiq"]["requests_per_s"] / bare_rps if bare_rps else 0.0
        summary["ratio_ok"] = summary["ratio"] >= GOAL_RATIO
    if "llmiq" in results:
        llmiq = results["llmiq"]
        summary["p99_ok"] = llmiq["p99_ms"] is not None and llmiq["p99_ms"] < GOAL_P99_MS
        summary["nothing_lost"] = all(
            result["reviews_added"] == result["ok_total"]
            for name, result in results.items()
            if name != "bare"
        )
        rps = llmiq["requests_per_s"]
        summary["scale_out"] = {
            name: result["requests_per_s"] / rps if rps else 0.0
            for name, result in results.items()
            if name not in ("bare", "llmiq")
        }
    if args.json:
        print(json.dumps({"clients": args.clients, "seconds": args.seconds, **results, **summary}))
    else:
        _report(results, summary, args)
    errors = sum(result["errors"] for result in results.values())
    if errors or summary.get("nothing_lost") is False:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
