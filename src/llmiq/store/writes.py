"""What recording answers asks of the progress tables, inside one transaction, whichever way
the database was opened: through SQLAlchemy (:class:`SessionWrites`, every database) or
through sqlite3 (:class:`llmiq.store.lite.LiteWrites`, the default SQLite database of a quiz).
Recording itself (:mod:`llmiq.practice.recording`) is written once, against
:class:`ProgressWrites`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from llmiq.store import progress


class ProgressWrites(Protocol):
    """The reads and writes of recording, in the caller's transaction. Cards come back as
    rows read by attribute (``row.due``), with aware UTC datetimes."""

    def user_id(self, name: str, now: datetime) -> int:
        """The profile's id, created if missing."""
        ...

    def bank_cards(self, user_id: int, bank_id: str) -> Sequence[Any]:
        """The profile's cards of one bank."""
        ...

    def card_rows(self, keys: set[tuple[int, str, str]]) -> Sequence[Any]:
        """The cards of (user id, bank id, question id) keys, locked for update."""
        ...

    def insert_cards(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Add cards (every column but ``id``); their ids, in order."""
        ...

    def update_cards(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write rows over the cards their ``id`` names."""
        ...

    def append_reviews(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Add answers to the review log; their ids, in order."""
        ...

    def answers_by_key(self, user_id: int, keys: set[str]) -> Sequence[Any]:
        """The profile's answers sent with these idempotency keys, as recorded
        (:data:`~llmiq.store.lite.KEYED_ANSWER_COLUMNS`)."""
        ...

    def insert_answer_keys(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Keep the idempotency keys of answers just recorded (``answer_keys``' columns); a
        key kept meanwhile by another transaction is a :class:`ConstraintViolation` at the
        latest on commit."""
        ...


class ProgressDatabase(Protocol):
    """A database answers can be recorded in: ``with database.writes() as writes: ...``
    is one committed transaction."""

    def writes(self) -> AbstractContextManager[ProgressWrites]: ...

    def card_of(self, profile: str, bank_id: str, question_id: str) -> Any | None:
        """The profile's card of one question as it stands, read without the write lock (and
        without creating the profile); None when there is none."""
        ...


class SessionWrites:
    """:class:`ProgressWrites` on an SQLAlchemy session (the queries of
    :mod:`llmiq.store.progress`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def user_id(self, name: str, now: datetime) -> int:
        return progress.ensure_user(self._session, name, now).id

    def bank_cards(self, user_id: int, bank_id: str) -> Sequence[Any]:
        return list(progress.cards_by_question(self._session, user_id, bank_id).values())

    def card_rows(self, keys: set[tuple[int, str, str]]) -> Sequence[Any]:
        return progress.card_rows(self._session, keys, for_update=True)

    def insert_cards(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        return progress.insert_cards(self._session, rows)

    def update_cards(self, rows: Sequence[Mapping[str, Any]]) -> None:
        progress.update_cards(self._session, rows)

    def append_reviews(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        return progress.append_reviews(self._session, rows)

    def answers_by_key(self, user_id: int, keys: set[str]) -> Sequence[Any]:
        return progress.answers_by_key(self._session, user_id, keys)

    def insert_answer_keys(self, rows: Sequence[Mapping[str, Any]]) -> None:
        progress.insert_answer_keys(self._session, rows)
