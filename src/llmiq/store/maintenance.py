"""Looking after the progress database: ``llmiq doctor`` (is everything sound?), ``llmiq
backup`` and ``llmiq restore`` (SQLite's online backup API: a consistent copy while other
processes read and write).

PostgreSQL keeps its own backups (``pg_dump``/``pg_restore``); for it these say so in one
sentence naming the server and database, never the password.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from llmiq.errors import LlmiqError
from llmiq.store.database import Database, database_url, sqlite_path
from llmiq.store.defaults import SCHEMA_HEAD, SQLITE_BUSY_TIMEOUT_MS
from llmiq.store.errors import DatabaseUnavailable
from llmiq.store.integrity import check_header, is_corruption, quick_check

Status = Literal["ok", "warning", "problem"]

#: ``llmiq doctor`` warns when the database's disk has less free space than this, or less
#: than twice the database (a backup, or a WAL grown by a burst of writers, needs room).
LOW_DISK_BYTES = 1024**3

_LLMIQ_TABLES = {"alembic_version", "users", "cards", "reviews"}


@dataclass(frozen=True)
class Check:
    """One line of ``llmiq doctor``."""

    name: str
    status: Status
    detail: str


def size_text(count: float) -> str:
    """``"1.4 GB"``, ``"312 kB"``: decimal units, as disk tools show them."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1000
    raise AssertionError  # unreachable


def _file_bytes(path: Path) -> int:
    return sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )


def free_space_check(path: Path, low_disk_bytes: int = LOW_DISK_BYTES) -> Check:
    """Free space on the disk that holds ``path`` (a database file, or where it will be)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    needed = max(low_disk_bytes, 2 * _file_bytes(path) if path.exists() else 0)
    detail = f"{size_text(free)} free on the disk of {folder}"
    if free < needed:
        return Check(
            "free space",
            "warning",
            f"{detail}, under {size_text(needed)}: make room before "
            "the database (and its write-ahead log) fill it",
        )
    return Check("free space", "ok", detail)


def _schema_check(revision: str | None) -> Check:
    if revision is None:
        return Check("schema", "problem", "no llmiq schema in this database")
    if revision == SCHEMA_HEAD:
        return Check("schema", "ok", f"revision {revision}, this llmiq's newest")
    if revision > SCHEMA_HEAD:
        return Check(
            "schema",
            "problem",
            f"revision {revision} is newer than this llmiq knows ({SCHEMA_HEAD}): upgrade llmiq",
        )
    return Check("schema", "ok", f"revision {revision}; brought to {SCHEMA_HEAD} on the next use")


def _sqlite_checks(path: Path, low_disk_bytes: int) -> tuple[list[Check], str | None]:
    """The checks of an SQLite file, and its schema revision (None when not read)."""
    if not path.exists():
        return [
            Check("database", "ok", f"none yet at {path}; it is made on first use"),
            free_space_check(path, low_disk_bytes),
        ], None
    checks = []
    revision = None
    try:
        check_header(path)
        with _connect(path) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" in tables:
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = revision and revision[0]
            checks.append(Check("database", "ok", f"{path}, {size_text(_file_bytes(path))}"))
            checks.append(_schema_check(revision))
            problems = quick_check(connection, full=True)
    except LlmiqError as exc:  # not SQLite at all
        checks = [Check("database", "problem", str(exc))]
        return [*checks, free_space_check(path, low_disk_bytes)], None
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            detail = f"cannot read {path}: {exc}"
            checks = [Check("database", "problem", detail)]
            return [*checks, free_space_check(path, low_disk_bytes)], None
        checks = checks or [Check("database", "problem", f"{path} cannot be read: {exc}")]
        problems = [str(exc)]
    if problems:
        first = " ".join(problems[0].split())  # integrity_check's lines may hold newlines
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        checks.append(
            Check(
                "integrity",
                "problem",
                f"{first}{more}: restore a backup (`llmiq restore FILE`); llmiq writes "
                "nothing into it meanwhile",
            )
        )
    else:
        checks.append(Check("integrity", "ok", "PRAGMA integrity_check: ok"))
    checks.append(free_space_check(path, low_disk_bytes))
    return checks, revision


def _connect(path: Path) -> closing[sqlite3.Connection]:
    """A connection that is closed when the block ends (sqlite3's own only commits)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return closing(connection)


def _server_checks(url: str) -> tuple[list[Check], str | None]:
    """The checks of a database server, and the schema revision (None when not read)."""
    database = Database(url)
    try:
        with database.reading() as session:
            tables = set(inspect(session.connection()).get_table_names())
            revision = None
            if "alembic_version" in tables:
                revision = session.execute(text("SELECT version_num FROM alembic_version"))
                revision = revision.scalar()
    except DatabaseUnavailable as exc:
        return [Check("database", "problem", str(exc))], None
    finally:
        database.close()
    host = make_url(url).host or "localhost"
    return [
        Check("database", "ok", database.shown_url),
        _schema_check(revision),
        Check("integrity", "ok", "not run here: the server checks its own pages (pg_amcheck)"),
        Check("free space", "ok", f"not measured here: the database is on {host}"),
    ], revision


def bank_checks(saved: Callable[[], list[tuple[str, str]]] | None) -> list[Check]:
    """Every built-in bank file, and every imported bank ``saved()`` gives (id, YAML), checked
    as ``llmiq validate`` checks a file."""
    from llmiq.bank.builtin import builtin_files
    from llmiq.bank.files import check_bank_file, check_bank_text

    problems = []
    files = builtin_files()
    for path in files.values():
        bank, found = check_bank_file(path)
        if bank is None:
            problems.append(str(found[0]))
    checks = [
        Check("built-in banks", "problem", f"{problems[0]} ({len(problems)} of {len(files)})")
        if problems
        else Check("built-in banks", "ok", f"{len(files)} valid")
    ]
    if saved is None:
        return checks
    texts = saved()
    broken = []
    for bank_id, content in texts:
        bank, found = check_bank_text(content, f"imported bank {bank_id}")
        if bank is None:
            broken.append(str(found[0]))
    if broken:
        detail = f"{broken[0]} ({len(broken)} of {len(texts)}; import it again)"
        checks.append(Check("imported banks", "problem", detail))
    else:
        detail = f"{len(texts)} valid" if texts else "none imported"
        checks.append(Check("imported banks", "ok", detail))
    return checks


def doctor(url: str | None = None, *, low_disk_bytes: int = LOW_DISK_BYTES) -> list[Check]:
    """Everything ``llmiq doctor`` checks, in order; writes nothing (a database at an older
    schema is not migrated, a missing one not made)."""
    resolved = database_url(url)
    path = sqlite_path(resolved)
    checks, revision = _sqlite_checks(path, low_disk_bytes) if path else _server_checks(resolved)
    readable = all(c.status == "ok" for c in checks if c.name in ("database", "integrity"))
    if readable and revision == SCHEMA_HEAD:
        from llmiq.store.saved_banks import saved_bank_texts

        def saved() -> list[tuple[str, str]]:
            database = Database(resolved)
            try:
                return saved_bank_texts(database)
            finally:
                database.close()

        return checks + bank_checks(saved)
    return checks + bank_checks(None)


def postgres_advice(url: str, verb: Literal["backup", "restore"]) -> LlmiqError:
    """The one sentence for ``llmiq backup``/``restore`` on a database server."""
    parsed = make_url(url)
    where = f"-h {parsed.host or 'localhost'}" + (f" -p {parsed.port}" if parsed.port else "")
    user = f" -U {parsed.username}" if parsed.username else ""
    name = parsed.database or ""
    if verb == "backup":
        command = f"pg_dump {where}{user} -Fc -f FILE {name}"
    else:
        command = f"pg_restore {where}{user} --clean -d {name} FILE"
    return LlmiqError(
        f"llmiq {verb} copies SQLite databases; the database {name} is on the "
        f"{parsed.get_backend_name()} server {parsed.host or 'localhost'}: use `{command}`"
    )


def _temp_beside(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Copy the database of ``source`` into a new file beside ``target`` with the online
    backup API, flush it to disk and rename it to ``target`` (readers of ``target`` see the
    old file or the whole copy)."""
    temp = _temp_beside(target)
    try:
        copy = sqlite3.connect(temp, isolation_level=None)
        try:
            source.backup(copy, pages=4096)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class BackupResult:
    source: Path
    target: Path
    size: int
    answers: int


def backup(url: str | None, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the SQLite database into ``target`` while other processes may be using it;
    refuses to replace ``target`` unless ``force``, and a damaged database (whose copy would
    be damaged too)."""
    resolved = database_url(url)
    path = sqlite_path(resolved)
    if path is None:
        raise postgres_advice(resolved, "backup")
    if not path.exists():
        raise LlmiqError(f"there is no database at {path} yet: nothing to back up")
    target = target.expanduser()
    if target.is_dir():
        raise LlmiqError(f"{target}: is a folder; give the backup a file name")
    if target.exists() and not force:
        raise LlmiqError(f"{target} exists; add --force to replace it")
    if target.resolve() == path.resolve():
        raise LlmiqError(f"{target} is the database itself; give the backup another name")
    if not target.parent.is_dir():
        raise LlmiqError(f"{target.parent}: no such folder")
    check_header(path)
    try:
        with _connect(path) as source:
            problems = quick_check(source)
            if problems:
                raise LlmiqError(
                    f"the database {path} is damaged ({problems[0]}), so a backup of it would "
                    "be too: keep a plain copy of the file, and restore an earlier backup"
                )
            answers = source.execute("SELECT count(*) FROM reviews").fetchone()[0]
            _copy_database(source, target)
    except sqlite3.Error as exc:
        raise LlmiqError(f"cannot back up {path} to {target}: {exc}") from None
    except OSError as exc:
        raise LlmiqError(f"cannot write {target}: {exc.strerror or exc}") from None
    return BackupResult(path, target, target.stat().st_size, answers)


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    target: Path
    revision: str
    answers: int
    previous: Path | None  # where the database it replaced was kept


def _verify_backup(source: Path) -> tuple[str, int]:
    """The schema revision and answer count of an llmiq SQLite database at ``source``,
    checked whole (``PRAGMA integrity_check``); :class:`LlmiqError` saying what is wrong."""
    if not source.is_file():
        raise LlmiqError(f"{source}: no such file")
    try:
        check_header(source)
    except LlmiqError:
        raise LlmiqError(f"{source} is not an SQLite database") from None
    if source.stat().st_size == 0:
        raise LlmiqError(f"{source} is empty, not an llmiq database")
    try:
        with _connect(source) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if not tables >= _LLMIQ_TABLES:
                raise LlmiqError(f"{source} is an SQLite database but not llmiq's")
            problems = quick_check(connection, full=True)
            if problems:
                raise LlmiqError(f"{source} is damaged ({problems[0]}); choose another backup")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            answers = connection.execute("SELECT count(*) FROM reviews").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise LlmiqError(f"{source} cannot be read as a database: {exc}") from None
    if revision is None or not re.fullmatch(r"\d{4}", revision[0]):
        raise LlmiqError(f"{source} has no llmiq schema revision")
    if revision[0] > SCHEMA_HEAD:
        raise LlmiqError(
            f"{source} is at schema revision {revision[0]}, newer than this llmiq knows "
            f"({SCHEMA_HEAD}); upgrade llmiq to restore it"
        )
    return revision[0], answers


def _keep_previous(path: Path, now: datetime) -> Path | None:
    """Copy the database at ``path`` beside it before it is replaced (the backup API, or the
    plain bytes and WAL of a file too damaged for it); where it was kept."""
    if not path.exists():
        return None
    kept = path.with_name(f"{path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    try:
        with _connect(path) as connection:
            _copy_database(connection, kept)
    except sqlite3.DatabaseError:
        shutil.copyfile(path, kept)
        if Path(f"{path}-wal").exists():
            shutil.copyfile(f"{path}-wal", f"{kept}-wal")
    return kept


def restore(url: str | None, source: Path, *, now: datetime | None = None) -> RestoreResult:
    """Replace the SQLite database with the backup at ``source``, after checking it is a
    sound llmiq database this llmiq can migrate, and keeping the current one beside it.

    The backup is written into the database through the online backup API, in one
    transaction: processes that have it open see the old content or the new, and its WAL
    stays consistent. A database too damaged for that is replaced by renaming a copy over
    it (its stale WAL removed): stop other llmiq processes first in that case.
    """
    resolved = database_url(url)
    path = sqlite_path(resolved)
    if path is None:
        raise postgres_advice(resolved, "restore")
    source = source.expanduser()
    if path.exists() and source.resolve() == path.resolve():
        raise LlmiqError(f"{source} is the database itself; give the backup to restore")
    revision, answers = _verify_backup(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = _keep_previous(path, now or datetime.now())
    try:
        with _connect(source) as backup_connection:
            try:
                with _connect(path) as live:
                    backup_connection.backup(live, pages=4096)
                    problems = quick_check(live)
            except sqlite3.DatabaseError as exc:
                if not is_corruption(exc):
                    raise
                problems = ["damaged"]
            if problems:  # the old file could not take it: put a copy in its place
                for suffix in ("-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                _copy_database(backup_connection, path)
    except sqlite3.Error as exc:
        raise LlmiqError(f"cannot restore {source} into {path}: {exc}") from None
    return RestoreResult(source, path, revision, answers, previous)


__all__ = [
    "LOW_DISK_BYTES",
    "BackupResult",
    "Check",
    "RestoreResult",
    "backup",
    "bank_checks",
    "doctor",
    "free_space_check",
    "postgres_advice",
    "restore",
]
