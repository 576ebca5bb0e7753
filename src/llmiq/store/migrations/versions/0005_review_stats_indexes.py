"""Indexes for statistics in the database: a profile's answers per question read from an
index alone, and its latest answers (``llmiq history``) without sorting its whole log.
``reviews(user_id, reviewed_at)`` (days, streak) exists since 0001.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # covering: GROUP BY bank_id, question_id counts right answers without reading the rows
    op.create_index(
        "ix_reviews_user_question", "reviews", ["user_id", "bank_id", "question_id", "correct"]
    )
    # newest first by id (the log's order): ORDER BY id DESC LIMIT n reads n entries
    op.create_index("ix_reviews_user_id", "reviews", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_reviews_user_id", table_name="reviews")
    op.drop_index("ix_reviews_user_question", table_name="reviews")
