"""Dense retrieval: all-MiniLM-L6-v2 sentence embeddings (mean of the last hidden states over
the real tokens, L2-normalised, as sentence-transformers defines the model) and an exact
inner-product index (cosine similarity: the vectors are unit length)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from llmiq.labs import minilm

_CACHE: dict[tuple[str, int], np.ndarray] = {}  # (text, max_tokens) -> (384,): runs repeat


def _encode(texts: Sequence[str], max_tokens: int) -> np.ndarray:
    model, tokenizer = minilm.load_minilm()
    batch = tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_tokens, return_tensors="pt"
    )
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state  # (B, L, 384)
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, 384)
    return torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()


def embed(
    texts: Sequence[str],
    max_tokens: int = 256,
    batch_size: int = 64,
    advance: Callable[[int], None] = lambda n: None,
) -> np.ndarray:
    """(N,) texts -> (N, 384) unit vectors; texts of similar length share a batch (less
    padding), and a text embedded before in this process is not embedded again."""
    todo = sorted({t for t in texts if (t, max_tokens) not in _CACHE}, key=len)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        for text, vector in zip(batch, _encode(batch, max_tokens), strict=True):
            _CACHE[(text, max_tokens)] = vector
        advance(len(batch))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_CACHE[(t, max_tokens)] for t in texts]).astype(np.float32)


def inner_products(queries: np.ndarray, chunks: np.ndarray) -> np.ndarray:
    """(Q, D) x (C, D) -> (Q, C) scores: exact search, every chunk scored."""
    return queries @ chunks.T
