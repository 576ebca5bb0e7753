"""The vector-store lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from typing import Any

from llmiq.labs.report import Claim
from llmiq.labs.vector_store.config import Config


def text_alone_claim(sentiment: dict[str, float], config: Config) -> Claim:
    acc = sentiment["text_alone"]
    return Claim(
        "Sentiment is classified from the review text alone (MiniLM embedding + a linear "
        "classifier), with no store",
        acc >= config.min_text_accuracy,
        f"held-out accuracy {acc:.3f} on reviews written with sentiment words never seen in "
        f"training (needed >= {config.min_text_accuracy:.2f}; majority class "
        f"{sentiment['majority']:.3f}); {sentiment['text_alone_plain']:.3f} on plain reviews, "
        f"{sentiment['text_alone_negated']:.3f} on the {sentiment['negated_share']:.0%} with a "
        "negation, which the embedding mostly misses",
    )


def retrieval_adds_nothing_claim(sentiment: dict[str, float], config: Config) -> Claim:
    base = sentiment["text_alone"]
    best = max(sentiment["knn_vote"], sentiment["with_neighbours"])
    return Claim(
        "Adding retrieval to the sentiment task changes nothing material",
        best - base < config.material_gain,
        f"text alone {base:.3f}; with a FAISS index of the training reviews: "
        f"{config.neighbours}-NN label vote {sentiment['knn_vote']:.3f}, classifier given the "
        f"neighbours {sentiment['with_neighbours']:.3f}; best gain {best - base:+.3f} "
        f"(material: >= {config.material_gain:.2f}); on negated reviews "
        f"{sentiment['text_alone_negated']:.3f} alone vs {sentiment['with_neighbours_negated']:.3f}"
        " with neighbours",
    )


def closed_book_claim(qa: dict[str, Any], config: Config) -> Claim:
    cb = qa["closed_book"]
    best = max(cb["most_common_answer"], cb["question_only"])
    return Claim(
        "Without a store, questions about private documents are answered near chance",
        best <= config.max_closed_book,
        f"best guess from the question alone {best:.3f} (most common answer "
        f"{cb['most_common_answer']:.3f}, most similar of the {qa['distinct_answers']} answers "
        f"{cb['question_only']:.3f}; chance {cb['chance']:.3f}; near chance: <= "
        f"{config.max_closed_book:.2f}) over {qa['questions']} questions",
    )


def store_answers_claim(qa: dict[str, Any], config: Config) -> Claim:
    k = min(config.k, qa["stored"])
    recall = qa[f"retrieval_at_{k}"]
    cb = qa["closed_book"]
    gain = qa["answer_accuracy"] - max(cb["most_common_answer"], cb["question_only"])
    return Claim(
        "With a vector index of the documents, the same questions are answered",
        recall >= config.min_recall and gain >= config.min_answer_gain,
        f"retrieval@1 {qa['retrieval_at_1']:.3f}, retrieval@{k} {recall:.3f} (needed >= "
        f"{config.min_recall:.2f}); answer accuracy {qa['answer_accuracy']:.3f}, "
        f"{gain:+.3f} over the question alone (needed >= {config.min_answer_gain:.2f}); "
        f"store: {qa['stored']} of {qa['documents']} documents ({config.store})",
    )


def index_claim(qa: dict[str, Any], costs: list[dict[str, float]], config: Config) -> Claim:
    """The flat index must give exact search's scores (ids may swap only between scores tied
    to float precision); HNSW must find at least ``min_index_recall`` of the exact top k."""
    hnsw = [qa["hnsw_recall"], *(row["hnsw_recall"] for row in costs)]
    flat = min(qa["flat_recall"], *(row["flat_recall"] for row in costs))
    score_error = max(qa["flat_max_score_error"], *(row["flat_max_score_error"] for row in costs))
    sweep = ", ".join(f"{row['hnsw_recall']:.3f} at {row['n']:,}" for row in costs)
    return Claim(
        "The FAISS index returns what exact numpy search returns",
        score_error < 1e-4 and min(hnsw) >= config.min_index_recall,
        f"flat index: top-k scores within {score_error:.1e} of numpy's (id recall {flat:.4f}; "
        f"ids may differ only where scores tie); HNSW (M={config.hnsw_m}, efSearch="
        f"{config.hnsw_ef_search}) recall@k {qa['hnsw_recall']:.3f} on the documents and "
        f"{sweep} vectors (needed >= {config.min_index_recall:.2f}; it falls as the store "
        "grows unless efSearch does)",
    )


def cost_claim(qa: dict[str, Any], costs: list[dict[str, float]]) -> Claim:
    big, small = costs[-1], costs[0]
    speedup = big["numpy_query_ms"] / big["hnsw_query_ms"]
    return Claim(
        "A store has a cost: an approximate index buys fast queries with build time and memory",
        speedup > 1 and big["hnsw_bytes"] > big["raw_bytes"] and big["hnsw_build_seconds"] > 0,
        f"the {qa['stored']}-document store: embedding {qa['build_embed_seconds']:.2f} s + "
        f"index {1e3 * qa['build_index_seconds']:.2f} ms to build, {qa['index_bytes']:,} bytes, "
        f"{1e3 * qa['query_embed_seconds']:.1f} ms to embed a question + "
        f"{1e3 * qa['query_search_seconds']:.3f} ms to search; at {big['n']:,} vectors HNSW "
        f"takes {big['hnsw_build_seconds']:.2f} s to build and {big['hnsw_bytes'] / 2**20:.1f} "
        f"MiB ({big['hnsw_bytes'] / big['raw_bytes']:.2f}x the raw vectors) and answers in "
        f"{big['hnsw_query_ms']:.3f} ms vs {big['numpy_query_ms']:.3f} ms for exact numpy "
        f"search ({speedup:.1f}x); at {small['n']:,} exact search takes "
        f"{small['numpy_query_ms']:.3f} ms",
    )
