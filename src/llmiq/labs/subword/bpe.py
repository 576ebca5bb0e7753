"""BPE from scratch in the style of Karpathy's minbpe (characters of whitespace-split words
with their counts; merge the most frequent adjacent pair, repeat), and the first merges of
``tokenizers``' BpeTrainer on the same input, to compare them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from tokenizers import Tokenizer, models, pre_tokenizers, trainers


def merge_pair(symbols: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace each non-overlapping occurrence of ``pair``, left to right, by ``new_id``.

    >>> merge_pair([1, 2, 1, 2, 2], (1, 2), 9)
    [9, 9, 2]
    """
    out: list[int] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def train_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Learn up to ``num_merges`` BPE merges from words and their counts.

    Each word starts as its characters; every step counts adjacent pairs (weighted by the
    word's count), merges the most frequent pair everywhere and records it. Ties go to the
    pair of smaller ids, characters being numbered in sorted order and new tokens after
    them, which is how ``tokenizers``' BpeTrainer breaks them too.

    >>> train_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 4)
    [('e', 's'), ('es', 't'), ('l', 'o'), ('lo', 'w')]
    """
    tokens = sorted({ch for word in word_counts for ch in word})  # id -> string
    ids = {tok: i for i, tok in enumerate(tokens)}
    words = [([ids[ch] for ch in word], count) for word, count in word_counts.items()]
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        stats: Counter[tuple[int, int]] = Counter()
        for symbols, count in words:
            for pair in pairwise(symbols):
                stats[pair] += count
        if not stats:
            break  # every word is a single token
        pair = max(stats, key=lambda p: (stats[p], -p[0], -p[1]))
        merged = tokens[pair[0]] + tokens[pair[1]]
        if merged not in ids:
            ids[merged] = len(tokens)
            tokens.append(merged)
        merges.append((tokens[pair[0]], tokens[pair[1]]))
        words = [
            (merge_pair(symbols, pair, ids[merged]) if len(symbols) > 1 else symbols, count)
            for symbols, count in words
        ]
    return merges


def library_bpe_merges(text: str, num_merges: int) -> list[tuple[str, str]]:
    """The first merges of ``tokenizers``' BpeTrainer on ``text`` split on whitespace (no
    normalizer, no special tokens), the same input ``train_bpe`` sees."""
    alphabet = {ch for word in text.split() for ch in word}
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.BpeTrainer(
        vocab_size=len(alphabet) + num_merges, min_frequency=0, show_progress=False
    )
    tokenizer.train_from_iterator([text], trainer=trainer)
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    return [(left, right) for left, right in merges][:num_merges]


def merge_agreement(
    ours: Sequence[tuple[str, str]], theirs: Sequence[tuple[str, str]], n: int
) -> tuple[float, float]:
    """(share of the first ``n`` merges equal as sets, share equal position by position)."""
    as_set = len(set(ours[:n]) & set(theirs[:n])) / n
    in_order = sum(a == b for a, b in zip(ours[:n], theirs[:n], strict=False)) / n
    return as_set, in_order
