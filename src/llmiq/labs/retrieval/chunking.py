"""Fixed-size chunking by words, with or without overlap."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    document: int  # id of the document it comes from
    text: str


def chunk_words(text: str, size: int, overlap: int = 0) -> list[str]:
    """Windows of ``size`` words starting every ``size - overlap`` words, covering the text
    (the last window may be shorter; no window lies inside the previous one).

    >>> chunk_words("a b c d e", 2)
    ['a b', 'c d', 'e']
    >>> chunk_words("a b c d e", 3, overlap=1)
    ['a b c', 'c d e']
    """
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be in [0, size), not {overlap} for size {size}")
    words = text.split()
    stride = size - overlap
    chunks = []
    for start in range(0, max(len(words), 1), stride):
        chunks.append(" ".join(words[start : start + size]))
        if start + size >= len(words):
            break
    return chunks


def chunk_corpus(texts: list[str], size: int, overlap: int = 0) -> list[Chunk]:
    """Every document's chunks, in document order."""
    return [Chunk(i, c) for i, text in enumerate(texts) for c in chunk_words(text, size, overlap)]
