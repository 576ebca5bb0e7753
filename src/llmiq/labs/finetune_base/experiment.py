"""The fine-tuning lab's run: pre-train (or load) the bases, fine-tune each on every data
size, and judge; what it measured, as ``FinetuneBaseMetrics``."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.finetune_base.claims import (
    _k,
    _pretraining_gains,
    base_vs_data_claim,
    data_claim,
    effects,
    pretraining_claim,
    size_claim,
    variance_shares,
)
from llmiq.labs.finetune_base.config import Config
from llmiq.labs.finetune_base.data import general_corpus, target_corpus
from llmiq.labs.finetune_base.figures import plot_loss_vs_data
from llmiq.labs.finetune_base.training import FineTuned, fine_tune, held_out_loss, pretrain
from llmiq.labs.report import LabResult


@dataclass
class FinetuneBaseMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    bases: list[dict[str, Any]]
    data_sizes: list[int]
    test_loss_grid: list[list[float]]
    base_range_by_size: list[float]
    data_range_by_base: list[float]
    base_effect: float
    data_effect: float
    variance_share: dict[str, float]
    pretraining_gain_by_size: dict[str, list[float]]
    pretrained_least_data_minus_fresh_most_data: float
    base_test_loss_before_fine_tuning: list[float]
    base_general_held_out_loss: list[float]
    uniform_loss: float
    best_step_grid: list[list[int]]
    steps_run_grid: list[list[int]]
    converged_grid: list[list[bool]]
    unconverged_runs: int
    pretrain_data: str
    pretrain_steps: int
    finetune_steps: int
    finetune_lr: float
    bases_from_cache: list[bool]
    pretrain_seconds: float
    finetune_seconds: float
    target_sample: str
    torch_threads_used: int


Metrics = FinetuneBaseMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[FinetuneBaseMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _bases(
    config: Config, context: LabContext, corpus: Callable[[], torch.Tensor]
) -> tuple[list[tinylm.GPT], list[bool]]:
    """Every base, pre-trained here or read from the cache; and which came from the cache."""
    models, cached = [], []
    total = sum(b.pretrained for b in config.bases) * config.pretrain_steps
    with context.progress(total, "finetune-base: pre-training bases") as advance:
        for base in config.bases:
            shape = tinylm.GPTConfig(
                block_size=config.block_size, n_layer=base.n_layer, n_embd=base.n_embd
            )
            key = tinylm.cache_key(
                shape,
                context.seed,
                config.pretrain_chars,
                config.pretrain_data,
                config.pretrain_steps,
                config.pretrain_lr,
                config.batch_size,
            )
            path = context.cached(f"finetune-base-{key}.pt") if base.pretrained else None
            if path is not None and path.exists() and not context.fresh:
                models.append(tinylm.load(path))
                cached.append(True)
                advance(config.pretrain_steps)
                continue
            data = corpus() if base.pretrained else None
            models.append(pretrain(base, config, context.seed, data, advance))
            cached.append(False)
            if path is not None:
                tinylm.save(models[-1], path)
    return models, cached


def _run(config: Config, context: LabContext) -> LabResult[FinetuneBaseMetrics]:
    seed, sizes, bases = context.seed, list(config.data_sizes), list(config.bases)
    target = torch.tensor(tinylm.encode(target_corpus(max(sizes), seed)))
    dev = torch.tensor(tinylm.encode(target_corpus(config.dev_chars, seed + 10_000)))
    test = torch.tensor(tinylm.encode(target_corpus(config.test_chars, seed + 20_000)))

    general: list[tuple[torch.Tensor, torch.Tensor]] = []  # read once, when first needed

    def general_ids() -> tuple[torch.Tensor, torch.Tensor]:
        if not general:
            general.append(general_corpus(config, seed))
        return general[0]

    started = time.perf_counter()
    models, cached = _bases(config, context, lambda: general_ids()[0])
    pretrain_seconds = time.perf_counter() - started

    grid: list[list[float]] = []  # (bases, sizes): test loss after fine-tuning
    runs: list[list[FineTuned]] = []
    total = len(models) * len(sizes) * config.finetune_steps
    with context.progress(total, "finetune-base: fine-tuning every base x data size") as advance:
        for model in models:
            row = [
                fine_tune(model, target[:n], dev, config, seed + k, advance)
                for k, n in enumerate(sizes)
            ]  # the same batches for every base
            runs.append(row)
            grid.append([held_out_loss(r.model, test) for r in row])
    finetune_seconds = time.perf_counter() - started - pretrain_seconds

    done = [[r.converged for r in row] for row in runs]
    unconverged = sum(not c for row in done for c in row)
    e = effects(grid)
    claims = [
        base_vs_data_claim(sizes, grid, unconverged),
        pretraining_claim(bases, sizes, grid, config.min_gain),
        size_claim(bases, sizes, grid, config.min_gain),
        data_claim(bases, sizes, grid, config.min_gain),
    ]
    fresh_most = [r[-1] for r, b in zip(grid, bases, strict=True) if not b.pretrained]
    pre_least = [r[0] for r, b in zip(grid, bases, strict=True) if b.pretrained]
    general_held = general_ids()[1] if config.pretrain_data == "stdlib" else None
    if e["base_effect"] <= e["data_effect"]:
        larger = "the data size moves the loss more"
    elif unconverged:
        larger = f"inconclusive ({unconverged} runs still improving)"
    else:
        larger = "the base moves the loss more"
    key_figure = (
        f"{larger}: {e['base_effect']:.2f} nats/byte across bases vs "
        f"{e['data_effect']:.2f} across {_k(sizes)} chars of fine-tuning data"
    )
    metrics = FinetuneBaseMetrics(
        bases=[asdict(b) | {"params": m.num_params()} for b, m in zip(bases, models, strict=True)],
        data_sizes=sizes,
        test_loss_grid=[[round(v, 4) for v in row] for row in grid],
        base_range_by_size=[round(v, 4) for v in e["base_range_by_size"]],
        data_range_by_base=[round(v, 4) for v in e["data_range_by_base"]],
        base_effect=round(e["base_effect"], 4),
        data_effect=round(e["data_effect"], 4),
        variance_share=variance_shares(grid),
        pretraining_gain_by_size={
            k: [round(g, 4) for g in v] for k, v in _pretraining_gains(bases, grid).items()
        },
        pretrained_least_data_minus_fresh_most_data=(
            round(min(pre_least) - min(fresh_most), 4) if pre_least and fresh_most else None
        ),
        base_test_loss_before_fine_tuning=[round(held_out_loss(m, test), 4) for m in models],
        base_general_held_out_loss=(
            [round(held_out_loss(m, general_held), 4) for m in models]
            if general_held is not None
            else None
        ),
        uniform_loss=round(math.log(tinylm.VOCAB), 4),
        best_step_grid=[[r.best_step for r in row] for row in runs],
        steps_run_grid=[[r.steps for r in row] for row in runs],
        converged_grid=done,
        unconverged_runs=unconverged,
        pretrain_data=config.pretrain_data,
        pretrain_steps=config.pretrain_steps,
        finetune_steps=config.finetune_steps,
        finetune_lr=config.finetune_lr,
        bases_from_cache=cached,
        pretrain_seconds=round(pretrain_seconds, 2),
        finetune_seconds=round(finetune_seconds, 2),
        target_sample=target_corpus(400, seed),
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="Fine-tuning: the pre-trained base versus the size of the fine-tuning data",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[plot_loss_vs_data(context, bases, sizes, grid)],
    )
