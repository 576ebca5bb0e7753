"""The vector-store lab's run: both tasks and the costs, judged; what it measured, as
``VectorStoreMetrics``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np
import torch

from llmiq.labs.context import LabContext
from llmiq.labs.report import LabResult
from llmiq.labs.vector_store.claims import (
    closed_book_claim,
    cost_claim,
    index_claim,
    retrieval_adds_nothing_claim,
    store_answers_claim,
    text_alone_claim,
)
from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.costs import store_costs
from llmiq.labs.vector_store.documents import make_documents
from llmiq.labs.vector_store.encoder import embed, one_thread
from llmiq.labs.vector_store.figures import plot_costs, plot_tasks
from llmiq.labs.vector_store.private_qa import private_qa_experiment
from llmiq.labs.vector_store.reviews import make_reviews
from llmiq.labs.vector_store.sentiment import sentiment_experiment


@dataclass
class VectorStoreMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    sentiment: dict[str, float]
    train_reviews: int
    test_reviews: int
    random_labels: bool
    private_qa: dict[str, Any]
    store_costs: list[dict[str, float]]
    embedding_dim: int
    faiss_version: str
    hnsw: dict[str, int]
    torch_threads_used: int


Metrics = VectorStoreMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[VectorStoreMetrics]:
    with one_thread():
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[VectorStoreMetrics]:
    rng = np.random.default_rng(context.seed)
    train = make_reviews(config.train_reviews, "train", rng)
    test = make_reviews(config.test_reviews, "test", rng)
    documents, questions = make_documents(config.docs_per_kind, config.paraphrases, rng)
    texts = [r.text for r in (*train, *test)]
    texts += [d.text for d in documents] + [s for d in documents for s in d.sentences]
    texts += [q.text for q in questions] + sorted({a for d in documents for a in d.answers})

    with context.progress(len(set(texts)), "vector-store: embedding with MiniLM") as advance:
        vectors = embed(texts, advance=advance)
        x_train, x_test = vectors[: len(train)], vectors[len(train) : len(train) + len(test)]
        sentiment = sentiment_experiment(train, test, x_train, x_test, config, rng)
        qa = private_qa_experiment(documents, questions, config, rng)
    with context.progress(len(config.store_sizes), "vector-store: timing the store") as advance:
        costs = store_costs(vectors, config, rng, advance)

    claims = [
        text_alone_claim(sentiment, config),
        retrieval_adds_nothing_claim(sentiment, config),
        closed_book_claim(qa, config),
        store_answers_claim(qa, config),
        index_claim(qa, costs, config),
        cost_claim(qa, costs),
    ]
    k = min(config.k, qa["stored"])
    cb = max(qa["closed_book"]["most_common_answer"], qa["closed_book"]["question_only"])
    gain = max(sentiment["knn_vote"], sentiment["with_neighbours"]) - sentiment["text_alone"]
    key_figure = (
        f"sentiment {sentiment['text_alone']:.2f} from text alone ({gain:+.2f} with retrieval); "
        f"private QA {cb:.2f} without a store vs {qa['answer_accuracy']:.2f} with FAISS "
        f"(retrieval@{k} {qa[f'retrieval_at_{k}']:.2f})"
    )
    metrics = VectorStoreMetrics(
        sentiment={key: round(v, 4) for key, v in sentiment.items()},
        train_reviews=len(train),
        test_reviews=len(test),
        random_labels=config.random_labels,
        private_qa={key: (round(v, 6) if isinstance(v, float) else v) for key, v in qa.items()},
        store_costs=[
            {key: (round(v, 6) if isinstance(v, float) else v) for key, v in row.items()}
            for row in costs
        ],
        embedding_dim=int(vectors.shape[1]),
        faiss_version=faiss.__version__,
        hnsw={
            "M": config.hnsw_m,
            "ef_construction": config.hnsw_ef_construction,
            "ef_search": config.hnsw_ef_search,
        },
        torch_threads_used=torch.get_num_threads(),
    )
    figures = [plot_tasks(context, sentiment, qa, config), plot_costs(context, costs)]
    return LabResult(
        title="Sentiment needs no vector store; questions about private documents do",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
