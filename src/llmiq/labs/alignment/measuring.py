"""Measuring a policy with the hidden rule: its win-rate against the reference's replies to
each held-out request, its KL to the reference, what share of its replies are polite, rude
or neither (garbled), and the highest win-rate any policy could reach against the
reference (the ceiling)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import torch

from llmiq.labs import preference
from llmiq.labs.preference import RequestWorld
from llmiq.labs.tinylm import GPT


@dataclass
class Measured:
    win_rate: float  # against the reference's replies, under the hidden rule, mean of requests
    kl: float  # mean KL(pi || pi_ref) per reply, nats
    shares: dict[str, float]  # polite / rude / neither share of the policy's replies
    examples: list[str]  # a few replies, to read
    by_request: list[float]  # the win-rate on each held-out request (win_rate is their mean)


def win_rates_by_request(
    policy_scores: dict[int, list[int]], reference_scores: dict[int, list[int]]
) -> list[float]:
    """Per request, P(policy reply beats a reference reply) + P(tie) / 2, the two replies
    drawn independently from each side's sampled replies to that request.

    >>> win_rates_by_request({0: [1, 1], 1: [-1]}, {0: [1, -1], 1: [1]})
    [0.75, 0.0]
    """
    rates = []
    for request, ours in policy_scores.items():
        theirs = Counter(reference_scores[request])
        wins = sum(
            n * m * ((a > b) + 0.5 * (a == b))
            for a, n in Counter(ours).items()
            for b, m in theirs.items()
        )  # every pair of replies, counted by score: the judge has three values
        rates.append(wins / (len(ours) * len(reference_scores[request])))
    return rates


def win_rate_by_request(
    policy_scores: dict[int, list[int]], reference_scores: dict[int, list[int]]
) -> float:
    """The mean over requests of :func:`win_rates_by_request`.

    >>> win_rate_by_request({0: [1, 1]}, {0: [1, -1]})  # tie half the time, win the other half
    0.75
    """
    rates = win_rates_by_request(policy_scores, reference_scores)
    return sum(rates) / len(rates)


def ceiling_by_request(reference_scores: dict[int, list[int]]) -> list[float]:
    """The highest win-rate any policy can reach against the reference on each request: that
    of a policy whose every reply is polite, which beats the reference's rude and garbled
    replies and ties its polite ones, P(ref not polite) + P(ref polite) / 2. Against a
    reference that is polite half the time it is 0.75.

    >>> ceiling_by_request({0: [1, -1], 1: [1, 1, 0, -1]})
    [0.75, 0.75]
    """
    return [
        sum(1.0 if s < 1 else 0.5 for s in scores) / len(scores)
        for scores in reference_scores.values()
    ]


def measure(
    policy: GPT,
    reference: GPT,
    world: RequestWorld,
    reference_scores: dict[int, list[int]],
    *,
    samples: int,
    max_new_tokens: int,
    seed: int,
) -> Measured:
    """``samples`` replies of the policy to each held-out request, judged by the hidden rule
    against the reference's; the KL on the same replies."""
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    drawn = preference.sample_policy(
        policy, reference, prompts, per_prompt=samples, end=world.vocab.end,
        max_new_tokens=max_new_tokens, generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    scores = [world.judge(r) for r in drawn.responses]
    by_request = {i: scores[i * samples : (i + 1) * samples] for i in range(len(prompts))}
    n = len(scores)
    shares = {
        "polite": sum(s == 1 for s in scores) / n,
        "rude": sum(s == -1 for s in scores) / n,
        "neither": sum(s == 0 for s in scores) / n,
    }
    examples = [
        world.vocab.response_text(drawn.responses[i]) for i in range(0, 4 * samples, samples)
    ]
    rates = win_rates_by_request(by_request, reference_scores)
    return Measured(sum(rates) / len(rates), drawn.mean_kl, shares, examples, rates)


def reference_scores(
    reference: GPT, world: RequestWorld, *, samples: int, max_new_tokens: int, seed: int
) -> dict[int, list[int]]:
    """The hidden rule's score of the reference's own replies to each held-out request."""
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    repeated = [p for p in prompts for _ in range(samples)]
    responses = preference.sample_responses(
        reference, repeated, end=world.vocab.end, max_new_tokens=max_new_tokens,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    return {
        i: [world.judge(r) for r in responses[i * samples : (i + 1) * samples]]
        for i in range(len(prompts))
    }
