"""Task (a), sentiment: a classifier on the review's own embedding, with and without
neighbours retrieved from a store; the labels shuffled as a control."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.reviews import Review
from llmiq.labs.vector_store.scratch import fit_logistic_regression, predict_proba
from llmiq.labs.vector_store.store import hnsw_index


def sentiment_experiment(
    train: Sequence[Review],
    test: Sequence[Review],
    x_train: np.ndarray,
    x_test: np.ndarray,
    config: Config,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Per held-out review, whether the classifier on the embedding alone and the two
    retrieval variants over a FAISS index of the training reviews got it right (1.0 or 0.0);
    which reviews hold a negation; the majority-class rate and the training accuracy.
    (N, D) embeddings."""
    y_train = np.array([r.label for r in train], dtype=np.float64)
    y_test = np.array([r.label for r in test], dtype=np.float64)
    if config.random_labels:
        y_train = rng.integers(0, 2, len(train)).astype(np.float64)
        y_test = rng.integers(0, 2, len(test)).astype(np.float64)

    w, b = fit_logistic_regression(x_train, y_train, config.l2_c)
    p_text = predict_proba(x_test, w, b)  # (N_test,) P(positive)

    k = config.neighbours
    index = hnsw_index(x_train, config)
    _, near_test = index.search(x_test, k)  # (N_test, k)
    _, near_train = index.search(x_train, k + 1)  # a training review finds itself first: drop it
    near_train = np.array([[j for j in row if j != i][:k] for i, row in enumerate(near_train)])
    p_vote = y_train[near_test].mean(1)  # share of positive neighbours; k is odd: no ties

    def with_neighbours(x: np.ndarray, near: np.ndarray) -> np.ndarray:
        return np.hstack([x, x_train[near].mean(1)])  # (N, 2D): the review and its context

    w2, b2 = fit_logistic_regression(with_neighbours(x_train, near_train), y_train, config.l2_c)
    p_neighbours = predict_proba(with_neighbours(x_test, near_test), w2, b2)

    negated = np.array([" not " in r.text for r in test])  # "The sofa was not lovely at all."
    results: dict[str, np.ndarray] = {"negated": negated}
    for name, p in (("text_alone", p_text), ("knn_vote", p_vote),
                    ("with_neighbours", p_neighbours)):  # fmt: skip
        results[name] = ((p >= 0.5) == (y_test == 1)).astype(np.float64)  # (N_test,) right?
    results["majority"] = np.array([max(y_test.mean(), 1 - y_test.mean())])
    results["train_accuracy"] = np.array(
        [((predict_proba(x_train, w, b) >= 0.5) == y_train).mean()]
    )
    return results
