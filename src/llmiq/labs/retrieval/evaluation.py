"""From chunk scores to document rankings, reciprocal rank fusion, recall@k and MRR, and
Cochran's Q test across chunkings (reported beside the interval the verdict rests on)."""

from __future__ import annotations

import numpy as np


def document_scores(
    chunk_scores: np.ndarray, chunk_documents: np.ndarray, n_documents: int
) -> np.ndarray:
    """(Q, C) chunk scores -> (Q, N) document scores: a document scores as its best chunk."""
    out = np.full((chunk_scores.shape[0], n_documents), -np.inf)
    for j, d in enumerate(chunk_documents):
        np.maximum(out[:, d], chunk_scores[:, j], out=out[:, d])
    return out


def rankings(scores: np.ndarray) -> np.ndarray:
    """(Q, N) scores -> (Q, N) document ids, best first (ties: lower id first).

    >>> rankings(np.array([[0.1, 0.9, 0.9]])).tolist()
    [[1, 2, 0]]
    """
    return np.argsort(-scores, axis=1, kind="stable")


def rank_of(ranked: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """1-based rank of each query's gold document in its ranking, (Q,)."""
    return (ranked == gold[:, None]).argmax(axis=1) + 1


def reciprocal_rank_fusion(ranked: list[np.ndarray], k: int = 60) -> np.ndarray:
    """RRF (Cormack, Clarke & Buettcher 2009): sum over rankings of 1 / (k + rank); returns
    (Q, N) fused scores.

    >>> reciprocal_rank_fusion([np.array([[0, 1]]), np.array([[1, 0]])], k=0).tolist()
    [[1.5, 1.5]]
    """
    q, n = ranked[0].shape
    fused = np.zeros((q, n))
    positions = np.arange(1, n + 1)
    for order in ranked:
        np.put_along_axis(
            fused, order, np.take_along_axis(fused, order, 1) + 1 / (k + positions), 1
        )
    return fused


def recall_at(ranks: np.ndarray, k: int) -> float:
    return float((ranks <= k).mean())


def mrr(ranks: np.ndarray) -> float:
    """Mean reciprocal rank of the gold document."""
    return float((1.0 / ranks).mean())


def cochran_q(hits: np.ndarray) -> tuple[float, float]:
    """Cochran's Q test (1950) that k related binary outcomes (Q queries x k set-ups: hit or
    miss) have the same success rate; returns (Q, p-value), chi-square with k - 1 degrees of
    freedom. With no query whose outcome differs across set-ups, Q = 0 and p = 1."""
    from scipy.stats import chi2

    x = np.asarray(hits, dtype=np.float64)  # (Q, k)
    k = x.shape[1]
    columns, rows, total = x.sum(0), x.sum(1), x.sum()
    denominator = k * total - (rows**2).sum()
    if k < 2 or denominator == 0:
        return 0.0, 1.0
    q = (k - 1) * (k * (columns**2).sum() - total**2) / denominator
    return float(q), float(chi2.sf(q, k - 1))
