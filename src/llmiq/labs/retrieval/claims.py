"""The retrieval lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from typing import Any

from llmiq.labs.report import Claim

METHODS = ("dense", "bm25", "hybrid")


def above_chance_claim(
    recall: dict[str, dict[str, dict[str, float]]],
    p_values: dict[str, dict[str, float]],
    chance: float,
    k: int,
    alpha: float,
) -> Claim:
    """Supported when dense and BM25 beat chance (k / N) at recall@k in every chunking,
    each by a one-sided exact binomial test at level ``alpha``."""
    rows, ok = [], True
    for method in ("dense", "bm25"):
        worst = max(p_values[method], key=lambda c: p_values[method][c])
        ok &= p_values[method][worst] < alpha
        low = min(recall[method][c][f"@{k}"] for c in recall[method])
        rows.append(
            f"{method}: lowest recall@{k} {low:.2f}, largest p {p_values[method][worst]:.1e}"
        )
    return Claim(
        text="Dense (MiniLM) and sparse (BM25) retrieval both find the source document far "
        "above chance",
        supported=ok,
        evidence=f"chance recall@{k} = {chance:.3f}; {'; '.join(rows)} "
        f"({'all' if ok else 'NOT all'} p < {alpha:g}).",
    )


def chunk_size_claim(tests: dict[str, dict[str, Any]], k: int, alpha: float) -> Claim:
    """Supported when, for at least one method, recall@k differs across the chunkings by
    Cochran's Q test at level ``alpha`` / 3 (Bonferroni over the three methods)."""
    level = alpha / len(METHODS)
    significant = [m for m in METHODS if tests[m]["p"] < level]
    rows = "; ".join(
        f"{m}: best {tests[m]['best']} words ({tests[m]['best_recall']:.2f}), worst "
        f"{tests[m]['worst']} ({tests[m]['worst_recall']:.2f}), spread {tests[m]['spread']:.2f}, "
        f"Cochran's Q p = {tests[m]['p']:.1e}"
        for m in METHODS
    )
    return Claim(
        text=f"Recall@{k} depends on the chunk size",
        supported=bool(significant),
        evidence=f"{rows}. Differences across chunkings are significant (p < {level:.3g}) for "
        f"{', '.join(significant) or 'no method'}.",
    )


def failures_claim(
    failures: dict[str, dict[str, float]], k: int, max_jaccard: float = 0.5
) -> Claim:
    """Supported when, in every chunking, each method misses queries the other finds and
    fewer than half the failed queries (Jaccard of the failure sets < ``max_jaccard``) are
    missed by both."""
    ok = all(
        f["dense_only"] > 0 and f["bm25_only"] > 0 and f["jaccard"] < max_jaccard
        for f in failures.values()
    )
    rows = "; ".join(
        f"{c} words: dense only {f['dense_only']:g}, BM25 only {f['bm25_only']:g}, both "
        f"{f['both']:g} (Jaccard {f['jaccard']:.2f})"
        for c, f in failures.items()
    )
    return Claim(
        text="Dense and sparse retrieval miss different queries",
        supported=ok,
        evidence=f"queries missed at recall@{k}: {rows} "
        f"({'every' if ok else 'NOT every'} chunking has misses of each kind and Jaccard < "
        f"{max_jaccard:g}).",
    )


def hybrid_claim(
    recall: dict[str, dict[str, dict[str, float]]],
    mrr: dict[str, dict[str, float]],
    ks: tuple[int, ...],
) -> Claim:
    """Supported when in every chunking the hybrid's recall@k (every k) and MRR are at least
    those of both dense and BM25, as measured (no tolerance)."""
    cells, wins, shortfalls = 0, 0, []
    for config in recall["hybrid"]:
        for key in [*(f"@{k}" for k in ks), "MRR"]:

            def get(m, c=config, key=key):
                return mrr[m][c] if key == "MRR" else recall[m][c][key]

            best = max(get("dense"), get("bm25"))
            cells += 1
            if get("hybrid") >= best:
                wins += 1
            else:
                shortfalls.append(f"{config} {key}: {get('hybrid'):.3f} < {best:.3f}")
    ok = wins == cells
    best_config = max(mrr["hybrid"], key=lambda c: mrr["hybrid"][c])
    return Claim(
        text="A hybrid (reciprocal rank fusion of dense and BM25) is at least as good as each "
        "alone",
        supported=ok,
        evidence=f"hybrid >= max(dense, BM25) in {wins} of {cells} (chunking, metric) cells"
        f"{': short in ' + '; '.join(shortfalls) if shortfalls else ''}. Best hybrid: "
        f"{best_config} words, MRR {mrr['hybrid'][best_config]:.3f} vs dense "
        f"{mrr['dense'][best_config]:.3f}, BM25 {mrr['bm25'][best_config]:.3f}.",
    )
