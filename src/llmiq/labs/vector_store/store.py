"""The store: FAISS HNSW and flat indexes, their size, and timing helpers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import faiss
import numpy as np

from llmiq.labs.vector_store.config import Config


def hnsw_index(vectors: np.ndarray, config: Config) -> faiss.Index:
    """A FAISS HNSW graph over (N, D) unit vectors, searched by inner product (= cosine)."""
    index = faiss.IndexHNSWFlat(vectors.shape[1], config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = config.hnsw_ef_construction
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    index.hnsw.efSearch = config.hnsw_ef_search
    return index


def flat_index(vectors: np.ndarray) -> faiss.Index:
    """FAISS exact (brute-force) inner-product search: the library's version of exact_search."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def index_bytes(index: faiss.Index) -> int:
    """Bytes of the index as FAISS serialises it: vectors plus graph links."""
    return int(faiss.serialize_index(index).nbytes)


def _seconds(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def query_seconds(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> np.ndarray:
    """Wall time of ``search`` on each single (1, D) query, as a service sees them: (Q,)."""
    return np.array([_seconds(lambda q=q: search(q[None, :])) for q in queries])


def seconds_per_query(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> float:
    """Median of :func:`query_seconds`."""
    return float(statistics.median(query_seconds(search, queries)))


def vectors_like(
    base: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.3
) -> np.ndarray:
    """(n, D) unit vectors around real embeddings: a random mixture of two rows of ``base``
    plus Gaussian noise of norm ~``noise``, so the sweep keeps the shape of real data."""
    d = base.shape[1]
    i, j = rng.integers(0, len(base), n), rng.integers(0, len(base), n)
    w = rng.random((n, 1))
    x = w * base[i] + (1 - w) * base[j] + noise * rng.standard_normal((n, d)) / np.sqrt(d)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
