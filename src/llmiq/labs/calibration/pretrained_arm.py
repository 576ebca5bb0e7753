"""The real-model arm's run: each built-in pretrained model on the same few-shot prompts
(per seed: a test split and prompts drawn from the lab's sentences), raw and calibrated,
summarised per task and judged by ``real_claims``."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmiq.labs.calibration.config import Config
from llmiq.labs.calibration.fewshot import FewShotPrompt, evaluate_prompt, sample_prompts, split
from llmiq.labs.calibration.real_claims import bias_claim, gain_claim, spread_claim, task_summary
from llmiq.labs.calibration.sentences import TASKS, Task
from llmiq.labs.pretrained import MODELS, load_pretrained
from llmiq.labs.report import Claim


@dataclass
class PretrainedArm:
    claims: list[Claim] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # model id -> summary
    load_seconds: dict[str, float] = field(default_factory=dict)


def seed_prompts(
    config: Config, seed: int
) -> list[tuple[Task, list[tuple[str, int]], list[FewShotPrompt]]]:
    """Each task's test sentences and prompts for ``seed``: the same for every model."""
    drawn = []
    for index, task in enumerate(TASKS):
        rng = random.Random(seed * 100 + index)
        test, pool = split(task, rng, config.test_sentences)
        prompts = sample_prompts(task, rng, pool, config.prompts_per_task, config.shots)
        drawn.append((task, test, prompts))
    return drawn


def run_pretrained(
    config: Config, seeds: Sequence[int], advance: Callable[[int], None]
) -> PretrainedArm:
    arm = PretrainedArm()
    drawn = {seed: seed_prompts(config, seed) for seed in seeds}
    for model_id in config.models:
        name = MODELS[model_id].name
        loaded = load_pretrained(model_id, "calibration")
        arm.cards.append(loaded.card())
        arm.load_seconds[model_id] = round(loaded.seconds, 2)
        rows = []
        for seed in seeds:
            for _task, test, prompts in drawn[seed]:
                for prompt in prompts:
                    row = evaluate_prompt(
                        loaded, prompt, test, config.content_free_prior, config.score_batch
                    )
                    rows.append({"seed": seed, **row})
                    advance(1)
        del loaded
        gc.collect()
        summary = {task.name: task_summary(rows, task.name) for task in TASKS}
        arm.claims += [
            bias_claim(name, rows, seeds),
            gain_claim(name, rows, seeds, summary),
            spread_claim(name, rows, seeds, summary),
        ]
        arm.results[model_id] = {
            "name": name,
            "tokens_scored": sum(r.pop("tokens") for r in rows),
            "tasks": summary,
            "per_prompt": rows,
        }
    return arm
