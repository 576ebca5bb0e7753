"""The retrieval lab: chunking, BM25 against bm25s, fusion and the tests by hand, the
measured claims in fast mode, and broken set-ups that flip each verdict."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from llmiq.labs import retrieval
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport, LabResult

pytestmark = pytest.mark.slow  # MiniLM embeds every chunk

FAST = retrieval.Config.fast()


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("retrieval")


@pytest.fixture(scope="module")
def chunk_tokens() -> list[list[str]]:
    docs = retrieval.build_benchmark(30, 0, 2)
    chunks = retrieval.chunk_corpus([d.text for d in docs], 32)
    return [retrieval.tokenize(c.text) for c in chunks]


def _run(tmp_path: Path, **changes: object) -> LabResult[retrieval.RetrievalMetrics]:
    return retrieval.run(replace(FAST, **changes), LabContext(tmp_path, show_progress=False))


# --- the parts ------------------------------------------------------------------------------


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(retrieval)
    assert result.attempted >= 5
    assert result.failed == 0


@pytest.mark.parametrize(("size", "overlap"), [(1, 0), (4, 0), (7, 3), (16, 8), (50, 0)])
def test_chunks_cover_the_text_in_order(size: int, overlap: int) -> None:
    text = " ".join(f"w{i}" for i in range(37))
    chunks = [c.split() for c in retrieval.chunk_words(text, size, overlap)]
    assert all(len(c) <= size for c in chunks)
    stride = size - overlap
    rebuilt = [w for c in chunks[:-1] for w in c[:stride]] + chunks[-1]
    assert rebuilt == text.split()


def test_benchmark_queries_are_held_out_and_seeded() -> None:
    docs = retrieval.build_benchmark(12, 0, 2)
    assert len(docs) == 12
    for doc in docs:
        assert len(doc.queries) == 2
        assert len(doc.sentences) >= 5
        for query in doc.queries:
            assert query not in doc.sentences
            assert len(query.split()) >= 8
    again = retrieval.build_benchmark(12, 0, 2)
    assert [d.queries for d in again] == [d.queries for d in docs]
    other = retrieval.build_benchmark(12, 1, 2)
    assert [d.source for d in other] == [d.source for d in docs]  # the seed picks queries only
    assert [d.queries for d in other] != [d.queries for d in docs]


def test_bm25_by_hand() -> None:
    index = retrieval.BM25([["a", "b", "c"], ["a", "a", "d"], ["e", "f"]], k1=1.5, b=0.75)
    # doc 1: avgdl 8/3, |d| = 3 -> k1 (1 - b + b |d| / avgdl) = 1.640625
    norm = 1.5 * (0.25 + 0.75 * 3 / (8 / 3))
    idf_a, idf_d = np.log(1 + 1.5 / 2.5), np.log(1 + 2.5 / 1.5)
    expected = idf_a * 2 / (2 + norm) + idf_d * 1 / (1 + norm)
    assert index.scores(["a", "d"])[1] == pytest.approx(expected)
    assert index.scores(["zzz"]).tolist() == [0.0, 0.0, 0.0]


def test_bm25_matches_bm25s(chunk_tokens: list[list[str]]) -> None:
    queries = [chunk_tokens[i][:6] + chunk_tokens[i + 1][:3] for i in range(0, 60, 3)]
    compared = retrieval.compare_with_bm25s(chunk_tokens, queries, 1.5, 0.75)
    assert compared["max_abs_score_diff"] < 1e-4  # bm25s scores in float32
    assert compared["same_top10_share"] >= 0.95
    # the comparison can fail: other parameters, other scores
    theirs = retrieval.bm25s_scores(chunk_tokens, queries, 1.2, 0.5)
    index = retrieval.BM25(chunk_tokens, 1.5, 0.75)
    assert np.abs(np.stack([index.scores(q) for q in queries]) - theirs).max() > 1e-2


def test_document_scores_take_the_best_chunk_and_fusion_by_hand() -> None:
    chunk_scores = np.array([[0.1, 0.9, 0.3, 0.2]])  # chunks of documents 0, 0, 1, 2
    scores = retrieval.document_scores(chunk_scores, np.array([0, 0, 1, 2]), 3)
    assert scores.tolist() == [[0.9, 0.3, 0.2]]
    a, b = np.array([[0, 1, 2]]), np.array([[2, 1, 0]])
    fused = retrieval.reciprocal_rank_fusion([a, b], k=60)
    assert fused[0, 1] == pytest.approx(2 / 62)
    assert fused[0, 0] == pytest.approx(1 / 61 + 1 / 63) == fused[0, 2]
    ranks = retrieval.rank_of(np.array([[2, 0, 1], [1, 2, 0]]), np.array([0, 1]))
    assert ranks.tolist() == [2, 1]
    assert retrieval.mrr(ranks) == 0.75
    assert retrieval.recall_at(ranks, 1) == 0.5


def test_cochran_q_with_two_set_ups_is_mcnemar() -> None:
    hits = np.array([[1, 0]] * 12 + [[0, 1]] * 3 + [[1, 1]] * 20 + [[0, 0]] * 5)
    q, p = retrieval.cochran_q(hits)
    assert q == pytest.approx((12 - 3) ** 2 / (12 + 3))
    assert p < 0.05
    assert retrieval.cochran_q(np.array([[1, 1], [0, 0]])) == (0.0, 1.0)


def test_embeddings_are_unit_vectors_and_related_text_is_closer() -> None:
    vectors = retrieval.embed(
        ["Return the file name.", "Give back the name of the file.", "The heap queue algorithm."]
    )
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = retrieval.inner_products(vectors[:1], vectors)[0]
    assert sims[1] > sims[2]


# --- the lab, fast mode ---------------------------------------------------------------------


def test_report_identity_and_verdicts_follow_the_numbers(report: LabReport) -> None:
    assert report.lab == "retrieval"
    assert report.question == "chunk-size-recall"
    m = report.metrics
    chance, size, failures, hybrid = report.claims
    assert chance.supported, chance.evidence
    level = FAST.alpha / 3
    assert size.supported == any(t["p"] < level for t in m.chunk_size_test.values())
    assert failures.supported == all(
        f["dense_only"] > 0 and f["bm25_only"] > 0 and f["jaccard"] < 0.5
        for f in m.failures.values()
    )
    cells = [
        (m.recall[x][c][f"@{k}"] for x in ("hybrid", "dense", "bm25"))
        for c in m.chunkings
        for k in FAST.ks
    ] + [(m.mrr[x][c] for x in ("hybrid", "dense", "bm25")) for c in m.chunkings]
    assert hybrid.supported == all(h >= max(d, b) for h, d, b in cells)


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    assert m.n_documents == FAST.n_documents
    assert m.n_queries == FAST.n_documents * FAST.queries_per_document
    assert m.chunkings == ["8", "128"]
    assert m.chunks["8"] > 5 * m.chunks["128"]
    for method in ("dense", "bm25", "hybrid"):
        for c in m.chunkings:
            r = m.recall[method][c]
            assert r["@1"] <= r["@5"] <= r["@10"] <= 1.0
            assert r["@1"] <= m.mrr[method][c] <= 1.0
            assert r["@5"] > 3 * m.chance_recall["@5"]
    assert m.vs_bm25s["max_abs_score_diff"] < 1e-4
    assert len(m.examples) == 4
    assert Path(report.figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- broken set-ups flip the verdicts -------------------------------------------------------


def test_shuffled_embeddings_put_dense_at_chance(report: LabReport, tmp_path: Path) -> None:
    broken = _run(tmp_path, shuffle_embeddings=True)
    chance = broken.claims[0]
    assert not chance.supported
    dense = broken.metrics.recall["dense"]
    assert all(dense[c]["@5"] < 2 * broken.metrics.chance_recall["@5"] for c in dense)
    assert broken.metrics.recall["bm25"] == report.metrics.recall["bm25"]  # BM25 untouched
    hybrid, bm25 = broken.metrics.mrr["hybrid"], broken.metrics.mrr["bm25"]
    assert not broken.claims[3].supported
    assert any(hybrid[c] < bm25[c] for c in hybrid)  # fusing with noise hurts


def test_one_retriever_twice_misses_the_same_queries(report: LabReport, tmp_path: Path) -> None:
    assert report.claims[2].supported, report.claims[2].evidence
    broken = _run(tmp_path, sparse_method="dense")
    assert not broken.claims[2].supported
    for f in broken.metrics.failures.values():
        assert f["dense_only"] == f["bm25_only"] == 0


def test_chunk_sizes_that_barely_differ_show_no_dependence(tmp_path: Path) -> None:
    far = _run(tmp_path / "far", chunk_sizes=(4, 128))
    assert far.claims[1].supported, far.claims[1].evidence
    near = _run(tmp_path / "near", chunk_sizes=(120, 128))
    assert not near.claims[1].supported, near.claims[1].evidence


def test_the_hybrid_verdict_follows_the_numbers() -> None:
    recall = {m: {"16": {"@1": 0.5, "@5": 0.8}} for m in ("dense", "bm25")}
    recall["hybrid"] = {"16": {"@1": 0.5, "@5": 0.85}}
    mrr = {"dense": {"16": 0.6}, "bm25": {"16": 0.62}, "hybrid": {"16": 0.65}}
    assert retrieval.hybrid_claim(recall, mrr, (1, 5)).supported
    recall["hybrid"]["16"]["@1"] = 0.49
    claim = retrieval.hybrid_claim(recall, mrr, (1, 5))
    assert not claim.supported
    assert "16 @1" in claim.evidence
