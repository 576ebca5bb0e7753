"""The calibration lab's run: train, measure every prompt raw and calibrated, and compare
the question's other options; what it measured, as ``CalibrationMetrics``."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from llmiq.labs.calibration.claims import (
    augmentation_claim,
    bias_claim,
    calibration_claim,
    clipping_claim,
    finetune_claim,
)
from llmiq.labs.calibration.config import Config
from llmiq.labs.calibration.data import (
    LABELS,
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
from llmiq.labs.calibration.evaluation import (
    CalibrationMetrics,
    check_against_torch,
    evaluate,
    summarise,
    zero_shot,
)
from llmiq.labs.calibration.figures import plot_finetune, plot_prompts
from llmiq.labs.calibration.training import train_on_prompts
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabResult
from llmiq.labs.tinylm import GPT, GPTConfig


def run(config: Config, context: LabContext) -> LabResult[CalibrationMetrics]:
    rng = random.Random(context.seed)
    data = training_tensor(rng, config, config.train_prompts, config.agreement)
    test = balanced_test_set(random.Random(context.seed + 1), config.test_reviews)
    prompts = make_prompts(random.Random(context.seed + 2), config)
    augmented = [paraphrase(p, random.Random(context.seed + 3 + i)) for i, p in enumerate(prompts)]
    gpt = GPTConfig(
        vocab_size=len(VOCAB),
        block_size=block_size(config),
        n_layer=config.n_layer,
        n_head=config.n_head,
        n_embd=config.n_embd,
    )
    torch.manual_seed(context.seed)
    init = GPT(gpt)
    train = dict(
        steps=config.steps,
        batch_size=config.batch_size,
        lr=config.lr,
        label_weight=config.label_weight,
    )
    total = config.steps * (2 if config.compare_options else 1)
    total += config.finetune_steps if config.compare_options else 0
    options: dict[str, Any] = {}  # options A, B and D, when compared
    with torch_threads(1), context.progress(total, "calibration: training tiny GPTs") as advance:
        model = copy.deepcopy(init)
        batches = torch.Generator().manual_seed(context.seed)
        trained = train_on_prompts(model, data, generator=batches, on_step=advance, **train)
        rows = evaluate(model, prompts, test, config.content_free_prior)
        torch_check = check_against_torch(model, prompts[0], test)
        raw, calibrated = summarise(rows, "raw"), summarise(rows, "calibrated")
        zero_shot_scores = zero_shot(model, test)
        claims = [
            bias_claim(raw, config.prompts, config.demonstrations, config.majority),
            calibration_claim(raw, calibrated, config.content_free_prior),
        ]
        if config.compare_options:
            options = compare_options(
                model,
                init,
                data,
                prompts,
                augmented,
                test,
                raw,
                calibrated,
                claims[0].supported,
                config,
                context,
                advance,
            )
            claims.extend(options.pop("claims"))
    metrics = CalibrationMetrics(
        calibration_vs_torch_max_abs=torch_check,
        zero_shot=zero_shot_scores,
        **options,
        raw=raw,
        calibrated=calibrated,
        per_prompt=[
            {
                "demonstration_labels": [LABELS[label] for _, label in p.demonstrations],
                "p_cf_positive": round(row["p_cf_positive"], 4),
                "raw": {k: round(v, 4) for k, v in row["raw"].items()},
                "calibrated": {k: round(v, 4) for k, v in row["calibrated"].items()},
            }
            for p, row in zip(prompts, rows, strict=True)
        ],
        bayes_accuracy=round(bayes_accuracy([text for text, _ in test]), 4),
        final_label_loss=round(float(np.mean(trained["label_losses"][-20:])), 4),
        parameters=init.num_params(),
        vocab_size=len(VOCAB),
        content_free_prior=config.content_free_prior,
    )
    figures = [plot_prompts(context, prompts, rows, metrics)]
    if config.compare_options:
        figures.append(plot_finetune(context, metrics))
    key = (
        f"macro-F1 {raw['macro_f1']:.3f} -> {calibrated['macro_f1']:.3f}, majority-label share "
        f"{raw['majority_share']:.0%} -> {calibrated['majority_share']:.0%} after contextual "
        "calibration (0 labels, 0 steps)"
    )
    return LabResult(
        title="Prompt calibration: the label bias of a few-shot prompt, before and after",
        key_figure=key,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )


def compare_options(
    model: GPT,
    init: GPT,
    data: torch.Tensor,
    prompts: list[Prompt],
    augmented: list[Prompt],
    test: list[Example],
    raw: dict[str, float],
    calibrated: dict[str, float],
    biased: bool,
    config: Config,
    context: LabContext,
    advance: Callable[[int], None],
) -> dict[str, Any]:
    """Options A (fine-tuning), B (augmented demonstrations) and D (gradient clipping)."""
    train = dict(
        steps=config.steps,
        batch_size=config.batch_size,
        lr=config.lr,
        label_weight=config.label_weight,
    )
    # D: same initialisation, same batches, clipped gradients
    twin = copy.deepcopy(init)
    batches = torch.Generator().manual_seed(context.seed)  # the same batches as the model's
    clipped_run = train_on_prompts(
        twin, data, generator=batches, clip_norm=config.clip_norm, on_step=advance, **train
    )
    clipped_rows = evaluate(twin, prompts, test, "estimated")
    clipped = summarise(clipped_rows, "raw")
    clipped_calibrated = summarise(clipped_rows, "calibrated")
    clipped_fraction = clipped_run["clipped_steps"] / config.steps
    # B: paraphrased demonstrations, same labels, same model
    augmented_raw = summarise(evaluate(model, augmented, test, None), "raw")
    # A: fine-tune the biased model on prompts with independent labels, count what it takes
    shuffled = training_tensor(random.Random(context.seed + 100), config, config.train_prompts, 0.5)
    tuned = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(context.seed + 100)
    per_review = config.demonstrations + 1
    curve = [
        {
            "steps": 0,
            "labelled_reviews": 0,
            "majority_share": raw["majority_share"],
            "macro_f1": raw["macro_f1"],
        }
    ]

    def measure(steps: int) -> None:
        now = summarise(evaluate(tuned, prompts, test, None), "raw")
        reviews = steps * config.batch_size * per_review
        curve.append(
            {
                "steps": steps,
                "labelled_reviews": reviews,
                "majority_share": now["majority_share"],
                "macro_f1": now["macro_f1"],
            }
        )

    train_on_prompts(
        tuned,
        shuffled,
        steps=config.finetune_steps,
        batch_size=config.batch_size,
        lr=config.lr,
        label_weight=config.label_weight,
        generator=generator,
        on_step=advance,
        every=config.finetune_eval_every,
        checkpoint=measure,
    )
    claims = [
        finetune_claim(curve, calibrated["majority_share"], biased),
        augmentation_claim(raw, augmented_raw),
        clipping_claim(raw, clipped, clipped_calibrated, clipped_fraction, config.clip_norm),
    ]
    return {
        "claims": claims,
        "finetune_curve": curve,
        "augmented_demonstrations": augmented_raw,
        "clipped": clipped,
        "clipped_calibrated": clipped_calibrated,
        "clipped_fraction": round(clipped_fraction, 4),
    }
