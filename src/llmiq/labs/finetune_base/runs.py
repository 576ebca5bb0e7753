"""The measurement shared by the lab and its tuning: the documents, the style's vocabulary and
each base cut into its cached frozen part (``prepare``), then one seed's fine-tuning runs, every
base on every data size (``replicate``)."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from llmiq.labs.context import LabContext
from llmiq.labs.finetune_base.backbone import (
    RANDOM_INIT_SEED,
    SEPARATOR,
    Top,
    frozen_states,
    random_twin,
    smollm2,
    style_vocabulary,
    trainable_parameters,
)
from llmiq.labs.finetune_base.config import Base, Config
from llmiq.labs.finetune_base.data import Document, documents, encode, sample
from llmiq.labs.finetune_base.training import Budget, document_losses, fine_tune


@dataclass
class Arm:
    """A base ready to fine-tune: its model, and its frozen states of every document."""

    base: Base
    model: torch.nn.Module
    random_weights: bool  # its top is drawn again for every seed
    states: list[torch.Tensor]  # frozen states of pool + dev + test documents
    from_cache: bool


@dataclass
class Setup:
    pool: list[Document]
    dev: list[Document]
    test: list[Document]
    listed: list[int]  # the style's tokens, listed from generated text
    vocabulary: list[int]  # those and any other token of the lab's documents
    column: torch.Tensor  # token id -> its column in the restricted output (-1: none)
    arms: list[Arm] = field(default_factory=list)
    load_seconds: float = 0.0
    frozen_seconds: float = 0.0

    def states(self, arm: Arm, part: str) -> list[torch.Tensor]:
        """``arm``'s frozen states of the "pool", "dev" or "test" documents."""
        n_pool, n_dev = len(self.pool), len(self.dev)
        spans = {
            "pool": (0, n_pool),
            "dev": (n_pool, n_pool + n_dev),
            "test": (n_pool + n_dev, None),
        }
        start, stop = spans[part]
        return arm.states[start:stop]


def _model(base: Base, config: Config) -> tuple[torch.nn.Module, bool]:
    if config.weights not in ("pretrained", "random"):
        raise ValueError(f"weights is 'pretrained' or 'random', not {config.weights!r}")
    random_weights = config.weights == "random" or not base.pretrained
    return (random_twin() if random_weights else smollm2().model), random_weights


def _cached_states(
    base: Base,
    model: torch.nn.Module,
    random_weights: bool,
    docs: list[Document],
    config: Config,
    context: LabContext,
    advance: Callable[[int], None],
) -> tuple[list[torch.Tensor], bool]:
    """The frozen states of ``docs``, from the lab cache when they were computed before: a
    base of ``blocks`` blocks runs its first ``blocks - 1`` and its last block's attention."""
    stop = base.blocks - 1
    source = Path(smollm2().folder).name
    if random_weights:
        source = f"normal(0, 0.02):{RANDOM_INIT_SEED}"
    text = "\x00".join(d.text for d in docs)
    key = hashlib.sha256(f"{source}|{stop}|{config.frozen_dtype}|{text}".encode()).hexdigest()
    path = context.cached(f"finetune-base-frozen-{key[:16]}.pt")
    dtype = getattr(torch, config.frozen_dtype)
    if path is not None and path.exists() and not context.fresh:
        advance(stop + 1)
        return [s.float() for s in torch.load(path)], True
    states = frozen_states(model, stop, docs, dtype, advance=advance)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save([s.to(dtype) for s in states], path)
    return states, False


def prepare(config: Config, context: LabContext) -> Setup:
    """Load the model, write the documents, list the style's tokens and run every base's
    frozen part over every document once."""
    if config.data not in ("nested", "same"):
        raise ValueError(f"data is 'nested' or 'same', not {config.data!r}")
    started = time.perf_counter()
    tokenizer = smollm2().tokenizer
    pool, dev, test = (
        encode(tokenizer, documents(n, stream), SEPARATOR)
        for n, stream in (
            (config.pool_chars, "pool"),
            (config.dev_chars, "dev"),
            (config.test_chars, "test"),
        )
    )
    listed = style_vocabulary(
        encode(tokenizer, documents(config.vocabulary_chars, "vocabulary"), SEPARATOR)
    )
    vocabulary = sorted(set(listed) | set(style_vocabulary([*pool, *dev, *test])))
    column = torch.full((len(tokenizer),), -1, dtype=torch.long)
    column[torch.tensor(vocabulary)] = torch.arange(len(vocabulary))
    setup = Setup(pool, dev, test, listed, vocabulary, column)
    models = [_model(b, config) for b in config.bases]
    setup.load_seconds = time.perf_counter() - started

    everything = [*pool, *dev, *test]
    total = sum(b.blocks for b in config.bases)
    with context.progress(total, "finetune-base: frozen blocks over every document") as advance:
        for base, (model, random_weights) in zip(config.bases, models, strict=True):
            states, cached = _cached_states(
                base, model, random_weights, everything, config, context, advance
            )
            setup.arms.append(Arm(base, model, random_weights, states, cached))
    setup.frozen_seconds = time.perf_counter() - started - setup.load_seconds
    return setup


@dataclass
class Run:
    """One fine-tuning run of one base on one data size."""

    dev_loss: float  # the best dev evaluation (nats/char), the checkpoint kept
    best_step: int
    steps: int
    converged: bool
    test_losses: list[float]  # per test document (nats/char); empty when not scored


@dataclass
class Replicate:
    """One seed's runs: ``runs[base][size]``, the samples, and each base before tuning."""

    runs: list[list[Run]]
    picks: list[list[tuple[int, int]]]  # each data size's sample: (document, positions)
    zero_shot: list[float]  # each base's mean test loss before fine-tuning
    trainable: list[int]  # each base's trainable parameters


def replicate(
    setup: Setup,
    config: Config,
    seed: int,
    advance: Callable[[int], None] = lambda n: None,
    score_test: bool = True,
) -> Replicate:
    """Every base fine-tuned on every data size, for one seed: ``seed`` draws the sample
    (nested: one shuffled order of the pool, cut at each size; with ``data="same"`` every size
    gets the smallest), the batch order (the same for every base and size) and the random
    bases' tops. ``score_test=False`` (tuning) never reads the test documents."""
    sizes = config.data_sizes
    cut = sizes[0] if config.data == "same" else None
    picks = [
        sample(setup.pool, cut or n, random.Random(f"finetune-base/sample/{seed}")) for n in sizes
    ]
    budget = Budget(config.steps, config.batch_docs, config.eval_every, config.patience)
    runs, zero_shot, trainable = [], [], []
    for arm, base in zip(setup.arms, config.bases, strict=True):
        top = Top(arm.model, setup.vocabulary)
        if arm.random_weights:
            top.redraw(torch.Generator().manual_seed(seed))
        trainable.append(trainable_parameters(top))
        test_states = setup.states(arm, "test") if score_test else []
        if score_test:
            zero_shot.append(
                float(np.mean(document_losses(top, test_states, setup.test, setup.column)))
            )
        row = []
        for chosen in picks:
            tuned = fine_tune(
                top, setup.states(arm, "pool"), setup.pool, chosen,
                (setup.states(arm, "dev"), setup.dev), setup.column, base.lr, budget, seed,
                advance,
            )  # fmt: skip
            test_losses = (
                document_losses(tuned.top, test_states, setup.test, setup.column)
                if score_test
                else []
            )
            row.append(
                Run(
                    min(tuned.dev_curve), tuned.best_step, tuned.steps, tuned.converged, test_losses
                )
            )
        runs.append(row)
    return Replicate(runs, picks, zero_shot, trainable)
