"""The output layer alone, timed at large vocabularies: forward+backward of a full softmax
(``nn.Linear(D, V)`` + ``F.cross_entropy``) against ``nn.AdaptiveLogSoftmaxWithLoss`` with
targets drawn from the corpus's fitted Zipf law, and with uniform targets. One thread, the
two layers interleaved within each repeat, so a repeat's ratio compares the two under the
same load."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from llmiq.labs.adaptive_softmax.layer import (
    adaptive_logits_per_token,
    adaptive_macs_per_token,
    adaptive_softmax_step,
    cluster_shares,
    cutoffs_for,
    full_softmax_step,
)
from llmiq.labs.adaptive_softmax.zipf import TargetDistribution, sample_targets

LABELS = ("main", "uniform")  # the configured target distribution, and the uniform contrast


def _time_step(
    step: Callable, layer: nn.Module, hidden: torch.Tensor, targets: torch.Tensor
) -> float:
    layer.zero_grad(set_to_none=True)
    hidden.grad = None
    started = time.perf_counter()
    step(layer, hidden, targets)
    return time.perf_counter() - started


def time_layers(
    *,
    vocab_sizes: tuple[int, ...],
    hidden_size: int,
    tokens: int,
    repeats: int,
    cutoff_fractions: tuple[float, ...],
    div_value: float,
    targets: TargetDistribution,
    exponent: float,
    rng: np.random.Generator,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda steps=1: None,
) -> list[dict]:
    """Per V: the seconds of every repeat of both layers with the main and uniform targets,
    and the speed-ups the cluster sizes predict from multiply-adds (``flop_ratio``) and from
    logits computed (``logit_ratio``)."""
    distributions: list[TargetDistribution] = [targets, "uniform"]
    steps = {"full": full_softmax_step, "adaptive": adaptive_softmax_step}
    rows = []
    for index, vocab in enumerate(vocab_sizes):
        cutoffs = cutoffs_for(vocab, cutoff_fractions)
        layers = {
            "full": nn.Linear(hidden_size, vocab),
            "adaptive": nn.AdaptiveLogSoftmaxWithLoss(
                hidden_size, vocab, cutoffs, div_value=div_value
            ),
        }
        hidden = torch.randn(tokens, hidden_size, generator=generator)  # (N, D)
        hidden.requires_grad_(True)
        drawn = [sample_targets(d, vocab, tokens, exponent, rng) for d in distributions]
        if index == 0:  # first calls pay one-off set-up costs
            for name, step in steps.items():
                _time_step(step, layers[name], hidden, drawn[0])
        seconds: dict[tuple[str, str], list[float]] = {
            (label, name): [] for label in LABELS for name in steps
        }
        for _ in range(repeats):
            for label, target in zip(LABELS, drawn, strict=True):
                for name, step in steps.items():
                    seconds[label, name].append(_time_step(step, layers[name], hidden, target))
                    advance(1)
        row: dict = {"vocab": vocab, "cutoffs": cutoffs}
        for label, target in zip(LABELS, drawn, strict=True):
            shares = cluster_shares(target, cutoffs)
            macs = adaptive_macs_per_token(hidden_size, vocab, cutoffs, div_value, shares)
            row[label] = {
                "full_seconds": seconds[label, "full"],
                "adaptive_seconds": seconds[label, "adaptive"],
                "flop_ratio": vocab * hidden_size / macs,
                "logit_ratio": vocab / adaptive_logits_per_token(vocab, cutoffs, shares),
                "head_share": shares[0],
                "cluster_shares": shares,
            }
        rows.append(row)
        del layers, hidden
    return rows


def log_speedups(row: dict, label: str) -> list[float]:
    """log(full / adaptive) seconds of each repeat (the pair timed back to back)."""
    part = row[label]
    return [
        float(np.log(f / a))
        for f, a in zip(part["full_seconds"], part["adaptive_seconds"], strict=True)
    ]


def summarise(rows_by_seed: dict[int, list[dict]]) -> list[dict]:
    """One row per V for the report: median seconds and speed-ups over every seed's repeats;
    the cost models and cluster shares of the first seed's targets."""
    first = next(iter(rows_by_seed.values()))
    out = []
    for i, row in enumerate(first):
        summary: dict = {"vocab": row["vocab"], "cutoffs": row["cutoffs"]}
        for label in LABELS:
            full = [s for rows in rows_by_seed.values() for s in rows[i][label]["full_seconds"]]
            adaptive = [
                s for rows in rows_by_seed.values() for s in rows[i][label]["adaptive_seconds"]
            ]
            logs = [x for rows in rows_by_seed.values() for x in log_speedups(rows[i], label)]
            summary[label] = {
                "full_seconds": round(float(np.median(full)), 5),
                "adaptive_seconds": round(float(np.median(adaptive)), 5),
                "speedup": round(float(np.exp(np.mean(logs))), 2),
                "flop_ratio": round(row[label]["flop_ratio"], 2),
                "logit_ratio": round(row[label]["logit_ratio"], 2),
                "head_share": round(row[label]["head_share"], 4),
                "cluster_shares": [round(s, 4) for s in row[label]["cluster_shares"]],
            }
        out.append(summary)
    return out
