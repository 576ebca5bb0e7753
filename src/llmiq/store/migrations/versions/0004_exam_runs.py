"""Exam runs: a language model taking a bank, its measurements as they are made (so a stopped
run resumes), and its answer to every question.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from llmiq.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exam_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model", sa.String(500), nullable=False),
        sa.Column("bank_id", sa.String(100), nullable=False),
        sa.Column("scoring", sa.String(20), nullable=False),
        sa.Column("debias", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("shots", sa.Integer(), nullable=False),
        sa.Column("options_only", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("question_limit", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
    )
    op.create_index("ix_exam_runs_bank", "exam_runs", ["bank_id", "started_at"])
    op.create_table(
        "exam_measurements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("exam_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("logprobs", sa.Text(), nullable=False),
        sa.UniqueConstraint("run_id", "key", name="uq_exam_measurements_run_key"),
    )
    op.create_table(
        "exam_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("exam_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(200), nullable=False),
        sa.Column("choice", sa.Text(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("probabilities", sa.Text(), nullable=False),
        sa.Column("raw_choice", sa.Text(), nullable=False),
        sa.Column("raw_correct", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.UniqueConstraint("run_id", "question_id", name="uq_exam_answers_run_question"),
    )
    op.create_index("ix_exam_answers_question", "exam_answers", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_exam_answers_question", table_name="exam_answers")
    op.drop_table("exam_answers")
    op.drop_table("exam_measurements")
    op.drop_index("ix_exam_runs_bank", table_name="exam_runs")
    op.drop_table("exam_runs")
