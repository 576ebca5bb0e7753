"""From scratch: exact nearest-neighbour search (the ground truth for recall) and logistic
regression by gradient descent."""

from __future__ import annotations

import numpy as np


def exact_search(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force inner-product search: (N, D) vectors, (Q, D) queries -> (Q, k) scores and
    ids, best first. With unit vectors the inner product is the cosine similarity.

    >>> exact_search(np.eye(3, dtype=np.float32), np.array([[0.1, 0.9, 0.5]]), 2)[1].tolist()
    [[1, 2]]
    """
    scores = queries @ vectors.T  # (Q, N)
    k = min(k, vectors.shape[0])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]  # (Q, k), unordered
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    return np.take_along_axis(top_scores, order, 1), np.take_along_axis(top, order, 1)


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Share of the exact top-k ids that the index also returned: (Q, k), (Q, k) -> [0, 1]."""
    hits = sum(len(set(f.tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True))
    return hits / exact.size


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def fit_logistic_regression(
    x: np.ndarray, y: np.ndarray, c: float = 1.0, max_steps: int = 50, tol: float = 1e-10
) -> tuple[np.ndarray, float]:
    """Minimise ``0.5 |w|^2 + c * sum_i log-loss(y_i, sigmoid(w.x_i + b))`` (the intercept is
    not penalised, as in scikit-learn's ``LogisticRegression(C=c)``) by Newton's method:
    the loss is convex and smooth, so a handful of steps reach the optimum.
    (N, D) features, (N,) labels in {0, 1} -> (D,) weights and the intercept."""
    n, d = x.shape
    a = np.hstack([x.astype(np.float64), np.ones((n, 1))])  # (N, D + 1): the intercept column
    penalty = np.ones(d + 1)
    penalty[-1] = 0.0
    theta = np.zeros(d + 1)
    for _ in range(max_steps):
        p = _sigmoid(a @ theta)  # (N,)
        gradient = c * a.T @ (p - y) + penalty * theta  # (D + 1,)
        hessian = c * (a.T * (p * (1 - p))) @ a + np.diag(penalty)  # (D + 1, D + 1)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < tol:
            break
    return theta[:-1], float(theta[-1])


def predict_proba(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """P(label = 1) for (N, D) features -> (N,)."""
    return _sigmoid(x.astype(np.float64) @ weights + bias)
