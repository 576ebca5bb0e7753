"""Task (b), questions about private documents: closed-book (no store) against retrieval
from a store of the documents, exact and approximate."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.documents import Document, Question
from llmiq.labs.vector_store.encoder import embed, encode
from llmiq.labs.vector_store.scratch import exact_search, recall_at_k
from llmiq.labs.vector_store.store import (
    _seconds,
    flat_index,
    hnsw_index,
    index_bytes,
    seconds_per_query,
)


def store_layout(
    documents: Sequence[Document], questions: Sequence[Question], config: Config
) -> tuple[list[int], list[Question]]:
    """Which documents go into the store, and which questions are asked. ``missing`` asks
    only about the first half of the documents and stores only the second half."""
    if config.store == "missing":
        half = len(documents) // 2
        return list(range(half, len(documents))), [q for q in questions if q.document < half]
    if config.store not in ("intact", "shuffled"):
        raise ValueError(f"store must be intact, shuffled or missing, not {config.store!r}")
    return list(range(len(documents))), list(questions)


def private_qa_experiment(
    documents: Sequence[Document],
    questions: Sequence[Question],
    config: Config,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Accuracy from the question alone vs through a FAISS store of the documents;
    retrieval@1/@k; the HNSW index against exact search; what the store costs."""
    stored, asked = store_layout(documents, questions, config)
    q_vectors = embed([q.text for q in asked])  # (Q, D)
    gold = [q.answer for q in asked]

    # without a store: guesses from the question alone
    answers = sorted({a for d in documents for a in d.answers})
    counts = Counter(a for d in documents for a in d.answers)
    most_common = counts.most_common(1)[0][0]
    a_vectors = embed(answers)  # (A, D)
    best_answer = np.argmax(q_vectors @ a_vectors.T, axis=1)  # (Q,)
    closed_book = {
        "chance": 1 / len(answers),
        "most_common_answer": float(np.mean([g == most_common for g in gold])),
        "question_only": float(
            np.mean([answers[i] == g for i, g in zip(best_answer, gold, strict=True)])
        ),
    }

    # with a store
    d_vectors = embed([documents[i].text for i in stored])  # (N, D)
    if config.store == "shuffled":  # each vector filed under another document's id
        d_vectors = d_vectors[rng.permutation(len(stored))]
    started = time.perf_counter()
    index = hnsw_index(d_vectors, config)
    add_seconds = time.perf_counter() - started
    k = min(config.k, len(stored))
    _, found = index.search(q_vectors, k)  # (Q, k) rows of the store
    doc_ids = np.array(stored)[found]  # (Q, k) document ids
    targets = np.array([q.document for q in asked])
    answered = []
    for q_vector, top in zip(q_vectors, doc_ids[:, 0], strict=True):
        doc = documents[top]
        s_vectors = embed(doc.sentences)  # (2, D): pick the sentence, then its fact
        answered.append(doc.answers[int(np.argmax(s_vectors @ q_vector))])

    # the index against exact search, on these vectors
    exact_scores, exact = exact_search(d_vectors, q_vectors, k)
    flat_scores, flat = flat_index(d_vectors).search(q_vectors, k)
    # what this store costs: embedding the documents (the bulk of building it) and each
    # question (the bulk of a query), timed afresh rather than read from the cache
    timed = asked[: config.latency_questions]
    started = time.perf_counter()
    encode([documents[i].text for i in stored])
    embed_seconds = time.perf_counter() - started
    embed_one = statistics.median(_seconds(lambda q=q: encode([q.text])) for q in timed)
    single = q_vectors[: len(timed)]
    return {
        "documents": len(documents),
        "stored": len(stored),
        "questions": len(asked),
        "distinct_answers": len(answers),
        "closed_book": closed_book,
        "retrieval_at_1": float((doc_ids[:, 0] == targets).mean()),
        f"retrieval_at_{k}": float((doc_ids == targets[:, None]).any(1).mean()),
        "answer_accuracy": float(np.mean([a == g for a, g in zip(answered, gold, strict=True)])),
        "hnsw_recall": recall_at_k(found, exact),
        "flat_recall": recall_at_k(flat, exact),
        "flat_max_score_error": float(np.abs(flat_scores - exact_scores).max()),
        "build_embed_seconds": embed_seconds,
        "build_index_seconds": add_seconds,
        "index_bytes": index_bytes(index),
        "raw_vector_bytes": int(d_vectors.nbytes),
        "query_embed_seconds": embed_one,
        "query_search_seconds": seconds_per_query(lambda q: index.search(q, k), single),
        "examples": [
            {"question": q.text, "answer": a, "gold": q.answer}
            for q, a in list(zip(asked, answered, strict=True))[:: max(1, len(asked) // 3)][:3]
        ],
    }
