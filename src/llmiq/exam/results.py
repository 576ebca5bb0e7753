"""What an exam run measured: per question, the model's choice and probabilities before and
after debiasing; for the run, accuracy, recall by the gold answer's position and its
standard deviation (RStd, Zheng et al., 2024), the share of each predicted position, and
the cost in forward passes per question."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from llmiq.exam.prompts import LETTERS


@dataclass
class QuestionOutcome:
    id: str
    kind: str
    gold: list[str]  # correct option keys (choice) or accepted answers (open)
    choice: list[str] = field(default_factory=list)  # after debiasing
    correct: bool | None = None  # None: skipped
    probabilities: dict[str, float] = field(default_factory=dict)  # by option key, debiased
    raw_choice: list[str] = field(default_factory=list)  # before debiasing
    raw_correct: bool | None = None
    raw_probabilities: dict[str, float] = field(default_factory=dict)
    gold_position: int | None = None  # the gold option's position (single answer only)
    chosen_position: int | None = None
    raw_chosen_position: int | None = None
    passes: float = 0.0
    skipped: str | None = None  # why it was not scored
    #: cloze only: the choice by log-likelihood per character and per UTF-8 byte
    correct_norm: bool | None = None
    correct_bytes: bool | None = None
    written: str | None = None  # generate only: what the model wrote


def _mean(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def position_recall(outcomes: list[QuestionOutcome], *, raw: bool = False) -> dict[str, float]:
    """Accuracy among the questions whose (single) gold answer sits at each position."""
    by_position: dict[int, list[bool]] = {}
    for o in outcomes:
        verdict = o.raw_correct if raw else o.correct
        if o.gold_position is not None and verdict is not None:
            by_position.setdefault(o.gold_position, []).append(verdict)
    return {LETTERS[p]: sum(v) / len(v) for p, v in sorted(by_position.items())}


def rstd(recall: dict[str, float]) -> float | None:
    """Standard deviation of the recalls by position: 0 for a model without position bias."""
    values = list(recall.values())
    return statistics.pstdev(values) if len(values) > 1 else None


def choice_shares(outcomes: list[QuestionOutcome], *, raw: bool = False) -> dict[str, float]:
    """How often each position was chosen (single-answer questions)."""
    chosen = [o.raw_chosen_position if raw else o.chosen_position for o in outcomes]
    chosen = [c for c in chosen if c is not None]
    return {LETTERS[p]: chosen.count(p) / len(chosen) for p in sorted(set(chosen))}


@dataclass
class ExamReport:
    model: str
    bank: str
    scoring: str
    debias: str
    lang: str
    shots: int = 0
    options_only: bool = False
    seconds: float = 0.0
    questions: list[QuestionOutcome] = field(default_factory=list)

    @property
    def scored(self) -> list[QuestionOutcome]:
        return [o for o in self.questions if o.correct is not None]

    def summary(self) -> dict[str, Any]:
        scored = self.scored
        recall = position_recall(scored)
        raw_recall = position_recall(scored, raw=True)
        summary: dict[str, Any] = {
            "questions": len(self.questions),
            "scored": len(scored),
            "skipped": len(self.questions) - len(scored),
            "accuracy": _mean([bool(o.correct) for o in scored]),
            "accuracy_before_debiasing": _mean([bool(o.raw_correct) for o in scored]),
            "rstd": rstd(recall),
            "rstd_before_debiasing": rstd(raw_recall),
            "position_recall": recall,
            "position_recall_before_debiasing": raw_recall,
            "choice_shares": choice_shares(scored),
            "choice_shares_before_debiasing": choice_shares(scored, raw=True),
            "passes_per_question": (
                sum(o.passes for o in scored) / len(scored) if scored else None
            ),
            "seconds": round(self.seconds, 2),
            "questions_per_second": (
                round(len(scored) / self.seconds, 2) if self.seconds and scored else None
            ),
        }
        if self.scoring == "cloze":
            summary["acc_norm"] = _mean([bool(o.correct_norm) for o in scored])
            summary["acc_bytes"] = _mean([bool(o.correct_bytes) for o in scored])
        return summary

    def leaking(self, chance_factor: float = 1.5) -> list[str]:
        """With ``options_only``: questions the model answers right without their stem, with
        more than ``chance_factor`` times the chance mass on the right options (1/n for one
        key of n options, k/n for k keys): their options give the answer away."""
        if not self.options_only:
            return []
        flagged = []
        for o in self.scored:
            if o.correct and o.probabilities:
                chance = len(o.gold) / len(o.probabilities)
                if sum(o.probabilities[k] for k in o.gold) > chance_factor * chance:
                    flagged.append(o.id)
        return flagged

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExamReport:
        """The report :meth:`to_dict` gave (the summary is computed again from the
        questions, so it comes out the same)."""
        return cls(
            data["model"],
            data["bank"],
            data["scoring"],
            data["debias"],
            data["lang"],
            data.get("shots", 0),
            data.get("options_only", False),
            data.get("seconds", 0.0),
            [QuestionOutcome(**question) for question in data.get("questions", [])],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "bank": self.bank,
            "scoring": self.scoring,
            "debias": self.debias,
            "lang": self.lang,
            "shots": self.shots,
            "options_only": self.options_only,
            **self.summary(),
            "leaking": self.leaking(),
            "questions": [asdict(o) for o in self.questions],
        }
