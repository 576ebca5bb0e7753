"""Exam runs kept in the database (the tables are ``store.exam_runs``'s): a run is opened
(or an unfinished one with the same model, bank and configuration resumed, its measurements
becoming the runner's cache), finished with its report, read back as the report it
printed, and two runs are compared question by question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from llmiq.bank.model import Bank
from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.exam.results import ExamReport, QuestionOutcome
from llmiq.exam.runner import ExamConfig
from llmiq.messages import N_
from llmiq.store import exam_runs
from llmiq.store.database import Database
from llmiq.store.exam_runs import StoredMeasurements

if TYPE_CHECKING:
    from llmiq.store.models import ExamRun


@dataclass(frozen=True)
class OpenRun:
    """A run being made: its id, whether it resumes a stopped one, and its measurements (the
    runner's ``cache``: what is stored is not measured again, what is measured is stored)."""

    id: int
    resumed: bool
    measurements: StoredMeasurements

    @property
    def kept(self) -> int:
        """Measurements the run had already when it was opened."""
        return self.measurements.kept


def run_settings(config: ExamConfig) -> dict[str, Any]:
    return {
        "scoring": config.scoring,
        "debias": config.debias,
        "lang": config.lang,
        "shots": config.shots,
        "options_only": config.options_only,
        "seed": config.seed,
        "question_limit": config.limit,
    }


def open_run(database: Database, model_id: str, bank: Bank, config: ExamConfig) -> OpenRun:
    """The unfinished run of ``model_id`` on ``bank`` with ``config``, else a new run."""
    with database.transaction() as session:
        run, resumed = exam_runs.find_or_start_run(
            session, model_id, bank.id, run_settings(config), utc_now()
        )
    return OpenRun(run.id, resumed, StoredMeasurements(database, run.id))


def save_report(database: Database, run_id: int, report: ExamReport) -> None:
    """Store the finished run's answers and summary."""
    data = report.to_dict()
    outcomes = data.pop("questions")
    data["seconds"] = report.seconds  # unrounded, so that the report reads back the same
    with database.transaction() as session:
        exam_runs.finish_run(session, run_id, outcomes, data, utc_now())


@dataclass(frozen=True)
class StoredRun:
    """One row of the runs' list."""

    id: int
    model: str
    bank: str
    scoring: str
    debias: str
    lang: str
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any] | None  # the report's summary, once finished
    measurements: int  # stored so far (what an unfinished run resumes from)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def stored_runs(database: Database, bank_id: str | None = None) -> list[StoredRun]:
    """Every run (of one bank, when given), oldest first."""
    with database.reading() as session:
        runs = exam_runs.list_runs(session, bank_id)
        counts = {run.id: exam_runs.count_measurements(session, run.id) for run in runs}
    return [_stored_run(run, counts[run.id]) for run in runs]


def _stored_run(run: ExamRun, measurements: int) -> StoredRun:
    return StoredRun(
        run.id,
        run.model,
        run.bank_id,
        run.scoring,
        run.debias,
        run.lang,
        run.started_at,
        run.finished_at,
        exam_runs.summary_of(run),
        measurements,
    )


def load_report(database: Database, run_id: int) -> tuple[StoredRun, ExamReport]:
    """A finished run and its report as it was printed; one sentence for a run that does not
    exist or is unfinished."""
    with database.reading() as session:
        run = exam_runs.find_run(session, run_id)
        if run is None:
            raise LlmiqError(
                N_("there is no exam run {run}; {command} shows the runs"),
                run=run_id,
                command="llmiq exam list",
            )
        stored = _stored_run(run, exam_runs.count_measurements(session, run_id))
        outcomes = exam_runs.outcomes_of(session, run_id)
    if stored.summary is None:
        raise LlmiqError(
            N_(
                "exam run {run} is unfinished ({kept} measurements kept): run {command} with "
                "the same options to finish it"
            ),
            run=run_id,
            kept=stored.measurements,
            command=f"llmiq exam run {stored.bank} --model {stored.model}",
        )
    return stored, ExamReport.from_dict(stored.summary | {"questions": outcomes})


@dataclass(frozen=True)
class Disagreement:
    """A question two runs answered differently (choice or verdict)."""

    id: str
    first: QuestionOutcome
    second: QuestionOutcome


def disagreements(first: ExamReport, second: ExamReport) -> list[Disagreement]:
    """The questions both runs took (by id, in the first's order) whose choice or verdict
    differs."""
    others = {o.id: o for o in second.questions}
    found = []
    for mine in first.questions:
        theirs = others.get(mine.id)
        if theirs is None:
            continue
        if sorted(mine.choice) != sorted(theirs.choice) or mine.correct != theirs.correct:
            found.append(Disagreement(mine.id, mine, theirs))
    return found
