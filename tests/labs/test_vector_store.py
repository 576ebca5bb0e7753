"""The vector-store lab: sentiment needs no store; private facts need to be supplied, a
collection that fits can be read whole, one that exceeds the window needs retrieval; the
reader's batched scoring against a plain forward pass; the FAISS index against exact search;
from-scratch logistic regression against scikit-learn; and broken set-ups (random labels,
shuffled passages, missing documents, a wider window, a starved HNSW graph) that flip the
verdicts."""

from __future__ import annotations

import doctest
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from llmiq.labs import pretrained
from llmiq.labs import vector_store as vs
from llmiq.labs.report import LabReport
from llmiq.labs.vector_store.claims import cost_claim, index_claim
from llmiq.labs.vector_store.costs import store_costs

pytestmark = pytest.mark.slow  # torch; most tests here load or run a model

SEEDS = (0,)


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("vector-store")


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small tensors and single queries: one thread, as the lab itself runs."""
    with vs.one_thread():
        yield


@pytest.fixture(scope="module")
def reader(model_home: Path) -> vs.Reader:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        loaded = pretrained.load_smollm2("vector-store")
    return vs.Reader(loaded.model, loaded.tokenizer, vs.PromptFormat("chat"))


#: six documents asked about (twelve questions): enough for a broken arm to show, and for the
#: intact large-collection claim to clear its threshold
FLIP = replace(
    vs.Config.fast(),
    asked_documents=6,
    closed_book_documents=6,
    small_documents=12,
    medium_documents=14,
)


@pytest.fixture(scope="module")
def intact(reader: vs.Reader) -> vs.SeedResult:
    return vs.private_facts(reader, FLIP, np.random.default_rng(0), lambda steps=1: None)


@pytest.fixture(scope="module")
def reviews() -> tuple[list[vs.Review], list[vs.Review], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    train, test = vs.make_reviews(160, "train", rng), vs.make_reviews(200, "test", rng)
    return train, test, vs.embed([r.text for r in train]), vs.embed([r.text for r in test])


def _claims(runs: list[vs.SeedResult], config: vs.Config, window: int = 8192) -> dict[str, bool]:
    summary = vs.summary(runs)
    return {
        "no context": vs.no_context_claim(runs, config, SEEDS).supported,
        "whole": vs.whole_collection_claim(runs, summary, config, SEEDS).supported,
        "large": vs.large_collection_claim(runs, summary, config, SEEDS, window).supported,
    }


def test_the_claims_that_fast_mode_can_decide_are_supported(report: LabReport) -> None:
    """--fast asks 4 questions of one seed: enough for the sentiment, index and cost claims,
    too few for the reading claims' intervals to clear their thresholds reliably (those are
    decided in full mode, and tested below on their measurements and their flips)."""
    assert (report.lab, report.question) == ("vector-store", "vector-store")
    assert len(report.claims) == 10
    for i in (0, 1, 8, 9):
        assert report.claims[i].supported, report.claims[i]


def test_reading_the_documents_beats_reading_none(report: LabReport) -> None:
    p = report.metrics.private_facts["p_answer"]
    for arm in ("whole_small", "faiss_small", "faiss_large"):
        assert p[arm] >= p["no_context"] + 0.3, arm


def test_every_claim_has_an_interval_and_the_runs_seeds(report: LabReport) -> None:
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.measure, claim.text
        assert claim.interval.over.startswith("1 seed x "), claim.text
        assert claim.seeds == report.seeds == (0,)
        assert "[" in claim.evidence, claim.text  # the interval is quoted


def test_the_report_names_the_models_and_the_tuned_setting(report: LabReport) -> None:
    ids = [model["id"] for model in report.models]
    assert ids == ["smollm2-135m-instruct", "all-minilm-l6-v2"]
    assert report.models[1]["parameters"] == 22_713_216
    assert "1000-1002" in report.tuning["prompt format"]


def test_metrics_are_in_sane_ranges(report: LabReport) -> None:
    m = report.metrics
    s = m.sentiment
    assert s["majority"] == 0.5
    assert 0.8 <= s["text_alone"] <= 1.0
    assert s["text_alone_plain"] > s["text_alone_negated"]  # negation is the encoder's blind spot
    qa = m.private_facts
    assert (qa["questions"], qa["candidates"]) == (4, 4)
    assert list(qa["accuracy"]) == list(vs.ARMS)
    assert qa["accuracy"]["no_context"] <= 0.5
    assert qa["large_collection_min_tokens"] > m.reader["window"] == 8192
    assert 0.5 < qa["large_fits_share"] < 1
    assert qa["small_collection_tokens"] < 1_000
    tokens = qa["prompt_tokens"]
    assert tokens["no_context"] < tokens["faiss_small"] < tokens["whole_small"]
    assert tokens["whole_small"] < tokens["whole_medium"] < 1_000
    assert min(qa["retrieval_at_k"].values()) >= 0.5
    assert qa["retrieval_at_k_by_question"]["named"]["bm25_large"] in (None, 1.0)
    assert min(qa["cpu_seconds_per_question"].values()) > 0
    assert [row["n"] for row in m.store_costs] == [1_000, 3_000]
    for row in m.store_costs:
        assert row["raw_bytes"] == row["n"] * 384 * 4
        assert row["hnsw_bytes"] > row["raw_bytes"]  # the graph's links cost memory
        assert row["flat_max_score_error"] < 1e-4
        assert min(row["hnsw_query_ms"], row["flat_query_ms"], row["numpy_query_ms"]) > 0
    assert m.embedding_dim == 384
    assert m.torch_threads_used == 1


def test_figures_are_png_files(report: LabReport) -> None:
    assert len(report.figures) == 3
    for figure in report.figures:
        assert Path(figure).read_bytes().startswith(b"\x89PNG")
    assert (Path(report.figures[0]).parent / "report.json").is_file()


def test_docstring_examples(run_doctests: Callable[..., doctest.TestResults]) -> None:
    assert run_doctests(vs, raise_on_error=True).attempted >= 1


def test_tree_scoring_equals_one_forward_per_candidate(reader: vs.Reader) -> None:
    """Every candidate of every row in one batched pass (shared prefix cached, a 4-D mask per
    row) must give the log-probabilities of scoring each prompt + candidate on its own."""
    fmt = reader.format
    rows = [
        vs.Row(fmt.documents(["Project Copperleaf is led by Noor Halvik."]),
               "Who leads Project Copperleaf?", ("Noor Halvik", "Dorian Pell", "Ana Dufresne")),
        vs.Row("", "How many desks does the Oakby office have?", ("12 desks", "7", "140 desks")),
    ]  # fmt: skip
    prefix = reader.prefix(fmt.prefix())
    batched = vs.Reader(reader.model, reader.tokenizer, fmt, batch=2).score(prefix, rows)
    for row, scored in zip(rows, batched, strict=True):
        prompt = prefix.ids + reader.ids(row.context) + reader.ids(fmt.question(row.question))
        for candidate, got in zip(row.candidates, scored.logprobs, strict=True):
            answer = reader.ids(fmt.answer(candidate))
            with torch.no_grad():
                logits = reader.model(input_ids=torch.tensor([prompt + answer])).logits[0]
            logprobs = torch.log_softmax(logits, -1)
            expected = sum(float(logprobs[len(prompt) - 1 + j, t]) for j, t in enumerate(answer))
            assert got == pytest.approx(expected, abs=1e-3)
        assert scored.prompt_tokens == len(prompt) - len(prefix.ids)


def test_extending_a_cached_prefix_equals_reading_it_at_once(reader: vs.Reader) -> None:
    """The medium collection's prompt extends the small one's cache: scores must not change."""
    fmt = reader.format
    first, more = ["Project Copperleaf is led by Noor Halvik."], ["The Oakby office has 12 desks."]
    row = vs.Row("", "Who leads Project Copperleaf?", ("Noor Halvik", "Dorian Pell"))
    head = fmt.prefix() + fmt.documents(first)
    extended = reader.prefix(fmt.passages(more), after=reader.prefix(head))
    at_once = reader.prefix(head + fmt.passages(more))
    assert extended.ids == at_once.ids  # the tokeniser splits at the line break either way
    got = reader.score(extended, [row])[0].logprobs
    assert got == pytest.approx(reader.score(at_once, [row])[0].logprobs, abs=1e-3)
    assert got[0] > got[1]


def test_the_large_collection_cannot_be_read_whole(reader: vs.Reader) -> None:
    small, large = vs.make_collections(24, 300, np.random.default_rng(0))
    fmt = reader.format
    text = fmt.prefix() + fmt.documents([d.text for d in large])
    assert reader.tokens(text) > reader.window == 8192
    with pytest.raises(ValueError, match="exceeds the 8192-token window"):
        reader.prefix(text)
    assert reader.tokens(fmt.documents([d.text for d in small])) < 1_000


def test_collections_hold_the_answers() -> None:
    small, large = vs.make_collections(24, 300, np.random.default_rng(0))
    assert large[:24] == small
    assert len({d.id for d in large}) == 300
    subjects = [d.subject for d in large if d.subject]
    assert len(set(subjects)) == len(subjects) == 292  # the eight policies have no subject
    questions = vs.make_questions(small[:6], np.random.default_rng(1))
    assert len(questions) == 12
    for q in questions:
        doc = large[q.document]
        assert q.answer in doc.answers
        assert q.answer in doc.text
        assert q.answer not in q.text  # the answer is never in the question
        assert len(set(q.candidates)) == 4
        assert q.candidates[q.correct] == q.answer
    again, rest = vs.make_collections(24, 300, np.random.default_rng(1))
    assert again != small  # each seed draws its own small collection ...
    assert rest[24:] == large[24:]  # ... not the rest of the company's documents


def test_both_retrievers_find_the_asked_documents(intact: vs.SeedResult) -> None:
    for name, found in intact.found.items():
        assert found.mean() >= 0.75, name


def test_an_intact_run_supports_the_large_collection_claim(intact: vs.SeedResult) -> None:
    assert _claims([intact], FLIP)["large"] is True


def test_shuffled_passages_drop_the_retrieval_arms_to_no_context(
    reader: vs.Reader, intact: vs.SeedResult
) -> None:
    config = replace(FLIP, store="shuffled")
    broken = vs.private_facts(reader, config, np.random.default_rng(0), lambda steps=1: None)
    none = broken.arms["no_context"].p_answer.mean()
    for arm in ("faiss_small", "faiss_large"):
        assert broken.arms[arm].p_answer.mean() <= none + 0.25, arm
        assert intact.arms[arm].p_answer.mean() >= broken.arms[arm].p_answer.mean() + 0.4, arm
    assert broken.arms["whole_small"].p_answer.mean() >= none + 0.3  # untouched
    assert _claims([broken], config)["large"] is False


def test_missing_documents_drop_the_whole_collection_arm(reader: vs.Reader) -> None:
    config = replace(FLIP, store="missing")
    broken = vs.private_facts(reader, config, np.random.default_rng(0), lambda steps=1: None)
    assert broken.found["faiss_large"].mean() == broken.found["bm25_large"].mean() == 0
    none = broken.arms["no_context"].p_answer.mean()
    for arm in ("whole_small", "whole_medium", "faiss_small", "bm25_large", "faiss_large"):
        assert broken.arms[arm].p_answer.mean() <= none + 0.25, arm
    claims = _claims([broken], config)
    assert (claims["whole"], claims["large"]) == (False, False)


def test_a_window_that_holds_the_large_collection_flips_the_large_claim(
    intact: vs.SeedResult,
) -> None:
    """A long-context model (128k tokens) could read the 300 documents whole: then retrieval
    is no longer needed on that account, and the claim must say so."""
    assert _claims([intact], FLIP, window=131_072)["large"] is False


def test_an_unknown_store_layout_is_a_clear_error(reader: vs.Reader) -> None:
    with pytest.raises(ValueError, match="store must be intact, shuffled or missing"):
        vs.private_facts(
            reader, replace(FLIP, store="empty"), np.random.default_rng(0), lambda s=1: None
        )


def test_random_labels_flip_the_text_alone_verdict(
    reviews: tuple[list[vs.Review], list[vs.Review], np.ndarray, np.ndarray],
) -> None:
    train, test, x_train, x_test = reviews
    config = vs.Config.fast()
    honest = vs.sentiment_experiment(train, test, x_train, x_test, config, np.random.default_rng(0))
    assert vs.text_alone_claim([honest], config, SEEDS).supported
    broken_config = replace(config, random_labels=True)
    broken = vs.sentiment_experiment(
        train, test, x_train, x_test, broken_config, np.random.default_rng(0)
    )
    assert broken["text_alone"].mean() < 0.7
    assert vs.text_alone_claim([broken], broken_config, SEEDS).supported is False


def test_a_starved_hnsw_graph_flips_the_index_claim() -> None:
    base = vs.embed(["a red apple", "the stock market fell", "a cat on the mat", "rainy days"])
    config = replace(vs.Config.fast(), store_sizes=(4_000,))
    good = store_costs(base, config, np.random.default_rng(0), lambda steps=1: None)
    assert index_claim([good], config, SEEDS).supported
    assert cost_claim([good], SEEDS).supported
    starved = replace(config, hnsw_m=2, hnsw_ef_construction=2, hnsw_ef_search=1)
    bad = store_costs(base, starved, np.random.default_rng(0), lambda steps=1: None)
    assert index_claim([bad], starved, SEEDS).supported is False


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


def test_bm25_matches_the_retrieval_labs_bm25() -> None:
    """bm25s (the library the lab retrieves with) ranks as BM25 written from scratch does."""
    from llmiq.labs.retrieval.bm25 import BM25, tokenize

    small, _ = vs.make_collections(24, 24, np.random.default_rng(0))
    texts = [d.text for d in small]
    queries = [q.text for q in vs.make_questions(small, np.random.default_rng(0))]
    ours = BM25([tokenize(t) for t in texts])
    found = vs.bm25_top_k(texts, queries, 1)[:, 0]
    best = [ours.scores(tokenize(q)) for q in queries]
    agree = np.mean([s[f] == s.max() for s, f in zip(best, found, strict=True)])
    assert agree >= 0.9  # the stopword lists and tokenisers differ slightly


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
