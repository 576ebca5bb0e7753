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
from llmiq.labs.uncertainty import Interval

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


def test_seeds_share_the_index_and_split_the_held_out_sentences() -> None:
    three = retrieval.benchmark(FAST, 0, 3)
    one = retrieval.benchmark(FAST, 0, 1)
    assert three.chunk_sets == one.chunk_sets  # one index, embedded once
    assert sorted(three.queries) == sorted(one.queries)
    for i in range(3):  # one query per document each
        assert sorted(three.gold[three.replicate == i].tolist()) == list(range(FAST.n_documents))
    asked = set(zip(three.gold.tolist(), three.queries, strict=True))
    assert len(asked) == 3 * FAST.n_documents  # no (document, sentence) asked twice
    for doc in three.docs:
        for query in doc.queries:
            assert query not in doc.text


def test_jaccard_of_failure_codes_by_hand() -> None:
    codes = retrieval.claims.miss_codes(np.array([1, 1, 0, 0, 1]), np.array([1, 0, 1, 0, 1]))
    assert codes.tolist() == [3, 1, 2, 0, 3]
    assert retrieval.claims.jaccard(codes) == 0.5
    assert retrieval.claims.jaccard(np.zeros(4, dtype=int)) == 1.0


# --- the lab, fast mode ---------------------------------------------------------------------


def test_report_identity_and_verdicts_follow_the_intervals(report: LabReport) -> None:
    assert report.lab == "retrieval"
    assert report.question == "chunk-size-recall"
    m = report.metrics
    chance, size, failures, hybrid = report.claims
    assert chance.supported, chance.evidence
    lowest = min(iv[0] for method in ("dense", "bm25") for iv in m.recall_ci[method].values())
    assert chance.interval.low == pytest.approx(lowest, abs=1e-4)
    assert size.supported == (m.size_contrast["ci"][0] > 0)
    assert failures.supported == (
        failures.interval.high < FAST.max_jaccard
        and all(f["dense_only"] > 0 and f["bm25_only"] > 0 for f in m.failures.values())
    )
    lows = [cell[1] for row in m.hybrid_vs_best.values() for cell in row.values()]
    assert hybrid.supported == (min(lows) > -FAST.hybrid_margin)
    assert len(lows) == len(m.chunkings) * (len(FAST.ks) + 1)


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.measure, claim.text
        assert claim.seeds == report.seeds == (0,), claim.text
        assert claim.interval.low < claim.interval.high, claim.text  # bootstrapped queries
        assert claim.interval.over == f"1 seeds x {report.metrics.n_queries} queries"
    assert report.models[0]["id"] == "all-minilm-l6-v2"
    assert report.models[0]["parameters"] > 20_000_000
    assert "size_contrast" in report.tuning


def test_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    assert m.n_documents == FAST.n_documents
    assert m.n_queries == m.queries_per_seed == FAST.n_documents * FAST.queries_per_document
    assert m.chunkings == ["8", "128"]
    assert m.chunks["8"] > 5 * m.chunks["128"]
    for method in ("dense", "bm25", "hybrid"):
        for c in m.chunkings:
            r = m.recall[method][c]
            assert r["@1"] <= r["@5"] <= r["@10"] <= 1.0
            assert r["@1"] <= m.mrr[method][c] <= 1.0
            assert r["@5"] > 3 * m.chance_recall["@5"]
            low, high = m.recall_ci[method][c]
            assert low <= r["@5"] <= high
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


def test_one_retriever_twice_misses_the_same_queries(tmp_path: Path) -> None:
    broken = _run(tmp_path, sparse_method="dense")
    failures = broken.claims[2]
    assert not failures.supported
    assert failures.interval.low == failures.interval.high == 1.0
    for f in broken.metrics.failures.values():
        assert f["dense_only"] == f["bm25_only"] == 0


def test_chunk_sizes_that_barely_differ_show_no_dependence(tmp_path: Path) -> None:
    far = _run(tmp_path / "far", chunk_sizes=(4, 128), size_contrast=("bm25", "128", "4"))
    assert far.claims[1].supported, far.claims[1].evidence
    near = _run(tmp_path / "near", chunk_sizes=(120, 128), size_contrast=("bm25", "128", "120"))
    assert not near.claims[1].supported, near.claims[1].evidence
    assert near.claims[1].interval.low <= 0


def test_a_contrast_must_name_chunkings_of_the_run(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size_contrast"):
        _run(tmp_path, size_contrast=("bm25", "128", "16"))


def _cell(estimate: float, half_width: float) -> Interval:
    return Interval(estimate, estimate - half_width, estimate + half_width, "3 seeds x 160")


def test_the_hybrid_verdict_is_non_inferiority_within_the_margin() -> None:
    mrr = {"dense": {"16": 0.6}, "bm25": {"16": 0.62}, "hybrid": {"16": 0.65}}
    ahead = {("16", "@5"): _cell(0.03, 0.02), ("16", "MRR"): _cell(0.02, 0.01)}
    assert retrieval.hybrid_claim(ahead, mrr, 0.02, (0, 1, 2)).supported
    # a hybrid 0.01 behind, known to within 0.005: not worse than 2 points, worse than 0.5
    behind = ahead | {("16", "@1"): _cell(-0.01, 0.005)}
    assert retrieval.hybrid_claim(behind, mrr, 0.02, (0, 1, 2)).supported
    strict = retrieval.hybrid_claim(behind, mrr, 0.005, (0, 1, 2))
    assert not strict.supported
    assert "16 @1" in strict.evidence
    # the same point estimate with a wide interval cannot show non-inferiority
    vague = ahead | {("16", "@1"): _cell(-0.01, 0.05)}
    assert not retrieval.hybrid_claim(vague, mrr, 0.02, (0, 1, 2)).supported
