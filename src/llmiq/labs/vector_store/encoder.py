"""The encoder: all-MiniLM-L6-v2 sentence embeddings, and one BLAS/torch thread while
timing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import faiss
import numpy as np
import torch
from threadpoolctl import threadpool_limits

from llmiq.labs import minilm
from llmiq.labs.context import torch_threads


def load_minilm() -> tuple[Any, Any]:
    return minilm.load_minilm()


_EMBEDDINGS: dict[str, np.ndarray] = {}  # text -> (384,): texts recur across runs in a process


def _no_progress(steps: int = 1) -> None:
    return None


def encode(texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings as all-MiniLM-L6-v2 defines them: the mean of the last hidden
    states over the real (unpadded) tokens, L2-normalised. (B,) texts -> (B, 384) float32."""
    model, tokenizer = load_minilm()
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=128,
                      return_tensors="pt")  # fmt: skip
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state  # (B, L, 384)
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, 384)
    return torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()


def embed(
    texts: Sequence[str], batch_size: int = 64, advance: Callable[[int], None] = _no_progress
) -> np.ndarray:
    """``encode`` in batches, remembering each text's vector. (N,) texts -> (N, 384).
    Batches hold texts of similar length: less padding, a quarter less compute here."""
    todo = sorted(dict.fromkeys(t for t in texts if t not in _EMBEDDINGS), key=len)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        for text, vector in zip(batch, encode(batch), strict=True):
            _EMBEDDINGS[text] = vector
        advance(len(batch))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_EMBEDDINGS[t] for t in texts]).astype(np.float32)


@contextmanager
def one_thread() -> Iterator[None]:
    """One thread for torch, FAISS and numpy's BLAS, restored afterwards: single-query latency
    is what a service sees, and on a busy 2-core machine threads only wait for each other."""
    faiss_threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        with torch_threads(1), threadpool_limits(1, user_api="blas"):
            yield
    finally:
        faiss.omp_set_num_threads(faiss_threads)
