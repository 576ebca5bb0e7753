"""The vector-store lab: sentiment needs no store, private questions do; the FAISS index
against exact search; from-scratch logistic regression against scikit-learn; and broken
set-ups (random labels, a shuffled or missing store) that flip the verdicts."""

from __future__ import annotations

import doctest
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from llmiq.labs import vector_store as vs
from llmiq.labs.context import LabContext
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("vector-store")


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small tensors and single queries: one thread, as the lab itself runs."""
    with vs.one_thread():
        yield


@pytest.fixture(scope="module")
def reviews() -> tuple[list[vs.Review], list[vs.Review], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    train, test = vs.make_reviews(80, "train", rng), vs.make_reviews(100, "test", rng)
    return train, test, vs.embed([r.text for r in train]), vs.embed([r.text for r in test])


@pytest.fixture(scope="module")
def collection() -> tuple[list[vs.Document], list[vs.Question]]:
    return vs.make_documents(5, 1, np.random.default_rng(0))


def test_every_claim_is_supported(report: LabReport) -> None:
    assert (report.lab, report.question) == ("vector-store", "vector-store")
    assert len(report.claims) == 6
    for claim in report.claims:
        assert claim.supported, claim


def test_metrics_are_in_sane_ranges(report: LabReport) -> None:
    m = report.metrics
    s = m.sentiment
    assert s["majority"] == 0.5
    assert 0.8 <= s["text_alone"] <= 1.0
    assert s["text_alone_plain"] > s["text_alone_negated"]  # negation is the encoder's blind spot
    assert max(s["knn_vote"], s["with_neighbours"]) - s["text_alone"] < 0.05
    qa = m.private_qa
    assert (qa["documents"], qa["stored"], qa["questions"]) == (25, 25, 50)
    assert max(qa["closed_book"]["most_common_answer"], qa["closed_book"]["question_only"]) <= 0.2
    assert 0 < qa["closed_book"]["chance"] < 0.05
    assert qa["retrieval_at_3"] >= qa["retrieval_at_1"] >= 0.8
    assert qa["answer_accuracy"] >= 0.7
    assert qa["hnsw_recall"] == qa["flat_recall"] == 1.0
    assert qa["index_bytes"] > qa["raw_vector_bytes"] == 25 * 384 * 4
    assert qa["build_embed_seconds"] > 0
    assert qa["query_embed_seconds"] > 0
    assert [row["n"] for row in m.store_costs] == [1_000, 5_000]
    for row in m.store_costs:
        assert row["raw_bytes"] == row["n"] * 384 * 4
        assert row["hnsw_bytes"] > row["raw_bytes"]  # the graph's links cost memory
        assert row["flat_max_score_error"] < 1e-4
        assert row["hnsw_recall"] >= 0.95
        assert min(row["hnsw_query_ms"], row["flat_query_ms"], row["numpy_query_ms"]) > 0
    assert m.embedding_dim == 384
    assert m.torch_threads_used == 1


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 2
    for figure in report.figures:
        assert Path(figure).read_bytes().startswith(b"\x89PNG")
    assert (Path(report.figures[0]).parent / "report.json").is_file()


def test_docstring_examples(run_doctests: Callable[..., doctest.TestResults]) -> None:
    assert run_doctests(vs, raise_on_error=True).attempted >= 1


def test_exact_search_by_hand() -> None:
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    scores, ids = vs.exact_search(vectors, np.array([[0.8, 0.6]], dtype=np.float32), 2)
    assert ids.tolist() == [[2, 0]]  # scores 0.8, 0.6, 0.96: best first
    assert scores[0].tolist() == pytest.approx([0.96, 0.8])
    assert vs.recall_at_k(np.array([[0, 2]]), np.array([[2, 1]])) == 0.5


def test_faiss_flat_equals_numpy_and_hnsw_recalls_it() -> None:
    rng = np.random.default_rng(1)
    base = vs.embed(["a red apple", "the stock market fell", "a cat on the mat", "rainy days"])
    vectors = vs.vectors_like(base, 2_000, rng)
    queries = vs.vectors_like(base, 50, rng)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    exact_scores, exact = vs.exact_search(vectors, queries, 10)
    flat_scores, flat = vs.flat_index(vectors).search(queries, 10)
    assert np.abs(flat_scores - exact_scores).max() < 1e-5
    assert vs.recall_at_k(flat, exact) >= 0.99  # ids may differ only on float-level ties
    _, hnsw = vs.hnsw_index(vectors, vs.Config()).search(queries, 10)
    assert vs.recall_at_k(hnsw, exact) >= 0.95
    assert vs.index_bytes(vs.flat_index(vectors)) >= vectors.nbytes


def test_logistic_regression_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 6))
    y = (x @ rng.standard_normal(6) + 0.5 * rng.standard_normal(120) > 0).astype(float)
    for c in (0.1, 10.0):
        weights, bias = vs.fit_logistic_regression(x, y, c)
        ref = LogisticRegression(C=c, tol=1e-12, max_iter=10_000).fit(x, y)
        assert np.abs(weights - ref.coef_[0]).max() < 1e-4
        assert bias == pytest.approx(ref.intercept_[0], abs=1e-4)
        ours = vs.predict_proba(x, weights, bias)
        assert np.abs(ours - ref.predict_proba(x)[:, 1]).max() < 1e-5


def test_logistic_regression_optimum_by_hand() -> None:
    # Symmetric data, no penalty on b: by symmetry b = 0 and the gradient in w is zero there.
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    weights, bias = vs.fit_logistic_regression(x, y, c=1.0)
    p = vs.predict_proba(x, weights, bias)
    assert bias == pytest.approx(0.0, abs=1e-9)
    assert (x[:, 0] @ (p - y)) + weights[0] == pytest.approx(0.0, abs=1e-9)


def test_embedding_pools_only_real_tokens() -> None:
    short, long = "a lovely sofa", "a much longer review that pads the short one in a batch"
    alone = vs.encode([short])[0]
    batched = vs.encode([short, long])[0]
    assert np.abs(alone - batched).max() < 1e-5  # padding must not leak into the mean
    assert np.linalg.norm(alone) == pytest.approx(1.0, abs=1e-5)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_one_thread_is_restored() -> None:
    import faiss
    import torch

    torch_before, faiss_before = torch.get_num_threads(), faiss.omp_get_max_threads()
    with vs.one_thread():
        assert torch.get_num_threads() == faiss.omp_get_max_threads() == 1
    assert (torch.get_num_threads(), faiss.omp_get_max_threads()) == (torch_before, faiss_before)


def test_reviews_are_balanced_with_unseen_test_words() -> None:
    rng = np.random.default_rng(0)
    train, test = vs.make_reviews(60, "train", rng), vs.make_reviews(40, "test", rng)
    assert sum(r.label for r in train) == 30
    assert sum(r.label for r in test) == 20
    for label in (0, 1):
        assert not set(vs.WORDS[("train", label)]) & set(vs.WORDS[("test", label)])
    test_words = {w for (split, _), words in vs.WORDS.items() if split == "test" for w in words}
    for review in train:
        assert not set(review.text.rstrip(".!").replace(",", "").split()) & test_words


def test_documents_hold_the_answers(
    collection: tuple[list[vs.Document], list[vs.Question]],
) -> None:
    documents, questions = collection
    assert len(documents) == 25
    assert len(questions) == 50
    for q in questions:
        doc = documents[q.document]
        assert q.answer in doc.answers
        assert q.answer in doc.text
        assert q.answer not in q.text  # the answer is never in the question
    full_docs, full_questions = vs.make_documents(16, 3, np.random.default_rng(0))
    assert 50 <= len(full_docs) <= 200
    assert len(full_questions) == 6 * len(full_docs)


def test_random_labels_flip_the_text_alone_verdict(
    reviews: tuple[list[vs.Review], list[vs.Review], np.ndarray, np.ndarray],
) -> None:
    train, test, x_train, x_test = reviews
    config = vs.Config.fast()
    honest = vs.sentiment_experiment(train, test, x_train, x_test, config, np.random.default_rng(0))
    assert vs.text_alone_claim(honest, config).supported
    broken_config = replace(config, random_labels=True)
    broken = vs.sentiment_experiment(
        train, test, x_train, x_test, broken_config, np.random.default_rng(0)
    )
    assert broken["text_alone"] < 0.7
    assert vs.text_alone_claim(broken, broken_config).supported is False


@pytest.mark.parametrize("store", ["shuffled", "missing"])
def test_a_broken_store_flips_the_retrieval_verdict(
    collection: tuple[list[vs.Document], list[vs.Question]], store: str
) -> None:
    documents, questions = collection
    config = replace(vs.Config.fast(), store=store)
    qa = vs.private_qa_experiment(documents, questions, config, np.random.default_rng(0))
    assert qa["retrieval_at_3"] < 0.5
    assert vs.store_answers_claim(qa, config).supported is False
    intact = vs.private_qa_experiment(
        documents, questions, vs.Config.fast(), np.random.default_rng(0)
    )
    assert vs.store_answers_claim(intact, vs.Config.fast()).supported


def test_an_unknown_store_layout_is_a_clear_error(
    collection: tuple[list[vs.Document], list[vs.Question]],
) -> None:
    documents, questions = collection
    with pytest.raises(ValueError, match="store must be intact, shuffled or missing"):
        vs.store_layout(documents, questions, replace(vs.Config.fast(), store="empty"))


def test_a_broken_run_reports_the_flipped_verdicts(tmp_path: Path) -> None:
    config = replace(
        vs.Config.fast(), random_labels=True, store="shuffled", store_sizes=(500, 1_000)
    )
    broken = vs.run(config, LabContext(tmp_path, show_progress=False))
    verdicts = {claim.text: claim.supported for claim in broken.claims}
    assert verdicts[broken.claims[0].text] is False  # text alone no longer "suffices"
    assert verdicts[broken.claims[3].text] is False  # the store no longer answers
    assert broken.claims[2].supported  # closed-book stays near chance either way
