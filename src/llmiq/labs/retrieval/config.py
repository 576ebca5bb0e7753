"""The retrieval lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    n_documents: int = 160  # stdlib docstrings indexed (the corpus); chance recall@k is k/N
    queries_per_document: int = 2  # held-out sentences per document (the queries)
    min_sentences: int = 5  # sentences a document keeps besides its queries
    max_words: int = 160  # a document is cut after this many words, at a sentence end
    chunk_sizes: tuple[int, ...] = (16, 32, 64, 128)  # words per chunk, no overlap
    overlap_chunks: tuple[tuple[int, int], ...] = ((32, 16),)  # (words, overlap) chunkings
    ks: tuple[int, ...] = (1, 5, 10)  # recall@k
    judge_k: int = 5  # the k the verdicts use
    rrf_k: int = 60  # reciprocal rank fusion constant (Cormack et al. 2009)
    bm25_k1: float = 1.5  # BM25 term-frequency saturation
    bm25_b: float = 0.75  # BM25 length normalisation
    max_tokens: int = 256  # MiniLM's max_seq_length: longer chunks are cut
    alpha: float = 0.05  # significance level of the tests behind the verdicts
    shuffle_embeddings: bool = False  # True: chunk vectors permuted (a broken set-up)
    sparse_method: str = "bm25"  # "dense" puts the dense retriever in BM25's place (broken)

    @classmethod
    def fast(cls) -> Config:
        """30 documents, three queries each, and two far-apart chunk sizes: with 90 queries
        only a large difference can show."""
        return cls(
            n_documents=30,
            queries_per_document=3,
            chunk_sizes=(8, 128),
            overlap_chunks=(),
        )
