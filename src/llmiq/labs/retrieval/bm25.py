"""Okapi BM25 from scratch (Robertson & Zaragoza 2009, "The Probabilistic Relevance
Framework: BM25 and Beyond"), in the form Lucene uses and ``bm25s`` calls ``"lucene"``:

    score(q, d) = sum over query terms t of  idf(t) tf(t, d) / (tf(t, d) + k1 norm(d))
    norm(d) = 1 - b + b |d| / avgdl
    idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

(the classic numerator's (k1 + 1) factor is dropped: it scales every score alike and changes
no ranking). A query term counts once per occurrence in the query, as in ``bm25s``.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from llmiq.labs.corpus import words

_STOPWORD_TEXT = (
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with which you your its it's can may from has "
    "have been than so do does"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def tokenize(text: str) -> list[str]:
    """Lower-cased words without stopwords: ``tokenize("Return the Path")`` -> ``['return',
    'path']``."""
    return [w for w in words(text) if w not in STOPWORDS]


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(documents)
        self.lengths = np.array([len(d) for d in documents], dtype=np.float64)  # (N,)
        self.avgdl = float(self.lengths.mean()) if self.n else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = {}  # term -> [(doc, tf)]
        for i, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                self.postings.setdefault(term, []).append((i, tf))

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 of the query against every document, (N,)."""
        out = np.zeros(self.n)
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.avgdl)  # (N,)
        for term in query:
            idf = self.idf(term)
            for i, tf in self.postings.get(term, ()):
                out[i] += idf * tf / (tf + norm[i])
        return out
