"""Pre-training the base once, and one fine-tuning run of one method (full, or LoRA at one
rank) from it: what the lab's seeds repeat and what ``tuning`` sweeps learning rates over."""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch

from llmiq.labs import tinylm
from llmiq.labs.lora.adapter import add_lora
from llmiq.labs.lora.config import Config


def name(r: int) -> str:
    return f"r={r}"


def methods(config: Config) -> list[str]:
    """``["full", "r=1", ...]``: every method the lab fine-tunes, full first."""
    return ["full", *(name(r) for r in config.ranks)]


def rank(method: str) -> int:
    return int(method.removeprefix("r="))


def learning_rate(method: str, config: Config) -> float:
    return config.full_lr if method == "full" else config.lora_lr


def pretrain(
    config: Config, seed: int, prose: torch.Tensor, advance: Callable[[int], None]
) -> tinylm.GPT:
    """The base: the tiny GPT pre-trained on prose from ``seed`` (weights and batches)."""
    shape = tinylm.GPTConfig(
        block_size=config.block_size, n_layer=config.n_layer, n_embd=config.n_embd
    )
    torch.manual_seed(seed)
    base = tinylm.GPT(shape)
    tinylm.train(
        base,
        prose,
        steps=config.pretrain_steps,
        batch_size=config.batch_size,
        lr=config.pretrain_lr,
        generator=torch.Generator().manual_seed(seed),
        on_step=advance,
    )
    return base


def adapted(base: tinylm.GPT, method: str, config: Config, seed: int) -> torch.nn.Module:
    """A copy of ``base`` ready to fine-tune by ``method``: every weight trainable for
    "full", adapters (A drawn from ``seed``) on a frozen base for "r=<rank>"."""
    if method == "full":
        return copy.deepcopy(base)
    r = rank(method)
    return add_lora(
        base,
        r,
        config.alpha_per_rank * r,
        config.targets,
        init_b=config.init_b,
        freeze_base=config.freeze_base,
        generator=torch.Generator().manual_seed(seed * 1000 + 10 + r),
    )


def fine_tune(
    model: torch.nn.Module,
    code: torch.Tensor,
    config: Config,
    seed: int,
    lr: float,
    advance: Callable[[int], None] = lambda n: None,
) -> list[float]:
    """Train ``model`` in place on code windows drawn from ``seed`` (the same batches for
    every method of a seed); returns the training loss per step."""
    return tinylm.train(
        model,
        code,
        steps=config.finetune_steps,
        batch_size=config.batch_size,
        lr=lr,
        generator=torch.Generator().manual_seed(seed * 1000 + 1),
        on_step=advance,
    )
