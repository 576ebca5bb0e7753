"""Calibration lab (seed question 1, "prompt-calibration", answer C: prompt calibration
mitigates bias in prompt-based learning).

A few-shot prompt biases a language model towards the labels of its demonstrations: with
three positive examples out of four, it calls more of the test reviews positive (Zhao et
al. 2021 call it majority-label bias; they also find recency bias, the last example's label
weighing more, which is reported here too). This lab builds a model with that bias,
measures it on a balanced test set, and removes it with contextual calibration, with no
training and no labels:

1. A tiny GPT (``llmiq.labs.tinylm``) learns to read prompts of the form
   ``Review: great food\\nSentiment: positive\\n`` repeated k+1 times. The reviews of one
   prompt are about one product: its quality is drawn once and each review's label agrees
   with it 90% of the time, as reviews on one product page do. So the labels of the
   demonstrations are evidence about the next label, and the model learns to lean on them
   (as a Bayesian would: after 3 positive labels of 4, a positive label is ~8x likelier,
   enough to outvote a "good" or a "poor" in the review itself).
2. Test: a balanced set of reviews (half positive) is scored after several demonstration
   sets with a 3-to-1 majority (half of them positive, half negative; shuffled orders),
   by comparing log p(" positive") with log p(" negative") after ``Sentiment:``.
3. Contextual calibration (Zhao, Wallace, Feng, Klein, Singh, "Calibrate Before Use",
   ICML 2021): the same prompt with a content-free input ("N/A", "", "[MASK]") in place of
   the review gives ``p_cf``, the bias of that prompt; the calibrated scores are
   ``normalise(diag(p_cf)^-1 p)``. The maths lives in ``llmiq.exam.calibration`` (numpy, no
   torch) so that the exam mode uses the same code; the lab checks it against the explicit
   matrix product in torch (``calibration_vs_torch_max_abs``).

Reported: accuracy, macro-F1, the share of each predicted label and the share that follows
the prompt's majority label (and its last label), per prompt and as mean and spread, before
and after calibration. The other options of the question get one cheap measurement each:
A) fine-tuning on shuffled labelled prompts can unlearn the bias too, but it needs labels and
gradient steps, which are counted until it matches calibration; B) data augmentation
(paraphrased demonstrations, same labels) keeps the bias; D) the same model trained with
gradient clipping (same initialisation and batches) keeps the bias (clipping bounds the size
of a step; with AdamW, which divides each step by the running gradient scale, it changes
the steps little, and in no case does it act on the prompt).

How the data is made: reviews are an adjective and a noun from small word lists written for
this lab (``ADJECTIVES`` gives each adjective's probability of a positive review, from
"superb" 0.95 to "rude" 0.05, so the evidence is graded and a prior can tip the weak
cases). A training prompt draws a product quality, then k+1 labels, then each review from
its label. The content-free strings never occur in training (``content_free_rate`` = 0):
"N/A" and "[MASK]" are tokens the model has never read and the blank review skips the
adjective, so whether they read as "no evidence" is measured, not assumed (``p_cf`` is
reported per prompt). Test reviews and demonstrations come from the same generator with
other seeds.

The model is a one-block word-level GPT (``tinylm.GPT`` with ``vocab_size`` set to the 30
tokens above, ~31k parameters): byte-level, a prompt is ~200 tokens and in the seconds a lab
has the model never learns to read the label off the review; word-level it is 35 tokens and
it does within ~30 steps. Training prompts are whole sequences from their first token (like
real prompts), and the loss on the label words is up-weighted (``label_weight``): they are
1 token in 7, and with the plain next-token loss the label stayed at chance for 250 steps
in 2 of 3 seeds.

Left out: real pre-trained LMs (the exam mode applies the same code to them), the other
prompt biases (common-token bias, instructions), calibration from labelled data (the full
affine W, b of Zhao et al.) and the option-position prior for multiple choice (PriDe), which
``llmiq.exam.calibration`` implements and tests but this lab does not measure.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch.nn import functional as F

from llmiq.exam.calibration import (
    CONTENT_FREE_INPUTS,
    content_free_prior,
    contextual_calibration,
    label_probabilities,
)
from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.report import Claim, LabResult
from llmiq.labs.tinylm import GPT, GPTConfig

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
MIN_BIAS = 0.05  # a prompt is biased if > 0.5 + this share of a balanced set follows its majority

PriorMode = Literal["estimated", "flipped", "uniform"]


@dataclass
class Config:
    demonstrations: int = 4  # labelled reviews in a prompt before the test review (k)
    majority: int = 3  # of the k demonstrations have the prompt's majority label
    agreement: float = 0.9  # P(a review's label = its product's quality) in training
    content_free_rate: float = 0.0  # training reviews that are blank, "N/A" or "[MASK]"
    train_prompts: int = 4000  # generated training prompts of k+1 reviews each
    n_embd: int = 48  # model width
    n_head: int = 4  # attention heads
    n_layer: int = 1  # transformer blocks
    steps: int = 600  # AdamW steps of (pre-)training
    batch_size: int = 32  # prompts per step
    lr: float = 3e-3  # peak learning rate (cosine decay); 1e-2 was 3x slower to learn
    label_weight: float = 3.0  # extra weight of the loss on the label words (see docstring)
    clip_norm: float = 1.0  # max gradient norm of the clipped twin (option D)
    test_reviews: int = 400  # balanced test set (half positive)
    prompts: int = 16  # demonstration sets (each its own reviews and order)
    finetune_steps: int = 60  # budget of option A: steps on shuffled labelled prompts
    finetune_eval_every: int = 2  # steps between measurements of the fine-tuned bias
    compare_options: bool = True  # also measure options A, B and D (False: C only)
    content_free_prior: PriorMode = "estimated"  # "flipped"/"uniform": a broken calibration

    @classmethod
    def fast(cls) -> Config:
        return cls(train_prompts=2000, steps=150, test_reviews=200, prompts=6, finetune_steps=10)


# ------------------------------------------------------------------------ data and tokens

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


# ------------------------------------------------------------------------------ training


def train_on_prompts(
    model: GPT,
    data: torch.Tensor,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    label_weight: float,
    generator: torch.Generator,
    clip_norm: float | None = None,
    on_step: Callable[[int], None] | None = None,
    every: int = 0,
    checkpoint: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """AdamW with cosine decay on whole prompts (``data``: (n, T + 1) ids): next-token
    cross-entropy over the non-pad tokens plus ``label_weight`` x the mean loss on the label
    words; with ``clip_norm``, ``clip_grad_norm_`` before each step; ``checkpoint(steps)``
    after every ``every`` steps. Returns losses and how often clipping acted."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    losses, label_losses, clipped = [], [], 0
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))
        rows = data[torch.randint(len(data), (batch_size,), generator=generator)]  # (B, T+1)
        x, y = rows[:, :-1], rows[:, 1:]  # (B, T) each
        token_loss = F.cross_entropy(
            model(x).reshape(-1, model.config.vocab_size), y.reshape(-1), reduction="none"
        )  # (B*T,)
        real = (y != PAD).reshape(-1).float()
        is_label = ((y == LABEL_IDS[0]) | (y == LABEL_IDS[1])).reshape(-1).float()
        label_loss = (token_loss * is_label).sum() / is_label.sum()
        loss = (token_loss * real).sum() / real.sum() + label_weight * label_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip_norm is not None:
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            clipped += int(norm.item() > clip_norm)
        optimizer.step()
        losses.append(loss.item())
        label_losses.append(label_loss.item())
        if on_step is not None:
            on_step(1)
        if checkpoint is not None and every and (step + 1) % every == 0:
            model.eval()
            checkpoint(step + 1)
            model.train()
    model.eval()
    return {"losses": losses, "label_losses": label_losses, "clipped_steps": clipped}


# ---------------------------------------------------------------------------- evaluation


@torch.no_grad()
def label_logprobs(model: GPT, prefix: str, texts: Sequence[str]) -> np.ndarray:
    """log p(label word | prefix + review query) for each text, (n, 2) in ``LABELS`` order.
    Each distinct text is scored once; texts of one length go through the model in one
    batch."""
    unique = sorted(set(texts))
    scores = np.zeros((len(unique), 2))
    by_length: dict[int, list[int]] = {}
    queries = [tokenize(prefix + format_example(text)) for text in unique]
    for i, ids in enumerate(queries):
        by_length.setdefault(len(ids), []).append(i)
    for rows in by_length.values():
        ids = torch.tensor([queries[i] for i in rows])  # (n, L)
        logp = F.log_softmax(model(ids)[:, -1], dim=-1)  # (n, vocab)
        scores[rows] = logp[:, LABEL_IDS].numpy()
    index = {text: i for i, text in enumerate(unique)}
    return scores[[index[text] for text in texts]]


def macro_f1(predicted: np.ndarray, truth: np.ndarray, n_labels: int = 2) -> float:
    """Mean over labels of F1 = 2TP / (2TP + FP + FN) (0 for a label never predicted nor
    true), as ``sklearn.metrics.f1_score(average="macro", zero_division=0)``."""
    scores = []
    for label in range(n_labels):
        tp = np.sum((predicted == label) & (truth == label))
        fp = np.sum((predicted == label) & (truth != label))
        fn = np.sum((predicted != label) & (truth == label))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores))


def prediction_metrics(probs: np.ndarray, truth: np.ndarray, prompt: Prompt) -> dict[str, float]:
    predicted = probs.argmax(axis=-1)
    return {
        "accuracy": float(np.mean(predicted == truth)),
        "macro_f1": macro_f1(predicted, truth),
        "positive_share": float(np.mean(predicted == 1)),
        "majority_share": float(np.mean(predicted == prompt.majority)),
        "last_label_share": float(np.mean(predicted == prompt.last_label)),
    }


def prompt_prior(model: GPT, prompt: Prompt, mode: PriorMode = "estimated") -> np.ndarray:
    """``p_cf`` of a prompt from the content-free inputs; "flipped" reverses it and
    "uniform" ignores it (both broken on purpose)."""
    probs = label_probabilities(label_logprobs(model, prompt.prefix(), CONTENT_FREE_INPUTS))
    prior = content_free_prior(probs)
    if mode == "flipped":
        return prior[::-1].copy()
    if mode == "uniform":
        return np.full_like(prior, 1 / len(prior))
    return prior


def evaluate(
    model: GPT, prompts: Sequence[Prompt], test: Sequence[Example], mode: PriorMode | None
) -> list[dict[str, Any]]:
    """Per prompt: metrics of the raw predictions and, unless ``mode`` is None, of the
    contextually calibrated ones (and the prior used)."""
    texts = [text for text, _ in test]
    truth = np.array([label for _, label in test])
    rows = []
    for prompt in prompts:
        probs = label_probabilities(label_logprobs(model, prompt.prefix(), texts))  # (n, 2)
        row: dict[str, Any] = {"raw": prediction_metrics(probs, truth, prompt)}
        if mode is not None:
            prior = prompt_prior(model, prompt, mode)
            calibrated = contextual_calibration(probs, prior)
            row["calibrated"] = prediction_metrics(calibrated, truth, prompt)
            row["p_cf_positive"] = float(prior[1])
        rows.append(row)
    return rows


def _check_against_torch(model: GPT, prompt: Prompt, test: Sequence[Example]) -> float:
    """Largest difference between ``contextual_calibration`` and ``diag(p_cf)^-1 p`` computed
    by torch, renormalised, on one prompt's test set."""
    probs = label_probabilities(label_logprobs(model, prompt.prefix(), [t for t, _ in test]))
    prior = prompt_prior(model, prompt)
    W = torch.diag(1 / torch.tensor(prior))  # (2, 2)
    scores = torch.tensor(probs) @ W.T  # (n, 2)
    reference = scores / scores.sum(-1, keepdim=True)
    return float(np.abs(contextual_calibration(probs, prior) - reference.numpy()).max())


def summarise(rows: Sequence[dict[str, Any]], which: str) -> dict[str, float]:
    """Mean and standard deviation over prompts of each metric of ``which``."""
    keys = rows[0][which]
    out = {}
    for key in keys:
        values = np.array([row[which][key] for row in rows])
        out[key] = round(float(values.mean()), 4)
        out[f"{key}_std"] = round(float(values.std()), 4)
    return out


def zero_shot(model: GPT, test: Sequence[Example]) -> dict[str, float]:
    """The test set with no demonstrations at all (a reference, not a prompt under test)."""
    texts = [text for text, _ in test]
    truth = np.array([label for _, label in test])
    predicted = label_logprobs(model, "", texts).argmax(axis=-1)
    return {
        "macro_f1": round(macro_f1(predicted, truth), 4),
        "positive_share": round(float(np.mean(predicted == 1)), 4),
    }


# ------------------------------------------------------------------------------- verdicts


def bias_claim(raw: dict[str, float], n_prompts: int, k: int, majority: int) -> Claim:
    share = raw["majority_share"]
    return Claim(
        f"A few-shot prompt with a {majority}-of-{k} label majority biases the model towards "
        "that label on a balanced test set",
        supported=share > 0.5 + MIN_BIAS,
        evidence=(
            f"over {n_prompts} demonstration sets the model gave the majority label to "
            f"{share:.1%} ± {raw['majority_share_std']:.1%} of a balanced set (0.5 is "
            f"unbiased; the last demonstration's label got {raw['last_label_share']:.1%}); "
            f"macro-F1 {raw['macro_f1']:.3f} ± {raw['macro_f1_std']:.3f}"
        ),
    )


def calibration_claim(
    raw: dict[str, float], calibrated: dict[str, float], mode: PriorMode = "estimated"
) -> Claim:
    """Supported if calibration moves the majority-label share towards 0.5 and raises the
    mean macro-F1 (both, on the mean over prompts)."""
    before, after = raw["majority_share"], calibrated["majority_share"]
    f1_before, f1_after = raw["macro_f1"], calibrated["macro_f1"]
    balanced = abs(after - 0.5) < abs(before - 0.5)
    better = f1_after > f1_before
    prior = {
        "estimated": "p_cf from the content-free inputs",
        "flipped": "a FLIPPED p_cf (broken on purpose)",
        "uniform": "a uniform p_cf (broken on purpose)",
    }[mode]
    verdict = "balances" if balanced else "does NOT balance"
    gain = "raises" if better else "does NOT raise"
    return Claim(
        "Contextual calibration (option C) mitigates the prompt's bias with no training and "
        "no labels",
        supported=balanced and better,
        evidence=(
            f"with {prior}, calibration {verdict} the predictions (majority-label share "
            f"{before:.1%} -> {after:.1%}, positive share {raw['positive_share']:.1%} -> "
            f"{calibrated['positive_share']:.1%}) and {gain} macro-F1 ({f1_before:.3f} ± "
            f"{raw['macro_f1_std']:.3f} -> {f1_after:.3f} ± {calibrated['macro_f1_std']:.3f}; "
            f"accuracy {raw['accuracy']:.3f} -> {calibrated['accuracy']:.3f}); cost: 3 extra "
            "forward passes per prompt, 0 labels, 0 gradient steps"
        ),
    )


def finetune_claim(curve: Sequence[dict[str, float]], target: float, biased: bool) -> Claim:
    """Option A: labelled reviews and steps fine-tuning needed to bring the majority share
    as close to 0.5 as ``target`` (the calibrated share); supported if it needed any (the
    model was biased and calibration got there with none)."""
    reached = next((p for p in curve if abs(p["majority_share"] - 0.5) <= abs(target - 0.5)), None)
    needed = reached is None or reached["steps"] > 0
    last = curve[-1]
    if reached is None:
        found = (
            f"did not get there within {last['steps']} steps and "
            f"{last['labelled_reviews']} labelled reviews (it reached "
            f"{last['majority_share']:.1%})"
        )
    else:
        found = (
            f"needed {reached['steps']} gradient steps on "
            f"{reached['labelled_reviews']} labelled reviews (macro-F1 then "
            f"{reached['macro_f1']:.3f})"
        )
    return Claim(
        "Fine-tuning (option A) can unlearn the bias only by retraining: it needs labelled "
        "data and gradient steps that calibration does not",
        supported=biased and needed,
        evidence=(
            f"to bring the majority-label share from {curve[0]['majority_share']:.1%} as close "
            f"to 50% as calibration does ({target:.1%}), fine-tuning on prompts with shuffled "
            f"labels {found}; calibration: 0 labels, 0 steps"
        ),
    )


def augmentation_claim(raw: dict[str, float], augmented: dict[str, float]) -> Claim:
    share = augmented["majority_share"]
    return Claim(
        "Data augmentation (option B) does not remove the bias: paraphrased demonstrations "
        "keep their labels",
        supported=share > 0.5 + MIN_BIAS,
        evidence=(
            f"with every demonstration paraphrased (synonym adjective, new noun, same label) "
            f"the majority label still got {share:.1%} ± {augmented['majority_share_std']:.1%} "
            f"of the predictions (original demonstrations: {raw['majority_share']:.1%})"
        ),
    )


def clipping_claim(
    raw: dict[str, float],
    clipped: dict[str, float],
    clipped_calibrated: dict[str, float],
    clipped_fraction: float,
    clip_norm: float,
) -> Claim:
    """Option D: supported if clipping acted on some steps and the clipped model is still
    biased by the same test as the unclipped one."""
    share = clipped["majority_share"]
    acted = clipped_fraction > 0
    return Claim(
        "Gradient clipping (option D) leaves the prompt-induced bias in place",
        supported=acted and share > 0.5 + MIN_BIAS,
        evidence=(
            f"the same model trained with clip_grad_norm_ at {clip_norm:g} (same start, same "
            f"batches; clipping acted on {clipped_fraction:.0%} of the steps) gave the "
            f"majority label to {share:.1%} ± {clipped['majority_share_std']:.1%} of the "
            f"balanced set (without clipping: {raw['majority_share']:.1%}; calibrating the "
            f"clipped model: {clipped_calibrated['majority_share']:.1%}); macro-F1 "
            f"{clipped['macro_f1']:.3f} vs {raw['macro_f1']:.3f}"
        ),
    )


# ------------------------------------------------------------------------------------ run


@dataclass(kw_only=True)
class CalibrationMetrics:
    """What the lab measured, as report.json's ``metrics``; the rates are per balanced test
    set (``summarise``: accuracy, macro-F1, majority-label share, ...)."""

    calibration_vs_torch_max_abs: float  # our calibration vs the exam module's, max |diff|
    zero_shot: dict[str, float]  # the model with no demonstrations at all
    # options A (fine-tuning), B (augmented demonstrations) and D (clipping): only when
    # Config.compare_options, and then absent from report.json rather than null
    finetune_curve: list[dict[str, float]] | None = None
    augmented_demonstrations: dict[str, float] | None = None
    clipped: dict[str, float] | None = None
    clipped_calibrated: dict[str, float] | None = None
    clipped_fraction: float | None = None
    raw: dict[str, float]  # the few-shot prompts, before calibration
    calibrated: dict[str, float]  # ... and after
    per_prompt: list[dict[str, Any]]
    bayes_accuracy: float  # the best any classifier can do on the test reviews
    final_label_loss: float
    parameters: int
    vocab_size: int
    content_free_prior: PriorMode | None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k == "content_free_prior"}


Metrics = CalibrationMetrics  # the lab contract's name for it


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
        torch_check = _check_against_torch(model, prompts[0], test)
        raw, calibrated = summarise(rows, "raw"), summarise(rows, "calibrated")
        zero_shot_scores = zero_shot(model, test)
        claims = [
            bias_claim(raw, config.prompts, config.demonstrations, config.majority),
            calibration_claim(raw, calibrated, config.content_free_prior),
        ]
        if config.compare_options:
            options = _compare_options(
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
    figures = [_plot_prompts(context, prompts, rows, metrics)]
    if config.compare_options:
        figures.append(_plot_finetune(context, metrics))
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


def _compare_options(
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


# -------------------------------------------------------------------------------- figures


def _plot_prompts(
    context: LabContext,
    prompts: list[Prompt],
    rows: list[dict[str, Any]],
    metrics: CalibrationMetrics,
) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    x = np.arange(len(rows))
    before = [row["raw"]["positive_share"] for row in rows]
    after = [row["calibrated"]["positive_share"] for row in rows]
    for i in x:
        left.plot([i, i], [before[i], after[i]], color="0.75", zorder=1)
    left.scatter(x, before, label="few-shot prompt", color="tab:red", zorder=2)
    left.scatter(x, after, label="+ contextual calibration", color="tab:blue", zorder=2)
    left.axhline(0.5, color="k", lw=0.8, ls="--")
    left.set_xticks(x, [f"{i + 1}\n{'+' if p.majority else '−'}" for i, p in enumerate(prompts)])
    left.set_xlabel("demonstration set (+/−: majority label positive/negative)")
    left.set_ylabel("share of test reviews predicted positive")
    left.set_ylim(0, 1)
    left.set_title("Balanced test set: predicted-label share per prompt")
    left.legend(loc="best", fontsize=8)

    conditions = [("few-shot", metrics.raw), ("calibrated", metrics.calibrated)]
    if metrics.augmented_demonstrations is not None:
        conditions += [
            ("paraphrased\ndemos (B)", metrics.augmented_demonstrations),
            ("clipped\nmodel (D)", metrics.clipped),
        ]
        last = metrics.finetune_curve[-1]
        conditions.append(
            (
                f"fine-tuned (A)\n{last['labelled_reviews']} labels",
                {
                    "majority_share": last["majority_share"],
                    "majority_share_std": 0,
                    "macro_f1": last["macro_f1"],
                    "macro_f1_std": 0,
                },
            )
        )
    pos = np.arange(len(conditions))
    shares = [c["majority_share"] for _, c in conditions]
    f1s = [c["macro_f1"] for _, c in conditions]
    right.bar(
        pos - 0.2,
        shares,
        0.4,
        yerr=[c["majority_share_std"] for _, c in conditions],
        label="majority-label share",
        color="tab:orange",
    )
    right.bar(
        pos + 0.2,
        f1s,
        0.4,
        yerr=[c["macro_f1_std"] for _, c in conditions],
        label="macro-F1",
        color="tab:green",
    )
    right.axhline(0.5, color="k", lw=0.8, ls="--")
    right.set_xticks(pos, [name for name, _ in conditions], fontsize=8)
    right.set_ylim(0, 1)
    right.set_title("Mean ± std over prompts")
    right.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_prompts")


def _plot_finetune(context: LabContext, metrics: CalibrationMetrics) -> str:
    plt = pyplot()
    curve = metrics.finetune_curve
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(
        [p["labelled_reviews"] for p in curve],
        [p["majority_share"] for p in curve],
        marker="o",
        label="fine-tuning (A): shuffled labelled prompts",
    )
    axis.axhline(
        metrics.calibrated["majority_share"],
        color="tab:blue",
        ls="--",
        label="contextual calibration (C): 0 labels",
    )
    axis.axhline(0.5, color="k", lw=0.8)
    axis.set_xlabel("labelled reviews seen while fine-tuning")
    axis.set_ylabel("majority-label share (balanced test set)")
    axis.set_title("What it costs to remove the bias by training")
    axis.legend(fontsize=8)
    figure.tight_layout()
    return context.save_figure(figure, "calibration_finetune")
