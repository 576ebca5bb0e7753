"""Letter scoring with and without position-bias correction: the probability a model gives
each option of each question, by one of four methods (the maths is in ``calibration``).

- ``none``: one pass per question, the options in the bank's order.
- ``contextual``: as ``none``, divided by what the model answers to the format alone (the
  question and options blanked to "N/A", "" and "[MASK]"; Zhao et al., 2021): three extra
  passes per option count, shared by every question.
- ``pride``: the position prior estimated from every cyclic order of the options on a 5%
  sample of the questions, divided out of the others' single pass (Zheng et al., 2024).
- ``permute``: every cyclic order for every question, each option averaged over the
  positions it was shown in: n passes per question of n options.

Every method returns, per question, the probabilities before and after correction (both
by option, in the bank's order) and the number of passes spent on it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass

from llmiq.bank.model import Lang, Question
from llmiq.exam.backends import ModelBackend, ScoringRequest
from llmiq.exam.prompts import Shown, content_free_request, letter_request

DEBIAS_METHODS = ("none", "contextual", "pride", "permute")
#: PriDe's sample: this share of the questions, at least two per option count.
PRIDE_SHARE = 0.05

Progress = Callable[[int], None]


def pride_sample_size(questions: int) -> int:
    """How many of ``questions`` (of one option count) PriDe permutes fully."""
    return min(questions, max(2, round(PRIDE_SHARE * questions)))


@dataclass
class LetterScores:
    raw: list[float]  # by option (bank order): the plain single-pass probabilities
    debiased: list[float]  # by option, after the method's correction
    passes: float  # forward passes spent on this question (shared passes divided out)


def _identity(question: Question) -> Shown:
    return Shown(question, tuple(range(len(question.options))))


def _position_probs(scores: Sequence[float]) -> list[float]:
    from llmiq.exam.calibration import label_probabilities

    return [float(p) for p in label_probabilities(list(scores))]


def request_key(request: ScoringRequest) -> str:
    """A measurement's name in a run's cache: the prompt and continuations hashed."""
    import hashlib

    text = request.prompt + "\x1f" + "\x1f".join(request.continuations)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def score_cached(
    backend: ModelBackend,
    requests: list[ScoringRequest],
    progress: Progress,
    cache: MutableMapping[str, list[float]] | None = None,
    batch: int | None = None,
) -> list[list[float]]:
    """Log-probabilities of every request's continuations, in batches (progress per batch).
    Requests already in ``cache`` are not sent again, and each new one is stored there as
    soon as its batch is scored: a run stopped half-way resumes where it stopped.

    A batch is ``backend.batch`` requests unless given: what a stopped run measures twice.
    Requests go out in the bank's order: a local model packs a batch's prompts into token
    trees, which fill best from prompts of mixed lengths."""
    cache = {} if cache is None else cache
    batch = batch or backend.batch
    keys = [request_key(r) for r in requests]
    todo = [i for i, key in enumerate(keys) if key not in cache]
    progress(len(requests) - len(todo))
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        for i, scores in zip(chunk, backend.score([requests[i] for i in chunk]), strict=True):
            cache[keys[i]] = list(scores.logprobs)
        progress(len(chunk))
    return [list(cache[key]) for key in keys]


def letter_scores(
    backend: ModelBackend,
    questions: Sequence[Question],
    lang: Lang,
    method: str,
    *,
    shots: Callable[[Question], Sequence[Shown]] = lambda q: (),
    stem: bool = True,
    seed: int = 0,
    progress: Progress = lambda n: None,
    cache: MutableMapping[str, list[float]] | None = None,
) -> list[LetterScores]:
    """See the module docstring; ``shots(question)`` gives its worked examples."""
    from llmiq.exam.calibration import (
        CONTENT_FREE_INPUTS,
        content_free_prior,
        contextual_calibration,
        cyclic_permutations,
        debias_with_prior,
        estimate_position_prior,
        permutation_debiasing,
    )

    if method not in DEBIAS_METHODS:
        raise ValueError(f"unknown debiasing method {method!r}")

    def request(shown: Shown) -> ScoringRequest:
        return letter_request(shown, lang, shots=shots(shown.question), stem=stem)

    permuted: set[int] = set()
    if method == "permute":
        permuted = set(range(len(questions)))
    elif method == "pride":
        by_count: dict[int, list[int]] = defaultdict(list)
        for i, question in enumerate(questions):
            by_count[len(question.options)].append(i)
        rng = random.Random(seed)
        for members in by_count.values():
            permuted.update(rng.sample(members, pride_sample_size(len(members))))

    plain = [i for i in range(len(questions)) if i not in permuted]
    requests = [request(_identity(questions[i])) for i in plain]
    orders: dict[int, list[tuple[int, ...]]] = {}
    for i in sorted(permuted):
        orders[i] = cyclic_permutations(len(questions[i].options))
        requests += [request(Shown(questions[i], order)) for order in orders[i]]
    blanks: dict[int, int] = {}  # option count -> index of its first content-free request
    if method == "contextual":
        for n in sorted({len(q.options) for q in questions}):
            blanks[n] = len(requests)
            shown = Shown(next(q for q in questions if len(q.options) == n), tuple(range(n)))
            requests += [content_free_request(shown, lang, blank) for blank in CONTENT_FREE_INPUTS]

    logprobs = score_cached(backend, requests, progress, cache)
    results: dict[int, LetterScores] = {}
    for k, i in enumerate(plain):
        probs = _position_probs(logprobs[k])
        results[i] = LetterScores(probs, probs, 1.0)
    k = len(plain)
    per_question_orders: dict[int, list[list[float]]] = {}
    for i in sorted(permuted):
        rows = [_position_probs(logprobs[k + m]) for m in range(len(orders[i]))]
        k += len(orders[i])
        per_question_orders[i] = rows
        averaged = [float(p) for p in permutation_debiasing(rows, orders[i])]
        results[i] = LetterScores(rows[0], averaged, float(len(orders[i])))
    if method == "contextual":
        for n, first in blanks.items():
            rows = [_position_probs(logprobs[first + m]) for m in range(len(CONTENT_FREE_INPUTS))]
            prior = content_free_prior(rows)
            members = [i for i in plain if len(questions[i].options) == n]
            for i in members:
                calibrated = contextual_calibration(results[i].raw, prior)
                extra = len(CONTENT_FREE_INPUTS) / len(members)
                results[i] = LetterScores(results[i].raw, [float(p) for p in calibrated],
                                          1.0 + extra)  # fmt: skip
    if method == "pride":
        by_n: dict[int, list[list[list[float]]]] = defaultdict(list)
        for i, rows in per_question_orders.items():
            by_n[len(questions[i].options)].append(rows)
        for n, samples in by_n.items():
            prior = estimate_position_prior(samples)
            for i in plain:
                if len(questions[i].options) == n:
                    fixed = [float(p) for p in debias_with_prior(results[i].raw, prior)]
                    results[i] = LetterScores(results[i].raw, fixed, 1.0)
    return [results[i] for i in range(len(questions))]
