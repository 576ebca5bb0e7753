"""Queries and writes on the progress tables. Every function takes the session of the caller's
transaction, so a caller decides what is committed together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, distinct, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from llmiq.errors import LlmiqError
from llmiq.store.models import Account, AnswerKey, Card, Flag, Review, User


def find_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def ensure_user(session: Session, name: str, now: datetime) -> User:
    """The profile, created if missing. Two processes may create it at once (PostgreSQL):
    the loser's insert fails inside a savepoint and it reads the winner's row."""
    user = find_user(session, name) or create_user(session, name, now) or find_user(session, name)
    if user is None:  # the insert failed, yet no profile has the name: not a race
        raise LlmiqError(f"profile {name!r} could not be created")
    return user


def create_user(session: Session, name: str, now: datetime) -> User | None:
    """A new profile; None when one of that name exists, also when another process created
    it a moment ago (its insert fails inside a savepoint, leaving the transaction usable)."""
    if find_user(session, name) is not None:
        return None
    try:
        with session.begin_nested():
            user = User(name=name, created_at=now)
            session.add(user)
    except IntegrityError:
        return None
    return user


def find_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def users_with_activity(session: Session) -> list[tuple[User, int, datetime | None]]:
    """Every profile with its number of reviews and the time of its last one."""
    rows = session.execute(
        select(User, func.count(Review.id), func.max(Review.reviewed_at))
        .outerjoin(Review, Review.user_id == User.id)
        .group_by(User.id)
        .order_by(User.name)
    ).all()
    return [(user, count, last) for user, count, last in rows]


def delete_user(session: Session, name: str) -> bool:
    user = find_user(session, name)
    if user is None:
        return False
    # Explicit deletes: ON DELETE CASCADE needs SQLite's foreign_keys pragma, which a database
    # opened by another tool may lack.
    for table in (AnswerKey, Review, Card, Account):
        session.execute(delete(table).where(table.user_id == user.id))
    # the questions they flagged are still worth an admin's look
    session.execute(update(Flag).where(Flag.user_id == user.id).values(user_id=None))
    session.delete(user)
    return True


def cards_by_question(session: Session, user_id: int, bank_id: str) -> dict[str, Card]:
    cards = session.scalars(
        select(Card).where(Card.user_id == user_id, Card.bank_id == bank_id)
    ).all()
    return {card.question_id: card for card in cards}


def find_card(
    session: Session, user_id: int, bank_id: str, question_id: str, *, for_update: bool = False
) -> Card | None:
    """The card, locked against concurrent updates when ``for_update`` (PostgreSQL row lock;
    SQLite's IMMEDIATE transactions already serialise writers)."""
    query = select(Card).where(
        Card.user_id == user_id, Card.bank_id == bank_id, Card.question_id == question_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def find_card_of_user(session: Session, user_id: int, card_id: int) -> Card | None:
    """The card ``card_id`` if it is ``user_id``'s: another person's card is not found."""
    return session.scalars(
        select(Card).where(Card.id == card_id, Card.user_id == user_id)
    ).one_or_none()


def card_rows(
    session: Session, keys: set[tuple[int, str, str]], *, for_update: bool = False
) -> list[Any]:
    """The cards' rows (not ORM objects) for many (user id, bank id, question id) keys."""
    if not keys:
        return []
    table = Card.__table__
    query = select(table).where(
        tuple_(table.c.user_id, table.c.bank_id, table.c.question_id).in_(keys)
    )
    if for_update:
        query = query.with_for_update()
    return list(session.execute(query).all())


def insert_cards(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Add cards given as plain rows (every column but ``id``); returns their new ids, in
    order."""
    return [session.scalar(insert(Card).values(row).returning(Card.id)) for row in rows]


def update_cards(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write plain rows over the cards their ``id`` names, in one statement. Every row sets
    the same columns."""
    if not rows:
        return
    table = Card.__table__
    session.execute(
        # "id" itself cannot be the parameter's name: SQLAlchemy keeps it for the SET clause
        update(table).where(table.c.id == bindparam("card_id")),
        [{"card_id": row["id"]} | {k: v for k, v in row.items() if k != "id"} for row in rows],
    )


def cards_of(session: Session, user_id: int, bank_id: str | None = None) -> list[Card]:
    query = select(Card).where(Card.user_id == user_id)
    if bank_id is not None:
        query = query.where(Card.bank_id == bank_id)
    return list(session.scalars(query.order_by(Card.due)).all())


def reviews_of(
    session: Session,
    user_id: int,
    bank_id: str | None = None,
    *,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Review]:
    query = select(Review).where(Review.user_id == user_id)
    if bank_id is not None:
        query = query.where(Review.bank_id == bank_id)
    order = Review.id.desc() if newest_first else Review.id
    return list(session.scalars(query.order_by(order).limit(limit)).all())


def append_reviews(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Add answers to the review log (which is only ever appended); returns their ids, in
    the order given."""
    return list(
        session.scalars(
            insert(Review).returning(Review.id, sort_by_parameter_order=True), rows
        ).all()
    )


def answers_by_key(session: Session, user_id: int, keys: set[str]) -> list[Any]:
    """The answers ``user_id`` sent with these idempotency keys, as they were recorded
    (:data:`llmiq.store.lite.KEYED_ANSWER_COLUMNS`); keys never used are missing."""
    if not keys:
        return []
    key = AnswerKey.__table__.c
    kept = [key.state, key.step, key.stability, key.difficulty, key.due, key.last_review]
    query = (
        select(key.key, key.review_id, key.card_id, Review.bank_id, Review.question_id)
        .add_columns(Review.content_hash, Review.answer, Review.correct, Review.rating)
        .add_columns(*kept, Card.created_at)
        .join(Review, Review.id == key.review_id)
        .join(Card, Card.id == key.card_id)
        .where(key.user_id == user_id, key.key.in_(keys))
    )
    return list(session.execute(query).all())


def insert_answer_keys(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Keep the keys of answers just recorded (``answer_keys``' columns). A key another
    transaction has just kept breaks the primary key: :class:`IntegrityError`, for the
    caller to roll back and find that answer."""
    if rows:
        session.execute(insert(AnswerKey), list(rows))


def find_review(session: Session, review_id: int) -> Review | None:
    return session.get(Review, review_id)


def review_times_since(session: Session, user_id: int, since: datetime) -> list[datetime]:
    """When the person answered, from ``since`` on (what a streak is counted from)."""
    return list(
        session.scalars(
            select(Review.reviewed_at).where(Review.user_id == user_id, Review.reviewed_at >= since)
        ).all()
    )


def reviews_in_session(session: Session, user_id: int, session_id: str) -> list[Review]:
    """The answers of one practice session (a mock interview), in the order given."""
    return list(
        session.scalars(
            select(Review)
            .where(Review.user_id == user_id, Review.session_id == session_id)
            .order_by(Review.id)
        ).all()
    )


def count_new_since(session: Session, user_id: int, bank_id: str, since: datetime) -> int:
    """Cards first seen (created) since ``since``: new questions introduced today."""
    return (
        session.scalar(
            select(func.count(Card.id)).where(
                Card.user_id == user_id, Card.bank_id == bank_id, Card.created_at >= since
            )
        )
        or 0
    )


def count_reviews_of_old_cards_since(
    session: Session, user_id: int, bank_id: str, since: datetime
) -> int:
    """Questions first seen before ``since`` and answered since: today's reviews (a question
    answered twice today counts once)."""
    return (
        session.scalar(
            select(func.count(distinct(Review.question_id)))
            .join(
                Card,
                (Card.user_id == Review.user_id)
                & (Card.bank_id == Review.bank_id)
                & (Card.question_id == Review.question_id),
            )
            .where(
                Review.user_id == user_id,
                Review.bank_id == bank_id,
                Review.reviewed_at >= since,
                Card.created_at < since,
            )
        )
        or 0
    )


def answers_right(session: Session, bank_id: str, question_id: str) -> tuple[int, int]:
    """``(right, graded)``: how many of everyone's graded answers to one question in the
    review log were right, and how many were graded."""
    right, graded = session.execute(
        select(
            func.count(Review.id).filter(Review.correct.is_(True)),
            func.count(Review.correct),
        ).where(Review.bank_id == bank_id, Review.question_id == question_id)
    ).one()
    return right or 0, graded or 0
