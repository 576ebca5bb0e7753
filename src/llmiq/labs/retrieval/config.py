"""The retrieval lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    """Settings are fixed a priori (retriever constants at their published defaults), except
    ``size_contrast``, chosen on tuning seeds (``python -m llmiq.labs.retrieval.tuning``)."""

    n_documents: int = 160  # stdlib docstrings indexed (the corpus); chance recall@k is k/N
    queries_per_document: int = 3  # held-out sentences per document; the seeds share them
    # out (3 seeds: one query per document each; one seed asks all of them)
    min_sentences: int = 5  # sentences a document keeps besides its held-out ones
    max_words: int = 160  # a document is cut after this many words, at a sentence end
    chunk_sizes: tuple[int, ...] = (16, 32, 64, 128)  # words per chunk, no overlap
    overlap_chunks: tuple[tuple[int, int], ...] = ((32, 16),)  # (words, overlap) chunkings
    ks: tuple[int, ...] = (1, 5, 10)  # recall@k
    judge_k: int = 5  # the k the verdicts use
    rrf_k: int = 60  # reciprocal rank fusion constant (Cormack et al. 2009)
    bm25_k1: float = 1.5  # BM25 term-frequency saturation
    bm25_b: float = 0.75  # BM25 length normalisation
    max_tokens: int = 256  # MiniLM's max_seq_length: longer chunks are cut
    size_contrast: tuple[str, str, str] = ("bm25", "128", "16")  # (method, better, worse)
    # chunkings the chunk-size verdict compares: the largest recall@5 spread on seeds
    # 1000-1002 (tuning.py), so the verdict does not pick its best and worst after the fact
    max_jaccard: float = 0.5  # "miss different queries": fewer than half the misses shared
    hybrid_margin: float = 0.02  # "at least as good": never more than 2 points worse
    shuffle_embeddings: bool = False  # True: chunk vectors permuted (a broken set-up)
    sparse_method: str = "bm25"  # "dense" puts the dense retriever in BM25's place (broken)

    @classmethod
    def fast(cls) -> Config:
        """30 documents, three queries each, and two far-apart chunk sizes (compared as
        the larger minus the smaller, a priori): with 90 queries only a large difference
        can show."""
        return cls(
            n_documents=30,
            chunk_sizes=(8, 128),
            overlap_chunks=(),
            size_contrast=("bm25", "128", "8"),
        )
