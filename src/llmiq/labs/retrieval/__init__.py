"""Retrieval lab (question "chunk-size-recall", bank ``rag-agents``).

Does the chunk size change what a RAG system retrieves, and do dense and sparse retrievers
fail on the same queries? The lab builds a small benchmark from shipped text (``documents``:
prose docstrings of Python's standard library, one or more sentences of each held out as its
queries and removed from the index), chunks every document into fixed windows of words at
several sizes, with and without overlap (``chunking``), and retrieves the source document of
each query three ways:

- dense: the bundled all-MiniLM-L6-v2 (Reimers & Gurevych 2019, "Sentence-BERT"; Wang et al.
  2020, "MiniLM") embeds queries and chunks; exact inner-product search (``dense``);
- sparse: Okapi BM25 from scratch (Robertson & Zaragoza 2009), checked against the ``bm25s``
  library on the same tokens (``bm25``, ``library``);
- hybrid: reciprocal rank fusion of the two rankings (Cormack, Clarke & Buettcher 2009,
  "Reciprocal Rank Fusion outperforms Condorcet and individual Rank Learning Methods").

A document scores as its best chunk; recall@k (k = 1, 5, 10) and MRR are measured at the
document level, so every chunking answers the same question. Each document holds out three
sentences, drawn once per run; the index and its MiniLM embeddings are shared by the seeds,
each of which asks its own one of them (``retrieve``), so the 3 seeds of a full run are 3
disjoint samples of 160 queries. Verdicts, each on a 95% interval over seeds and queries
(nested bootstrap): both retrievers beat chance (recall@5 above k / N in every chunking);
recall@5 depends on the chunk size (the difference between the two chunkings named before
the run, chosen on tuning seeds 1000-1002 by ``tuning``, with Cochran's Q over every
chunking reported); the two miss different queries (the Jaccard overlap of their failure
sets below 0.5); and the hybrid is at least as good as each alone (non-inferior within 2
points in every chunking and metric). Literature figure compared with: hybrid retrieval
beating both of its parts, as reciprocal rank fusion did in Cormack et al. (RRF above every
system it fused on TREC), and chunk size mattering by several points of recall in the
chunking studies of RAG pipelines.

Left out: paraphrased or real user questions (the held-out sentences share the document's
words, which favours BM25), chunking by sentences, tokens or structure, rerankers,
approximate indexes (the vector-store lab measures HNSW), query expansion, and corpora
beyond a few hundred documents (MiniLM runs on 2 CPU cores here).

One idea per module: ``documents``, ``chunking``, ``dense``, ``bm25``, ``library``,
``evaluation`` (rankings, fusion, recall, MRR, Cochran's Q), ``retrieve`` (one measurement),
``tuning`` (the contrast), ``claims``, ``figures``, and ``config`` and ``experiment``.
"""

from llmiq.labs.retrieval.bm25 import BM25, STOPWORDS, tokenize
from llmiq.labs.retrieval.chunking import Chunk, chunk_corpus, chunk_words
from llmiq.labs.retrieval.claims import (
    above_chance_claim,
    chunk_size_claim,
    failures_claim,
    hybrid_claim,
)
from llmiq.labs.retrieval.config import Config
from llmiq.labs.retrieval.dense import embed, inner_products
from llmiq.labs.retrieval.documents import Document, build_benchmark, prose_sentences
from llmiq.labs.retrieval.evaluation import (
    cochran_q,
    document_scores,
    mrr,
    rank_of,
    rankings,
    recall_at,
    reciprocal_rank_fusion,
)
from llmiq.labs.retrieval.experiment import Metrics, RetrievalMetrics, run
from llmiq.labs.retrieval.library import bm25s_scores, compare_with_bm25s
from llmiq.labs.retrieval.retrieve import Benchmark, Measurement, benchmark, retrieve

__all__ = [
    "BM25",
    "STOPWORDS",
    "Benchmark",
    "Chunk",
    "Config",
    "Document",
    "Measurement",
    "Metrics",
    "RetrievalMetrics",
    "above_chance_claim",
    "benchmark",
    "bm25s_scores",
    "build_benchmark",
    "chunk_corpus",
    "chunk_size_claim",
    "chunk_words",
    "cochran_q",
    "compare_with_bm25s",
    "document_scores",
    "embed",
    "failures_claim",
    "hybrid_claim",
    "inner_products",
    "mrr",
    "prose_sentences",
    "rank_of",
    "rankings",
    "recall_at",
    "reciprocal_rank_fusion",
    "retrieve",
    "run",
    "tokenize",
]
