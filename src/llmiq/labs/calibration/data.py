"""The data and tokens: a closed vocabulary, reviews from templates with a Bayes-optimal
accuracy, few-shot prompts with majority labels, paraphrased demonstrations."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from llmiq.exam.calibration import CONTENT_FREE_INPUTS
from llmiq.labs.calibration.config import Config

LABELS = ("negative", "positive")  # index 0, 1: the order of every probability vector here
NOUNS = ("food", "staff", "room", "view", "bed", "tea", "price", "music")
#: adjective -> P(positive review | adjective) with balanced labels; pairs of synonyms
ADJECTIVES = {
    "superb": 0.95, "great": 0.95, "good": 0.8, "nice": 0.8, "decent": 0.65, "fine": 0.65,
    "okay": 0.5, "average": 0.5, "dull": 0.35, "meh": 0.35, "poor": 0.2, "slow": 0.2,
    "awful": 0.05, "rude": 0.05,
}  # fmt: skip
#: synonyms for the paraphrase augmentation: same strength, other word
SYNONYMS = {
    a: b
    for x, y in zip(list(ADJECTIVES)[::2], list(ADJECTIVES)[1::2], strict=True)
    for a, b in ((x, y), (y, x))
}
VOCAB = ("<pad>", "\n", "Review:", "Sentiment:", *LABELS, *NOUNS, *ADJECTIVES, "N/A", "[MASK]")
TOKEN_ID = {word: i for i, word in enumerate(VOCAB)}
PAD = TOKEN_ID["<pad>"]
LABEL_IDS = [TOKEN_ID[label] for label in LABELS]

Example = tuple[str, int]  # (review text, label index)


def tokenize(text: str) -> list[int]:
    """Word-level ids; newlines are tokens. ``tokenize("Review: good tea\\n")`` has 4."""
    return [TOKEN_ID[word] for word in text.replace("\n", " \n ").split(" ") if word]


def detokenize(ids: Sequence[int]) -> str:
    return " ".join(VOCAB[i] for i in ids).replace(" \n ", "\n").replace(" \n", "\n")


def format_example(text: str, label: int | None = None) -> str:
    """``Review: <text>\\nSentiment: <label>\\n``; without a label, the query to complete."""
    query = f"Review: {text}\nSentiment:"
    return query if label is None else f"{query} {LABELS[label]}\n"


def sample_review(rng: random.Random, label: int) -> str:
    """An adjective drawn with weight P(label | adjective), and a noun: ``"nice tea"``."""
    weights = [p if label == 1 else 1 - p for p in ADJECTIVES.values()]
    return f"{rng.choices(list(ADJECTIVES), weights)[0]} {rng.choice(NOUNS)}"


def bayes_accuracy(texts: Sequence[str]) -> float:
    """The best accuracy any classifier can reach on balanced reviews: the mean of
    max(p, 1 - p) over their adjectives."""
    return float(
        np.mean([max(ADJECTIVES[t.split()[0]], 1 - ADJECTIVES[t.split()[0]]) for t in texts])
    )


def training_prompt(rng: random.Random, config: Config, agreement: float) -> str:
    """k+1 reviews of one product; ``agreement`` 0.5 makes the labels independent."""
    quality = rng.randrange(2)
    parts = []
    for _ in range(config.demonstrations + 1):
        label = quality if rng.random() < agreement else 1 - quality
        if rng.random() < config.content_free_rate:
            text = rng.choice(CONTENT_FREE_INPUTS)
        else:
            text = sample_review(rng, label)
        parts.append(format_example(text, label))
    return "".join(parts)


def training_tensor(rng: random.Random, config: Config, n: int, agreement: float) -> torch.Tensor:
    """(n, block_size + 1) token ids of whole prompts, right-padded with <pad>."""
    width = block_size(config) + 1
    rows = torch.full((n, width), PAD, dtype=torch.long)
    for i in range(n):
        ids = tokenize(training_prompt(rng, config, agreement))
        rows[i, : len(ids)] = torch.tensor(ids)
    return rows


def block_size(config: Config) -> int:
    return 7 * (config.demonstrations + 1) - 1  # 7 tokens a review; the last "\n" is a target


@dataclass(frozen=True)
class Prompt:
    demonstrations: tuple[Example, ...]
    majority: int  # label index most demonstrations have

    @property
    def last_label(self) -> int:
        return self.demonstrations[-1][1]

    def prefix(self) -> str:
        return "".join(format_example(text, label) for text, label in self.demonstrations)


def make_prompts(rng: random.Random, config: Config) -> list[Prompt]:
    """Demonstration sets with a ``majority``-of-k majority, alternating positive and negative
    majorities, in shuffled order."""
    prompts = []
    for i in range(config.prompts):
        majority = 1 - i % 2
        labels = [majority] * config.majority + [1 - majority] * (
            config.demonstrations - config.majority
        )
        rng.shuffle(labels)
        demos = tuple((sample_review(rng, label), label) for label in labels)
        prompts.append(Prompt(demos, majority))
    return prompts


def paraphrase(prompt: Prompt, rng: random.Random) -> Prompt:
    """Data augmentation of the demonstrations: each adjective swapped for its synonym and
    the noun redrawn; the labels (and so the majority) stay."""
    demos = []
    for text, label in prompt.demonstrations:
        adjective, _ = text.split()
        demos.append((f"{SYNONYMS[adjective]} {rng.choice(NOUNS)}", label))
    return Prompt(tuple(demos), prompt.majority)


def balanced_test_set(rng: random.Random, n: int) -> list[Example]:
    return [(sample_review(rng, i % 2), i % 2) for i in range(n)]
