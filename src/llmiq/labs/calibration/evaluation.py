"""Evaluation: label probabilities after a prompt, the content-free prior and contextual
calibration (Zhao et al. 2021) through ``llmiq.exam.calibration``, the rates of a balanced
test set, and the metrics the lab reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from llmiq.exam.calibration import (
    CONTENT_FREE_INPUTS,
    content_free_prior,
    contextual_calibration,
    label_probabilities,
)
from llmiq.labs.calibration.config import PriorMode
from llmiq.labs.calibration.data import (
    LABEL_IDS,
    Example,
    Prompt,
    format_example,
    tokenize,
)
from llmiq.labs.tinylm import GPT


@torch.no_grad()
def label_logprobs(model: GPT, prefix: str, texts: Sequence[str]) -> np.ndarray:
    """log p(label word | prefix + review query) for each text, (n, 2) in ``LABELS`` order.
    Each distinct text is scored once; texts of one length go through the model in one
    batch."""
    unique = sorted(set(texts))
    scores = np.zeros((len(unique), 2))
    by_length: dict[int, list[int]] = {}
    queries = [tokenize(prefix + format_example(text)) for text in unique]
    for i, ids in enumerate(queries):
        by_length.setdefault(len(ids), []).append(i)
    for rows in by_length.values():
        ids = torch.tensor([queries[i] for i in rows])  # (n, L)
        logp = F.log_softmax(model(ids)[:, -1], dim=-1)  # (n, vocab)
        scores[rows] = logp[:, LABEL_IDS].numpy()
    index = {text: i for i, text in enumerate(unique)}
    return scores[[index[text] for text in texts]]


def macro_f1(predicted: np.ndarray, truth: np.ndarray, n_labels: int = 2) -> float:
    """Mean over labels of F1 = 2TP / (2TP + FP + FN) (0 for a label never predicted nor
    true), as ``sklearn.metrics.f1_score(average="macro", zero_division=0)``."""
    scores = []
    for label in range(n_labels):
        tp = np.sum((predicted == label) & (truth == label))
        fp = np.sum((predicted == label) & (truth != label))
        fn = np.sum((predicted != label) & (truth == label))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores))


def prediction_metrics(probs: np.ndarray, truth: np.ndarray, prompt: Prompt) -> dict[str, float]:
    predicted = probs.argmax(axis=-1)
    return {
        "accuracy": float(np.mean(predicted == truth)),
        "macro_f1": macro_f1(predicted, truth),
        "positive_share": float(np.mean(predicted == 1)),
        "majority_share": float(np.mean(predicted == prompt.majority)),
        "last_label_share": float(np.mean(predicted == prompt.last_label)),
    }


def prompt_prior(model: GPT, prompt: Prompt, mode: PriorMode = "estimated") -> np.ndarray:
    """``p_cf`` of a prompt from the content-free inputs; "flipped" reverses it and
    "uniform" ignores it (both broken on purpose)."""
    probs = label_probabilities(label_logprobs(model, prompt.prefix(), CONTENT_FREE_INPUTS))
    prior = content_free_prior(probs)
    if mode == "flipped":
        return prior[::-1].copy()
    if mode == "uniform":
        return np.full_like(prior, 1 / len(prior))
    return prior


def evaluate(
    model: GPT, prompts: Sequence[Prompt], test: Sequence[Example], mode: PriorMode | None
) -> list[dict[str, Any]]:
    """Per prompt: metrics of the raw predictions and, unless ``mode`` is None, of the
    contextually calibrated ones (and the prior used)."""
    texts = [text for text, _ in test]
    truth = np.array([label for _, label in test])
    rows = []
    for prompt in prompts:
        probs = label_probabilities(label_logprobs(model, prompt.prefix(), texts))  # (n, 2)
        row: dict[str, Any] = {"raw": prediction_metrics(probs, truth, prompt)}
        if mode is not None:
            prior = prompt_prior(model, prompt, mode)
            calibrated = contextual_calibration(probs, prior)
            row["calibrated"] = prediction_metrics(calibrated, truth, prompt)
            row["p_cf_positive"] = float(prior[1])
        rows.append(row)
    return rows


def check_against_torch(model: GPT, prompt: Prompt, test: Sequence[Example]) -> float:
    """Largest difference between ``contextual_calibration`` and ``diag(p_cf)^-1 p`` computed
    by torch, renormalised, on one prompt's test set."""
    probs = label_probabilities(label_logprobs(model, prompt.prefix(), [t for t, _ in test]))
    prior = prompt_prior(model, prompt)
    W = torch.diag(1 / torch.tensor(prior))  # (2, 2)
    scores = torch.tensor(probs) @ W.T  # (n, 2)
    reference = scores / scores.sum(-1, keepdim=True)
    return float(np.abs(contextual_calibration(probs, prior) - reference.numpy()).max())


def summarise(rows: Sequence[dict[str, Any]], which: str) -> dict[str, float]:
    """Mean and standard deviation over prompts of each metric of ``which``."""
    keys = rows[0][which]
    out = {}
    for key in keys:
        values = np.array([row[which][key] for row in rows])
        out[key] = round(float(values.mean()), 4)
        out[f"{key}_std"] = round(float(values.std()), 4)
    return out


def zero_shot(model: GPT, test: Sequence[Example]) -> dict[str, float]:
    """The test set with no demonstrations at all (a reference, not a prompt under test)."""
    texts = [text for text, _ in test]
    truth = np.array([label for _, label in test])
    predicted = label_logprobs(model, "", texts).argmax(axis=-1)
    return {
        "macro_f1": round(macro_f1(predicted, truth), 4),
        "positive_share": round(float(np.mean(predicted == 1)), 4),
    }


@dataclass(kw_only=True)
class CalibrationMetrics:
    """What the lab measured, as report.json's ``metrics``. ``pretrained``: per model id,
    its name, tokens scored, per-task summaries (mean accuracy and macro-F1 raw and
    calibrated, their spread across prompts, the favoured label's excess share) and every
    prompt; ``literature``: what Zhao et al. 2021 report. The tiny model's rates are per
    balanced test set, pooled over prompts and seeds (``summarise``); absent from
    report.json when the arm did not run, as are options A, B and D."""

    pretrained: dict[str, Any]  # model id -> results; {} when no pretrained model ran
    literature: dict[str, str]
    seeds: list[int]
    raw: dict[str, float] | None = None  # the tiny model's few-shot prompts, before calibration
    calibrated: dict[str, float] | None = None  # ... and after
    zero_shot: dict[str, float] | None = None  # the tiny model with no demonstrations
    # options A (fine-tuning), B (augmented demonstrations) and D (clipping), per seed
    finetune_curves: list[dict[str, Any]] | None = None
    augmented_demonstrations: dict[str, float] | None = None
    clipped: dict[str, float] | None = None
    clipped_calibrated: dict[str, float] | None = None
    clipped_fraction: list[float] | None = None
    per_prompt: list[dict[str, Any]] | None = None  # the tiny model, every seed
    bayes_accuracy: float | None = None  # the best any classifier can do on the test reviews
    final_label_loss: list[float] | None = None
    calibration_vs_torch_max_abs: float | None = None  # exam module vs torch, max |diff|
    parameters: int | None = None
    vocab_size: int | None = None
    content_free_prior: PriorMode = "estimated"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


Metrics = CalibrationMetrics  # the lab contract's name for it
