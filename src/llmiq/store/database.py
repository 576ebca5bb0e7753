"""Open the progress database: SQLite in the data directory by default, any SQLAlchemy URL
otherwise; the schema is brought to the current revision on first use."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session as Session  # re-exported: the type of a transaction above
from sqlalchemy.orm import sessionmaker

from llmiq.errors import LlmiqError
from llmiq.store.defaults import (
    DATABASE_ENV,
    SCHEMA_HEAD,
    SQLITE_BUSY_TIMEOUT_MS,
    default_database_path,
    make_database_folder,
    sqlite_pragmas,
)
from llmiq.store.errors import (
    ConstraintViolation,
    DatabaseUnavailable,
    unavailable,
)
from llmiq.store.integrity import (
    DamageGuard,
    check_header,
    checks_on_open,
    is_corruption,
    refuse_if_damaged,
)
from llmiq.store.writes import SessionWrites

#: Key of the PostgreSQL advisory lock held while migrating ("llmiq" in ASCII).
_PG_MIGRATION_LOCK = 0x6C6C6D6971

#: Seconds a new PostgreSQL connection may take, unless the URL sets its own
#: ``connect_timeout``: without one, an unreachable host held a request's thread for the
#: kernel's TCP timeout (minutes), and a server that accepts but never answers, for ever.
PG_CONNECT_TIMEOUT_S = 5


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


def database_url(explicit: str | None = None) -> str:
    """``explicit`` (from --database-url), else ``$LLMIQ_DATABASE_URL``, else SQLite in the
    data directory."""
    return explicit or os.environ.get(DATABASE_ENV) or default_database_url()


def check_database_url(explicit: str | None = None) -> str:
    """The URL :func:`database_url` resolves to, if it parses and names an installed driver;
    raises :class:`LlmiqError` otherwise. Connects to nothing."""
    url = database_url(explicit)
    make_engine(url).dispose()
    return url


#: Execution option of connections that only read (:meth:`Database.reading`).
_READING = "llmiq_reading"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off so that every transaction can start
    # as it means to go on (below): a reader that later writes would otherwise fail at once
    # with "database is locked" when another process wrote in between, busy timeout or not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in sqlite_pragmas(SQLITE_BUSY_TIMEOUT_MS):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A writing transaction takes the write lock at once (BEGIN IMMEDIATE), so that it waits
    # for another writer at its start rather than failing half-way. A reading one takes no
    # lock at all (a deferred BEGIN: a snapshot of the WAL), so a writer in another process
    # never holds it up; query_only makes a write in it an error instead of a lock upgrade.
    if connection.get_execution_options().get(_READING):
        connection.exec_driver_sql("PRAGMA query_only=1")
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("PRAGMA query_only=0")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **pool: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys, a busy timeout and
    IMMEDIATE transactions (deferred ones for connections with the ``llmiq_reading``
    execution option), and their folder is created; PostgreSQL gets a connect timeout of
    :data:`PG_CONNECT_TIMEOUT_S` unless the URL has one. ``pool``: SQLAlchemy's pool options
    (``pool_size``, ``max_overflow``, ``pool_timeout``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LlmiqError(f"--database-url: cannot read {url!r} as a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            make_database_folder(Path(parsed.database))
        engine = create_engine(parsed, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **pool)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        hint = " (pip install 'llmiq[postgres]')" if "postgres" in parsed.drivername else ""
        raise LlmiqError(f"no database driver for {parsed.drivername!r}{hint}: {exc}") from None


def _current_revision(engine: Engine) -> str | None:
    with engine.connect().execution_options(**{_READING: True}) as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None  # an empty database
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Any]:
    """Serialise migrations between processes: a lock file beside an SQLite database, an
    advisory lock on PostgreSQL. Yields the connection to migrate on."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        lock_path = Path(str(engine.url.database)).expanduser().with_suffix(".migrate-lock")
        with open(lock_path, "w") as lock, engine.connect() as connection:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield connection
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            connection.commit()
            try:
                yield connection
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
                connection.commit()
    else:
        with engine.connect() as connection:
            yield connection


def alembic_config(connection: Any = None) -> Any:
    """An Alembic config for llmiq's migrations, running on ``connection`` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, before_writing: Callable[[], None] | None = None) -> None:
    """Upgrade the schema to :data:`SCHEMA_HEAD` (a no-op read when it is there already).
    Migrations only add; existing data is kept. ``before_writing`` is called before a
    migration writes (:meth:`Database.check_before_writing`: none into a damaged file)."""
    current = _current_revision(engine)
    if current == SCHEMA_HEAD:
        return
    if current is not None and current > SCHEMA_HEAD:
        raise LlmiqError(
            f"the database is at schema revision {current}, newer than this llmiq knows "
            f"({SCHEMA_HEAD}); upgrade llmiq"
        )
    if before_writing is not None:
        before_writing()
    from alembic import command

    with _migration_lock(engine) as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.commit()


class Database:
    """An engine, its sessions, and the URL it was opened with.

    Writes go through :meth:`transaction` (the SQLite write lock taken at its start), reads
    through :meth:`reading` (no lock: another process's writing does not hold them up). An
    SQLite file is checked for damage before this object first writes into it (or when it is
    opened, if small: :mod:`llmiq.store.integrity`); once damage is seen, every write is
    refused with :class:`DatabaseCorrupt`.
    """

    def __init__(self, url: str, **pool: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **pool)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(**{_READING: True}), expire_on_commit=False
        )
        self.path = sqlite_path(self.engine.url)
        #: shared with every other handle this process opens on the file
        self.guard = DamageGuard(self.path) if self.path is not None else None
        self._wrote = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error. A database
        that stays locked or goes away is one sentence (:class:`DatabaseUnavailable`), not a
        traceback, and a damaged one :class:`DatabaseCorrupt`; a write that breaks a unique
        key or another constraint is a :class:`ConstraintViolation`, so that callers can
        retry without importing SQLAlchemy."""
        self.check_before_writing()
        self._wrote = True
        with self._translated(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading only: one consistent snapshot, no lock (on SQLite a deferred
        transaction, in which a write is an error). Errors as :meth:`transaction`."""
        with self._translated(), self._readers.begin() as session:
            yield session

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError as exc:
            raise ConstraintViolation(str(exc.orig)) from exc
        except DatabaseError as exc:
            raise self._failure(exc) from None
        except DBAPIError as exc:  # InterfaceError: a connection the driver found closed
            if not exc.connection_invalidated:
                raise  # a bug to show (a parameter the driver cannot bind), not a sentence
            raise unavailable(self.shown_url, exc.orig) from None
        except PoolTimeout:  # every pooled connection in use for pool_timeout seconds
            raise unavailable(self.shown_url, "every connection of its pool is busy") from None

    def _failure(self, exc: DatabaseError, *, opening: bool = False) -> DatabaseUnavailable:
        """The store's error for SQLAlchemy's ``exc``; damage is remembered, so that nothing
        more is written."""
        if self.guard is not None and is_corruption(exc.orig):
            return self.guard.seen(str(exc.orig))
        if not isinstance(exc, OperationalError) and not exc.connection_invalidated:
            raise exc  # a bug to show, not a sentence
        return unavailable(self.shown_url, exc.orig, opening=opening)

    def check_before_writing(self) -> None:
        """Raise :class:`DatabaseCorrupt` if the SQLite file is damaged: ``PRAGMA
        quick_check`` the first time (per object), the remembered answer after that."""
        if self.guard is not None:
            self.guard.before_writing(self._quick_check)

    def _quick_check(self) -> None:
        assert self.path is not None
        try:
            with self.engine.connect() as connection:  # SQLAlchemy's errors, no transaction
                refuse_if_damaged(connection.connection.driver_connection, self.path)
        except DatabaseError as exc:
            raise self._failure(exc) from None

    @contextmanager
    def writes(self) -> Iterator[SessionWrites]:
        """A :meth:`transaction` for recording answers
        (:class:`~llmiq.store.writes.ProgressWrites`)."""
        with self.transaction() as session:
            yield SessionWrites(session)

    def card_of(self, profile: str, bank_id: str, question_id: str) -> Any | None:
        """See :meth:`~llmiq.store.writes.ProgressDatabase.card_of`."""
        from llmiq.store import progress

        with self.reading() as session:
            user = progress.find_user(session, profile)
            return (
                None if user is None else progress.find_card(session, user.id, bank_id, question_id)
            )

    @property
    def shown_url(self) -> str:
        """The URL without its password."""
        return make_url(self.url).render_as_string(hide_password=True)

    def checkpoint(self) -> None:
        """Copy an SQLite WAL into the database and cut it to nothing, if no other process is
        reading or writing it just now (otherwise it is left for a later checkpoint: this
        never waits). For the end of a bulk write and a clean shutdown (:meth:`close`, when
        this object wrote)."""
        if self.guard is None or self.guard.damage is not None:
            return
        try:
            with self.engine.connect() as connection:
                raw = connection.connection.driver_connection
                raw.execute("PRAGMA busy_timeout=0")
                try:
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                finally:
                    raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        except (DatabaseError, OSError):
            pass  # a checkpoint is housekeeping: the next one does it

    def close(self) -> None:
        if self._wrote:
            self.checkpoint()
        self.engine.dispose()


def sqlite_path(url: str | URL) -> Path | None:
    """The file an SQLite ``url`` names; None for another database, one in memory, or a URL
    that does not parse."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).expanduser()


def open_database(url: str | None = None) -> Database:
    """Open (and migrate) the database at ``url`` (see :func:`database_url`). An SQLite file
    that is not a database is :class:`DatabaseCorrupt`; a small one is checked for damage
    at once (:mod:`llmiq.store.integrity`)."""
    resolved = database_url(url)
    database = Database(resolved)
    try:
        if database.path is not None and database.path.is_file():
            check_header(database.path)
            if checks_on_open(database.path):
                database.check_before_writing()
        migrate(database.engine, database.check_before_writing)
    except DatabaseError as exc:
        database.close()
        raise database._failure(exc, opening=True) from None
    except BaseException:
        database.close()
        raise
    return database
