"""Measuring a policy: responses sampled per prompt with their KL to the reference, and
win-rates under a judge's scores."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from llmiq.labs.preference.policy import response_kl, sample_responses
from llmiq.labs.preference.world import Tokens
from llmiq.labs.tinylm import GPT


@dataclass
class PolicySamples:
    prompts: list[Tokens]
    responses: list[Tokens]
    kl: torch.Tensor  # (N,) per-response KL(pi || pi_ref) in nats, see response_kl

    @property
    def mean_kl(self) -> float:
        return self.kl.mean().item()


@torch.no_grad()
def sample_policy(
    policy: GPT,
    reference: GPT,
    prompts: Sequence[Tokens],
    *,
    per_prompt: int,
    end: int,
    max_new_tokens: int,
    generator: torch.Generator,
) -> PolicySamples:
    """``per_prompt`` responses to each prompt and the KL of the policy to the reference on
    them (a policy that *is* the reference has KL exactly 0)."""
    repeated = [p for p in prompts for _ in range(per_prompt)]
    responses = sample_responses(
        policy, repeated, end=end, max_new_tokens=max_new_tokens, generator=generator
    )
    kl = response_kl(policy.eval(), reference.eval(), repeated, responses)
    return PolicySamples(repeated, responses, kl)


def win_rate(policy_scores: Sequence[float], reference_scores: Sequence[float]) -> float:
    """Share of paired comparisons the policy wins under a judge's scores, ties counting half.

    >>> win_rate([1, 0, 1, -1], [0, 0, -1, 1])
    0.625
    """
    pairs = list(zip(policy_scores, reference_scores, strict=True))
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)


def standard_error(share: float, n: int) -> float:
    """Binomial standard error of a share measured on ``n`` samples."""
    return math.sqrt(max(share * (1 - share), 1e-12) / max(n, 1))
