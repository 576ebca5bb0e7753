"""The retrieval lab's run: build the benchmark, chunk it every way, retrieve with MiniLM,
BM25 and their fusion, score and judge; what it measured, as ``RetrievalMetrics``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabResult
from llmiq.labs.retrieval.bm25 import BM25, tokenize
from llmiq.labs.retrieval.chunking import chunk_corpus
from llmiq.labs.retrieval.claims import (
    METHODS,
    above_chance_claim,
    chunk_size_claim,
    failures_claim,
    hybrid_claim,
)
from llmiq.labs.retrieval.config import Config
from llmiq.labs.retrieval.dense import embed, inner_products
from llmiq.labs.retrieval.documents import build_benchmark
from llmiq.labs.retrieval.evaluation import (
    above_chance_p,
    cochran_q,
    document_scores,
    mrr,
    rank_of,
    rankings,
    recall_at,
    reciprocal_rank_fusion,
)
from llmiq.labs.retrieval.figures import plot_retrieval
from llmiq.labs.retrieval.library import compare_with_bm25s


@dataclass
class RetrievalMetrics:
    """What the lab measured, as report.json's ``metrics``. Chunkings are named "16" (16
    words, no overlap) or "32/16" (32 words, 16 shared with the previous chunk)."""

    n_documents: int
    n_queries: int
    mean_document_words: float
    chance_recall: dict[str, float]  # k / N
    chunkings: list[str]
    chunks: dict[str, int]  # chunks per chunking
    recall: dict[str, dict[str, dict[str, float]]]  # method -> chunking -> "@k" -> recall
    mrr: dict[str, dict[str, float]]  # method -> chunking -> MRR
    above_chance_p: dict[str, dict[str, float]]  # method -> chunking -> binomial p
    chunk_size_test: dict[str, dict[str, Any]]  # method -> Cochran's Q, best/worst chunking
    failures: dict[str, dict[str, float]]  # chunking -> misses by dense only/BM25 only/both
    vs_bm25s: dict[str, float]
    examples: list[dict[str, str]]  # a few queries, their source and each method's top hit
    shuffle_embeddings: bool
    sparse_method: str


Metrics = RetrievalMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[RetrievalMetrics]:
    with torch_threads(1):  # on a busy 2-core machine one thread embeds fastest (measured)
        return _run(config, context)


def _chunkings(config: Config) -> list[tuple[str, int, int]]:
    plain = [(f"{s}", s, 0) for s in config.chunk_sizes]
    return plain + [(f"{s}/{o}", s, o) for s, o in config.overlap_chunks]


def _run(config: Config, context: LabContext) -> LabResult[RetrievalMetrics]:
    docs = build_benchmark(
        config.n_documents,
        context.seed,
        config.queries_per_document,
        config.min_sentences,
        config.max_words,
    )
    n = len(docs)
    texts = [d.text for d in docs]
    queries = [q for d in docs for q in d.queries]
    gold = np.array([d.id for d in docs for _ in d.queries])  # (Q,)
    query_tokens = [tokenize(q) for q in queries]
    chunkings = _chunkings(config)
    chunk_sets = {name: chunk_corpus(texts, size, overlap) for name, size, overlap in chunkings}
    total = len(queries) + sum(len(c) for c in chunk_sets.values())
    rng = np.random.default_rng(context.seed)

    ranks: dict[str, dict[str, np.ndarray]] = {m: {} for m in METHODS}  # method -> chunking
    top_hits: dict[str, dict[str, np.ndarray]] = {m: {} for m in METHODS}
    with context.progress(total, "retrieval: embedding queries and chunks") as advance:
        query_vectors = embed(queries, config.max_tokens, advance=advance)  # (Q, 384)
        for name, chunks in chunk_sets.items():
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
                ranks[method][name] = rank_of(ranked, gold)
                top_hits[method][name] = ranked[:, 0]

    k = config.judge_k
    names = [c[0] for c in chunkings]
    recall = {
        m: {c: {f"@{kk}": round(recall_at(ranks[m][c], kk), 4) for kk in config.ks} for c in names}
        for m in METHODS
    }
    mrrs = {m: {c: round(mrr(ranks[m][c]), 4) for c in names} for m in METHODS}
    chance = min(k, n) / n
    p_values = {
        m: {c: above_chance_p(int((ranks[m][c] <= k).sum()), len(queries), chance) for c in names}
        for m in METHODS
    }
    tests = {}
    for m in METHODS:
        hits = np.stack([ranks[m][c] <= k for c in names], axis=1)  # (Q, chunkings)
        q, p = cochran_q(hits)
        by_recall = sorted(names, key=lambda c: recall[m][c][f"@{k}"])
        tests[m] = {
            "q": round(q, 4),
            "p": p,
            "best": by_recall[-1],
            "worst": by_recall[0],
            "best_recall": recall[m][by_recall[-1]][f"@{k}"],
            "worst_recall": recall[m][by_recall[0]][f"@{k}"],
            "spread": round(
                recall[m][by_recall[-1]][f"@{k}"] - recall[m][by_recall[0]][f"@{k}"], 4
            ),
        }
    failures = {}
    for c in names:
        dense_miss, bm25_miss = ranks["dense"][c] > k, ranks["bm25"][c] > k
        both, either = int((dense_miss & bm25_miss).sum()), int((dense_miss | bm25_miss).sum())
        failures[c] = {
            "dense_only": int((dense_miss & ~bm25_miss).sum()),
            "bm25_only": int((bm25_miss & ~dense_miss).sum()),
            "both": both,
            "jaccard": round(both / either, 4) if either else 1.0,
        }

    first = chunk_sets[names[0]]
    vs_bm25s = compare_with_bm25s(
        [tokenize(c.text) for c in first], query_tokens, config.bm25_k1, config.bm25_b
    )
    best = tests["hybrid"]["best"]
    examples = [
        {
            "query": queries[i],
            "source": docs[gold[i]].source,
            **{f"{m}_top": docs[int(top_hits[m][best][i])].source for m in METHODS},
        }
        for i in range(0, len(queries), max(1, len(queries) // 4))[:4]
    ]

    claims = [
        above_chance_claim(recall, p_values, chance, k, config.alpha),
        chunk_size_claim(tests, k, config.alpha),
        failures_claim(failures, k),
        hybrid_claim(recall, mrrs, config.ks),
    ]
    figures = [plot_retrieval(context, names, recall, mrrs, failures, k, chance)]
    key_figure = (
        f"recall@{k} dense {tests['dense']['worst_recall']:.2f}-{tests['dense']['best_recall']:.2f}"
        f" (best {tests['dense']['best']} words), BM25 {tests['bm25']['worst_recall']:.2f}-"
        f"{tests['bm25']['best_recall']:.2f} (best {tests['bm25']['best']}), hybrid up to "
        f"{tests['hybrid']['best_recall']:.2f}; {n} documents, {len(queries)} queries"
    )
    metrics = RetrievalMetrics(
        n_documents=n,
        n_queries=len(queries),
        mean_document_words=round(float(np.mean([len(t.split()) for t in texts])), 1),
        chance_recall={f"@{kk}": round(min(kk, n) / n, 4) for kk in config.ks},
        chunkings=names,
        chunks={c: len(chunk_sets[c]) for c in names},
        recall=recall,
        mrr=mrrs,
        above_chance_p=p_values,
        chunk_size_test=tests,
        failures=failures,
        vs_bm25s=vs_bm25s,
        examples=examples,
        shuffle_embeddings=config.shuffle_embeddings,
        sparse_method=config.sparse_method,
    )
    return LabResult(
        title="Chunk size, dense (MiniLM) vs sparse (BM25) vs hybrid retrieval on stdlib docs",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
