"""One measurement: the benchmark chunked every way, every query retrieved by MiniLM, BM25
and their fusion, and the rank of its source document, grouped by the seed that asked it.

The index does not depend on the seeds: each document's held-out sentences are drawn once
(with the run's seed) and removed from it, so every chunk is embedded once per run. The
seeds split those sentences between them (3 held out, 3 seeds: one query per document each),
so their queries are disjoint samples of the same kind and the MiniLM embeddings are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from llmiq.labs.retrieval.bm25 import BM25, tokenize
from llmiq.labs.retrieval.chunking import Chunk, chunk_corpus
from llmiq.labs.retrieval.config import Config
from llmiq.labs.retrieval.dense import embed, inner_products
from llmiq.labs.retrieval.documents import Document, build_benchmark
from llmiq.labs.retrieval.evaluation import (
    document_scores,
    rank_of,
    rankings,
    reciprocal_rank_fusion,
)

METHODS = ("dense", "bm25", "hybrid")


@dataclass
class Benchmark:
    docs: list[Document]
    chunk_sets: dict[str, list[Chunk]]  # chunking name -> chunks
    queries: list[str]  # every seed's queries, in document order
    gold: np.ndarray  # (Q,) the source document of each query
    replicate: np.ndarray  # (Q,) index of the seed that asks it

    @property
    def size(self) -> int:
        """Texts to embed: every query and every chunk of every chunking."""
        return len(self.queries) + sum(len(c) for c in self.chunk_sets.values())


@dataclass
class Measurement:
    benchmark: Benchmark
    ranks: dict[str, dict[str, np.ndarray]]  # method -> chunking -> (Q,) rank of the source
    top_hits: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def by_seed(self, values: np.ndarray) -> list[np.ndarray]:
        """``values`` (Q,) split into one array per seed, in seed order."""
        replicate = self.benchmark.replicate
        return [values[replicate == i] for i in range(int(replicate.max()) + 1)]


def chunkings(config: Config) -> list[tuple[str, int, int]]:
    """(name, words, overlap): "16" for 16 words, "32/16" for 32 words, 16 overlapping."""
    plain = [(f"{s}", s, 0) for s in config.chunk_sizes]
    return plain + [(f"{s}/{o}", s, o) for s, o in config.overlap_chunks]


def benchmark(config: Config, seed: int, replicates: int) -> Benchmark:
    """The documents with their held-out sentences drawn from ``seed``, chunked every way,
    and the queries of each of ``replicates`` seeds: seed i asks the i-th share of each
    document's held-out sentences (all of them with one seed; reused in turn if there are
    more seeds than sentences)."""
    held = config.queries_per_document
    docs = build_benchmark(config.n_documents, seed, held, config.min_sentences, config.max_words)
    texts = [d.text for d in docs]
    chunk_sets = {
        name: chunk_corpus(texts, size, overlap) for name, size, overlap in chunkings(config)
    }
    share = max(1, held // replicates)
    queries, gold, replicate = [], [], []
    for i in range(replicates):
        for doc in docs:
            for j in range(i * share, (i + 1) * share):
                queries.append(doc.queries[j % held])
                gold.append(doc.id)
                replicate.append(i)
    return Benchmark(docs, chunk_sets, queries, np.array(gold), np.array(replicate))


def retrieve(
    bench: Benchmark,
    config: Config,
    shuffle_seed: int = 0,
    advance: Callable[[int], None] = lambda n: None,
) -> Measurement:
    """Rank every document for every query, each chunking, each method (a document scores
    as its best chunk)."""
    n = len(bench.docs)
    rng = np.random.default_rng(shuffle_seed)
    query_tokens = [tokenize(q) for q in bench.queries]
    ranks: dict[str, dict[str, np.ndarray]] = {m: {} for m in METHODS}
    top_hits: dict[str, dict[str, np.ndarray]] = {m: {} for m in METHODS}
    query_vectors = embed(bench.queries, config.max_tokens, advance=advance)  # (Q, 384)
    for name, chunks in bench.chunk_sets.items():
        owner = np.array([c.document for c in chunks])  # (C,)
        vectors = embed([c.text for c in chunks], config.max_tokens, advance=advance)
        if config.shuffle_embeddings:  # broken on purpose: vectors no longer match chunks
            vectors = vectors[rng.permutation(len(vectors))]
        dense = rankings(document_scores(inner_products(query_vectors, vectors), owner, n))
        if config.sparse_method == "dense":  # broken on purpose: one retriever twice
            sparse = dense
        else:
            index = BM25([tokenize(c.text) for c in chunks], config.bm25_k1, config.bm25_b)
            scores = np.stack([index.scores(q) for q in query_tokens])  # (Q, C)
            sparse = rankings(document_scores(scores, owner, n))
        hybrid = rankings(reciprocal_rank_fusion([dense, sparse], config.rrf_k))
        for method, ranked in (("dense", dense), ("bm25", sparse), ("hybrid", hybrid)):
            ranks[method][name] = rank_of(ranked, bench.gold)
            top_hits[method][name] = ranked[:, 0]
    return Measurement(bench, ranks, top_hits)
