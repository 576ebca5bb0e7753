"""Noticing a damaged SQLite database before writing into it, without SQLAlchemy.

SQLite reports damage only where a statement happens to read it ("database disk image is
malformed", "file is not a database"); a quiz that reads a few cards and appends answers can
go on writing into a file whose other pages are garbage. So:

- everywhere, an SQLite error that means damage becomes :class:`DatabaseCorrupt`, one
  sentence saying what to do (:func:`is_corruption`, :func:`corrupt_error`);
- on open, the 100-byte header is read (:func:`check_header`: a file that is not SQLite at
  all, or was cut short, is refused at once), and a database under
  :data:`QUICK_CHECK_ON_OPEN_BYTES` gets ``PRAGMA quick_check`` (25-33 ms for 10 MB, a few
  for the usual database of a person's practice);
- before the first write of a process into a larger one, ``PRAGMA quick_check`` runs once
  (0.6-1.0 s for the 297 MB of a million answers: too long for every ``llmiq stats``).

``PRAGMA integrity_check`` (which also compares every index with its table) is for
``llmiq doctor`` and ``llmiq restore``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from llmiq.store.errors import DatabaseCorrupt

#: Databases up to this size get ``PRAGMA quick_check`` every time they are opened.
QUICK_CHECK_ON_OPEN_BYTES = 16 * 1024 * 1024

_HEADER_MAGIC = b"SQLite format 3\x00"
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_CORRUPT_WORDS = ("malformed", "not a database", "database corruption")


def is_corruption(exc: BaseException) -> bool:
    """Whether an sqlite3 error says the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    return any(word in str(exc).lower() for word in _CORRUPT_WORDS)


def corrupt_error(path: Path | str, detail: str) -> DatabaseCorrupt:
    """The sentence for a damaged database at ``path``; ``detail`` is SQLite's word for it."""
    return DatabaseCorrupt(
        f"the database {path} is damaged ({detail}); llmiq will not write into it: restore a "
        f"backup with `llmiq restore FILE`, or run `llmiq doctor` for details"
    )


def check_header(path: Path) -> None:
    """Raise :class:`DatabaseCorrupt` when ``path`` (an existing, non-empty file) does not
    start with SQLite's header or is shorter than the pages its header counts."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
        size = path.stat().st_size
    except OSError:
        return  # unreadable: SQLite says why, in its own words, when it opens it
    if not header:
        return  # an empty file is a new database to SQLite
    if len(header) < 100 or not header.startswith(_HEADER_MAGIC):
        raise corrupt_error(path, "file is not a database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # the page count is trusted only when the header says it is current (its two counters
    # agree, as every SQLite since 3.7.0 writes them)
    current = header[24:28] == header[92:96] and pages > 0
    if page_size < 512 or page_size & (page_size - 1):
        raise corrupt_error(path, "the header's page size is not one SQLite writes")
    if current and size < pages * page_size:
        raise corrupt_error(path, "the file is shorter than its header says")


def quick_check(connection: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """SQLite's problems with the database of ``connection``: ``PRAGMA quick_check`` (or
    ``integrity_check`` when ``full``), as a list of messages, empty when it is sound. A
    file too damaged to check at all is one message."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = connection.execute(f"PRAGMA {pragma}(20)").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return [str(exc)]
        raise
    messages = [str(row[0]) for row in rows]
    return [] if messages == ["ok"] else messages


def refuse_if_damaged(connection: sqlite3.Connection, path: Path | str) -> None:
    """:func:`quick_check`, raising :class:`DatabaseCorrupt` with its first message."""
    problems = quick_check(connection)
    if problems:
        raise corrupt_error(path, problems[0])


class DamageGuard:
    """What a process knows of one SQLite file's damage, shared by every handle it opens on
    the file (the web app's SQLAlchemy engine and its answer writer's sqlite3 connection):
    checked once before the first write, and once damage is seen by any handle, every
    handle refuses to write."""

    def __init__(self, path: Path, *, checked: bool = False) -> None:
        self.path = path
        self.checked = checked  # PRAGMA quick_check done
        self.damage: DatabaseCorrupt | None = None
        self._lock = threading.Lock()

    def refuse(self) -> None:
        """Raise the damage seen, if any."""
        if self.damage is not None:
            raise self.damage

    def before_writing(self, check: Callable[[], None]) -> None:
        """Run ``check`` (``PRAGMA quick_check`` on some connection, raising
        :class:`DatabaseCorrupt`) the first time, and refuse a damaged file ever after. Any
        other error leaves the file unchecked, to be checked before the next write."""
        self.refuse()
        if self.checked:
            return
        with self._lock:
            if not self.checked:
                try:
                    check()
                except DatabaseCorrupt as exc:
                    self.damage = exc
                self.checked = True
        self.refuse()

    def seen(self, message: str) -> DatabaseCorrupt:
        """Remember damage an error reported (``message``: SQLite's), and return the error."""
        self.damage = corrupt_error(self.path, message)
        return self.damage


def check_file(path: Path) -> None:
    """Raise :class:`DatabaseCorrupt` when the SQLite file at ``path`` is damaged, as far as
    opening it checks (:func:`check_header`, then ``PRAGMA quick_check`` when
    :func:`checks_on_open`), on a connection of its own that writes nothing. A missing file,
    or an error that is not damage, passes: whoever opens the file says what is wrong."""
    if not path.is_file():
        return
    check_header(path)
    if not checks_on_open(path):
        return
    try:
        connection = sqlite3.connect(path)
    except sqlite3.Error:
        return
    try:
        refuse_if_damaged(connection, path)
    except sqlite3.Error:
        return
    finally:
        connection.close()


def checks_on_open(path: Path) -> bool:
    """Whether a database this size gets ``quick_check`` when opened (else before its first
    write)."""
    try:
        return path.stat().st_size <= QUICK_CHECK_ON_OPEN_BYTES
    except OSError:
        return False
