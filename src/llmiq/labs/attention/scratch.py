"""Scaled dot-product and multi-head attention from scratch (Vaswani et al. 2017, "Attention
Is All You Need", eq. 1 and section 3.2.2), and their comparison with PyTorch's own
``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention``.

Left out: dropout on the weights, key-padding masks, KV caches, fused (flash) kernels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    causal: bool = False,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``softmax(q k^T * scale) v`` with ``scale = 1/sqrt(d_k)``; returns (output, weights).

    q: (..., Tq, d_k), k: (..., Tk, d_k), v: (..., Tk, d_v) -> (..., Tq, d_v), (..., Tq, Tk).
    With ``causal`` position i sees only positions <= i (a decoder's mask).

    >>> q, k, v = torch.zeros(1, 2, 4), torch.ones(1, 2, 4), torch.tensor([[[1.0], [3.0]]])
    >>> out, w = scaled_dot_product_attention(q, k, v, causal=True)  # equal scores
    >>> w.tolist(), out.squeeze(-1).tolist()  # row 0 sees only itself, row 1 both: mean
    ([[[1.0, 0.0], [0.5, 0.5]]], [[1.0, 2.0]])
    """
    scale = 1.0 / math.sqrt(q.size(-1)) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale  # (..., Tq, Tk)
    if causal:
        future = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).triu(1)  # (Tq, Tk)
        scores = scores.masked_fill(future, float("-inf"))
    weights = scores.softmax(dim=-1)  # (..., Tq, Tk), each row sums to 1
    return weights @ v, weights


@dataclass
class AttentionWeights:
    """The four projections of one multi-head attention layer, as ``y = x @ w.T + b``."""

    w_q: torch.Tensor  # (D, D)
    b_q: torch.Tensor  # (D,)
    w_k: torch.Tensor  # (D, D)
    b_k: torch.Tensor  # (D,)
    w_v: torch.Tensor  # (D, D)
    b_v: torch.Tensor  # (D,)
    w_o: torch.Tensor  # (D, D)
    b_o: torch.Tensor  # (D,)
    n_head: int


def multi_head_attention(
    x: torch.Tensor, p: AttentionWeights, *, causal: bool = False, scale: float | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-attention with ``p.n_head`` heads: x (B, T, D) -> output (B, T, D), weights
    (B, H, T, T). Each head attends in its own D/H-dimensional subspace; the heads' outputs are
    concatenated and mixed by the output projection."""
    B, T, D = x.shape
    H = p.n_head

    def heads(t: torch.Tensor) -> torch.Tensor:
        return t.view(B, T, H, D // H).transpose(1, 2)  # (B, T, D) -> (B, H, T, D/H)

    q = heads(x @ p.w_q.T + p.b_q)
    k = heads(x @ p.w_k.T + p.b_k)
    v = heads(x @ p.w_v.T + p.b_v)
    out, weights = scaled_dot_product_attention(q, k, v, causal=causal, scale=scale)
    out = out.transpose(1, 2).reshape(B, T, D)  # (B, H, T, D/H) -> (B, T, D)
    return out @ p.w_o.T + p.b_o, weights


def weights_from_torch(mha: nn.MultiheadAttention) -> AttentionWeights:
    """Copy ``nn.MultiheadAttention``'s packed in-projection (3D, D) and out-projection."""
    w_q, w_k, w_v = mha.in_proj_weight.detach().chunk(3)
    b_q, b_k, b_v = mha.in_proj_bias.detach().chunk(3)
    out = mha.out_proj
    return AttentionWeights(
        w_q, b_q, w_k, b_k, w_v, b_v, out.weight.detach(), out.bias.detach(), mha.num_heads
    )


def weights_from_bert(layer: Any) -> AttentionWeights:
    """Copy a Hugging Face ``BertLayer``'s query/key/value and attention output projection."""
    s, o = layer.attention.self, layer.attention.output.dense
    return AttentionWeights(
        s.query.weight, s.query.bias, s.key.weight, s.key.bias, s.value.weight, s.value.bias,
        o.weight, o.bias, s.num_attention_heads,
    )  # fmt: skip


def compare_with_torch(
    shapes: tuple[tuple[int, int, int, int], ...],
    *,
    scale: float | None = None,
    advance: Callable[[int], None] = lambda steps=1: None,
) -> dict[str, float]:
    """Max abs errors of the from-scratch attention vs torch's over ``shapes``, and how far
    its weight rows are from probability distributions."""
    errors = dict.fromkeys(
        ["sdpa", "sdpa_causal", "mha_output", "mha_weights", "mha_causal_output",
         "mha_causal_weights", "row_sum_deviation", "causal_future_weight"], 0.0
    )  # fmt: skip
    errors["min_weight"] = 1.0
    with torch.no_grad():
        for B, T, D, H in shapes:
            q, k, v = (torch.randn(B, H, T, D // H) for _ in range(3))  # (B, H, T, D/H)
            for causal, key in ((False, "sdpa"), (True, "sdpa_causal")):
                ours, _ = scaled_dot_product_attention(q, k, v, causal=causal, scale=scale)
                ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                errors[key] = max(errors[key], (ours - ref).abs().max().item())

            mha = nn.MultiheadAttention(D, H, batch_first=True).eval()
            mha.in_proj_bias.normal_()  # torch starts biases at zero; make them count
            mha.out_proj.bias.normal_()
            x = torch.randn(B, T, D)  # (B, T, D)
            p = weights_from_torch(mha)
            for causal, key in ((False, "mha"), (True, "mha_causal")):
                mask = torch.ones(T, T, dtype=torch.bool).triu(1) if causal else None
                ref_out, ref_w = mha(
                    x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False
                )  # (B, T, D), (B, H, T, T)
                out, w = multi_head_attention(x, p, causal=causal, scale=scale)
                errors[f"{key}_output"] = max(
                    errors[f"{key}_output"], (out - ref_out).abs().max().item()
                )
                errors[f"{key}_weights"] = max(
                    errors[f"{key}_weights"], (w - ref_w).abs().max().item()
                )
                errors["row_sum_deviation"] = max(
                    errors["row_sum_deviation"], (w.sum(-1) - 1).abs().max().item()
                )
                errors["min_weight"] = min(errors["min_weight"], w.min().item())
                if causal:
                    future = w.masked_select(torch.ones(T, T, dtype=torch.bool).triu(1))
                    errors["causal_future_weight"] = max(
                        errors["causal_future_weight"], future.abs().max().item()
                    )
            advance(1)
    return errors
