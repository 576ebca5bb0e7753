"""Tables: people, the banks imported into llmiq, one FSRS card per person and question, the
append-only log of every answer, what the web app adds (accounts, flags on questions,
failed logins and instance options), and exam runs (a language model taking a bank)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite keeps no time zone, so values are stored as naive UTC; reading attaches
    ``timezone.utc`` (exactly that object: the fsrs scheduler insists on it).
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A profile: whose progress this is."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoredBank(Base):
    """A bank imported into llmiq, as its YAML text (the bank model stays the one source of
    truth for what a question says)."""

    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(1000))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Card(Base):
    """The FSRS memory state of one person for one question (fsrs.Card's fields, queryable)."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("user_id", "bank_id", "question_id", name="uq_cards_user_question"),
        Index("ix_cards_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(200))
    #: hash of the question's content when last reviewed: a change means "relearn it"
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[int] = mapped_column(Integer)  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_rating: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Review(Base):
    """One answer, as given. Rows are only ever added."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_user_time", "user_id", "reviewed_at"),
        Index("ix_reviews_user_bank", "user_id", "bank_id"),
        # statistics and history (migration 0005)
        Index("ix_reviews_user_question", "user_id", "bank_id", "question_id", "correct"),
        Index("ix_reviews_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool | None]
    rating: Mapped[int] = mapped_column(Integer)  # fsrs.Rating: 1 again .. 4 easy
    duration_ms: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(10))  # quiz | review | mock
    #: the practice session the answer belongs to, where one is tracked (a mock interview)
    session_id: Mapped[str | None] = mapped_column(String(32), index=True)


class AnswerKey(Base):
    """An answer sent with an idempotency key (the API's ``Idempotency-Key`` header, a web
    form's hidden field): its review and its card as that answer left it, so that a retry
    with the same key is answered as the first time and recorded nothing (migration 0006)."""

    __tablename__ = "answer_keys"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    # the card after the answer (its id, hash and rating: the card's and the review's rows)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Account(Base):
    """A profile that can sign in to the web app (multi-user mode)."""

    __tablename__ = "accounts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: bumped when the password changes or an admin signs the person out: older session
    #: cookies carry the old value and stop working
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Flag(Base):
    """A report that a question is wrong: its answer, its translation, or something else."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: who raised it; None once their account is deleted (the report stays for the admins)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    bank_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(20))  # answer | translation | other
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A failed sign-in, kept for rate limiting (shared by every app process)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class InstanceOption(Base):
    """A setting an admin changes at run time (say, whether registration is open)."""

    __tablename__ = "instance_options"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ExamRun(Base):
    """A language model taking a bank with one configuration. Unfinished until its answers
    and summary are saved; an unfinished run with the same model, bank and configuration is
    resumed from its measurements."""

    __tablename__ = "exam_runs"
    __table_args__ = (Index("ix_exam_runs_bank", "bank_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(500))
    bank_id: Mapped[str] = mapped_column(String(100))
    scoring: Mapped[str] = mapped_column(String(20))  # letter | cloze | generate
    debias: Mapped[str] = mapped_column(String(20))  # none | contextual | pride | permute
    lang: Mapped[str] = mapped_column(String(5))
    shots: Mapped[int] = mapped_column(Integer)
    options_only: Mapped[bool] = mapped_column(Boolean)
    seed: Mapped[int] = mapped_column(Integer)
    #: --limit: the first N questions of the bank; None for all
    question_limit: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the report's summary as JSON (accuracy, RStd, recall by position, ...), once finished
    summary: Mapped[str | None] = mapped_column(Text)


class ExamMeasurement(Base):
    """What the model answered to one request of a run: log-probabilities of the request's
    continuations (JSON), keyed by a hash of the prompt and continuations. Written as
    measured, so that a stopped run sends nothing twice."""

    __tablename__ = "exam_measurements"
    __table_args__ = (UniqueConstraint("run_id", "key", name="uq_exam_measurements_run_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exam_runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    logprobs: Mapped[str] = mapped_column(Text)


class ExamAnswer(Base):
    """How the model answered one question in a finished run (skipped questions too, with
    ``correct`` None)."""

    __tablename__ = "exam_answers"
    __table_args__ = (
        UniqueConstraint("run_id", "question_id", name="uq_exam_answers_run_question"),
        Index("ix_exam_answers_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exam_runs.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(200))
    choice: Mapped[str] = mapped_column(Text)  # JSON list of option keys, after debiasing
    correct: Mapped[bool | None]
    probabilities: Mapped[str] = mapped_column(Text)  # JSON {key: probability}, debiased
    raw_choice: Mapped[str] = mapped_column(Text)  # JSON list, before debiasing
    raw_correct: Mapped[bool | None]
    #: every field of the question's outcome (JSON), so the report reads back as it was
    outcome: Mapped[str] = mapped_column(Text)
