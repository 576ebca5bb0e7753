"""Changing the rating of an answer already in the review log (the web's four rating buttons
after an answer): a card's answers up to one of them, and the rating written over it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from llmiq.store.models import Review


def card_history(
    session: Session, user_id: int, bank_id: str, question_id: str, up_to: int
) -> list[Any]:
    """The person's answers to the question up to answer ``up_to``, oldest first: rows of
    ``id, rating, reviewed_at, content_hash``."""
    return list(
        session.execute(
            select(Review.id, Review.rating, Review.reviewed_at, Review.content_hash)
            .where(
                Review.user_id == user_id,
                Review.bank_id == bank_id,
                Review.question_id == question_id,
                Review.id <= up_to,
            )
            .order_by(Review.id)
        ).all()
    )


def latest_review_id(session: Session, user_id: int, bank_id: str, question_id: str) -> int | None:
    """The id of the person's latest answer to the question (the card's last review)."""
    return session.scalar(
        select(func.max(Review.id)).where(
            Review.user_id == user_id, Review.bank_id == bank_id, Review.question_id == question_id
        )
    )


def set_review_rating(session: Session, review_id: int, rating: int) -> None:
    """Write ``rating`` over the answer's rating (the answer, its verdict and time stay)."""
    session.execute(update(Review).where(Review.id == review_id).values(rating=rating))
