"""The vector-store lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    train_reviews: int = 240  # generated training reviews (half positive)
    test_reviews: int = 160  # held-out reviews, written with sentiment words unseen in training
    random_labels: bool = False  # labels drawn at random: breaks "text alone suffices"
    l2_c: float = 10.0  # inverse L2 strength of the logistic regression (scikit-learn's C)
    neighbours: int = 5  # k nearest training reviews a retrieval variant uses
    docs_per_kind: int = 16  # private documents per kind (4 kinds + as many policies; <= 16)
    paraphrases: int = 3  # questions per fact, each worded differently (<= 3)
    store: str = "intact"  # "intact"; "shuffled" embeddings or "missing" documents break it
    k: int = 3  # retrieval@k counts a question as found if its document is in the top k
    hnsw_m: int = 32  # HNSW graph degree (links per vector per layer)
    hnsw_ef_construction: int = 40  # candidate list while building the graph
    hnsw_ef_search: int = 64  # candidate list while searching: the recall / speed knob
    store_sizes: tuple[int, ...] = (1_000, 5_000, 20_000)  # vectors in the cost sweep
    cost_k: int = 10  # neighbours asked for in the cost sweep (recall@10 vs exact)
    latency_queries: int = 200  # single-vector queries timed per store size
    latency_questions: int = 30  # questions embedded one at a time to time a real query
    min_text_accuracy: float = 0.80  # "text alone suffices": held-out accuracy at least this
    material_gain: float = 0.05  # retrieval "changes nothing material": gain below this
    max_closed_book: float = 0.20  # "near chance" without a store: accuracy at most this
    min_recall: float = 0.80  # "the store finds them": retrieval@k at least this
    min_answer_gain: float = 0.40  # ... and answers this much more often than closed-book
    min_index_recall: float = 0.95  # HNSW vs exact search, recall@k at least this

    @classmethod
    def fast(cls) -> Config:
        return cls(
            train_reviews=80,
            test_reviews=100,
            docs_per_kind=5,
            paraphrases=1,
            store_sizes=(1_000, 5_000),
            latency_queries=100,
            latency_questions=8,
        )
