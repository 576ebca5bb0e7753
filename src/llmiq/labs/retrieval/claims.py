"""The retrieval lab's verdicts, each decided on a 95% interval over seeds and queries.

Every quantity is a function of per-query outcomes (hit at k, reciprocal rank, who missed),
grouped by the seed that asked the query; :func:`~llmiq.labs.uncertainty.nested_interval`
resamples the seeds and the queries within them. Differences between two set-ups are paired
query by query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from llmiq.labs.report import Claim
from llmiq.labs.retrieval.retrieve import METHODS, Measurement
from llmiq.labs.uncertainty import Interval, nested_interval

MISS_CODES = {"dense_only": 1, "bm25_only": 2, "both": 3}  # 0: neither missed


def _over(groups: Sequence[np.ndarray]) -> str:
    sizes = {len(g) for g in groups}
    count = f"{sizes.pop()} queries" if len(sizes) == 1 else "queries"
    return f"{len(groups)} seeds x {count}"


def interval_of(measurement: Measurement, values: np.ndarray, **options: Any) -> Interval:
    """Nested 95% interval of the mean (or ``statistic=``) of per-query ``values``."""
    groups = measurement.by_seed(np.asarray(values, dtype=float))
    return nested_interval(groups, over=_over(groups), **options)


def jaccard(codes: np.ndarray) -> float:
    """Share of the queries missed by either retriever that both miss (``MISS_CODES``);
    1.0 when none is missed (nothing tells them apart).

    >>> jaccard(np.array([0, 1, 2, 3, 3]))
    0.5
    """
    missed = codes > 0
    return float((codes == 3).sum() / missed.sum()) if missed.any() else 1.0


def miss_codes(dense_miss: np.ndarray, bm25_miss: np.ndarray) -> np.ndarray:
    return dense_miss * 1 + bm25_miss * 2


def above_chance_claim(
    recall_ci: dict[str, dict[str, Interval]], chance: float, k: int, seeds: Sequence[int]
) -> Claim:
    """Supported when the 95% interval of recall@k lies above chance (k / N) for dense and
    BM25 in every chunking; the decisive interval is the one reaching lowest."""
    cells = {(m, c): iv for m in ("dense", "bm25") for c, iv in recall_ci[m].items()}
    method, chunking = min(cells, key=lambda cell: cells[cell].low)
    weakest = cells[(method, chunking)]
    rows = "; ".join(
        f"{m}: lowest {min(recall_ci[m].values(), key=lambda i: i.low).format('.2f')}"
        for m in ("dense", "bm25")
    )
    return Claim.on_interval(
        "Dense (MiniLM) and sparse (BM25) retrieval both find the source document far above chance",
        weakest,
        measure=f"recall@{k}, the lowest of dense and BM25 over the chunkings ({method}, "
        f"{chunking} words)",
        evidence=f"chance recall@{k} = {chance:.3f}; recall@{k} (95% interval over "
        f"{weakest.over}) {rows} ({'all' if weakest.above(chance) else 'NOT all'} above "
        "chance).",
        seeds=seeds,
        above=chance,
    )


def chunk_size_claim(
    contrast: tuple[str, str, str],
    interval: Interval,
    tests: dict[str, dict[str, Any]],
    k: int,
    seeds: Sequence[int],
) -> Claim:
    """Supported when the 95% interval of recall@k(a) - recall@k(b), paired by query, lies
    above 0 for the one contrast ``(method, a, b)`` named before the run (chosen on tuning
    seeds: the largest spread there), so that picking the best and worst chunking does not
    inflate the difference it is judged on. Cochran's Q over all chunkings is reported."""
    method, better, worse = contrast
    rows = "; ".join(
        f"{m}: best {tests[m]['best']} words ({tests[m]['best_recall']:.2f}), worst "
        f"{tests[m]['worst']} ({tests[m]['worst_recall']:.2f}), Cochran's Q p = "
        f"{tests[m]['p']:.1e}"
        for m in METHODS
    )
    return Claim.on_interval(
        f"Recall@{k} depends on the chunk size",
        interval,
        measure=f"recall@{k}, {method}, {better} words - {worse} words (the contrast named "
        "before the run)",
        evidence=f"{method} recall@{k} at {better} words minus at {worse} words, paired by "
        f"query: {interval.format('+.3f')} (95% interval over {interval.over}; "
        f"{'above' if interval.above(0) else 'NOT above'} 0). Over all chunkings: {rows}.",
        seeds=seeds,
        above=0,
    )


def failures_claim(
    failures: dict[str, dict[str, float]],
    jaccards: dict[str, Interval],
    k: int,
    seeds: Sequence[int],
    max_jaccard: float = 0.5,
) -> Claim:
    """Supported when, in every chunking, each method misses queries the other finds and the
    95% interval of the Jaccard overlap of their failure sets (both / either) lies below
    ``max_jaccard``; the decisive interval is the one reaching highest."""
    kinds = all(f["dense_only"] > 0 and f["bm25_only"] > 0 for f in failures.values())
    chunking = max(jaccards, key=lambda c: jaccards[c].high)
    worst = jaccards[chunking]
    rows = "; ".join(
        f"{c} words: dense only {f['dense_only']:g}, BM25 only {f['bm25_only']:g}, both "
        f"{f['both']:g} (Jaccard {jaccards[c].format('.2f')})"
        for c, f in failures.items()
    )
    below = worst.below(max_jaccard)
    return Claim.on_interval(
        "Dense and sparse retrieval miss different queries",
        worst,
        measure=f"Jaccard overlap of the queries each misses at recall@{k}, the highest "
        f"chunking ({chunking} words)",
        evidence=f"queries missed at recall@{k}, summed over seeds: {rows} (95% intervals over "
        f"{worst.over}). {'Every' if below else 'NOT every'} chunking's interval is below "
        f"{max_jaccard:g}; {'each' if kinds else 'NOT each'} method misses queries the other "
        "finds.",
        seeds=seeds,
        below=max_jaccard,
        also=kinds,
    )


def hybrid_claim(
    cells: dict[tuple[str, str], Interval],
    mrr: dict[str, dict[str, float]],
    margin: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when, in every (chunking, metric) cell, the 95% interval of the hybrid's
    score minus the better of dense and BM25 (paired by query) lies above ``-margin``: the
    hybrid is at least as good up to a margin fixed before the run (non-inferiority; an
    interval cannot show "at least as good" with no margin at all)."""
    weakest_cell = min(cells, key=lambda cell: cells[cell].low)
    weakest = cells[weakest_cell]
    short = [f"{c} {m}: {iv.format('+.3f')}" for (c, m), iv in cells.items() if iv.low <= -margin]
    best = max(mrr["hybrid"], key=lambda c: mrr["hybrid"][c])
    ahead = sum(iv.above(0) for iv in cells.values())
    return Claim.on_interval(
        "A hybrid (reciprocal rank fusion of dense and BM25) is at least as good as each alone",
        weakest,
        measure="hybrid minus the better of dense and BM25 (recall@k or MRR), the weakest "
        f"cell ({weakest_cell[0]} words, {weakest_cell[1]})",
        evidence=f"hybrid - max(dense, BM25), paired by query, in {len(cells)} (chunking, "
        f"metric) cells: the weakest {weakest.format('+.3f')} (95% interval over "
        f"{weakest.over}); {len(cells) - len(short)} of {len(cells)} cells above -{margin:g} "
        f"(the margin fixed before the run){': short in ' + '; '.join(short) if short else ''}"
        f"; {ahead} cells entirely above 0. Best hybrid: {best} words, MRR "
        f"{mrr['hybrid'][best]:.3f} vs dense {mrr['dense'][best]:.3f}, BM25 "
        f"{mrr['bm25'][best]:.3f}.",
        seeds=seeds,
        above=-margin,
    )
