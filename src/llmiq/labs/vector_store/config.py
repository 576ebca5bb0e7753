"""The vector-store lab's configuration: the full run, and the seconds-long ``fast()`` one.

The private-facts thresholds were fixed before the first measurement, from the task's design
(four candidates: chance is 0.25); the sentiment ones come from the lab's earlier point-estimate
verdicts (see ``min_text_accuracy``); the prompt format was chosen on tuning seeds (see
``tuning``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    # (a) sentiment from the review text alone
    train_reviews: int = 160  # generated training reviews (half positive)
    test_reviews: int = 200  # held-out reviews, written with sentiment words unseen in training
    random_labels: bool = False  # labels drawn at random: breaks "text alone suffices"
    l2_c: float = 10.0  # inverse L2 strength of the logistic regression (scikit-learn's C)
    neighbours: int = 5  # k nearest training reviews a retrieval variant uses
    # (b) private facts read by SmolLM2-135M-Instruct
    asked_documents: int = 6  # documents asked about per seed, two questions each
    closed_book_documents: int = 12  # the no-documents arm is also asked about this many
    # documents of the medium collection (a row costs little; its claim needs more questions)
    small_documents: int = 12  # a collection that fits (~0.4k tokens, a twentieth of the window)
    medium_documents: int = 24  # one twice as long, read whole only (~0.8k tokens)
    large_documents: int = 300  # the collection that does not (~9k tokens > 8192)
    distractors: int = 3  # wrong candidates per question: chance is 1 / (distractors + 1)
    k: int = 2  # passages retrieved for the reader (two documents: four facts)
    prompt_format: str = "chat"  # "chat" or "plain": chosen on tuning seeds (tuning.py)
    store: str = "intact"  # "shuffled" hands each question another's passages; "missing"
    # leaves the asked documents out of every store and collection: both break the arms
    reader_batch: int = 16  # questions per forward pass
    # the store itself: FAISS HNSW against exact search, and what it costs as it grows
    hnsw_m: int = 32  # HNSW graph degree (links per vector per layer)
    hnsw_ef_construction: int = 40  # candidate list while building the graph
    hnsw_ef_search: int = 64  # candidate list while searching: the recall / speed knob
    store_sizes: tuple[int, ...] = (1_000, 3_000, 10_000)  # vectors in the cost sweep
    cost_k: int = 10  # neighbours asked for in the cost sweep (recall@10 vs exact)
    latency_queries: int = 100  # single-vector queries timed per store size
    # thresholds, fixed before measuring; a verdict needs the whole 95% interval past them
    min_text_accuracy: float = 0.75  # "text alone suffices": held-out accuracy above this
    # (0.80 when it was decided on the point estimate; the interval's lower end at 0.80 would
    # need ~500 held-out reviews per verdict for a true accuracy of 0.85)
    material_gain: float = 0.05  # sentiment: retrieval "changes nothing material" below this
    max_no_context: float = 0.40  # "at chance" without the documents: chance 0.25 + 0.15
    min_reading_gain: float = 0.30  # "the reader answers": expected accuracy above chance + this
    material_difference: float = 0.15  # "as well as": accuracy difference within this
    min_index_recall: float = 0.95  # HNSW vs exact search, recall@k above this

    @classmethod
    def fast(cls) -> Config:
        return cls(
            train_reviews=160,
            test_reviews=200,
            asked_documents=2,
            closed_book_documents=2,
            small_documents=6,
            medium_documents=9,
            store_sizes=(1_000, 3_000),
            latency_queries=100,
            # fast mode's retrieval arms are 12 rows of 60-125 tokens: in one batch every row
            # is padded to the longest (1,488 tokens run for 1,177), in batches of 4 rows of
            # similar length to 1,340; the reader's largest cost, about 1.2 CPU seconds less
            reader_batch=4,
        )
