"""The fine-tuning lab's run: every base cut into its cached frozen part and its top, the
top fine-tuned on every data size for every seed, and the verdicts; what it measured, as
``FinetuneBaseMetrics``."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.finetune_base.backbone import Top, smollm2
from llmiq.labs.finetune_base.claims import (
    _k,
    base_vs_data_claim,
    data_claim,
    effects,
    grid_interval,
    pretraining_claim,
    pretraining_vs_data_claim,
    size_claim,
    size_pair,
    twin_pair,
    variance_shares,
)
from llmiq.labs.finetune_base.config import TUNING, Config
from llmiq.labs.finetune_base.data import Document, target_corpus
from llmiq.labs.finetune_base.figures import plot_loss_vs_data
from llmiq.labs.finetune_base.runs import Arm, prepare, replicate
from llmiq.labs.finetune_base.training import document_losses
from llmiq.labs.report import LabResult


@dataclass
class FinetuneBaseMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    bases: list[dict[str, Any]]
    data_sizes: list[int]
    seeds: list[int]
    test_loss_grid: list[list[float]]  # nats/char, mean over seeds and test documents
    test_loss_ci: list[list[list[float]]]  # each cell's 95% interval
    test_loss_grid_by_seed: list[list[list[float]]]
    base_range_by_size: list[float]
    data_range_by_base: list[float]
    base_effect: float
    data_effect: float
    variance_share: dict[str, float]
    pretraining_gain_by_size: list[float]
    size_gain_by_size: list[float]
    zero_shot_test_loss: list[float]  # each base before fine-tuning, restricted output
    zero_shot_full_vocabulary_loss: float | None  # the pre-trained base over all 49,152
    style_vocabulary: int
    style_tokens_only_in_lab_text: int
    chars_per_token: float
    documents: dict[str, int]
    budget: dict[str, Any]
    best_step_grid: list[list[list[int]]]  # seeds x bases x sizes
    steps_run_grid: list[list[list[int]]]
    converged_grid: list[list[list[bool]]]
    unconverged_runs: int
    weights: str
    data: str
    frozen_dtype: str
    frozen_from_cache: list[bool]
    load_seconds: float
    frozen_seconds: float
    finetune_seconds: float
    target_sample: str
    torch_threads_used: int


Metrics = FinetuneBaseMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[FinetuneBaseMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[FinetuneBaseMetrics]:
    setup = prepare(config, context)
    pool, test, arms = setup.pool, setup.test, setup.arms
    bases, sizes, seeds = list(config.bases), list(config.data_sizes), list(context.seeds)
    started = time.perf_counter()
    shape = (len(seeds), len(bases), len(sizes))
    losses = np.zeros((len(seeds), len(test), len(bases), len(sizes)))  # nats/char
    zero_shot = np.zeros((len(seeds), len(bases)))
    best, ran = np.zeros(shape, dtype=int), np.zeros(shape, dtype=int)
    converged = np.zeros(shape, dtype=bool)
    total = len(seeds) * len(bases) * len(sizes) * config.steps
    with context.progress(total, "finetune-base: fine-tuning every base x data size") as advance:
        for s, seed in enumerate(context.replicate()):
            rep = replicate(setup, config, seed, advance)
            zero_shot[s] = rep.zero_shot
            for b, row in enumerate(rep.runs):
                for n, r in enumerate(row):
                    losses[s, :, b, n] = r.test_losses
                    best[s, b, n], ran[s, b, n] = r.best_step, r.steps
                    converged[s, b, n] = r.converged
    finetune_seconds = time.perf_counter() - started

    claims = [
        base_vs_data_claim(
            losses,
            bases,
            sizes,
            seeds,
            _budget_text(config, ran),
            int((~converged).sum()),
        ),
        pretraining_claim(losses, bases, sizes, seeds),
        size_claim(losses, bases, sizes, seeds),
        data_claim(losses, bases, sizes, seeds),
        pretraining_vs_data_claim(losses, bases, sizes, seeds),
    ]
    grid = losses.mean(axis=(0, 1))
    e = effects(grid.tolist())
    cells = [
        [grid_interval(losses, lambda g, b=b, n=n: g[b, n], seeds[0]) for n in range(len(sizes))]
        for b in range(len(bases))
    ]
    metrics = FinetuneBaseMetrics(
        bases=[
            asdict(b)
            | {
                "parameters": _parameters(arm.model, b.blocks),
                "trainable_parameters": t,
                "weights": "random" if arm.random_weights else "SmolLM2-135M-Instruct",
            }
            for b, arm, t in zip(bases, arms, rep.trainable, strict=True)
        ],
        data_sizes=sizes,
        seeds=seeds,
        test_loss_grid=_round(grid),
        test_loss_ci=[[[round(c.low, 4), round(c.high, 4)] for c in row] for row in cells],
        test_loss_grid_by_seed=_round(losses.mean(axis=1)),
        base_range_by_size=_round(e["base_range_by_size"]),
        data_range_by_base=_round(e["data_range_by_base"]),
        base_effect=round(e["base_effect"], 4),
        data_effect=round(e["data_effect"], 4),
        variance_share=variance_shares(grid.tolist()),
        pretraining_gain_by_size=_gain(grid, *twin_pair(bases)[::-1]),
        size_gain_by_size=_gain(grid, *size_pair(bases)),
        zero_shot_test_loss=_round(zero_shot.mean(axis=0)),
        zero_shot_full_vocabulary_loss=_full_vocabulary_loss(
            arms, test, len(pool) + len(setup.dev)
        ),
        style_vocabulary=len(setup.vocabulary),
        style_tokens_only_in_lab_text=len(set(setup.vocabulary) - set(setup.listed)),
        chars_per_token=round(
            sum(len(d.text) for d in pool) / sum(len(d.ids) - 1 for d in pool), 3
        ),
        documents={"pool": len(pool), "dev": len(setup.dev), "test": len(test)},
        budget={
            "steps": config.steps,
            "batch_docs": config.batch_docs,
            "eval_every": config.eval_every,
            "patience": config.patience,
            "tokens_per_step": round(_tokens_per_step(pool, config), 1),
        },
        best_step_grid=best.tolist(),
        steps_run_grid=ran.tolist(),
        converged_grid=converged.tolist(),
        unconverged_runs=int((~converged).sum()),
        weights=config.weights,
        data=config.data,
        frozen_dtype=config.frozen_dtype,
        frozen_from_cache=[a.from_cache for a in arms],
        load_seconds=round(setup.load_seconds, 2),
        frozen_seconds=round(setup.frozen_seconds, 2),
        finetune_seconds=round(finetune_seconds, 2),
        target_sample=target_corpus(400, seeds[0]),
        torch_threads_used=torch.get_num_threads(),
    )
    gap = claims[0].interval
    assert gap is not None
    larger = "the base" if gap.above(0) else "the data size" if gap.below(0) else "neither"
    key_figure = (
        f"{larger} moves the loss more: base {e['base_effect']:.2f} vs data "
        f"{e['data_effect']:.2f} nats/char (difference {gap.format('.2f')}) across 3 bases "
        f"x {_k(sizes)} chars"
    )
    return LabResult(
        title="Fine-tuning SmolLM2-135M: the pre-trained base versus the size of the "
        "fine-tuning data",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[plot_loss_vs_data(context, bases, sizes, grid, cells, claims)],
        models=[smollm2().card()],
        tuning=dict(TUNING),
    )


def _gain(grid: np.ndarray, worse: int, better: int) -> list[float]:
    """Loss of base ``worse`` minus loss of base ``better``, at every data size."""
    return _round(grid[worse] - grid[better])


def _round(values: Any) -> Any:
    return np.round(np.asarray(values, dtype=float), 4).tolist()


def _parameters(model: torch.nn.Module, blocks: int) -> int:
    """A base's parameters: the embeddings, its blocks and the final norm."""
    inner = model.model
    kept = [*inner.layers[: blocks - 1], inner.layers[-1]]
    parts = [inner.embed_tokens, inner.norm, *kept]
    return sum(p.numel() for part in parts for p in part.parameters())


def _tokens_per_step(pool: list[Document], config: Config) -> float:
    return config.batch_docs * float(np.mean([len(d.ids) - 1 for d in pool]))


def _budget_text(config: Config, ran: np.ndarray) -> str:
    return (
        f"every run trained until {config.patience} dev evaluations in a row "
        f"({config.patience * config.eval_every} steps) brought no new best, at most "
        f"{config.steps} steps of {config.batch_docs} documents (the runs took "
        f"{ran.min()}-{ran.max()} steps)"
    )


def _full_vocabulary_loss(arms: list[Arm], test: list[Document], offset: int) -> float | None:
    """The pre-trained base's zero-shot test loss with SmolLM2's whole output layer: what
    restricting it to the style's tokens changes."""
    arm = next((a for a in arms if not a.random_weights and a.base.blocks == 30), None)
    if arm is None:
        return None
    everything = range(arm.model.config.vocab_size)
    top = Top(arm.model, everything)
    losses = document_losses(top, arm.states[offset:], test, torch.arange(len(everything)), 4)
    return round(float(np.mean(losses)), 4)
