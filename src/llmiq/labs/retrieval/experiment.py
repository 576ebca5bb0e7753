"""The retrieval lab's run: build the benchmark, chunk it every way, retrieve every seed's
queries with MiniLM, BM25 and their fusion, score with intervals over seeds and queries, and
judge; what it measured, as ``RetrievalMetrics``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.minilm import minilm_card
from llmiq.labs.report import LabResult
from llmiq.labs.retrieval.bm25 import tokenize
from llmiq.labs.retrieval.claims import (
    MISS_CODES,
    above_chance_claim,
    chunk_size_claim,
    failures_claim,
    hybrid_claim,
    interval_of,
    jaccard,
    miss_codes,
)
from llmiq.labs.retrieval.config import Config
from llmiq.labs.retrieval.evaluation import cochran_q, mrr, recall_at
from llmiq.labs.retrieval.figures import plot_retrieval
from llmiq.labs.retrieval.library import compare_with_bm25s
from llmiq.labs.retrieval.retrieve import METHODS, Measurement, benchmark, retrieve
from llmiq.labs.uncertainty import Interval, exact


@dataclass
class RetrievalMetrics:
    """What the lab measured, as report.json's ``metrics``. Chunkings are named "16" (16
    words, no overlap) or "32/16" (32 words, 16 shared with the previous chunk). Recall and
    MRR pool every seed's queries."""

    n_documents: int
    n_queries: int  # over every seed
    queries_per_seed: int
    mean_document_words: float
    chance_recall: dict[str, float]  # k / N
    chunkings: list[str]
    chunks: dict[str, int]  # chunks per chunking
    recall: dict[str, dict[str, dict[str, float]]]  # method -> chunking -> "@k" -> recall
    recall_ci: dict[str, dict[str, list[float]]]  # method -> chunking -> judge_k interval
    recall_by_seed: dict[str, dict[str, list[float]]]  # method -> chunking -> per seed
    mrr: dict[str, dict[str, float]]  # method -> chunking -> MRR
    chunk_size_test: dict[str, dict[str, Any]]  # method -> Cochran's Q, best/worst chunking
    size_contrast: dict[str, Any]  # the contrast judged: method, chunkings, interval
    failures: dict[str, dict[str, float]]  # chunking -> misses by dense only/BM25 only/both
    hybrid_vs_best: dict[str, dict[str, list[float]]]  # chunking -> metric -> [est, lo, hi]
    vs_bm25s: dict[str, float]
    examples: list[dict[str, str]]  # a few queries, their source and each method's top hit
    shuffle_embeddings: bool
    sparse_method: str


Metrics = RetrievalMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[RetrievalMetrics]:
    with torch_threads(1):  # on a busy 2-core machine one thread embeds fastest (measured)
        return _run(config, context)


def measure(config: Config, seed: int, replicates: int, context: LabContext) -> Measurement:
    """Build the benchmark from ``seed`` with ``replicates`` seeds' queries and retrieve."""
    bench = benchmark(config, seed, replicates)
    with context.progress(bench.size, "retrieval: embedding queries and chunks") as advance:
        return retrieve(bench, config, shuffle_seed=seed, advance=advance)


def _cells(
    found: Measurement, ks: tuple[int, ...], names: list[str]
) -> dict[tuple[str, str], Interval]:
    """(chunking, metric) -> interval of hybrid minus the better single retriever (the one
    with the higher score on these queries), paired by query."""
    cells = {}
    for c in names:
        per_metric = {f"@{k}": lambda r, k=k: (r <= k).astype(float) for k in ks}
        per_metric["MRR"] = lambda r: 1.0 / r
        for metric, score in per_metric.items():
            single = {m: score(found.ranks[m][c]) for m in ("dense", "bm25")}
            better = max(single, key=lambda m: single[m].mean())
            cells[(c, metric)] = interval_of(
                found, score(found.ranks["hybrid"][c]) - single[better]
            )
    return cells


def _tests(found: Measurement, names: list[str], k: int) -> dict[str, dict[str, Any]]:
    tests = {}
    for m in METHODS:
        hits = np.stack([found.ranks[m][c] <= k for c in names], axis=1)  # (Q, chunkings)
        q, p = cochran_q(hits)
        recall = {c: round(recall_at(found.ranks[m][c], k), 4) for c in names}
        by_recall = sorted(names, key=lambda c: recall[c])
        tests[m] = {
            "q": round(q, 4),
            "p": p,
            "best": by_recall[-1],
            "worst": by_recall[0],
            "best_recall": recall[by_recall[-1]],
            "worst_recall": recall[by_recall[0]],
            "spread": round(recall[by_recall[-1]] - recall[by_recall[0]], 4),
        }
    return tests


def _run(config: Config, context: LabContext) -> LabResult[RetrievalMetrics]:
    seeds = context.seeds  # nothing is random per seed but its sample of queries
    found = measure(config, context.seed, len(seeds), context)
    bench = found.benchmark
    docs, n, k = bench.docs, len(bench.docs), config.judge_k
    names = list(bench.chunk_sets)
    method, better, worse = config.size_contrast
    if better not in names or worse not in names or method not in METHODS:
        raise ValueError(f"size_contrast {config.size_contrast} names no chunking of {names}")

    recall = {m: {c: _recalls(found.ranks[m][c], config.ks) for c in names} for m in METHODS}
    mrrs = {m: {c: round(mrr(found.ranks[m][c]), 4) for c in names} for m in METHODS}
    hits = {m: {c: (found.ranks[m][c] <= k).astype(float) for c in names} for m in METHODS}
    recall_ci = {m: {c: interval_of(found, hits[m][c]) for c in names} for m in METHODS}
    chance = min(k, n) / n
    tests = _tests(found, names, k)
    contrast = interval_of(found, hits[method][better] - hits[method][worse])
    failures, jaccards = {}, {}
    for c in names:
        codes = miss_codes(found.ranks["dense"][c] > k, found.ranks["bm25"][c] > k)
        if np.isin(codes, (1, 2)).any():
            jaccards[c] = interval_of(found, codes, statistic=jaccard)
        else:  # every miss shared (or none): the same Jaccard in every resample
            jaccards[c] = exact(jaccard(codes), "exact: no query missed by one method alone")
        failures[c] = {kind: int((codes == code).sum()) for kind, code in MISS_CODES.items()}
        failures[c]["jaccard"] = round(jaccards[c].estimate, 4)
    cells = _cells(found, config.ks, names)

    first = bench.chunk_sets[names[0]]
    query_tokens = [tokenize(q) for q in bench.queries]
    vs_bm25s = compare_with_bm25s(
        [tokenize(c.text) for c in first], query_tokens, config.bm25_k1, config.bm25_b
    )
    best = tests["hybrid"]["best"]
    step = max(1, len(bench.queries) // 4)
    examples = [
        {
            "query": bench.queries[i],
            "source": docs[bench.gold[i]].source,
            **{f"{m}_top": docs[int(found.top_hits[m][best][i])].source for m in METHODS},
        }
        for i in range(0, len(bench.queries), step)[:4]
    ]

    claims = [
        above_chance_claim(recall_ci, chance, k, seeds),
        chunk_size_claim(config.size_contrast, contrast, tests, k, seeds),
        failures_claim(failures, jaccards, k, seeds, config.max_jaccard),
        hybrid_claim(cells, mrrs, config.hybrid_margin, seeds),
    ]
    figures = [plot_retrieval(context, names, recall, recall_ci, mrrs, failures, k, chance)]
    key_figure = (
        f"recall@{k} dense {tests['dense']['worst_recall']:.2f}-{tests['dense']['best_recall']:.2f}"
        f" (best {tests['dense']['best']} words), BM25 {tests['bm25']['worst_recall']:.2f}-"
        f"{tests['bm25']['best_recall']:.2f} (best {tests['bm25']['best']}), hybrid up to "
        f"{tests['hybrid']['best_recall']:.2f}; {n} documents, {len(bench.queries)} queries "
        f"over {len(seeds)} seed(s)"
    )
    metrics = RetrievalMetrics(
        n_documents=n,
        n_queries=len(bench.queries),
        queries_per_seed=len(bench.queries) // len(seeds),
        mean_document_words=round(float(np.mean([len(d.text.split()) for d in docs])), 1),
        chance_recall={f"@{kk}": round(min(kk, n) / n, 4) for kk in config.ks},
        chunkings=names,
        chunks={c: len(bench.chunk_sets[c]) for c in names},
        recall=recall,
        recall_ci={m: {c: _pair(iv) for c, iv in row.items()} for m, row in recall_ci.items()},
        recall_by_seed={
            m: {c: [round(float(g.mean()), 4) for g in found.by_seed(hits[m][c])] for c in names}
            for m in METHODS
        },
        mrr=mrrs,
        chunk_size_test=tests,
        size_contrast={
            "method": method,
            "better": better,
            "worse": worse,
            "difference": round(contrast.estimate, 4),
            "ci": _pair(contrast),
        },
        failures=failures,
        hybrid_vs_best={
            c: {m: [round(iv.estimate, 4), *_pair(iv)] for (cc, m), iv in cells.items() if cc == c}
            for c in names
        },
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
        models=[minilm_card()],
        tuning={
            "size_contrast": f"{method} {better} vs {worse} words: the largest recall@{k} "
            "spread of the three methods on seeds 1000-1002 (python -m "
            "llmiq.labs.retrieval.tuning)",
            "BM25 k1, b; RRF k; chunk sizes; margins": "fixed a priori (published defaults)",
        },
    )


def _recalls(ranks: np.ndarray, ks: tuple[int, ...]) -> dict[str, float]:
    return {f"@{k}": round(recall_at(ranks, k), 4) for k in ks}


def _pair(interval: Interval) -> list[float]:
    return [round(interval.low, 4), round(interval.high, 4)]
