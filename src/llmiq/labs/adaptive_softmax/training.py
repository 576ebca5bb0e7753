"""The whole model trained: a word-level transformer language model on the corpus (token
embedding, causal transformer blocks, output layer), once with a full softmax and once with
``nn.AdaptiveLogSoftmaxWithLoss``, same initialisation of the shared parts, same batches,
same optimiser and steps. Validation perplexity is measured along the way against the CPU
seconds each arm has spent training, so the two curves can be compared at equal time as well
as at equal steps.

Both outputs are exact normalised distributions over the same vocabulary (the adaptive
softmax's tail probabilities are P(cluster) x P(word | cluster)), so their perplexities are
comparable. Time is the training thread's CPU time (``time.thread_time``; torch runs on one
intra-op thread, in the calling thread): on an idle core it equals wall time, and other jobs
on a shared machine inflate it far less than they inflate wall time.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from llmiq.labs.corpus import words
from llmiq.labs.tinylm import Block, GPTConfig

Output = Literal["full", "adaptive"]
Frequencies = Literal["zipf", "uniform"]
EOS = "<p>"  # end of a paragraph
UNK = "<unk>"  # a word seen fewer than min_count times in training


@dataclass
class WordCorpus:
    vocab: list[str]  # id -> word, most frequent in training first (adaptive clusters need it)
    train: torch.Tensor  # (N,) word ids
    valid: torch.Tensor  # (M,) word ids of the held-out paragraphs
    frequencies: Frequencies  # "uniform": the ids were redrawn uniformly (no Zipf)


def word_corpus(
    text: str,
    *,
    seed: int,
    held_out: float = 0.1,
    min_count: int = 2,
    frequencies: Frequencies = "zipf",
) -> WordCorpus:
    """Paragraphs of ``text`` split at random (by ``seed``) into training and held-out text,
    words mapped to ids by training frequency; rare words become ``<unk>``.

    ``frequencies="uniform"`` keeps the vocabulary and the lengths but redraws every id
    uniformly: a corpus with no Zipf's law (and nothing to learn), for timing.

    >>> c = word_corpus("a b a\\n\\na c\\n\\na b\\n\\nb a", seed=0, held_out=0.3, min_count=1)
    >>> c.vocab[0], len(c.train) + len(c.valid)
    ('a', 13)
    """
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rng = np.random.default_rng(seed)
    held = rng.random(len(paragraphs)) < held_out
    streams = [[], []]  # training words, held-out words
    for paragraph, is_held in zip(paragraphs, held, strict=True):
        streams[int(is_held)].extend([*words(paragraph), EOS])
    counts = Counter(streams[0])
    kept = {w: n for w, n in counts.items() if n >= min_count}
    kept[UNK] = kept.get(UNK, 0) + sum(n for n in counts.values() if n < min_count)
    vocab = sorted(kept, key=lambda w: (-kept[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    unk = index[UNK]
    train, valid = (torch.tensor([index.get(w, unk) for w in s]) for s in streams)
    if frequencies == "uniform":
        train = torch.from_numpy(rng.integers(len(vocab), size=len(train)))
        valid = torch.from_numpy(rng.integers(len(vocab), size=len(valid)))
    return WordCorpus(vocab, train, valid, frequencies)


class WordLM(nn.Module):
    """Token embedding + learned positions, ``layers`` pre-norm causal transformer blocks
    (``tinylm.Block``), a final LayerNorm and the output layer: ``nn.Linear(D, V)`` with the
    softmax cross-entropy, or ``nn.AdaptiveLogSoftmaxWithLoss(D, V, cutoffs)``. No weight
    tying (the adaptive softmax's tail clusters project to smaller sizes)."""

    def __init__(
        self,
        vocab: int,
        dim: int,
        context: int,
        layers: int,
        heads: int,
        output: Output,
        cutoffs: list[int],
        div_value: float,
    ) -> None:
        super().__init__()
        config = GPTConfig(vocab_size=vocab, block_size=context, n_layer=layers, n_head=heads,
                           n_embd=dim)  # fmt: skip
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(context, dim)
        self.blocks = nn.Sequential(*(Block(config) for _ in range(layers)))
        self.norm = nn.LayerNorm(dim)
        self.output = output
        self.head: nn.Module = (
            nn.Linear(dim, vocab)
            if output == "full"
            else nn.AdaptiveLogSoftmaxWithLoss(dim, vocab, cutoffs, div_value=div_value)
        )

    def hidden(self, ids: torch.Tensor) -> torch.Tensor:
        """(B, T) ids -> (B * T, D) final hidden states."""
        x = self.embed(ids) + self.pos(torch.arange(ids.shape[1]))  # (B, T, D)
        return self.norm(self.blocks(x)).flatten(0, 1)

    def token_nll(self, ids: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """-log P(target) per token, (B * T,), in nats."""
        h = self.hidden(ids)
        if self.output == "full":
            return F.cross_entropy(self.head(h), targets.flatten(), reduction="none")
        return -self.head(h, targets.flatten()).output


@dataclass
class Curve:
    """One training run: validation loss per chunk at each checkpoint, against time."""

    output: Output
    steps: list[int] = field(default_factory=list)  # checkpoints (0 = before training)
    cpu_seconds: list[float] = field(default_factory=list)  # training CPU time so far
    wall_seconds: list[float] = field(default_factory=list)
    chunk_nll: list[list[float]] = field(default_factory=list)  # per checkpoint, per chunk
    step_cpu: list[float] = field(default_factory=list)  # CPU seconds of each step
    parameters: int = 0
    output_parameters: int = 0

    @property
    def perplexity(self) -> list[float]:
        return [math.exp(float(np.mean(c))) for c in self.chunk_nll]

    def nll_at(self, seconds: float) -> np.ndarray:
        """Validation loss per chunk at ``seconds`` of training CPU time, linearly
        interpolated between checkpoints (held at the ends)."""
        table = np.array(self.chunk_nll)  # (checkpoints, chunks)
        return np.array(
            [np.interp(seconds, self.cpu_seconds, table[:, c]) for c in range(table.shape[1])]
        )


def validation_windows(valid: torch.Tensor, context: int, windows: int) -> torch.Tensor:
    """``windows`` evenly spaced (context + 1)-token windows of the held-out ids."""
    starts = torch.linspace(0, len(valid) - context - 2, windows).long()
    return torch.stack([valid[s : s + context + 1] for s in starts.tolist()])  # (W, T + 1)


@torch.no_grad()
def chunk_losses(model: WordLM, windows: torch.Tensor, chunks: int) -> list[float]:
    """Mean validation loss (nats per word) of each of ``chunks`` groups of windows."""
    model.eval()
    nll = model.token_nll(windows[:, :-1], windows[:, 1:]).view(windows.shape[0], -1)
    model.train()
    return [float(part.mean()) for part in nll.chunk(chunks)]


@dataclass(frozen=True)
class Settings:
    """The model and optimiser, the same for both arms (fixed before measuring)."""

    dim: int  # model width D
    context: int  # words of context
    layers: int  # transformer blocks
    heads: int
    cutoffs: tuple[int, ...]  # adaptive softmax cluster boundaries (frequency ranks)
    div_value: float  # tail cluster i has dimension D / div_value**(i+1)
    batch: int  # windows per step
    learning_rate: float  # AdamW, constant


class Arm:
    """One output layer's model, optimiser, batch stream and curve. Seeding the same
    ``seed`` gives both arms the same embedding and body initialisation and the same
    batches."""

    def __init__(self, corpus: WordCorpus, output: Output, seed: int, settings: Settings):
        torch.manual_seed(seed)
        s = settings
        self.model = WordLM(len(corpus.vocab), s.dim, s.context, s.layers, s.heads, output,
                            list(s.cutoffs), s.div_value)  # fmt: skip
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=s.learning_rate, weight_decay=0.0
        )
        self.generator = torch.Generator().manual_seed(seed)
        self.data, self.settings = corpus.train, s
        self.curve = Curve(output)
        self.curve.parameters = sum(p.numel() for p in self.model.parameters())
        self.curve.output_parameters = sum(p.numel() for p in self.model.head.parameters())
        self.cpu = self.wall = 0.0
        self.steps = 0

    def step(self) -> None:
        s = self.settings
        starts = torch.randint(len(self.data) - s.context - 1, (s.batch,), generator=self.generator)
        x = torch.stack([self.data[i : i + s.context + 1] for i in starts.tolist()])  # (B, T+1)
        started_cpu, started_wall = time.thread_time(), time.perf_counter()
        loss = self.model.token_nll(x[:, :-1], x[:, 1:]).mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        spent = time.thread_time() - started_cpu
        self.wall += time.perf_counter() - started_wall
        self.cpu += spent
        self.curve.step_cpu.append(spent)
        self.steps += 1

    def checkpoint(self, windows: torch.Tensor, chunks: int) -> None:
        self.curve.steps.append(self.steps)
        self.curve.cpu_seconds.append(self.cpu)
        self.curve.wall_seconds.append(self.wall)
        self.curve.chunk_nll.append(chunk_losses(self.model, windows, chunks))


def train_arms(
    corpus: WordCorpus,
    settings: Settings,
    *,
    seed: int,
    steps: int,
    checkpoints: int,
    windows: torch.Tensor,
    chunks: int,
    outputs: tuple[Output, ...] = ("full", "adaptive"),
    advance: Callable[[int], None] = lambda steps=1: None,
) -> dict[str, Curve]:
    """Train every arm for ``steps`` AdamW steps, interleaved step by step (so that load on a
    shared machine falls on both alike), evaluating at ``checkpoints`` + 1 points."""
    arms = {output: Arm(corpus, output, seed, settings) for output in outputs}
    at = set(np.linspace(0, steps, checkpoints + 1).round().astype(int).tolist())
    for step in range(steps + 1):
        if step in at:
            for arm in arms.values():
                arm.checkpoint(windows, chunks)
        if step == steps:
            break
        for arm in arms.values():
            arm.step()
        advance(1)
    return {output: arm.curve for output, arm in arms.items()}


def time_steps(
    corpus: WordCorpus, settings: Settings, *, seed: int, steps: int
) -> dict[str, list[float]]:
    """CPU seconds of ``steps`` interleaved training steps per arm (after one warm-up step),
    nothing evaluated: the step cost on a corpus, e.g. one with uniform word frequencies."""
    arms = {output: Arm(corpus, output, seed, settings) for output in ("full", "adaptive")}
    for _ in range(steps + 1):
        for arm in arms.values():
            arm.step()
    return {output: arm.curve.step_cpu[1:] for output, arm in arms.items()}
