"""The real-model arm's prompts and scoring: few-shot classification prompts drawn per seed
from the lab's own sentences (``sentences``), label words scored by a pretrained model's
next-token log-probability, and each prompt's predictions before and after contextual
calibration.

A prompt is a format (one of the task's templates), a label word set, and k demonstrations
drawn at random (labels and order as drawn, so some prompts have a majority label and some
do not, as in Zhao et al. 2021). A test sentence is classified by the log-probability of
each label word's first token right after the prompt and the sentence in the same format.

Scoring shares the prompt's computation: every query of a prompt (the test sentences and
the three content-free inputs) is tokenized together with the prompt, the longest run of
tokens they all start with is run through the model once, and its key/value cache is
copied to each batch of the queries' remaining tokens (right-padded: with causal attention
the padding after a query never reaches its last real token). Only the last real position
goes through the output layer. ``full_sequence_logprobs`` is the plain one-forward-per-text
reference the tests compare with. Only the label tokens' rows of the output layer are
computed (``_label_logits``).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from llmiq.exam.calibration import (
    CONTENT_FREE_INPUTS,
    content_free_prior,
    contextual_calibration,
    label_probabilities,
)
from llmiq.labs.calibration.config import PriorMode
from llmiq.labs.calibration.evaluation import macro_f1
from llmiq.labs.calibration.sentences import Task
from llmiq.labs.pretrained import LoadedModel

Example = tuple[str, int]  # (sentence, label index)


@dataclass(frozen=True)
class FewShotPrompt:
    task: Task
    template: int  # index into task.templates
    words: int  # index into task.label_words
    demonstrations: tuple[Example, ...]

    @property
    def label_words(self) -> tuple[str, ...]:
        return self.task.label_words[self.words]

    def query(self, text: str) -> str:
        """The prompt's format around ``text``, up to where the label word goes."""
        return self.task.templates[self.template].format(x=text)

    def prefix(self) -> str:
        """The demonstrations, each a query, its label word and a blank line."""
        return "".join(
            f"{self.query(text)} {self.label_words[label]}\n\n"
            for text, label in self.demonstrations
        )

    def describe(self) -> dict[str, Any]:
        return {
            "task": self.task.name,
            "format": self.query("{x}").replace("\n", " / "),
            "label_words": list(self.label_words),
            "demonstration_labels": [self.task.classes[label] for _, label in self.demonstrations],
        }


def split(task: Task, rng: random.Random, n_test: int) -> tuple[list[Example], list[Example]]:
    """A balanced test set of ``n_test`` sentences (the same number per label) and the rest,
    which demonstrations are drawn from."""
    per_label = n_test // len(task.classes)
    test = []
    for label, texts in enumerate(task.sentences):
        test += [(text, label) for text in rng.sample(texts, per_label)]
    chosen = set(test)
    return test, [example for example in task.examples() if example not in chosen]


def sample_prompts(
    task: Task, rng: random.Random, pool: Sequence[Example], n_prompts: int, k: int
) -> list[FewShotPrompt]:
    """``n_prompts`` prompts with distinct (format, label words) pairs in an order shuffled
    by ``rng``, each with k demonstrations sampled from ``pool`` (random labels, random
    order)."""
    formats = [(t, w) for t in range(len(task.templates)) for w in range(len(task.label_words))]
    rng.shuffle(formats)
    return [
        FewShotPrompt(task, t, w, tuple(rng.sample(list(pool), k))) for t, w in formats[:n_prompts]
    ]


def label_token_ids(tokenizer: Any, words: Sequence[str]) -> list[int]:
    """The first token of each label word as it follows the prompt (after a space); they
    must differ, or two labels would get the same score."""
    ids = [tokenizer(" " + word, add_special_tokens=False).input_ids[0] for word in words]
    if len(set(ids)) != len(ids):
        raise ValueError(f"label words {list(words)} share a first token")
    return ids


def _shared_length(sequences: Sequence[Sequence[int]]) -> int:
    """Tokens every sequence starts with, leaving at least one token of each to score."""
    limit = min(len(s) for s in sequences) - 1
    for i in range(limit):
        if len({s[i] for s in sequences}) > 1:
            return i
    return limit


@torch.no_grad()
def _label_logits(loaded: LoadedModel, hidden: torch.Tensor, token_ids: list[int]) -> np.ndarray:
    """(B, H) last hidden states -> (B, C) logits of the label tokens only. The
    log-normaliser over the vocabulary is the same for every label of a query and cancels
    when the labels are renormalised (``label_probabilities``), so the other rows of the
    output layer (262k of them for Gemma, a quarter of its scoring time) are skipped."""
    model = loaded.model
    logits = hidden @ model.lm_head.weight[token_ids].T  # (B, C)
    if getattr(model.lm_head, "bias", None) is not None:
        logits = logits + model.lm_head.bias[token_ids]
    cap = getattr(model.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits.float().numpy()


@torch.no_grad()
def score_queries(
    loaded: LoadedModel,
    prefix: str,
    queries: Sequence[str],
    token_ids: list[int],
    batch_size: int = 32,
) -> tuple[np.ndarray, int]:
    """Label-token logits after ``prefix + query`` for each query, (n, C) (log-probabilities
    up to a constant per query); and the tokens run through the model (the shared prefix
    once, each batch padded to its longest query). One batch per prompt was measured
    fastest: shorter batches with less padding pay more per-layer overhead than they save."""
    tokenizer, model = loaded.tokenizer, loaded.model
    sequences = [tokenizer(prefix + query).input_ids for query in queries]
    shared = _shared_length(sequences)
    cache = model.model(input_ids=torch.tensor([sequences[0][:shared]]), use_cache=True).cache
    rests = [s[shared:] for s in sequences]
    scores = np.zeros((len(queries), len(token_ids)))
    tokens = shared
    order = sorted(range(len(rests)), key=lambda i: len(rests[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        lengths = torch.tensor([len(rests[i]) for i in rows])  # (B,)
        width = int(lengths.max())
        ids = torch.zeros((len(rows), width), dtype=torch.long)  # (B, L), right-padded
        for j, i in enumerate(rows):
            ids[j, : len(rests[i])] = torch.tensor(rests[i])
        batch_cache = copy.deepcopy(cache)
        batch_cache.batch_repeat_interleave(len(rows))
        positions = torch.arange(shared, shared + width).expand(len(rows), width)
        hidden = model.model(
            input_ids=ids, cache=batch_cache, position_ids=positions, use_cache=True
        ).last_hidden_state  # (B, L, H)
        last = hidden[torch.arange(len(rows)), lengths - 1]  # (B, H)
        scores[rows] = _label_logits(loaded, last, token_ids)
        tokens += len(rows) * width
    return scores, tokens


@torch.no_grad()
def full_sequence_logprobs(loaded: LoadedModel, text: str, token_ids: list[int]) -> np.ndarray:
    """Reference: log p(label token | text) over the whole vocabulary, from one plain
    forward of the whole text."""
    ids = loaded.tokenizer(text, return_tensors="pt").input_ids
    logits = loaded.model(input_ids=ids).logits[0, -1]
    return F.log_softmax(logits.float(), dim=-1)[token_ids].numpy()


def _prior(content_free: np.ndarray, mode: PriorMode) -> np.ndarray:
    """``p_cf`` from the content-free rows; "flipped" reverses it and "uniform" ignores it
    (both broken on purpose)."""
    prior = content_free_prior(label_probabilities(content_free))
    if mode == "flipped":
        return prior[::-1].copy()
    if mode == "uniform":
        return np.full_like(prior, 1 / len(prior))
    return prior


def _rates(probs: np.ndarray, truth: np.ndarray, favoured: int, n_labels: int) -> dict[str, Any]:
    predicted = probs.argmax(axis=-1)
    shares = np.bincount(predicted, minlength=n_labels) / len(predicted)
    return {
        "accuracy": float(np.mean(predicted == truth)),
        "macro_f1": macro_f1(predicted, truth, n_labels),
        "predicted_shares": [round(float(s), 4) for s in shares],
        # the label the content-free input favours: its predicted share minus its true share
        "favoured_excess": float(shares[favoured] - np.mean(truth == favoured)),
    }


@dataclass(frozen=True)
class PromptScores:
    """A prompt's label-token logits (log-probabilities up to a constant per query): the test
    sentences (n, C) and the content-free inputs (3, C); and the tokens it cost."""

    test: np.ndarray
    content_free: np.ndarray
    tokens: int


def score_prompt(
    loaded: LoadedModel, prompt: FewShotPrompt, test: Sequence[Example], batch_size: int = 32
) -> PromptScores:
    """One forward pass of the prompt, then every test sentence and content-free input."""
    token_ids = label_token_ids(loaded.tokenizer, prompt.label_words)
    queries = [prompt.query(text) for text, _ in test]
    queries += [prompt.query(text) for text in CONTENT_FREE_INPUTS]
    logprobs, tokens = score_queries(loaded, prompt.prefix(), queries, token_ids, batch_size)
    return PromptScores(logprobs[: len(test)], logprobs[len(test) :], tokens)


def judge_prompt(
    prompt: FewShotPrompt,
    test: Sequence[Example],
    scores: PromptScores,
    mode: PriorMode = "estimated",
) -> dict[str, Any]:
    """One prompt on the test set: accuracy, macro-F1 and predicted-label shares, raw and
    contextually calibrated with the prior ``mode`` says; and ``p_cf``."""
    probs = label_probabilities(scores.test)  # (n, C)
    estimated = content_free_prior(label_probabilities(scores.content_free))
    prior = _prior(scores.content_free, mode)
    truth = np.array([label for _, label in test])
    n_labels = len(prompt.label_words)
    favoured = int(estimated.argmax())
    return {
        **prompt.describe(),
        "p_cf": [round(float(p), 4) for p in prior],
        "favoured": prompt.task.classes[favoured],
        "raw": _rates(probs, truth, favoured, n_labels),
        "calibrated": _rates(contextual_calibration(probs, prior), truth, favoured, n_labels),
        "tokens": scores.tokens,
    }


def evaluate_prompt(
    loaded: LoadedModel,
    prompt: FewShotPrompt,
    test: Sequence[Example],
    mode: PriorMode = "estimated",
    batch_size: int = 32,
) -> dict[str, Any]:
    """``judge_prompt`` of ``score_prompt``."""
    return judge_prompt(prompt, test, score_prompt(loaded, prompt, test, batch_size), mode)
