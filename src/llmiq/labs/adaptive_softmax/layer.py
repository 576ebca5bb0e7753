"""The output layer: adaptive softmax clusters, their cost models, the module's
log-probabilities re-derived from its weights, and the timed forward+backward steps."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def cutoffs_for(vocab: int, fractions: tuple[float, ...]) -> list[int]:
    """Cluster boundaries in frequency-rank order, each in (0, V) as torch requires.

    >>> cutoffs_for(50_000, (1 / 50, 1 / 10, 1 / 3))
    [1000, 5000, 16667]
    """
    return sorted({c for c in (round(vocab * f) for f in fractions) if 0 < c < vocab})


def cluster_shares(targets: torch.Tensor, cutoffs: list[int]) -> list[float]:
    """Share of targets in the head and in each tail cluster (sums to 1)."""
    cluster = torch.bucketize(targets, torch.tensor(cutoffs), right=True)  # (N,) 0 = head
    counts = torch.bincount(cluster, minlength=len(cutoffs) + 1)
    return (counts.double() / len(targets)).tolist()


def adaptive_macs_per_token(
    hidden: int, vocab: int, cutoffs: list[int], div_value: float, shares: list[float]
) -> float:
    """Expected multiply-adds per token of the adaptive softmax's forward pass: the head
    (shortlist + one logit per tail cluster) for every token, tail cluster i (projection
    D -> D/div^(i+1), then to its words) only for the share of tokens whose target is in it.
    The full softmax costs V * D. Backward roughly doubles both, so the ratio stands."""
    bounds = [*cutoffs, vocab]
    macs = hidden * (cutoffs[0] + len(cutoffs))
    for i, share in enumerate(shares[1:]):
        projected = int(hidden // div_value ** (i + 1))  # as torch sizes it
        macs += share * (hidden * projected + projected * (bounds[i + 1] - bounds[i]))
    return macs


def adaptive_logits_per_token(vocab: int, cutoffs: list[int], shares: list[float]) -> float:
    """Expected logits each token computes, normalises and back-propagates: the head's
    (shortlist + one per tail cluster) plus its target cluster's words. The full softmax
    computes V. Thin tail projections make the multiply-adds cheap, but every logit still
    costs an exp and memory traffic: a second, memory-bound estimate of the speed-up.

    >>> adaptive_logits_per_token(100, [10, 50], [0.5, 0.3, 0.2])  # 12 + .3*40 + .2*50
    34.0
    """
    bounds = [*cutoffs, vocab]
    tails = sum(share * (bounds[i + 1] - bounds[i]) for i, share in enumerate(shares[1:]))
    return cutoffs[0] + len(cutoffs) + tails


def adaptive_log_prob(
    module: nn.AdaptiveLogSoftmaxWithLoss, hidden: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """log P(target) from the module's own weights, written out: head log-softmax for the
    frequent words; for a word in tail cluster i, log P(cluster i) from the head plus
    log P(word | cluster i) from the cluster's softmax. Equals ``module(h, t).output``."""
    head = F.log_softmax(module.head(hidden), dim=1)  # (N, shortlist + clusters)
    shortlist = module.shortlist_size
    out = torch.zeros(len(targets), dtype=hidden.dtype)  # (N,)
    in_head = targets < shortlist
    out[in_head] = head[in_head, targets[in_head]]
    for i, tail in enumerate(module.tail):
        low, high = module.cutoffs[i], module.cutoffs[i + 1]
        rows = (targets >= low) & (targets < high)
        if rows.any():
            within = F.log_softmax(tail(hidden[rows]), dim=1)  # (n_i, high - low)
            word = targets[rows] - low
            out[rows] = head[rows, shortlist + i] + within[torch.arange(len(word)), word]
    return out


# --------------------------------------------------------------------------- timing


def full_softmax_step(layer: nn.Linear, hidden: torch.Tensor, targets: torch.Tensor) -> None:
    """The timed work of the full softmax: forward and backward of its mean cross-entropy."""
    F.cross_entropy(layer(hidden), targets).backward()  # logits (N, V)


def adaptive_softmax_step(
    layer: nn.AdaptiveLogSoftmaxWithLoss, hidden: torch.Tensor, targets: torch.Tensor
) -> None:
    """The timed work of the adaptive softmax: forward and backward of its mean loss."""
    layer(hidden, targets).loss.backward()
