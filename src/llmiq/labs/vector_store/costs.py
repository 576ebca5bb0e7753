"""What a store costs as it grows: build time, memory and query latency, HNSW against flat
and NumPy search, with HNSW's recall of the exact top k."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import numpy as np

from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.scratch import exact_search, recall_at_k
from llmiq.labs.vector_store.store import (
    flat_index,
    hnsw_index,
    index_bytes,
    query_seconds,
    vectors_like,
)


def store_costs(
    base: np.ndarray, config: Config, rng: np.random.Generator, advance: Callable[[int], None]
) -> list[dict[str, object]]:
    """Build time, bytes, per-query latency and recall@k of FAISS HNSW and flat indexes and of
    numpy exact search, for each size in ``config.store_sizes``. Each row also keeps the
    per-query measurements (``per_query``: HNSW recall and the three latencies in ms) for the
    intervals."""
    rows: list[dict[str, object]] = []
    k = config.cost_k
    for n in config.store_sizes:
        vectors = vectors_like(base, n, rng)  # (n, D)
        queries = vectors_like(base, config.latency_queries, rng)  # (Q, D), not in the store
        started = time.perf_counter()
        hnsw = hnsw_index(vectors, config)
        hnsw_build = time.perf_counter() - started
        started = time.perf_counter()
        flat = flat_index(vectors)
        flat_build = time.perf_counter() - started
        exact_scores, exact = exact_search(vectors, queries, k)
        _, from_hnsw = hnsw.search(queries, k)
        flat_scores, from_flat = flat.search(queries, k)
        latency = {
            "hnsw": 1e3 * query_seconds(partial(hnsw.search, k=k), queries),
            "flat": 1e3 * query_seconds(partial(flat.search, k=k), queries),
            "numpy": 1e3 * query_seconds(partial(exact_search, vectors, k=k), queries),
        }
        hnsw_recall = np.array(
            [recall_at_k(f[None], e[None]) for f, e in zip(from_hnsw, exact, strict=True)]
        )
        rows.append(
            {
                "n": n,
                "raw_bytes": int(vectors.nbytes),
                "hnsw_bytes": index_bytes(hnsw),
                "flat_bytes": index_bytes(flat),
                "hnsw_build_seconds": hnsw_build,
                "flat_build_seconds": flat_build,
                "hnsw_query_ms": float(np.median(latency["hnsw"])),
                "flat_query_ms": float(np.median(latency["flat"])),
                "numpy_query_ms": float(np.median(latency["numpy"])),
                "hnsw_recall": float(hnsw_recall.mean()),
                "flat_recall": recall_at_k(from_flat, exact),
                "flat_max_score_error": float(np.abs(flat_scores - exact_scores).max()),
                "per_query": {"hnsw_recall": hnsw_recall, **latency},
            }
        )
        advance(1)
    return rows
