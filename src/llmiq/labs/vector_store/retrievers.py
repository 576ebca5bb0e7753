"""The two ways of fetching the k passages a reader is given: keyword search (BM25, with the
``bm25s`` library; the retrieval lab checks it against BM25 written from scratch) and the
vector store (MiniLM embeddings in a FAISS HNSW index)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.encoder import embed
from llmiq.labs.vector_store.store import hnsw_index


def bm25_top_k(documents: Sequence[str], queries: Sequence[str], k: int) -> np.ndarray:
    """Okapi BM25 (Robertson & Zaragoza 2009; k1 = 1.5, b = 0.75, Lucene's idf), English
    stopwords removed: (Q, k) document indexes, best first.

    >>> bm25_top_k(["the cat sat", "a dog ran", "the cat ran"], ["which cat sat?"], 2).tolist()
    [[0, 2]]
    """
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(list(documents), stopwords="en", show_progress=False), show_progress=False
    )
    tokens = bm25s.tokenize(list(queries), stopwords="en", return_ids=False, show_progress=False)
    found, _ = retriever.retrieve(tokens, k=min(k, len(documents)), show_progress=False)
    return np.asarray(found, dtype=np.int64)


def dense_top_k(
    documents: Sequence[str], queries: Sequence[str], k: int, config: Config
) -> np.ndarray:
    """MiniLM embeddings in a FAISS HNSW index searched by cosine: (Q, k) indexes, best first.

    >>> dense_top_k(["a red apple", "the stock market fell"], ["shares dropped"], 1,
    ...             Config()).tolist()
    [[1]]
    """
    index = hnsw_index(embed(list(documents)), config)
    _, found = index.search(embed(list(queries)), min(k, len(documents)))
    return found.astype(np.int64)
