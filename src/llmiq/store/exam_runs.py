"""Exam runs in the database: a run is started (or an unfinished one with the same model,
bank and settings found again), its measurements are added one by one as the model makes
them, and its answers and summary are saved when it ends. Read back: the runs, one run's
answers, and every run's answer to one question.

Functions take the session of the caller's transaction, except :func:`add_measurement`
(and :class:`StoredMeasurements`), which commit each measurement on its own: a run killed
half-way keeps everything measured before the batch in flight.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmiq.store.database import Database
from llmiq.store.errors import ConstraintViolation
from llmiq.store.models import ExamAnswer, ExamMeasurement, ExamRun

#: What makes two runs the same run (besides model and bank): a stopped run is resumed only
#: by a run with every one of these equal.
RUN_SETTINGS = ("scoring", "debias", "lang", "shots", "options_only", "seed", "question_limit")


def find_or_start_run(
    session: Session, model: str, bank_id: str, settings: Mapping[str, Any], now: datetime
) -> tuple[ExamRun, bool]:
    """The newest unfinished run of ``model`` on ``bank_id`` with these ``settings`` (a key
    for each of :data:`RUN_SETTINGS`), else a new one; and whether it was found."""
    missing = set(RUN_SETTINGS) - set(settings)
    if missing:
        raise ValueError(f"run settings lack {sorted(missing)}")
    query = select(ExamRun).where(
        ExamRun.model == model, ExamRun.bank_id == bank_id, ExamRun.finished_at.is_(None)
    )
    for name in RUN_SETTINGS:
        column = getattr(ExamRun, name)
        value = settings[name]
        query = query.where(column.is_(None) if value is None else column == value)
    found = session.scalars(query.order_by(ExamRun.id.desc()).limit(1)).first()
    if found is not None:
        return found, True
    run = ExamRun(
        model=model,
        bank_id=bank_id,
        started_at=now,
        **{name: settings[name] for name in RUN_SETTINGS},
    )
    session.add(run)
    session.flush()
    return run, False


def add_measurement(database: Database, run_id: int, key: str, logprobs: Sequence[float]) -> bool:
    """Store one measurement in a transaction of its own; False when the run has it already
    (another process resuming the same run measured it a moment before: theirs is kept)."""
    try:
        with database.transaction() as session:
            session.add(
                ExamMeasurement(run_id=run_id, key=key, logprobs=json.dumps(list(logprobs)))
            )
    except ConstraintViolation:
        return False
    return True


def measurements_of(session: Session, run_id: int) -> dict[str, list[float]]:
    """The run's measurements by key."""
    rows = session.execute(
        select(ExamMeasurement.key, ExamMeasurement.logprobs).where(
            ExamMeasurement.run_id == run_id
        )
    )
    return {key: json.loads(logprobs) for key, logprobs in rows}


def count_measurements(session: Session, run_id: int) -> int:
    return (
        session.scalar(
            select(func.count(ExamMeasurement.id)).where(ExamMeasurement.run_id == run_id)
        )
        or 0
    )


class StoredMeasurements(MutableMapping[str, list[float]]):
    """A run's measurements as the exam runner's cache: the stored ones read once, each new
    one committed as soon as it is set (see :func:`add_measurement`)."""

    def __init__(self, database: Database, run_id: int) -> None:
        self.database, self.run_id = database, run_id
        with database.reading() as session:
            self._known = measurements_of(session, run_id)
        self.kept = len(self._known)  # measurements the run had when this was opened
        self.written = 0  # measurements stored since

    def __getitem__(self, key: str) -> list[float]:
        return self._known[key]

    def __setitem__(self, key: str, logprobs: list[float]) -> None:
        if key in self._known:
            return  # a measurement is never replaced: the first one made is the run's
        if add_measurement(self.database, self.run_id, key, logprobs):
            self.written += 1
            self._known[key] = list(logprobs)
        else:
            with self.database.transaction() as session:
                self._known.update(measurements_of(session, self.run_id))

    def __delitem__(self, key: str) -> None:
        raise TypeError("a run's measurements are only ever added")

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


def finish_run(
    session: Session,
    run_id: int,
    outcomes: Sequence[Mapping[str, Any]],
    summary: Mapping[str, Any],
    now: datetime,
) -> None:
    """Save the run's answer to every question (each ``outcome`` a question's result as a
    plain mapping with at least ``id``, ``choice``, ``correct``, ``probabilities``,
    ``raw_choice``, ``raw_correct``), its summary, and mark it finished. Saving again
    replaces what was saved."""
    run = session.get(ExamRun, run_id)
    if run is None:
        raise KeyError(run_id)
    for stale in session.scalars(select(ExamAnswer).where(ExamAnswer.run_id == run_id)):
        session.delete(stale)
    session.flush()
    session.add_all(
        ExamAnswer(
            run_id=run_id,
            question_id=outcome["id"],
            choice=json.dumps(list(outcome["choice"])),
            correct=outcome["correct"],
            probabilities=json.dumps(dict(outcome["probabilities"])),
            raw_choice=json.dumps(list(outcome["raw_choice"])),
            raw_correct=outcome["raw_correct"],
            outcome=json.dumps(dict(outcome), ensure_ascii=False),
        )
        for outcome in outcomes
    )
    run.summary = json.dumps(dict(summary), ensure_ascii=False)
    run.finished_at = now


def summary_of(run: ExamRun) -> dict[str, Any] | None:
    """A finished run's summary; None while it is unfinished."""
    return None if run.summary is None else json.loads(run.summary)


def find_run(session: Session, run_id: int) -> ExamRun | None:
    return session.get(ExamRun, run_id)


def list_runs(session: Session, bank_id: str | None = None) -> list[ExamRun]:
    """Runs, oldest first (of one bank, when given)."""
    query = select(ExamRun)
    if bank_id is not None:
        query = query.where(ExamRun.bank_id == bank_id)
    return list(session.scalars(query.order_by(ExamRun.id)).all())


def outcomes_of(session: Session, run_id: int) -> list[dict[str, Any]]:
    """A finished run's outcomes as saved, in the bank's order (the order they were saved)."""
    rows = session.scalars(
        select(ExamAnswer.outcome).where(ExamAnswer.run_id == run_id).order_by(ExamAnswer.id)
    )
    return [json.loads(outcome) for outcome in rows]


def answers_to_question(
    session: Session, bank_id: str, question_id: str
) -> list[tuple[ExamRun, dict[str, Any]]]:
    """Every finished run's answer to one question, oldest run first: the run and
    ``choice``, ``correct``, ``raw_choice``, ``raw_correct``, ``probabilities``."""
    rows = session.execute(
        select(ExamRun, ExamAnswer)
        .join(ExamAnswer, ExamAnswer.run_id == ExamRun.id)
        .where(ExamRun.bank_id == bank_id, ExamAnswer.question_id == question_id)
        .order_by(ExamRun.id)
    ).all()
    return [
        (
            run,
            {
                "choice": json.loads(answer.choice),
                "correct": answer.correct,
                "raw_choice": json.loads(answer.raw_choice),
                "raw_correct": answer.raw_correct,
                "probabilities": json.loads(answer.probabilities),
            },
        )
        for run, answer in rows
    ]
