"""Recording answers in the default SQLite database through the standard library's sqlite3.

Importing SQLAlchemy takes a fifth of a second or more, longer than all the rest of a
one-answer quiz. When the default database exists at this llmiq's schema revision, the quiz
records its answers through :class:`LiteDatabase` instead: the same statements on the same
tables, in the same ``BEGIN IMMEDIATE`` transactions, on a connection set up like
SQLAlchemy's (:func:`~llmiq.store.defaults.sqlite_pragmas`). Anything else — no database
yet, an older schema to migrate, another database URL — goes through
:mod:`llmiq.store.database`.

Only what recording needs is here (:class:`~llmiq.store.writes.ProgressWrites`), and the
latest answers ``llmiq history`` lists (:meth:`LiteDatabase.latest_reviews`); values are
stored exactly as SQLAlchemy stores them on SQLite (naive UTC datetimes as
``YYYY-MM-DD HH:MM:SS.ffffff``, booleans as 0 and 1), which the tests check by reading rows
written each way through the other.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from llmiq.store.defaults import (
    SCHEMA_HEAD,
    SQLITE_BUSY_TIMEOUT_MS,
    default_database_path,
    names_another_database,
    sqlite_pragmas,
)
from llmiq.store.errors import ConstraintViolation, DatabaseCorrupt, unavailable
from llmiq.store.integrity import (
    DamageGuard,
    check_header,
    checks_on_open,
    corrupt_error,
    is_corruption,
    refuse_if_damaged,
)

#: The columns of ``cards`` and ``reviews`` besides ``id`` (a test compares them with the
#: models, so that a migration that adds one cannot leave this path behind).
CARD_COLUMNS = (
    "user_id", "bank_id", "question_id", "content_hash", "state", "step", "stability",
    "difficulty", "due", "last_review", "last_rating", "created_at",
)  # fmt: skip
REVIEW_COLUMNS = (
    "user_id", "bank_id", "question_id", "content_hash", "answer", "correct", "rating",
    "duration_ms", "reviewed_at", "mode", "session_id",
)  # fmt: skip
#: What an answer sent with an idempotency key reads back: its key, its review, and its card
#: as the answer left it (``answer_keys``' columns; the card's id, hash and creation time).
KEYED_ANSWER_COLUMNS = (
    "key", "review_id", "card_id", "bank_id", "question_id", "content_hash", "answer",
    "correct", "rating", "state", "step", "stability", "difficulty", "due", "last_review",
    "created_at",
)  # fmt: skip
_CARD_DATETIMES = ("due", "last_review", "created_at")
_CARD_SELECT = f"SELECT id, {', '.join(CARD_COLUMNS)} FROM cards"

#: A card's row, read like SQLAlchemy's rows: by attribute.
CardRow = namedtuple("CardRow", ("id", *CARD_COLUMNS))
#: An answer sent with an idempotency key, as recorded (``progress.answers_by_key``).
KeyedAnswerRow = namedtuple("KeyedAnswerRow", KEYED_ANSWER_COLUMNS)
_KEYED_DATETIMES = ("due", "last_review", "created_at")
_KEYED_SELECT = (
    "SELECT k.key, k.review_id, k.card_id, r.bank_id, r.question_id, r.content_hash, r.answer, "
    "r.correct, r.rating, k.state, k.step, k.stability, k.difficulty, k.due, k.last_review, "
    "c.created_at FROM answer_keys AS k JOIN reviews AS r ON r.id = k.review_id "
    "JOIN cards AS c ON c.id = k.card_id WHERE k.user_id = ? AND k.key = ?"
)
#: A review's row, as :class:`~llmiq.store.models.Review` reads it (aware UTC datetimes,
#: booleans, None for an ungraded answer).
ReviewRow = namedtuple("ReviewRow", ("id", *REVIEW_COLUMNS))


def _stored(value: Any) -> Any:
    """A value as SQLAlchemy stores it on SQLite."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        utc = value.astimezone(UTC)
        return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"
    return value  # sqlite3 stores booleans as 1 and 0, as SQLAlchemy does


def _read_datetime(value: str | None) -> datetime | None:
    # exactly datetime.UTC: the fsrs scheduler insists on that object
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _card(row: tuple) -> CardRow:
    card = CardRow(*row)
    return card._replace(**{name: _read_datetime(getattr(card, name)) for name in _CARD_DATETIMES})


class LiteWrites:
    """The progress writes of one transaction (:class:`~llmiq.store.writes.ProgressWrites`)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def user_id(self, name: str, now: datetime) -> int:
        """The profile's id, created if missing (the IMMEDIATE transaction keeps other
        writers out between the look-up and the insert)."""
        row = self._connection.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return row[0]
        cursor = self._connection.execute(
            "INSERT INTO users (name, created_at) VALUES (?, ?)", (name, _stored(now))
        )
        return cursor.lastrowid  # type: ignore[return-value]

    def bank_cards(self, user_id: int, bank_id: str) -> list[CardRow]:
        rows = self._connection.execute(
            f"{_CARD_SELECT} WHERE user_id = ? AND bank_id = ?", (user_id, bank_id)
        )
        return [_card(row) for row in rows]

    def card_rows(self, keys: set[tuple[int, str, str]]) -> list[CardRow]:
        query = f"{_CARD_SELECT} WHERE user_id = ? AND bank_id = ? AND question_id = ?"
        return [
            _card(row) for key in keys for row in self._connection.execute(query, key).fetchall()
        ]

    def _insert(self, table: str, row: Mapping[str, Any]) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = self._connection.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", [_stored(v) for v in row.values()]
        )
        return cursor.lastrowid  # type: ignore[return-value]

    def insert_cards(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        return [self._insert("cards", row) for row in rows]

    def update_cards(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write rows over the cards their ``id`` names; every row sets the same columns."""
        if not rows:
            return
        columns = [name for name in rows[0] if name != "id"]
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._connection.executemany(
            f"UPDATE cards SET {assignments} WHERE id = ?",
            [[_stored(row[name]) for name in columns] + [row["id"]] for row in rows],
        )

    def append_reviews(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        return [self._insert("reviews", row) for row in rows]

    def answers_by_key(self, user_id: int, keys: set[str]) -> list[KeyedAnswerRow]:
        """The query of :func:`llmiq.store.progress.answers_by_key`."""
        rows = []
        for key in keys:
            rows += self._connection.execute(_KEYED_SELECT, (user_id, key)).fetchall()
        answers = [KeyedAnswerRow(*row) for row in rows]
        return [
            answer._replace(
                correct=None if answer.correct is None else bool(answer.correct),
                **{name: _read_datetime(getattr(answer, name)) for name in _KEYED_DATETIMES},
            )
            for answer in answers
        ]

    def insert_answer_keys(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            self._insert("answer_keys", row)


class LiteDatabase:
    """An SQLite database at this llmiq's schema revision, through sqlite3.

    One connection, used by one thread at a time: opened by whichever thread opens the
    database (the quiz opens it while the first question is on screen), then used by the
    thread recording answers, hence ``check_same_thread=False``.
    """

    def __init__(self, connection: sqlite3.Connection, guard: DamageGuard) -> None:
        self._connection = connection
        self.path = guard.path
        self._guard = guard  # shared with the process's other handles on the file

    @property
    def shown_url(self) -> str:
        return f"sqlite:///{self.path}"

    @contextmanager
    def writes(self) -> Iterator[LiteWrites]:
        """One committed transaction, rolled back on any error (Ctrl-C included). A database
        that stays locked is :class:`DatabaseUnavailable`, a damaged one
        :class:`DatabaseCorrupt` (checked before the first write); a broken constraint is
        :class:`ConstraintViolation`, as through SQLAlchemy."""
        connection = self._connection
        try:
            self._guard.before_writing(lambda: refuse_if_damaged(connection, self.path))
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield LiteWrites(connection)
                connection.execute("COMMIT")
            finally:
                if connection.in_transaction:  # an error, or a COMMIT that failed
                    connection.execute("ROLLBACK")
        except sqlite3.IntegrityError as exc:
            raise ConstraintViolation(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: sqlite3.DatabaseError) -> Exception:
        """The store's error for ``exc``; damage is remembered, so that nothing more is
        written."""
        if is_corruption(exc):
            return self._guard.seen(str(exc))
        if not isinstance(exc, sqlite3.OperationalError):
            return exc  # a bug to show, not a sentence
        return unavailable(self.shown_url, exc)

    def card_of(self, profile: str, bank_id: str, question_id: str) -> CardRow | None:
        """See :meth:`~llmiq.store.writes.ProgressDatabase.card_of`."""
        sql = (
            f"{_CARD_SELECT} WHERE user_id = (SELECT id FROM users WHERE name = ?) "
            "AND bank_id = ? AND question_id = ?"
        )
        try:
            row = self._connection.execute(sql, (profile, bank_id, question_id)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        return None if row is None else _card(row)

    def latest_reviews(self, profile: str, bank_id: str | None, limit: int) -> list[ReviewRow]:
        """The profile's ``limit`` latest answers (in ``bank_id``), newest first: the same
        query as :func:`llmiq.store.progress.reviews_of`, read from ``ix_reviews_user_id``
        (or ``ix_reviews_user_bank``), so ``limit`` index entries whatever the log's size."""
        where = "users.name = ?" + (" AND reviews.bank_id = ?" if bank_id is not None else "")
        columns = ", ".join(f"reviews.{name}" for name in ("id", *REVIEW_COLUMNS))
        sql = (
            f"SELECT {columns} FROM reviews JOIN users ON users.id = reviews.user_id "
            f"WHERE {where} ORDER BY reviews.id DESC LIMIT ?"
        )
        parameters = (profile, bank_id, limit) if bank_id is not None else (profile, limit)
        try:
            rows = self._connection.execute(sql, parameters).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        reviews = [ReviewRow(*row) for row in rows]
        return [
            review._replace(
                reviewed_at=_read_datetime(review.reviewed_at),
                correct=None if review.correct is None else bool(review.correct),
            )
            for review in reviews
        ]

    def close(self) -> None:
        self._connection.close()


def open_lite_database(
    path: Path,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    guard: DamageGuard | None = None,
) -> LiteDatabase | None:
    """The SQLite database at ``path`` through sqlite3, if it exists and is at
    :data:`~llmiq.store.defaults.SCHEMA_HEAD`; None otherwise, for the caller to open it
    through SQLAlchemy (which creates, migrates, or says what is wrong). A damaged file is
    :class:`DatabaseCorrupt` (a small one is checked at once: :mod:`llmiq.store.integrity`).
    ``guard``: what the process already knows of the file's damage (the web app passes its
    :class:`~llmiq.store.database.Database`'s, checked at start), shared from then on."""
    guard = guard or DamageGuard(path)
    if not path.is_file():
        return None
    check_header(path)
    connection = None
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in sqlite_pragmas(busy_timeout_ms):
            connection.execute(f"PRAGMA {pragma}")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if checks_on_open(path) and revision == [(SCHEMA_HEAD,)]:
            guard.before_writing(lambda: refuse_if_damaged(connection, path))
    except sqlite3.Error as exc:
        if connection is not None:
            connection.close()
        if is_corruption(exc):
            raise corrupt_error(path, str(exc)) from None
        return None
    except DatabaseCorrupt:
        connection.close()
        raise
    if revision != [(SCHEMA_HEAD,)]:
        connection.close()
        return None
    return LiteDatabase(connection, guard)


def open_default_lite_database(explicit_url: str | None = None) -> LiteDatabase | None:
    """The default database through sqlite3 when no other database is named and it is ready
    (see :func:`open_lite_database`); else None."""
    if names_another_database(explicit_url):
        return None
    return open_lite_database(default_database_path())
