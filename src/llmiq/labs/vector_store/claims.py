"""The vector-store lab's verdicts, each decided on a 95% interval over items x seeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, nested_interval
from llmiq.labs.vector_store.config import Config
from llmiq.labs.vector_store.private_qa import SeedResult

Groups = Sequence[np.ndarray]  # one array of per-item values per seed


def _nested(groups: Groups, seeds: Sequence[int], items: str) -> Interval:
    sizes = {len(g) for g in groups}
    count = f"{sizes.pop()} {items}" if len(sizes) == 1 else items
    runs = f"{len(groups)} seed{'s' if len(groups) > 1 else ''}"
    return nested_interval(groups, seed=seeds[0], over=f"{runs} x {count}")


def _accuracy(runs: Sequence[SeedResult], arm: str) -> Groups:
    return [r.arms[arm].correct for r in runs]


def _gain(runs: Sequence[SeedResult], arm: str, base: str) -> Groups:
    """Per question, the gain in the probability of the right answer, ``arm`` - ``base``."""
    return [r.arms[arm].p_answer - r.arms[base].p_answer for r in runs]


#: The measure the reading claims are decided on: the probability the reader gives the right
#: answer, renormalised over the candidates (its expected accuracy when it samples among them).
#: Unlike the 0/1 accuracy it also credits a reader that is nearly right, which narrows the
#: intervals of differences between arms; accuracy is quoted beside it.
EXPECTED = "expected accuracy (probability of the right answer among the candidates)"


def text_alone_claim(
    sentiment: Sequence[dict[str, np.ndarray]], config: Config, seeds: Sequence[int]
) -> Claim:
    iv = _nested([s["text_alone"] for s in sentiment], seeds, "reviews")
    negated = np.concatenate([s["negated"] for s in sentiment])
    right = np.concatenate([s["text_alone"] for s in sentiment])
    return Claim.on_interval(
        "Sentiment is classified from the review text alone (MiniLM embedding + a linear "
        "classifier), with no store",
        iv,
        measure="held-out accuracy, text alone",
        evidence=f"held-out accuracy {iv.format('.3f')} on reviews written with sentiment "
        f"words never seen in training (needed above {config.min_text_accuracy:.2f}; "
        f"majority class 0.5); {right[~negated].mean():.3f} on plain reviews, "
        f"{right[negated].mean():.3f} on the {negated.mean():.0%} with a negation, which the "
        "embedding mostly misses",
        seeds=seeds,
        above=config.min_text_accuracy,
    )


def retrieval_adds_nothing_claim(
    sentiment: Sequence[dict[str, np.ndarray]], config: Config, seeds: Sequence[int]
) -> Claim:
    gains = {
        name: _nested([s[name] - s["text_alone"] for s in sentiment], seeds, "reviews")
        for name in ("knn_vote", "with_neighbours")
    }
    best = max(gains, key=lambda name: gains[name].high)  # the variant nearest to helping
    iv = gains[best]
    return Claim.on_interval(
        "Adding retrieval to the sentiment task changes nothing material",
        iv,
        measure=f"held-out accuracy gain, {best.replace('_', ' ')} - text alone",
        evidence=f"gain over the text alone with a FAISS index of the training reviews: "
        f"{config.neighbours}-NN label vote {gains['knn_vote'].format('+.3f')}, classifier "
        f"given the neighbours {gains['with_neighbours'].format('+.3f')} (material: "
        f"{config.material_gain:.2f}; the whole interval must stay below it)",
        seeds=seeds,
        below=config.material_gain,
    )


def no_context_claim(runs: Sequence[SeedResult], config: Config, seeds: Sequence[int]) -> Claim:
    iv = _nested([r.closed_book.p_answer for r in runs], seeds, "questions")
    n = round(1 / _chance(runs))
    accuracy = np.concatenate([r.closed_book.correct for r in runs]).mean()
    return Claim.on_interval(
        "Without the documents, the language model answers questions about private facts no "
        "better than chance",
        iv,
        measure="probability of the right answer among the candidates, SmolLM2 with no documents",
        evidence=f"SmolLM2-135M-Instruct given only the question (the facts of "
        f"{config.closed_book_documents} documents) puts {iv.format('.3f')} of its probability "
        f"on the right one of {n} candidates (chance {1 / n:.2f}; no better than chance: below "
        f"{config.max_no_context:.2f}); it picks the right one in {accuracy:.3f} of questions",
        seeds=seeds,
        below=config.max_no_context,
    )


def _chance(runs: Sequence[SeedResult]) -> float:
    return 1 / len(runs[0].questions[0].candidates)


def whole_collection_claim(
    runs: Sequence[SeedResult], summary: dict[str, Any], config: Config, seeds: Sequence[int]
) -> Claim:
    """Decided against chance, the no-documents level by design (the answer and its
    distractors are exchangeable), rather than against the no-documents arm's own noisy
    estimate of it; that estimate is quoted."""
    iv = _nested([r.arms["whole_small"].p_answer for r in runs], seeds, "questions")
    acc, p = summary["accuracy"], summary["p_answer"]
    tokens = summary["prompt_tokens"]
    needed = _chance(runs) + config.min_reading_gain
    return Claim.on_interval(
        "When a small collection fits in the prompt, the model reads it whole and answers: no "
        "store is needed",
        iv,
        measure=f"{EXPECTED}, whole small collection in the prompt",
        evidence=f"the {config.small_documents}-document collection "
        f"({summary['small_collection_tokens']:.0f} tokens of the {summary['window']}-token "
        f"window) in the prompt: expected accuracy {iv.format('.3f')} (needed above "
        f"{needed:.2f}: chance + {config.min_reading_gain:.2f}), {p['no_context']:.3f} without "
        f"it; accuracy {acc['whole_small']:.3f} vs {acc['no_context']:.3f}; "
        f"{tokens['whole_small']:.0f} prompt tokens per question vs "
        f"{tokens['faiss_small']:.0f} with {config.k} retrieved passages",
        seeds=seeds,
        above=needed,
    )


def reading_degrades_claim(
    runs: Sequence[SeedResult], summary: dict[str, Any], config: Config, seeds: Sequence[int]
) -> Claim:
    iv = _nested(_gain(runs, "whole_medium", "whole_small"), seeds, "questions")
    acc, p = summary["accuracy"], summary["p_answer"]
    return Claim.on_interval(
        "A small reader reads a longer collection worse, long before the window is full",
        iv,
        measure=f"difference in {EXPECTED}, whole medium - whole small collection",
        evidence=f"the same questions over the {config.medium_documents}-document collection "
        f"({summary['medium_collection_tokens']:.0f} tokens, "
        f"{summary['medium_collection_tokens'] / summary['window']:.0%} of the window) instead of "
        f"the {config.small_documents} documents that hold their answers: expected accuracy "
        f"{p['whole_medium']:.3f} vs {p['whole_small']:.3f}, difference {iv.format('+.3f')} "
        f"(the whole interval must lie below 0); accuracy {acc['whole_medium']:.3f} vs "
        f"{acc['whole_small']:.3f}; the store's {config.k} passages give "
        f"{p['faiss_small']:.3f}",
        seeds=seeds,
        below=0.0,
    )


def store_adds_nothing_claim(
    runs: Sequence[SeedResult], summary: dict[str, Any], config: Config, seeds: Sequence[int]
) -> Claim:
    iv = _nested(_gain(runs, "faiss_small", "whole_small"), seeds, "questions")
    acc, p = summary["accuracy"], summary["p_answer"]
    margin = config.material_difference
    return Claim.on_interval(
        "On a collection that fits, a vector store adds nothing material to reading it whole",
        iv,
        measure=f"difference in {EXPECTED}, vector store top-k - whole small collection",
        evidence=f"expected accuracy with the top-{config.k} passages from MiniLM + FAISS "
        f"{p['faiss_small']:.3f}, with the whole collection {p['whole_small']:.3f}: difference "
        f"{iv.format('+.3f')} (material: {margin:.2f}; the whole interval must lie within "
        f"+-{margin:.2f}); accuracy {acc['faiss_small']:.3f} vs {acc['whole_small']:.3f}",
        seeds=seeds,
        above=-margin,
        below=margin,
    )


def large_collection_claim(
    runs: Sequence[SeedResult],
    summary: dict[str, Any],
    config: Config,
    seeds: Sequence[int],
    window: int,
) -> Claim:
    iv = _nested([r.arms["faiss_large"].p_answer for r in runs], seeds, "questions")
    acc, p = summary["accuracy"], summary["p_answer"]
    tokens = summary["large_collection_min_tokens"]
    needed = _chance(runs) + config.min_reading_gain
    return Claim.on_interval(
        "When the collection exceeds the context window, it cannot be read whole; retrieving "
        "from a store still answers",
        iv,
        measure=f"{EXPECTED}, vector store top-k from the large collection",
        evidence=f"the {config.large_documents}-document collection is at least {tokens:,} "
        f"tokens, over the {window:,}-token window (only {summary['large_fits_share']:.0%} of "
        f"its documents would fit); with the top {config.k} from MiniLM + FAISS: expected "
        f"accuracy {iv.format('.3f')} (needed above {needed:.2f}: chance + "
        f"{config.min_reading_gain:.2f}), {p['no_context']:.3f} without documents; accuracy "
        f"{acc['faiss_large']:.3f}; {summary['prompt_tokens']['faiss_large']:.0f} prompt "
        f"tokens per question; retrieval@{config.k} "
        f"{summary['retrieval_at_k']['faiss_large']:.3f}",
        seeds=seeds,
        above=needed,
        also=tokens > window,
    )


def keyword_claim(
    runs: Sequence[SeedResult], summary: dict[str, Any], config: Config, seeds: Sequence[int]
) -> Claim:
    iv = _nested(_gain(runs, "bm25_large", "faiss_large"), seeds, "questions")
    acc, p, found = summary["accuracy"], summary["p_answer"], summary["retrieval_at_k"]
    by_type = {
        kind: {name: "none asked" if v is None else f"{v:.3f}" for name, v in row.items()}
        for kind, row in summary["retrieval_at_k_by_question"].items()
    }
    margin = config.material_difference
    return Claim.on_interval(
        "What the large collection needs is retrieval, not vectors: BM25 keyword search "
        "serves the reader as well as the vector store",
        iv,
        measure=f"difference in {EXPECTED}, BM25 top-k - vector store top-k (large)",
        evidence=f"expected accuracy with BM25 {p['bm25_large']:.3f} vs MiniLM + FAISS "
        f"{p['faiss_large']:.3f}: difference {iv.format('+.3f')} (material: {margin:.2f}; the "
        f"whole interval must lie within +-{margin:.2f}); accuracy {acc['bm25_large']:.3f} vs "
        f"{acc['faiss_large']:.3f}; retrieval@{config.k} {found['bm25_large']:.3f} vs "
        f"{found['faiss_large']:.3f}: on questions naming their subject "
        f"{by_type['named']['bm25_large']} vs {by_type['named']['faiss_large']}, on reworded "
        f"policy questions {by_type['policy']['bm25_large']} vs "
        f"{by_type['policy']['faiss_large']}",
        seeds=seeds,
        above=-margin,
        below=margin,
    )


def index_claim(
    costs: Sequence[list[dict[str, Any]]], config: Config, seeds: Sequence[int]
) -> Claim:
    """HNSW must find at least ``min_index_recall`` of the exact top k at the largest size;
    the flat index must give exact search's scores (ids may swap only between tied scores)."""
    iv = _nested([c[-1]["per_query"]["hnsw_recall"] for c in costs], seeds, "queries")
    score_error = max(row["flat_max_score_error"] for c in costs for row in c)
    sweep = ", ".join(
        f"{np.mean([c[i]['hnsw_recall'] for c in costs]):.3f} at {row['n']:,}"
        for i, row in enumerate(costs[0])
    )
    return Claim.on_interval(
        "The FAISS index returns what exact numpy search returns",
        iv,
        measure=f"HNSW recall@{config.cost_k} of the exact top {config.cost_k}, "
        f"{costs[0][-1]['n']:,} vectors",
        evidence=f"flat index: top-k scores within {score_error:.1e} of numpy's; HNSW "
        f"(M={config.hnsw_m}, efSearch={config.hnsw_ef_search}) recall@{config.cost_k} "
        f"{sweep} vectors; at the largest {iv.format('.3f')} (needed above "
        f"{config.min_index_recall:.2f}; it falls as the store grows unless efSearch does)",
        seeds=seeds,
        above=config.min_index_recall,
        also=score_error < 1e-4,
    )


def cost_claim(costs: Sequence[list[dict[str, Any]]], seeds: Sequence[int]) -> Claim:
    big = [c[-1] for c in costs]
    iv = _nested(
        [row["per_query"]["numpy"] - row["per_query"]["hnsw"] for row in big], seeds, "queries"
    )
    n = big[0]["n"]
    hnsw_mib = np.mean([row["hnsw_bytes"] for row in big]) / 2**20
    ratio = np.mean([row["hnsw_bytes"] / row["raw_bytes"] for row in big])
    build = np.mean([row["hnsw_build_seconds"] for row in big])
    numpy_ms = np.mean([row["numpy_query_ms"] for row in big])
    hnsw_ms = np.mean([row["hnsw_query_ms"] for row in big])
    return Claim.on_interval(
        "A store has a cost: an approximate index buys fast queries with build time and memory",
        iv,
        measure=f"query latency saved per query, exact numpy - HNSW, {n:,} vectors (ms)",
        evidence=f"at {n:,} vectors HNSW takes {build:.2f} s to build and {hnsw_mib:.1f} MiB "
        f"({ratio:.2f}x the raw vectors) and answers in {hnsw_ms:.3f} ms vs {numpy_ms:.3f} ms "
        f"for exact numpy search (median); saved per query {iv.format('.3f')} ms",
        seeds=seeds,
        above=0.0,
        also=ratio > 1 and build > 0,
    )
