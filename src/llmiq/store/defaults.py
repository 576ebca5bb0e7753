"""What the store knows before SQLAlchemy is imported: where the default database is, the
variable that names another one, the schema revision this llmiq writes, and how every SQLite
connection is set up. Both ways into the database share these: SQLAlchemy
(:mod:`llmiq.store.database`) and the standard library's sqlite3 (:mod:`llmiq.store.lite`).
"""

from __future__ import annotations

import os
from pathlib import Path

from llmiq.errors import LlmiqError
from llmiq.paths import data_dir

DATABASE_ENV = "LLMIQ_DATABASE_URL"
#: The newest migration; a test checks it matches the migrations folder.
SCHEMA_HEAD = "0006"
#: How long a writer waits for another process's transaction on SQLite.
SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Checkpoint the WAL into the database every this many pages (4 MB of 4 KB pages: SQLite's
#: default, said here so that both ways in agree).
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 1000
#: After a checkpoint, a WAL larger than this is cut back to it: a burst of writers can grow
#: the WAL while readers hold old snapshots, and without a limit it keeps that size for good.
SQLITE_JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def sqlite_pragmas(busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> tuple[str, ...]:
    """Set on every SQLite connection: concurrent readers beside one writer, commits that
    survive a crash of the process (WAL with NORMAL), foreign keys enforced, writers that
    wait ``busy_timeout_ms`` for another's transaction, and a WAL checkpointed every
    :data:`SQLITE_WAL_AUTOCHECKPOINT_PAGES` and cut back to
    :data:`SQLITE_JOURNAL_SIZE_LIMIT_BYTES` after a checkpoint."""
    return (
        f"busy_timeout={busy_timeout_ms}",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        f"wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}",
        f"journal_size_limit={SQLITE_JOURNAL_SIZE_LIMIT_BYTES}",
    )


def default_database_path() -> Path:
    """The SQLite file used when no database URL is given."""
    return data_dir() / "llmiq.db"


def names_another_database(explicit: str | None = None) -> bool:
    """Whether ``--database-url`` or ``$LLMIQ_DATABASE_URL`` names a database, rather than the
    default one."""
    return bool(explicit or os.environ.get(DATABASE_ENV))


def make_database_folder(path: Path) -> None:
    """Create the folder of an SQLite database file; :class:`LlmiqError` when that fails."""
    folder = path.expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LlmiqError(f"cannot create {folder} for the database ({exc.strerror})") from None
