"""Vector-store lab (seed question 2, "vector-store", answer: No, not every use case needs one).

A vector store keeps embeddings of texts so that the ones nearest a query can be found and
handed to a model: retrieval-augmented generation (Lewis et al. 2020, "Retrieval-Augmented
Generation for Knowledge-Intensive NLP Tasks"). Whether one is needed depends on where the
facts a task needs are, and on whether they fit in the model's prompt. The lab measures
both with real pretrained models, on every reported seed (3 in full mode), each verdict
decided on a 95% bootstrap interval over items and seeds:

(a) Sentiment from the text alone. Reviews generated from templates, the training and test
    reviews written with disjoint sentiment words ("superb" vs "splendid"), are classified by
    a logistic regression (Newton's method, from scratch, checked against scikit-learn) on
    the all-MiniLM-L6-v2 embedding (Reimers & Gurevych 2019, "Sentence-BERT"; Wang et al.
    2020, "MiniLM"), and by two retrieval variants over a FAISS index of the training
    reviews (the label vote of the 5 nearest, and the classifier given their mean embedding):
    the input holds everything, and retrieval adds nothing.
(b) Private facts, read by a language model. SmolLM2-135M-Instruct (Allal et al. 2025) answers
    questions about the generated internal documents of a fictional company (two facts per
    document, names and amounts drawn at random, several wordings per question), scored by
    the log-likelihood of each of four candidate answers (the claims use the probability it
    puts on the right one, its expected accuracy; chance 0.25). Arms: no documents; a whole
    collection in the prompt; the top 2 passages from the vector store (MiniLM + FAISS
    HNSW); the top 2 from BM25 (``bm25s``). Per seed three nested collections: 12 documents
    (~0.4k tokens, read whole and through the store), 24 (~0.7k, read whole) and 300 (~8.8k
    tokens: SmolLM2's 8192-token window cannot hold it, so that whole-collection arm is
    counted, not run; BM25 and the store search it). Cost: prompt tokens and CPU seconds per
    question. Compared with Lewis et al. 2020 (RAG-Sequence over the closed-book T5-11B on
    Natural Questions: 44.5 vs 34.5 exact match), Liu et al. 2024, "Lost in the Middle"
    (accuracy "substantially decreases as the input context grows longer, even for
    explicitly long-context models"), and Sciavolino et al. 2021, "Simple
    Entity-Centric Questions Challenge Dense Retrievers" (BM25 beats dense retrieval on
    questions naming an entity: 72.0 vs 49.7 top-20 on EntityQuestions).
(c) The store itself: FAISS (Johnson et al. 2019, "Billion-scale similarity search with GPUs")
    HNSW (Malkov & Yashunin 2018) against exact numpy search (recall@10) and what it costs
    (build time, bytes, per-query latency) on 1k-10k vectors drawn around the real
    embeddings. FAISS was chosen over hnswlib, annoy and usearch because one API holds exact
    and approximate indexes and reports an index's serialised size.

Torch, FAISS and BLAS run on one thread. Left out: generating free-text answers (a 135M model
is scored on candidates instead), a larger reader (Gemma 3 270M, twice the parameters, would
double a run that is already at its time budget), reading the large collection truncated to
the window (only the share of its documents that would fit is reported: a truncated prompt
of ~8k tokens costs about a minute of CPU per seed), long collections read in pieces
(map-reduce), document chunking (documents are two sentences), re-ranking and hybrid search
(the retrieval lab fuses BM25 and MiniLM), index persistence and updates, and product
quantisation.

One idea per module: ``reviews`` and ``documents`` (the data), ``encoder`` (MiniLM),
``scratch`` (exact search and logistic regression from scratch), ``store`` (FAISS indexes and
timing), ``retrievers`` (BM25 and the vector store), ``reader`` (SmolLM2 scoring candidates),
``sentiment``, ``private_qa`` and ``costs`` (the measurements), ``claims``, ``figures``,
``config``, ``experiment`` (the run) and ``tuning`` (the prompt format, on tuning seeds).
"""

from llmiq.labs.vector_store.claims import (
    keyword_claim,
    large_collection_claim,
    no_context_claim,
    reading_degrades_claim,
    store_adds_nothing_claim,
    text_alone_claim,
    whole_collection_claim,
)
from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.documents import (
    Document,
    Question,
    make_collections,
    make_documents,
    make_questions,
)
from llmiq.labs.vector_store.encoder import embed, encode, one_thread
from llmiq.labs.vector_store.experiment import Metrics, VectorStoreMetrics, run
from llmiq.labs.vector_store.private_qa import ARMS, SeedResult, private_facts, summary
from llmiq.labs.vector_store.reader import PromptFormat, Reader, Row
from llmiq.labs.vector_store.retrievers import bm25_top_k, dense_top_k
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
    "ARMS",
    "WORDS",
    "Config",
    "Document",
    "Metrics",
    "PromptFormat",
    "Question",
    "Reader",
    "Review",
    "Row",
    "SeedResult",
    "VectorStoreMetrics",
    "bm25_top_k",
    "dense_top_k",
    "embed",
    "encode",
    "exact_search",
    "fit_logistic_regression",
    "flat_index",
    "hnsw_index",
    "index_bytes",
    "keyword_claim",
    "large_collection_claim",
    "make_collections",
    "make_documents",
    "make_questions",
    "make_reviews",
    "no_context_claim",
    "one_thread",
    "predict_proba",
    "private_facts",
    "reading_degrades_claim",
    "recall_at_k",
    "run",
    "sentiment_experiment",
    "store_adds_nothing_claim",
    "summary",
    "text_alone_claim",
    "vectors_like",
    "whole_collection_claim",
]
