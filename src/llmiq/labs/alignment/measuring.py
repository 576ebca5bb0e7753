"""Measuring a policy with the hidden rule: its win-rate against the reference's replies to
the held-out requests, its KL to the reference, and what share of its replies are polite,
rude or neither (garbled)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from llmiq.labs import preference
from llmiq.labs.alignment.config import Config
from llmiq.labs.preference import RequestWorld
from llmiq.labs.tinylm import GPT


@dataclass
class Measured:
    win_rate: float  # against the reference's replies, under the hidden rule
    kl: float  # mean KL(pi || pi_ref) per reply, nats
    shares: dict[str, float]  # polite / rude / neither share of the policy's replies
    examples: list[str]  # a few replies, to read


def win_rate_by_request(
    policy_scores: dict[int, list[int]], reference_scores: dict[int, list[int]]
) -> float:
    """Mean over requests of P(policy reply beats a reference reply) + P(tie) / 2, with the two
    replies drawn independently from each side's sampled replies to that request.

    >>> win_rate_by_request({0: [1, 1]}, {0: [1, -1]})  # tie half the time, win the other half
    0.75
    """
    rates = []
    for request, ours in policy_scores.items():
        theirs = reference_scores[request]
        wins = sum((a > b) + 0.5 * (a == b) for a in ours for b in theirs)
        rates.append(wins / (len(ours) * len(theirs)))
    return sum(rates) / len(rates)


def measure(
    policy: GPT,
    reference: GPT,
    world: RequestWorld,
    reference_scores: dict[int, list[int]],
    config: Config,
    seed: int,
) -> Measured:
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    samples = preference.sample_policy(
        policy, reference, prompts, per_prompt=config.samples_per_request,
        end=world.vocab.end, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    scores = [world.judge(r) for r in samples.responses]
    by_request = {
        i: scores[i * config.samples_per_request : (i + 1) * config.samples_per_request]
        for i in range(len(prompts))
    }
    n = len(scores)
    shares = {
        "polite": sum(s == 1 for s in scores) / n,
        "rude": sum(s == -1 for s in scores) / n,
        "neither": sum(s == 0 for s in scores) / n,
    }
    step = config.samples_per_request
    examples = [world.vocab.response_text(samples.responses[i]) for i in range(0, 4 * step, step)]
    return Measured(
        win_rate_by_request(by_request, reference_scores), samples.mean_kl, shares, examples
    )


def reference_scores(
    reference: GPT, world: RequestWorld, config: Config, seed: int
) -> dict[int, list[int]]:
    """The hidden rule's score of the reference's own replies to each held-out request."""
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    repeated = [p for p in prompts for _ in range(config.samples_per_request)]
    responses = preference.sample_responses(
        reference, repeated, end=world.vocab.end, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    k = config.samples_per_request
    return {
        i: [world.judge(r) for r in responses[i * k : (i + 1) * k]] for i in range(len(prompts))
    }


def average(runs: list[Measured]) -> Measured:
    """The mean of several seeds' measurements (the examples are the first seed's)."""
    n = len(runs)
    shares = {k: sum(r.shares[k] for r in runs) / n for k in runs[0].shares}
    return Measured(
        sum(r.win_rate for r in runs) / n, sum(r.kl for r in runs) / n, shares, runs[0].examples
    )
