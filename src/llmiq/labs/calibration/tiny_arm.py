"""The tiny model's run for one seed: train it, measure every prompt raw and calibrated, and
the question's other options (A fine-tuning, B augmented demonstrations, D clipping)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from llmiq.labs.calibration.config import Config
from llmiq.labs.calibration.data import (
    VOCAB,
    Example,
    Prompt,
    balanced_test_set,
    bayes_accuracy,
    block_size,
    make_prompts,
    paraphrase,
    training_tensor,
)
from llmiq.labs.calibration.evaluation import check_against_torch, evaluate, summarise, zero_shot
from llmiq.labs.calibration.training import train_on_prompts
from llmiq.labs.tinylm import GPT, GPTConfig


@dataclass
class TinyRun:
    """One seed of the tiny model: per-prompt rows and what the options measured."""

    seed: int
    prompts: list[Prompt]
    rows: list[dict[str, Any]]  # per prompt: "raw", "calibrated" rates and "p_cf_positive"
    zero_shot: dict[str, float]
    torch_check: float
    final_label_loss: float
    bayes_accuracy: float
    parameters: int
    augmented_rows: list[dict[str, Any]] | None = None
    clipped_rows: list[dict[str, Any]] | None = None
    clipped_fraction: float | None = None
    curve: list[dict[str, float]] | None = None  # option A: majority share vs labelled reviews


def tiny_steps(config: Config) -> int:
    """Progress-bar steps of one seed."""
    if not config.compare_options:
        return config.steps
    return 2 * config.steps + config.finetune_steps


def run_tiny(config: Config, seed: int, advance: Callable[[int], None]) -> TinyRun:
    rng = random.Random(seed)
    data = training_tensor(rng, config, config.train_prompts, config.agreement)
    test = balanced_test_set(random.Random(seed + 1), config.test_reviews)
    prompts = make_prompts(random.Random(seed + 2), config)
    gpt = GPTConfig(
        vocab_size=len(VOCAB),
        block_size=block_size(config),
        n_layer=config.n_layer,
        n_head=config.n_head,
        n_embd=config.n_embd,
    )
    torch.manual_seed(seed)
    init = GPT(gpt)
    model = copy.deepcopy(init)
    batches = torch.Generator().manual_seed(seed)
    trained = train_on_prompts(
        model, data, generator=batches, on_step=advance, **_training(config, config.steps)
    )
    rows = evaluate(model, prompts, test, config.content_free_prior)
    run = TinyRun(
        seed=seed,
        prompts=prompts,
        rows=rows,
        zero_shot=zero_shot(model, test),
        torch_check=check_against_torch(model, prompts[0], test),
        final_label_loss=round(float(np.mean(trained["label_losses"][-20:])), 4),
        bayes_accuracy=round(bayes_accuracy([text for text, _ in test]), 4),
        parameters=init.num_params(),
    )
    if config.compare_options:
        compare_options(run, model, init, data, test, config, advance)
    return run


def _training(config: Config, steps: int) -> dict[str, Any]:
    return {
        "steps": steps,
        "batch_size": config.batch_size,
        "lr": config.lr,
        "label_weight": config.label_weight,
    }


def compare_options(
    run: TinyRun,
    model: GPT,
    init: GPT,
    data: torch.Tensor,
    test: list[Example],
    config: Config,
    advance: Callable[[int], None],
) -> None:
    """Options A (fine-tuning), B (augmented demonstrations) and D (gradient clipping),
    filled into ``run``."""
    seed = run.seed
    # D: same initialisation, same batches, clipped gradients
    twin = copy.deepcopy(init)
    batches = torch.Generator().manual_seed(seed)  # the same batches as the model's
    clipped_run = train_on_prompts(
        twin,
        data,
        generator=batches,
        clip_norm=config.clip_norm,
        on_step=advance,
        **_training(config, config.steps),
    )
    run.clipped_rows = evaluate(twin, run.prompts, test, "estimated")
    run.clipped_fraction = round(clipped_run["clipped_steps"] / config.steps, 4)
    # B: paraphrased demonstrations, same labels, same model
    augmented = [paraphrase(p, random.Random(seed + 3 + i)) for i, p in enumerate(run.prompts)]
    run.augmented_rows = evaluate(model, augmented, test, None)
    # A: fine-tune the biased model on prompts with independent labels, count what it takes
    shuffled = training_tensor(random.Random(seed + 100), config, config.train_prompts, 0.5)
    tuned = copy.deepcopy(model)
    per_prompt = config.demonstrations + 1
    raw = summarise(run.rows, "raw")
    curve = [
        {
            "steps": 0,
            "labelled_reviews": 0,
            "majority_share": raw["majority_share"],
            "macro_f1": raw["macro_f1"],
        }
    ]

    def measure(steps: int) -> None:
        now = summarise(evaluate(tuned, run.prompts, test, None), "raw")
        curve.append(
            {
                "steps": steps,
                "labelled_reviews": steps * config.batch_size * per_prompt,
                "majority_share": now["majority_share"],
                "macro_f1": now["macro_f1"],
            }
        )

    train_on_prompts(
        tuned,
        shuffled,
        generator=torch.Generator().manual_seed(seed + 100),
        on_step=advance,
        every=config.finetune_eval_every,
        checkpoint=measure,
        **_training(config, config.finetune_steps),
    )
    run.curve = curve


def labels_needed(curve: list[dict[str, float]], target: float) -> tuple[float, bool]:
    """Labelled reviews fine-tuning needed to bring the majority share as close to 0.5 as
    ``target``; (the budget used, False) when it never got there."""
    for point in curve:
        if abs(point["majority_share"] - 0.5) <= abs(target - 0.5):
            return float(point["labelled_reviews"]), True
    return float(curve[-1]["labelled_reviews"]), False
