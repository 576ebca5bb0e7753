"""The decoding lab's verdicts, each decided on a 95% interval.

The items are prompts: each seed draws its own prompts from the seed bank's explanations, a
prompt's sampled continuations are averaged first, and the intervals resample the seeds and
the prompts within them (``uncertainty.nested_interval``). A claim that greedy *and* beam
search beat sampling is decided on the weaker of the two gaps: the one whose interval
reaches lowest; it is supported when that whole interval lies above zero (then so does the
other's).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmiq.labs.decoding.measurements import MethodResult
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, exact, nested_interval


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def by_seed(values: Sequence[float], prompt_seeds: Sequence[int]) -> list[list[float]]:
    """``values`` (one per prompt) grouped by the seed that drew the prompt, in seed order.

    >>> by_seed([0.1, 0.2, 0.3], [5, 5, 6])
    [[0.1, 0.2], [0.3]]
    """
    return [
        [v for v, s in zip(values, prompt_seeds, strict=True) if s == seed]
        for seed in dict.fromkeys(prompt_seeds)
    ]


def prompt_interval(values: Sequence[float], prompt_seeds: Sequence[int]) -> Interval:
    """The 95% interval of the mean over prompts, resampling seeds and prompts within them."""
    groups = by_seed(values, prompt_seeds)
    sizes = {len(g) for g in groups}
    label = (
        f"{len(groups)} seed{'s' * (len(groups) > 1)} x {sizes.pop()} prompts"
        if len(sizes) == 1
        else f"{len(groups)} seeds, {len(values)} prompts"
    )
    return nested_interval(groups, over=label)


def _gaps(
    better: MethodResult, sampled: MethodResult, field: str, prompt_seeds: Sequence[int]
) -> Interval:
    """Per prompt, ``better``'s value of ``field`` minus the mean of sampling's draws."""
    ours = better.per_prompt(getattr(better, field))
    theirs = sampled.per_prompt(getattr(sampled, field))
    return prompt_interval([a - b for a, b in zip(ours, theirs, strict=True)], prompt_seeds)


def _weaker(gaps: dict[str, Interval]) -> tuple[str, Interval]:
    return min(gaps.items(), key=lambda item: item[1].low)


def likelihood_claim(
    greedy: MethodResult,
    beam: MethodResult,
    sampled: MethodResult,
    prompt_seeds: Sequence[int],
) -> Claim:
    """Supported when the whole interval of the per-prompt gap in mean log-probability per
    token, greedy minus sampling and beam minus sampling, is above zero for both."""
    g, b, s = (_mean(m.mean_logprob) for m in (greedy, beam, sampled))
    gaps = {
        method.method: _gaps(method, sampled, "mean_logprob", prompt_seeds)
        for method in (greedy, beam)
    }
    name, weaker = _weaker(gaps)
    per_prompt = sampled.per_prompt(sampled.mean_logprob)
    wins_g = sum(x > y for x, y in zip(greedy.mean_logprob, per_prompt, strict=True))
    wins_b = sum(x > y for x, y in zip(beam.mean_logprob, per_prompt, strict=True))
    count = len(per_prompt)
    return Claim.on_interval(
        "Greedy and beam search find likelier continuations than sampling (T = 1, top-p): "
        "a higher log-probability per token under the model",
        weaker,
        measure=f"log-probability per token, {name} minus sampling (nats per token, per "
        "prompt; the weaker of greedy's and beam's gaps)",
        evidence=f"mean log-probability per token: greedy {g:.3f}, beam {b:.3f}, sampling "
        f"{s:.3f} nats (perplexity {math.exp(-g):.2f}, {math.exp(-b):.2f}, "
        f"{math.exp(-s):.2f}); gap over sampling: greedy {gaps[greedy.method].format('.3f')}, "
        f"beam {gaps[beam.method].format('.3f')} over {weaker.over}; per prompt greedy beats "
        f"sampling's mean on {wins_g}/{count}, beam on {wins_b}/{count}.",
        seeds=list(dict.fromkeys(prompt_seeds)),
        above=0.0,
    )


def repetition_claim(
    greedy: MethodResult,
    beam: MethodResult,
    sampled: MethodResult,
    n: int,
    prompt_seeds: Sequence[int],
) -> Claim:
    """Supported when the whole interval of the per-prompt gap in seq-rep-n, greedy minus
    sampling and beam minus sampling, is above zero for both: the maximisation-based methods
    repeat themselves more (Holtzman et al. 2020)."""
    g, b, s = (_mean(m.seq_rep) for m in (greedy, beam, sampled))
    dg, db, ds = (_mean(m.distinct_2) for m in (greedy, beam, sampled))
    gaps = {
        method.method: _gaps(method, sampled, "seq_rep", prompt_seeds) for method in (greedy, beam)
    }
    name, weaker = _weaker(gaps)
    looping = [sum(r > 0 for r in m.seq_rep) for m in (greedy, beam, sampled)]
    return Claim.on_interval(
        "Greedy and beam search repeat themselves more than sampling (the degeneration of "
        "Holtzman et al., 'The Curious Case of Neural Text Degeneration')",
        weaker,
        measure=f"seq-rep-{n}, {name} minus sampling (share of repeated {n}-grams, per prompt; "
        "the weaker of greedy's and beam's gaps)",
        evidence=f"seq-rep-{n} (share of repeated {n}-grams): greedy {g:.3f}, beam {b:.3f}, "
        f"sampling {s:.3f}; gap over sampling: greedy {gaps[greedy.method].format('.3f')}, "
        f"beam {gaps[beam.method].format('.3f')} over {weaker.over}; distinct-2 {dg:.3f}, "
        f"{db:.3f}, {ds:.3f}; continuations with a repeated {n}-gram: "
        f"{looping[0]}/{len(greedy.seq_rep)}, {looping[1]}/{len(beam.seq_rep)}, "
        f"{looping[2]}/{len(sampled.seq_rep)}.",
        seeds=list(dict.fromkeys(prompt_seeds)),
        above=0.0,
    )


def beam_claim(
    greedy: MethodResult,
    beam: MethodResult,
    beams: int,
    prompt_seeds: Sequence[int],
    tol: float = 1e-4,
) -> Claim:
    """Supported when the whole interval of the mean gap in total log-probability, beam minus
    greedy, is above ``-tol`` (float round-off): beam is at least as likely on average. It
    need not be on every prompt (beam can prune greedy's path); those prompts are counted."""
    gaps = [b - g for g, b in zip(greedy.total_logprob, beam.total_logprob, strict=True)]
    at_least = sum(gap >= -tol for gap in gaps)
    interval = prompt_interval(gaps, prompt_seeds)
    shown = ", ".join(f"{gap:+.2f}" for gap in gaps[:12]) + (", ..." if len(gaps) > 12 else "")
    return Claim.on_interval(
        f"Beam search (b = {beams}) finds a continuation at least as likely as greedy's, on "
        "average over prompts",
        interval,
        measure="log-probability of the whole continuation, beam minus greedy (nats, per prompt)",
        evidence=f"total log-probability, beam minus greedy: mean {interval.format('.2f')} nats "
        f"over {interval.over}; per prompt {shown}; beam >= greedy on {at_least}/{len(gaps)} "
        "prompts. Beam search is not guaranteed to beat greedy on every prompt (it can prune "
        "greedy's path); the claim is about the mean, and the prompts where it lost are counted.",
        seeds=list(dict.fromkeys(prompt_seeds)),
        above=-tol,
    )


def library_claim(comparison: dict, seeds: Sequence[int]) -> Claim:
    """Supported when every compared prompt's tokens are identical to ``generate``'s, for
    each method compared: an exact count."""
    methods = [k.removesuffix("_prompts_identical") for k in comparison if k.endswith("_identical")]
    count = comparison["prompts"]
    differing = sum(count - comparison[f"{m}_prompts_identical"] for m in methods)
    detail = ", ".join(
        f"{m} {comparison[f'{m}_prompts_identical']}/{count} "
        f"({comparison[f'{m}_tokens_differing']} tokens differ)"
        for m in methods
    )
    return Claim.on_interval(
        "The from-scratch searches emit exactly transformers' generate tokens "
        "(do_sample=False; num_beams; no_repeat_ngram_size)",
        exact(differing, over=f"exact: {count} prompts x {len(methods)} methods"),
        measure="prompts whose tokens differ from generate's (count over the methods)",
        evidence=f"exact comparison, {comparison['new_tokens']} new tokens per prompt, prompts "
        f"identical to generate's: {detail}.",
        seeds=seeds,
        below=0.5,
        also=count > 0,
    )
