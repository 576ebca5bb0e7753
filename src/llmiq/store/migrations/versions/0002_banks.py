"""Banks imported into llmiq, and reviews looked up by bank.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from llmiq.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(1000), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_reviews_user_bank", "reviews", ["user_id", "bank_id"])


def downgrade() -> None:
    op.drop_index("ix_reviews_user_bank", table_name="reviews")
    op.drop_table("banks")
