"""How language models answered a question, for its feedback page: every finished exam
run's choice, next to the share of people's graded answers that were right."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmiq.store import exam_runs, progress
from llmiq.store.database import Database


@dataclass(frozen=True)
class ModelAnswer:
    run_id: int
    model: str
    scoring: str
    debias: str
    lang: str
    choice: list[str]  # after debiasing; empty when the run skipped the question
    correct: bool | None  # None: skipped
    raw_choice: list[str]  # before debiasing
    raw_correct: bool | None


@dataclass(frozen=True)
class ExamPanel:
    people_right: int
    people_graded: int
    models: list[ModelAnswer] = field(default_factory=list)

    @property
    def people_share(self) -> float | None:
        return self.people_right / self.people_graded if self.people_graded else None


def exam_panel(database: Database, bank_id: str, question_id: str) -> ExamPanel | None:
    """The panel, or None when no model has answered the question (blocking: call it in
    the thread pool)."""
    with database.reading() as session:
        answers = exam_runs.answers_to_question(session, bank_id, question_id)
        if not answers:
            return None
        right, graded = progress.answers_right(session, bank_id, question_id)
    return ExamPanel(right, graded, [_model_answer(run, answer) for run, answer in answers])


def _model_answer(run: Any, answer: dict[str, Any]) -> ModelAnswer:
    return ModelAnswer(
        run.id,
        run.model,
        run.scoring,
        run.debias,
        run.lang,
        answer["choice"],
        answer["correct"],
        answer["raw_choice"],
        answer["raw_correct"],
    )
