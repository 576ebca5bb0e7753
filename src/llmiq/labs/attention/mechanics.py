"""Two mechanics of scaled dot-product attention, measured: why the scores are divided by
√d_k, and what the causal mask guarantees.

**√d_k.** If the components of q and k are independent with mean 0 and variance 1, then
q·k is a sum of d_k such products and has variance d_k (Vaswani et al. 2017, footnote 4).
Unscaled, the logits' spread grows with the head size, the softmax saturates towards a
one-hot row, and its gradient (the Jacobian ``diag(p) - p pᵀ``) vanishes; dividing by √d_k
keeps the logits' standard deviation near 1 whatever d_k is. Measured on random q, k at
several head sizes, with and without the scale: the logits' std, the mean largest weight of a
row, and the share of rows whose softmax Jacobian has a norm under :data:`VANISHED` (a
gradient that no longer reaches the scores; a uniform row of 64 has a norm near 0.12).

**Causal mask.** With the mask, position i's output is a function of positions ≤ i only: a
decoder trained on next-token prediction cannot read the token it must predict, and earlier
outputs can be cached (the KV cache) because later tokens never change them. Measured by
changing the last token's query, key and value and reading how far the earlier positions'
outputs move, with the mask and without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from llmiq.labs.attention.scratch import scaled_dot_product_attention

#: Frobenius norm of a row's softmax Jacobian under which its gradient counts as vanished
VANISHED = 1e-3


@dataclass(frozen=True)
class ScaleRow:
    """Random-query statistics at one head size, with (``scaled``) and without the scale."""

    d_k: int
    logit_std_scaled: float
    logit_std_unscaled: float
    max_weight_scaled: float  # mean over rows of the largest attention weight
    max_weight_unscaled: float
    vanished_scaled: float  # share of rows whose softmax Jacobian norm < VANISHED
    vanished_unscaled: float


def _softmax_stats(logits: torch.Tensor) -> tuple[float, float, float]:
    p = logits.softmax(dim=-1)  # (rows, T)
    jacobian = torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)  # (rows, T, T)
    return (
        logits.std().item(),
        p.max(dim=-1).values.mean().item(),
        (jacobian.flatten(1).norm(dim=-1) < VANISHED).float().mean().item(),
    )


def scale_rows(
    head_sizes: Sequence[int],
    *,
    seq_len: int = 64,
    rows: int = 256,
    scale: float | None = None,
    generator: torch.Generator | None = None,
) -> list[ScaleRow]:
    """For each d_k: logits of ``rows`` random unit-variance queries against ``seq_len`` keys,
    times ``scale`` (default 1/√d_k) and times 1.

    >>> [row.d_k for row in scale_rows([4, 16], rows=8, seq_len=8)]
    [4, 16]
    """
    out = []
    for d_k in head_sizes:
        q = torch.randn(rows, d_k, generator=generator)
        k = torch.randn(seq_len, d_k, generator=generator)
        raw = q @ k.T  # (rows, seq_len)
        factor = 1.0 / math.sqrt(d_k) if scale is None else scale
        std_s, max_s, jac_s = _softmax_stats(raw * factor)
        std_u, max_u, jac_u = _softmax_stats(raw)
        out.append(ScaleRow(d_k, std_s, std_u, max_s, max_u, jac_s, jac_u))
    return out


def top_weight_gaps(
    d_k: int,
    *,
    seq_len: int = 64,
    rows: int = 256,
    scale: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Per random query (rows,): its largest attention weight unscaled minus scaled (by
    ``scale``, default 1/sqrt(d_k)), over ``seq_len`` random keys: how much closer to one-hot
    the unscaled softmax is.

    >>> gaps = top_weight_gaps(1024, rows=32, generator=torch.Generator().manual_seed(0))
    >>> gaps.shape, bool(gaps.mean() > 0.5)
    (torch.Size([32]), True)
    """
    q = torch.randn(rows, d_k, generator=generator)
    k = torch.randn(seq_len, d_k, generator=generator)
    raw = q @ k.T  # (rows, seq_len)
    factor = 1.0 / math.sqrt(d_k) if scale is None else scale
    unscaled = raw.softmax(dim=-1).max(dim=-1).values
    return unscaled - (raw * factor).softmax(dim=-1).max(dim=-1).values


@dataclass(frozen=True)
class CausalLeak:
    """How far outputs before the last position move when only the last token changes."""

    masked: float  # max abs change, causal attention
    unmasked: float  # max abs change, no mask


def future_leak(
    *,
    seq_len: int = 16,
    d_k: int = 32,
    mask_offset: int = 1,
    generator: torch.Generator | None = None,
) -> CausalLeak:
    """Change the last token's q, k and v; measure the earlier outputs' change.

    ``mask_offset`` is the diagonal the mask starts from: 1 hides every later position (the
    causal mask), 2 lets each position see one step ahead (a broken mask, for the tests).
    """
    q, k, v = (torch.randn(1, seq_len, d_k, generator=generator) for _ in range(3))
    q2, k2, v2 = q.clone(), k.clone(), v.clone()
    for tensor in (q2, k2, v2):
        tensor[:, -1] = torch.randn(d_k, generator=generator)

    def masked(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        if mask_offset == 1:
            return scaled_dot_product_attention(q, k, v, causal=True)[0]
        future = torch.ones(seq_len, seq_len, dtype=torch.bool).triu(mask_offset)
        scores = (q @ k.transpose(-2, -1) / math.sqrt(d_k)).masked_fill(future, float("-inf"))
        return scores.softmax(dim=-1) @ v

    def plain(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return scaled_dot_product_attention(q, k, v)[0]

    return CausalLeak(
        masked=(masked(q, k, v) - masked(q2, k2, v2))[:, :-1].abs().max().item(),
        unmasked=(plain(q, k, v) - plain(q2, k2, v2))[:, :-1].abs().max().item(),
    )
