"""The decoding lab's verdicts, each computed from a measurement."""

from __future__ import annotations

import math

from llmiq.labs.decoding.measurements import MethodResult
from llmiq.labs.report import Claim


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def likelihood_claim(greedy: MethodResult, beam: MethodResult, sampled: MethodResult) -> Claim:
    """Supported when greedy's and beam's mean log-probability per token (over all prompts)
    are both above sampling's (over all prompts and seeds)."""
    g, b, s = (_mean(m.mean_logprob) for m in (greedy, beam, sampled))
    per_prompt = sampled.per_prompt(sampled.mean_logprob)
    wins_g = sum(x > y for x, y in zip(greedy.mean_logprob, per_prompt, strict=True))
    wins_b = sum(x > y for x, y in zip(beam.mean_logprob, per_prompt, strict=True))
    count = len(per_prompt)
    return Claim(
        text="Greedy and beam search find likelier continuations than sampling (T = 1, top-p): "
        "a higher log-probability per token under the model",
        supported=g > s and b > s,
        evidence=f"mean log-probability per token: greedy {g:.3f}, beam {b:.3f}, sampling "
        f"{s:.3f} nats (perplexity {math.exp(-g):.2f}, {math.exp(-b):.2f}, "
        f"{math.exp(-s):.2f}); per prompt greedy beats sampling's mean on {wins_g}/{count}, "
        f"beam on {wins_b}/{count}.",
    )


def repetition_claim(
    greedy: MethodResult, beam: MethodResult, sampled: MethodResult, n: int
) -> Claim:
    """Supported when greedy's and beam's mean seq-rep-n are both above sampling's: the
    maximisation-based methods repeat themselves more (Holtzman et al. 2020)."""
    g, b, s = (_mean(m.seq_rep) for m in (greedy, beam, sampled))
    dg, db, ds = (_mean(m.distinct_2) for m in (greedy, beam, sampled))
    looping = [sum(r > 0 for r in m.seq_rep) for m in (greedy, beam, sampled)]
    return Claim(
        text="Greedy and beam search repeat themselves more than sampling (the degeneration of "
        "Holtzman et al., 'The Curious Case of Neural Text Degeneration')",
        supported=g > s and b > s,
        evidence=f"seq-rep-{n} (share of repeated {n}-grams): greedy {g:.3f}, beam {b:.3f}, "
        f"sampling {s:.3f}; distinct-2 {dg:.3f}, {db:.3f}, {ds:.3f}; continuations with a "
        f"repeated {n}-gram: {looping[0]}/{len(greedy.seq_rep)}, {looping[1]}/"
        f"{len(beam.seq_rep)}, {looping[2]}/{len(sampled.seq_rep)}.",
    )


def beam_claim(greedy: MethodResult, beam: MethodResult, beams: int, tol: float = 1e-4) -> Claim:
    """Supported when beam search's continuation is at least as likely as greedy's (total
    log-probability, ``tol`` for float round-off) for every prompt."""
    gaps = [b - g for g, b in zip(greedy.total_logprob, beam.total_logprob, strict=True)]
    at_least = sum(gap >= -tol for gap in gaps)
    return Claim(
        text=f"Beam search (b = {beams}) finds a continuation at least as likely as greedy's",
        supported=at_least == len(gaps),
        evidence=f"total log-probability, beam minus greedy, per prompt: "
        f"{', '.join(f'{gap:+.2f}' for gap in gaps)} nats; beam >= greedy on "
        f"{at_least}/{len(gaps)} prompts. Beam search is not guaranteed to beat greedy (it "
        "can prune greedy's path); here it is measured.",
    )


def library_claim(comparison: dict) -> Claim:
    """Supported when every compared prompt's tokens are identical to ``generate``'s, for
    each method compared."""
    methods = [k.removesuffix("_prompts_identical") for k in comparison if k.endswith("_identical")]
    count = comparison["prompts"]
    same = all(comparison[f"{m}_prompts_identical"] == count for m in methods)
    detail = ", ".join(
        f"{m} {comparison[f'{m}_prompts_identical']}/{count} "
        f"({comparison[f'{m}_tokens_differing']} tokens differ)"
        for m in methods
    )
    return Claim(
        text="The from-scratch searches emit exactly transformers' generate tokens "
        "(do_sample=False; num_beams; no_repeat_ngram_size)",
        supported=same and count > 0,
        evidence=f"{comparison['new_tokens']} new tokens per prompt, identical prompts: {detail}.",
    )
