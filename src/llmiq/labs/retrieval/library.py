"""The from-scratch BM25 against the ``bm25s`` library (Lù 2024, "BM25S: Orders of magnitude
faster lexical search via eager sparse scoring"), given the same tokens and parameters."""

from __future__ import annotations

import numpy as np

from llmiq.labs.retrieval.bm25 import BM25


def bm25s_scores(
    documents: list[list[str]], queries: list[list[str]], k1: float, b: float
) -> np.ndarray:
    """(Q, N) scores from ``bm25s.BM25(method="lucene")`` indexed on our tokens."""
    import bm25s

    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.index(documents, show_progress=False)
    return np.stack([retriever.get_scores(q) for q in queries])


def compare_with_bm25s(
    documents: list[list[str]], queries: list[list[str]], k1: float, b: float
) -> dict[str, float]:
    """Largest |score difference| and the share of queries whose top-10 lists agree."""
    ours_index = BM25(documents, k1, b)
    ours = np.stack([ours_index.scores(q) for q in queries])  # (Q, N)
    theirs = bm25s_scores(documents, queries, k1, b)
    top = min(10, ours.shape[1])
    same = [
        np.array_equal(np.argsort(-o, kind="stable")[:top], np.argsort(-t, kind="stable")[:top])
        for o, t in zip(ours, theirs, strict=True)
    ]
    return {
        "max_abs_score_diff": float(np.abs(ours - theirs).max()),
        "same_top10_share": float(np.mean(same)),
    }
