"""The private-facts task, one seed: SmolLM2 answers questions about Corvane's documents with
nothing in its prompt, with a whole collection in its prompt, or with the k passages BM25 or
the vector store (MiniLM + FAISS) retrieved; on a collection that fits the context window and
on one that does not.

The seed draws the medium collection (``medium_documents``, a third of them policies, in
random order); its first ``small_documents`` are the small collection, whose first
``asked_documents`` are asked about, two questions each; the large collection
(``large_documents``, more tokens than the window) is the medium one and the rest of the
company's documents. Every arm answers the same questions with the same candidates. Passages
are put in the prompt in collection order, not rank order (order-preserving RAG: Yu et al.
2024, "In Defense of RAG in the Era of Long-Context Language Models"), so two retrievers that
find the same passages write the same prompt, which is then scored once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.documents import (
    Document,
    Question,
    make_collections,
    make_questions,
)
from llmiq.labs.vector_store.reader import HEADER, Reader, Row, Scored
from llmiq.labs.vector_store.retrievers import bm25_top_k, dense_top_k

#: The arms run: what the reader is given. The whole large collection is counted, never run:
#: it does not fit. BM25 runs on the large collection only, where retrieval is needed; the
#: medium collection is only read whole, to see how reading fares as a collection grows.
ARMS = ("no_context", "whole_small", "whole_medium", "faiss_small", "bm25_large", "faiss_large")
RETRIEVERS = {"bm25": bm25_top_k, "faiss": dense_top_k}


@dataclass
class ArmResult:
    correct: np.ndarray  # (Q,) 1.0 where the answer was the most likely candidate
    p_answer: np.ndarray  # (Q,) the answer's probability, renormalised over the candidates
    prompt_tokens: np.ndarray  # (Q,) prompt tokens per question (shared prefix included)
    cpu_seconds: np.ndarray  # (Q,) forward-pass CPU seconds per question, prefix included
    prefix_cpu_seconds: float = 0.0  # reading the shared prefix once


@dataclass
class SeedResult:
    """One seed of the private-facts task."""

    arms: dict[str, ArmResult]  # every arm on the asked questions
    closed_book: ArmResult  # no documents, on the facts of ``closed_book_documents``
    found: dict[str, np.ndarray]  # "faiss_small" -> (Q,) 1.0 where the top k hold the answer
    small_tokens: int  # prompt tokens of the whole small collection, question excluded
    medium_tokens: int  # the same for the medium collection
    window: int  # the reader's context window, in tokens
    large_tokens: int  # the same for the large collection: more than the window
    large_fits_share: float  # share of the large collection's documents the window holds
    questions: list[Question] = field(default_factory=list)
    policy: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (Q,) about
    # a policy (no subject named: the question rewords the document) rather than a subject
    answers: dict[str, list[str]] = field(default_factory=dict)  # arm -> chosen candidates


def _layout(collections: list[list[Document]], config: Config) -> list[list[Document]]:
    """The collections the arms see; ``store="missing"`` takes the asked documents out of all."""
    if config.store == "missing":
        asked = {d.id for d in collections[0][: config.asked_documents]}
        return [[d for d in c if d.id not in asked] for c in collections]
    if config.store not in ("intact", "shuffled"):
        raise ValueError(f"store must be intact, shuffled or missing, not {config.store!r}")
    return collections


def _passages(
    retrieve: Callable[..., np.ndarray],
    collection: Sequence[Document],
    questions: Sequence[Question],
    config: Config,
) -> tuple[list[list[Document]], np.ndarray]:
    """The top-k passages of each question, in collection order, and whether they hold its
    answer. ``store="shuffled"``: each question gets the passages found for a question about
    another document."""
    texts = [d.text for d in collection]
    args = (config,) if retrieve is dense_top_k else ()
    found = retrieve(texts, [q.text for q in questions], config.k, *args)  # (Q, k)
    chosen = [sorted((collection[i] for i in row), key=lambda d: d.id) for row in found]
    hit = np.array(
        [any(d.id == q.document for d in c) for c, q in zip(chosen, questions, strict=True)]
    )
    if config.store == "shuffled":  # two questions per document: shift by two
        chosen = chosen[2:] + chosen[:2]
    return chosen, hit.astype(np.float64)


def _arm(scored: Sequence[Scored], questions: Sequence[Question], base_tokens: int,
         prefix_seconds: float = 0.0) -> ArmResult:  # fmt: skip
    logprobs = np.stack([s.logprobs for s in scored])  # (Q, C)
    correct = np.array([q.correct for q in questions])
    probs = np.exp(logprobs - logprobs.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    rows = np.arange(len(questions))
    return ArmResult(
        correct=(logprobs.argmax(1) == correct).astype(np.float64),
        p_answer=probs[rows, correct],
        prompt_tokens=np.array([base_tokens + s.prompt_tokens for s in scored], dtype=float),
        cpu_seconds=np.array([s.cpu_seconds for s in scored]) + prefix_seconds / len(scored),
        prefix_cpu_seconds=prefix_seconds,
    )


def private_facts(
    reader: Reader, config: Config, rng: np.random.Generator, advance: Callable[[int], None]
) -> SeedResult:
    """Every arm of ``ARMS`` on one seed's collections and questions."""
    medium, large = make_collections(config.medium_documents, config.large_documents, rng)
    small = medium[: config.small_documents]
    shown = max(config.asked_documents, config.closed_book_documents)
    every = make_questions(medium[:shown], rng, config.distractors)  # two per document, in order
    questions = every[: 2 * config.asked_documents]
    small_by_id = {d.id: d for d in small}
    small, medium, large = _layout([small, medium, large], config)
    fmt = reader.format

    rows: dict[str, list[Row]] = {}
    found: dict[str, np.ndarray] = {}
    for name, size, collection in (("faiss", "small", small), ("bm25", "large", large),
                                   ("faiss", "large", large)):  # fmt: skip
        chosen, found[f"{name}_{size}"] = _passages(RETRIEVERS[name], collection, questions, config)
        rows[f"{name}_{size}"] = [
            Row(fmt.passages([d.text for d in c]), q.text, q.candidates)
            for c, q in zip(chosen, questions, strict=True)
        ]
    advance(1)

    # the openings every row of an arm shares, each read once: the bare prompt, and the prompt
    # with the documents' header before the passages
    bare = reader.prefix(fmt.prefix())
    header = reader.prefix(fmt.prefix() + HEADER)
    # without documents the reader also answers the facts of more documents: a row costs
    # little, and "no better than chance" needs more questions than the gains do
    closed = reader.score(bare, [Row("", q.text, q.candidates) for q in every])
    closed_book = _arm(closed, every, len(bare.ids))
    no_context = closed[: len(questions)]
    arms = {"no_context": _arm(no_context, questions, len(bare.ids))}
    unique = list(dict.fromkeys(row for name in rows for row in rows[name]))
    scored = dict(zip(unique, reader.score(header, unique), strict=True))
    advance(1)
    for name in rows:
        arms[name] = _arm([scored[r] for r in rows[name]], questions, len(header.ids))

    # the medium collection starts with the small one: its prompt extends the small's cache
    whole = reader.prefix(fmt.prefix() + fmt.documents([d.text for d in small]))
    longer = reader.prefix(fmt.passages([d.text for d in medium[len(small) :]]), after=whole)
    asked = [Row("", q.text, q.candidates) for q in questions]
    whole_scored = reader.score(whole, asked)
    arms["whole_small"] = _arm(whole_scored, questions, len(whole.ids), whole.cpu_seconds)
    arms["whole_medium"] = _arm(
        reader.score(longer, asked), questions, len(longer.ids), longer.cpu_seconds
    )
    advance(1)

    large_ids = reader.ids(fmt.prefix() + fmt.documents([d.text for d in large]))
    lengths = np.cumsum([reader.tokens(d.text + "\n") for d in large])
    return SeedResult(
        arms={name: arms[name] for name in ARMS},
        closed_book=closed_book,
        found=found,
        small_tokens=len(whole.ids),
        medium_tokens=len(longer.ids),
        window=reader.window,
        large_tokens=len(large_ids),
        large_fits_share=float(np.mean(lengths + len(header.ids) <= reader.window)),
        questions=list(questions),
        policy=np.array([small_by_id[q.document].subject == "" for q in questions]),
        answers={
            name: [
                q.candidates[int(np.argmax(s.logprobs))] for q, s in zip(questions, ss, strict=True)
            ]
            for name, ss in (
                ("no_context", no_context),
                ("whole_small", whole_scored),
                ("faiss_large", [scored[r] for r in rows["faiss_large"]]),
            )
        },
    )


def summary(seeds: Sequence[SeedResult]) -> dict[str, Any]:
    """Means over every question of every seed, for report.json."""

    def mean(values: Sequence[np.ndarray]) -> float | None:
        """The mean over every item of every seed (None when there is none)."""
        items = np.concatenate(values)
        return round(float(items.mean()), 4) if len(items) else None

    arms = {name: [s.arms[name] for s in seeds] for name in ARMS}
    first = seeds[0]
    return {
        "window": first.window,
        "questions": sum(len(s.questions) for s in seeds),
        "questions_per_seed": len(first.questions),
        "closed_book": {
            "questions": sum(len(s.closed_book.correct) for s in seeds),
            "accuracy": mean([s.closed_book.correct for s in seeds]),
            "p_answer": mean([s.closed_book.p_answer for s in seeds]),
        },
        "candidates": len(first.questions[0].candidates),
        "accuracy": {name: mean([a.correct for a in r]) for name, r in arms.items()},
        "accuracy_per_seed": {
            name: [round(float(a.correct.mean()), 4) for a in r] for name, r in arms.items()
        },
        "p_answer": {name: mean([a.p_answer for a in r]) for name, r in arms.items()},
        "retrieval_at_k": {name: mean([s.found[name] for s in seeds]) for name in first.found},
        "retrieval_at_k_by_question": {
            kind: {
                name: mean([s.found[name][s.policy == (kind == "policy")] for s in seeds])
                for name in first.found
            }
            for kind in ("named", "policy")
        },
        "policy_questions": round(float(np.mean(np.concatenate([s.policy for s in seeds]))), 4),
        "prompt_tokens": {name: mean([a.prompt_tokens for a in r]) for name, r in arms.items()},
        "cpu_seconds_per_question": {
            name: mean([a.cpu_seconds for a in r]) for name, r in arms.items()
        },
        "whole_prefix_cpu_seconds": {
            name: round(float(np.mean([a.prefix_cpu_seconds for a in arms[name]])), 3)
            for name in ("whole_small", "whole_medium")
        },
        "small_collection_tokens": round(float(np.mean([s.small_tokens for s in seeds])), 1),
        "medium_collection_tokens": round(float(np.mean([s.medium_tokens for s in seeds])), 1),
        "large_collection_tokens": round(float(np.mean([s.large_tokens for s in seeds])), 1),
        "large_collection_min_tokens": min(s.large_tokens for s in seeds),
        "large_fits_share": round(float(np.mean([s.large_fits_share for s in seeds])), 4),
        "examples": [
            {"question": q.text, "answer": q.answer, "candidates": list(q.candidates)}
            | {arm: first.answers[arm][i] for arm in first.answers}
            for i, q in enumerate(first.questions[:3])
        ],
    }
