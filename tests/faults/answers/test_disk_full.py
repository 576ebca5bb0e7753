"""A full disk under the SQLite database (issue 17): answers the server cannot store are
refused and leave nothing behind, every acknowledged one is stored, the database stays sound,
and once there is room again the same server takes answers (retries with their keys too).

The database lives on a small tmpfs mounted for the test (root only), filled up to a few
hundred kilobytes by a filler file; a burst of answers from eight clients runs into the limit.
"""

from __future__ import annotations

import errno
import http.client
import os
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

SIZE_MB = 12
#: Room left beside the filler: a few dozen commits' worth of WAL pages.
LEFT_BYTES = 256 * 1024
CLIENTS = 8
#: Each client stops after this many answers, or after its third refused one.
ANSWERS_PER_CLIENT = 150
REFUSALS_PER_CLIENT = 3


def _mount_tmpfs(mount: Path, service_missing: Any) -> None:
    if os.geteuid() != 0:
        service_missing("the disk-full test mounts a tmpfs: run it as root (CI does)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        service_missing(f"the disk-full test cannot mount a tmpfs: {done.stderr.strip()}")


def _fill(filler: Path, leave: int) -> None:
    """Write ``filler`` until the disk is full, then give back ``leave`` bytes."""
    chunk = b"\0" * (1 << 16)
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while True:
            try:
                os.write(fd, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - leave))
    finally:
        os.close(fd)


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    connection.close()
    return "; ".join(row[0] for row in rows)


@pytest.mark.slow
def test_a_full_disk_refuses_answers_and_keeps_the_database(
    tmp_path: Path, serve: Any, answering: Any, service_missing: Any
) -> None:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    _mount_tmpfs(mount, service_missing)
    server = None
    try:
        path = mount / "llmiq.db"
        url = f"sqlite:///{path}"
        server = serve(url)  # creates and migrates the database
        client = answering.Client(server.port)
        before = [f"before-{n}" for n in range(5)]
        assert [client.answer(tag)[0] for tag in before] == [200] * 5
        client.close()
        filler = mount / "filler"
        _fill(filler, LEFT_BYTES)

        acknowledged: set[str] = set()
        refused: dict[str, tuple[int, Any]] = {}
        unanswered: set[str] = set()  # the connection failed: the server said nothing
        lock = threading.Lock()

        def burst(n: int) -> None:
            client = answering.Client(server.port)
            refusals = 0
            try:
                for i in range(ANSWERS_PER_CLIENT):
                    tag = f"full-c{n}-{i:04d}"
                    try:
                        status, data = client.answer(tag)
                    except (OSError, http.client.HTTPException):
                        with lock:
                            unanswered.add(tag)
                        continue
                    with lock:
                        if status == 200:
                            acknowledged.add(tag)
                        else:
                            refused[tag] = (status, data)
                    refusals += status != 200
                    if refusals >= REFUSALS_PER_CLIENT:
                        return
            finally:
                client.close()

        threads = [threading.Thread(target=burst, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        statuses = sorted({status for status, _ in refused.values()})
        first_refusal = next(iter(refused.values()), None)
        stored = answering.stored_tags(url)
        integrity_full = _integrity(path)
        print(
            f"\ndisk full on sqlite ({SIZE_MB} MB tmpfs, {LEFT_BYTES // 1024} KB left): "
            f"acknowledged {len(acknowledged)}, refused {len(refused)} (HTTP {statuses}), "
            f"no response {len(unanswered)}, stored {sum(stored.values()) - len(before)}, "
            f"duplicates {sum(1 for count in stored.values() if count > 1)}, "
            f"integrity {integrity_full!r}; first refusal: {first_refusal}"
        )
        assert refused, "the disk never filled up: nothing was refused"
        assert unanswered == set(), server.tail()
        assert all(status >= 500 for status in statuses), refused
        # a refused answer left nothing; an acknowledged one is there, once
        assert set(refused).isdisjoint(stored)
        assert {tag for tag in stored if tag.startswith("full-")} == acknowledged
        assert all(count == 1 for count in stored.values())
        assert integrity_full == "ok"

        # room again: the same server, no restart, takes the refused answers (same keys)
        filler.unlink()
        client = answering.Client(server.port)
        retried = {tag: client.answer(tag)[0] for tag in sorted(refused)}
        after = {tag: client.answer(tag)[0] for tag in (f"after-{n}" for n in range(5))}
        again = {tag: client.answer(tag)[0] for tag in sorted(acknowledged)[:5]}
        client.close()
        assert server.process.poll() is None
        assert set(retried.values()) == set(after.values()) == set(again.values()) == {200}
        stored = answering.stored_tags(url)
        assert set(stored) == set(before) | acknowledged | set(refused) | set(after)
        assert all(count == 1 for count in stored.values())
        assert _integrity(path) == "ok"
        print(
            f"after freeing space: retried {len(retried)} refused answers and "
            f"{len(again)} acknowledged ones, {len(after)} new; stored "
            f"{sum(stored.values())}, duplicates 0"
        )
    finally:
        if server is not None:
            server.stop()
        subprocess.run(["umount", str(mount)], check=False)
