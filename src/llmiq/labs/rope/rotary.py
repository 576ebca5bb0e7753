"""Rotary position embedding from scratch (Su et al. 2021, section 3.4), the score of one query
and key placed at many absolute positions, absolute-position baselines, the comparison with
transformers' Llama rotary embedding, and the long-term decay of section 3.4.3."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch


def frequencies(
    head_dim: int,
    base: float = 10000.0,
    *,
    single: bool = False,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """theta_i = 1 / base^(2i/d) for i < d/2: pair i turns by m * theta_i at position m.
    ``single=True`` is a deliberately broken variant where every pair turns at theta_0.

    >>> frequencies(4, 100.0)
    tensor([1.0000, 0.1000], dtype=torch.float64)
    """
    if head_dim % 2:
        raise ValueError(f"head_dim must be even, got {head_dim}")
    theta = 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=dtype) / head_dim)
    return torch.full_like(theta, float(theta[0])) if single else theta


def rotate(
    x: torch.Tensor,
    positions: torch.Tensor,
    base: float = 10000.0,
    *,
    single: bool = False,
    angle_dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """Rotate each pair (x_i, x_{i + d/2}) of the last axis by ``position * theta_i``: the
    layout of Llama and transformers (``rotate_half``). ``positions`` (T,) broadcasts against
    the second-to-last axis of ``x`` (..., T, d). The angles are computed in ``angle_dtype``
    (float64 here; transformers uses float32, whose round-off grows with the position) and
    their cos/sin cast to ``x``'s dtype.

    >>> rotate(torch.tensor([[1.0, 0.0]]), torch.tensor([torch.pi / 2]))  # 90 degrees
    tensor([[-4.3711e-08,  1.0000e+00]])
    """
    d = x.shape[-1]
    theta = frequencies(d, base, single=single, dtype=angle_dtype)
    angles = positions.to(angle_dtype)[:, None] * theta  # (T, d/2)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    first, second = x[..., : d // 2], x[..., d // 2 :]
    return torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)


def rotate_interleaved(
    x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0
) -> torch.Tensor:
    """The paper's layout (Su et al. eq. 34): pairs of neighbours (x_2i, x_2i+1), written as
    complex numbers multiplied by e^(i m theta_i), as in Meta's Llama reference code. The
    same rotation as ``rotate`` up to a permutation of the dimensions."""
    d = x.shape[-1]
    angles = positions.to(torch.float64)[:, None] * frequencies(d, base)  # (T, d/2)
    turn = torch.polar(torch.ones_like(angles), angles)  # e^(i m theta)
    pairs = torch.view_as_complex(
        x.to(torch.float64).reshape(*x.shape[:-1], d // 2, 2).contiguous()
    )
    return torch.view_as_real(pairs * turn).reshape(x.shape).to(x.dtype)


def sinusoidal(positions: torch.Tensor, dim: int, base: float = 10000.0) -> torch.Tensor:
    """Vaswani et al. 2017 (section 3.5): PE(p, 2i) = sin(p / base^(2i/d)), PE(p, 2i+1) = cos.

    >>> sinusoidal(torch.tensor([0]), 4)
    tensor([[0., 1., 0., 1.]], dtype=torch.float64)
    """
    angles = positions.to(torch.float64)[:, None] * frequencies(dim, base)  # (T, d/2)
    return torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(1)  # (T, d)


def rope_scores(
    q: torch.Tensor,
    k: torch.Tensor,
    query_positions: torch.Tensor,
    key_positions: torch.Tensor,
    base: float = 10000.0,
    *,
    angle_dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """<R_m q, R_n k> for each pair (P, d) at each placement (O,): (P, O)."""
    placements = query_positions.shape[0]
    qs = rotate(
        q[:, None, :].expand(-1, placements, -1), query_positions, base, angle_dtype=angle_dtype
    )
    ks = rotate(
        k[:, None, :].expand(-1, placements, -1), key_positions, base, angle_dtype=angle_dtype
    )
    return (qs * ks).sum(-1)  # (P, O)


def absolute_scores(
    x: torch.Tensor,
    y: torch.Tensor,
    table_q: torch.Tensor,
    table_k: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
) -> torch.Tensor:
    """<W_q (x + p_m), W_k (y + p_n)> with the position vectors added to the input, as in the
    original Transformer and GPT-2: pairs (P, d), placements' position vectors (O, d): (P, O)."""
    qs = (x[:, None, :] + table_q[None]) @ w_q.T  # (P, O, d)
    ks = (y[:, None, :] + table_k[None]) @ w_k.T
    return (qs * ks).sum(-1)


def pair_spreads(scores: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Per pair, (max - min over placements) / scale: how much the score of one pair moves
    when only its absolute position moves; ``scores`` (P, O), ``scale`` (P,) is |q| |k|.

    >>> pair_spreads(torch.tensor([[1.0, 3.0], [2.0, 2.0]]), torch.tensor([2.0, 1.0]))
    tensor([1., 0.])
    """
    return (scores.max(1).values - scores.min(1).values) / scale


def spread(scores: torch.Tensor, scale: torch.Tensor) -> float:
    """The largest ``pair_spreads`` over the pairs."""
    return pair_spreads(scores, scale).max().item()


def compare_with_transformers(
    head_dim: int = 64,
    heads: int = 9,
    tokens: int = 512,
    base: float = 100000.0,
    library_base: float = 100000.0,
    offset: int = 0,
    angle_dtype: torch.dtype = torch.float32,
    seed: int = 0,
) -> float:
    """Largest |difference| between ``rotate`` and transformers' ``apply_rotary_pos_emb`` with
    the cos/sin of ``LlamaRotaryEmbedding`` for a Llama config whose defaults are
    SmolLM2-135M's attention (9 heads of 64, rope_theta 100000), on random q and k
    (2, heads, tokens, head_dim), drawn with ``seed``, at positions offset .. offset + tokens
    - 1. With ``angle_dtype=torch.float32`` the angles are rounded as transformers rounds
    them."""
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import (
        LlamaRotaryEmbedding,
        apply_rotary_pos_emb,
    )

    config = LlamaConfig(
        hidden_size=heads * head_dim,
        num_attention_heads=heads,
        head_dim=head_dim,
        max_position_embeddings=offset + tokens,
        rope_parameters={"rope_type": "default", "rope_theta": library_base},
    )
    generator = torch.Generator().manual_seed(seed)
    q = torch.randn(2, heads, tokens, head_dim, generator=generator)
    k = torch.randn(2, heads, tokens, head_dim, generator=generator)
    positions = torch.arange(offset, offset + tokens)
    cos, sin = LlamaRotaryEmbedding(config)(q, positions[None].expand(2, -1))  # (2, T, d)
    theirs_q, theirs_k = apply_rotary_pos_emb(q, k, cos, sin)
    ours_q = rotate(q, positions, base, angle_dtype=angle_dtype)
    ours_k = rotate(k, positions, base, angle_dtype=angle_dtype)
    return max((ours_q - theirs_q).abs().max().item(), (ours_k - theirs_k).abs().max().item())


def su_bound(
    distances: torch.Tensor, head_dim: int, base: float, *, single: bool = False
) -> torch.Tensor:
    """Su et al.'s relative upper bound of |<R_m q, R_n k>| (section 3.4.3): with
    S_j = sum_{i<j} e^(i (m - n) theta_i), the mean over j of |S_j|. It falls as |m - n|
    grows, with ripples: the long-term decay."""
    angles = distances.to(torch.float64)[:, None] * frequencies(head_dim, base, single=single)
    partial = torch.polar(torch.ones_like(angles), angles).cumsum(dim=1)  # (D, d/2): S_j
    return partial.abs().mean(dim=1)


def matched_scores_per_vector(
    distances: torch.Tensor, vectors: torch.Tensor, base: float, *, single: bool = False
) -> torch.Tensor:
    """<R_m q, R_n q> / |q|^2 for each vector q (V, d) and m - n = each distance (D,): the
    score of a key whose content matches the query exactly, by how far back it sits, (V, D).
    The key stays at position 0 (only m - n matters), the query is rotated to the distance."""
    keys = vectors.to(torch.float64)  # (V, d)
    norms = (keys * keys).sum(-1, keepdim=True)  # (V, 1)
    out = []
    for chunk in distances.split(256):
        queries = rotate(keys[:, None, :].expand(-1, len(chunk), -1), chunk, base, single=single)
        out.append((queries * keys[:, None, :]).sum(-1) / norms)  # (V, chunk)
    return torch.cat(out, dim=1)


def matched_scores(
    distances: torch.Tensor, vectors: torch.Tensor, base: float, *, single: bool = False
) -> torch.Tensor:
    """The mean over the vectors of ``matched_scores_per_vector``, (D,)."""
    return matched_scores_per_vector(distances, vectors, base, single=single).mean(0)


def binned(
    values: torch.Tensor, distances: torch.Tensor, edges: Sequence[int], *, envelope: bool
) -> list[float]:
    """Per bin [edges[i], edges[i + 1]) of distance: the largest |value| (``envelope``) or the
    mean value."""
    out = []
    for lo, hi in pairwise(edges):
        inside = values[(distances >= lo) & (distances < hi)]
        out.append(inside.abs().max().item() if envelope else inside.mean().item())
    return out


def log_edges(max_distance: int) -> list[int]:
    """Bin edges 1, 4, 16, ... closed by ``max_distance + 1`` (every bin has > 1 distance).

    >>> log_edges(100), log_edges(64)
    ([1, 4, 16, 64, 101], [1, 4, 16, 65])
    """
    edges = [1]
    while edges[-1] * 4 < max_distance:
        edges.append(edges[-1] * 4)
    return [*edges, max_distance + 1]
