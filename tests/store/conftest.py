"""Real SQLite files for the store's tests: filled with answers, then damaged on purpose."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.store.database import open_database


def _filled(path: Path, reviews: int = 4000) -> Path:
    """An llmiq database with one profile and ``reviews`` answers (about 150 pages at 4,000),
    its WAL copied into the file."""
    open_database(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("INSERT INTO users (name, created_at) VALUES ('ada', '2026-01-01')")
        connection.executemany(
            "INSERT INTO reviews (user_id, bank_id, question_id, content_hash, answer, "
            "correct, rating, duration_ms, reviewed_at, mode) "
            "VALUES (1, 'seed', ?, 'h', 'A', 1, 3, 1000, '2026-01-01 00:00:00.000000', 'quiz')",
            [(f"q{n}",) for n in range(reviews)],
        )
    connection.close()  # the last connection out copies the WAL into the file
    assert not Path(f"{path}-wal").exists()
    return path


def _damage(path: Path, pages: int = 4) -> bytes:
    """Overwrite ``pages`` pages in the middle of the file with random bytes; the new bytes
    of the whole file."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 4096 // 2
    rng = random.Random(7)
    for page in range(middle, middle + pages):
        data[page * 4096 : (page + 1) * 4096] = rng.randbytes(4096)
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.fixture
def filled() -> Callable[..., Path]:
    return _filled


@pytest.fixture
def damage() -> Callable[..., bytes]:
    return _damage
