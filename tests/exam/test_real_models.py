"""The exam runner with the built-in SmolLM2 (a real pretrained model) on the seed bank:
the structure of what it reports, consistency between the runner and the backend, and what
each correction costs. Nothing here asserts how well the model does."""

from __future__ import annotations

import math

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.exam.hf_backend import TransformersBackend
from llmiq.exam.prompts import Shown, letter_request
from llmiq.exam.runner import ExamConfig, run_exam

pytestmark = pytest.mark.slow

SEED = resolve_bank("seed")


def test_letter_choices_are_the_models_most_probable_letters(smollm2: TransformersBackend) -> None:
    report = run_exam(SEED, smollm2, ExamConfig(limit=4))
    for outcome in report.scored:
        question = next(q for q in SEED.questions if q.id == outcome.id)
        request = letter_request(Shown(question, tuple(range(len(question.options)))), "en")
        (scores,) = smollm2.score([request])
        best = question.options[scores.best()].key
        assert outcome.choice == [best]
        assert math.isclose(sum(outcome.probabilities.values()), 1.0, rel_tol=1e-9)


@pytest.mark.parametrize("method", ["contextual", "pride", "permute"])
def test_each_correction_reports_before_and_after(
    smollm2: TransformersBackend, method: str
) -> None:
    summary = run_exam(SEED, smollm2, ExamConfig(debias=method)).summary()
    assert summary["scored"] == sum(1 for q in SEED.questions if q.is_choice)
    assert set(summary["position_recall"]) <= set("ABCDE")
    assert summary["passes_per_question"] >= 1.0
    for key in ("accuracy", "accuracy_before_debiasing"):
        assert 0.0 <= summary[key] <= 1.0


def test_cloze_and_chinese_prompts(smollm2: TransformersBackend) -> None:
    cloze = run_exam(SEED, smollm2, ExamConfig(scoring="cloze", limit=3)).summary()
    assert {"acc_norm", "acc_bytes"} <= set(cloze)
    zh = run_exam(SEED, smollm2, ExamConfig(lang="zh", limit=3))
    assert len(zh.scored) == sum(q.is_choice for q in SEED.questions[:3])
