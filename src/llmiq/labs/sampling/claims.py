"""The sampling lab's verdicts, each computed from a measurement and decided on an interval.

The temperature claim is measured on real samples (distinct-n and entropy per prompt, over
seeds x prompts). The other three are definition checks of code that holds by construction
when written right (top-k truncates, the knobs equal transformers', a longer run extends a
shorter one): their intervals are ``exact`` maxima over every position, prompt and seed."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import pairwise

from llmiq.labs.report import Claim
from llmiq.labs.sampling.knobs import is_strictly_increasing
from llmiq.labs.uncertainty import Interval, exact, nested_interval


def adjacent_gains(per_t: Sequence[dict[int, Sequence[float]]]) -> list[Interval]:
    """For each pair of neighbouring temperatures, the 95% interval of the per-prompt gain
    (value at the higher T - at the lower, the same prompt and random draws) over seeds x
    prompts. ``per_t[i][seed]`` holds one value per prompt at the i-th temperature."""
    out = []
    for low, high in pairwise(per_t):
        groups = [[b - a for a, b in zip(low[seed], high[seed], strict=True)] for seed in low]
        out.append(nested_interval(groups, seed=next(iter(low))))
    return out


def temperature_claim(
    temperatures: Sequence[float],
    held_out_entropy: Sequence[float],
    sample_entropy: Sequence[dict[int, Sequence[float]]],
    diversity: Sequence[dict[int, Sequence[float]]],
    n: int,
) -> Claim:
    """Supported when, between every pair of neighbouring temperatures, the whole 95%
    interval of the per-prompt gain in distinct-n of real samples and in the entropy of the
    distributions those samples were drawn from lies above 0 (T swept in increasing order).

    The entropy of softmax(z / T) on fixed contexts rises with T for any non-constant z: that
    part is a definition check. The samples are the measurement: higher T walks into other
    contexts, and whether their text grows more diverse is an empirical question."""
    ordered = is_strictly_increasing(temperatures)
    diversity_gains = adjacent_gains(diversity)
    entropy_gains = adjacent_gains(sample_entropy)
    weakest = min(diversity_gains, key=lambda iv: iv.low)
    rising_diversity = all(iv.above(0.0) for iv in diversity_gains)
    rising_entropy = all(iv.above(0.0) for iv in entropy_gains)
    definition = is_strictly_increasing(held_out_entropy)
    seeds = list(diversity[0])
    pairs = list(pairwise(temperatures))

    def mean_at(values: dict[int, Sequence[float]]) -> float:
        return statistics.fmean(v for group in values.values() for v in group)

    div = ", ".join(f"{mean_at(d):.3f}" for d in diversity)
    ent = ", ".join(f"{mean_at(e):.2f}" for e in sample_entropy)
    weakest_pair = pairs[diversity_gains.index(weakest)]
    verdict = []
    if not ordered:
        verdict.append("the temperatures were not swept in increasing order")
    verdict.append(
        f"distinct-{n} " + ("rises" if rising_diversity else "does NOT rise") + " at every step"
    )
    verdict.append(
        "sample entropy " + ("rises" if rising_entropy else "does NOT rise") + " at every step"
    )
    return Claim.on_interval(
        "Temperature controls randomness: raising T raises the entropy of the next-token "
        f"distribution and the diversity (distinct-{n}) of samples, monotonically",
        weakest,
        measure=f"smallest per-prompt distinct-{n} gain between neighbouring temperatures "
        f"({weakest_pair[0]:g} -> {weakest_pair[1]:g})",
        seeds=seeds,
        above=0.0,
        also=ordered and rising_entropy and definition,
        evidence=(
            f"T = {', '.join(f'{t:g}' for t in temperatures)}: distinct-{n} of real samples "
            f"{div}; mean entropy of the distributions they were drawn from {ent} bits; the "
            f"smallest step of distinct-{n}, {weakest_pair[0]:g} -> {weakest_pair[1]:g}, gains "
            f"{weakest.format('.3f')} over {weakest.over} (the same prompts and random draws "
            f"at every T); {'; '.join(verdict)}. On fixed held-out contexts the entropy "
            f"{', '.join(f'{e:.2f}' for e in held_out_entropy)} bits rises with T by "
            f"definition ({'checked' if definition else 'NOT monotone'})."
        ),
    )


def top_k_claim(
    ks: Sequence[int],
    measured: dict[str, list[float]],
    full_entropy: float,
    tol: float = 1e-4,
    seeds: Sequence[int] = (0,),
) -> Claim:
    """Supported when every support is <= k, the kept tokens are the top k in order and no
    kept ratio moves by more than ``tol``. The evidence also says how much a small k lowers
    the entropy: truncation reduces randomness too, it just does not rescale."""
    capped = all(s <= k for s, k in zip(measured["max_support"], ks, strict=True))
    ranked = all(r == 1.0 for r in measured["ranking_kept"])
    worst = max(measured["max_ratio_change"])
    pairs = ", ".join(
        f"k={k}: {s:g}" for k, s in zip(ks, measured["max_support"], strict=True) if k <= 50
    )
    ents = ", ".join(
        f"k={k}: {e:.2f}" for k, e in zip(ks, measured["entropy_bits"], strict=True) if k <= 20
    )
    return Claim.on_interval(
        "Top-k caps the support at k and keeps the ranking and the ratios of the kept "
        "tokens: it truncates the distribution, it does not rescale it like temperature",
        exact(worst, "exact: max over every held-out position"),
        measure="largest relative change of a kept probability ratio",
        seeds=seeds,
        below=tol,
        also=capped and ranked,
        evidence=f"A definition check on the model's held-out distributions (exact maxima): "
        f"largest support {pairs} ({'all' if capped else 'NOT all'} <= k); kept tokens "
        f"{'are' if ranked else 'are NOT'} the top k in the original order; largest change of "
        f"a kept probability ratio {worst:.1e} (needed below {tol:.0e}). A small k does reduce "
        f"randomness: mean entropy {ents} bits vs {full_entropy:.2f} untruncated (k = 1 is "
        f"greedy).",
    )


def max_new_tokens_claim(
    short_tokens: int,
    long_tokens: int,
    measured: dict[str, float],
    n: int = 3,
    seeds: Sequence[int] = (0,),
) -> Claim:
    """Supported when the lengths are the two max_new_tokens, every short sample is a prefix
    of its long sample and the per-step entropies of the shared steps are equal."""
    lengths = measured["short_length"] == short_tokens and measured["long_length"] == long_tokens
    prefix = measured["prefix_fraction"] == 1.0
    return Claim.on_interval(
        "max_new_tokens changes only the length: with the same seed and prefix the shorter "
        "sample is a prefix of the longer one and every step's distribution is unchanged",
        exact(measured["max_entropy_difference"], "exact: max over every prompt and step"),
        measure="largest per-step entropy difference over the shared steps (bits)",
        seeds=seeds,
        below=1e-6,
        also=lengths and prefix,
        evidence="A definition check of the sampling loop (exact): "
        f"lengths {measured['short_length']:g} and {measured['long_length']:g} tokens; "
        f"{measured['prefix_fraction']:.0%} of short samples are prefixes of the long ones; "
        f"per-step entropy over the shared steps differs by at most "
        f"{measured['max_entropy_difference']:.1e} bits (mean {measured['mean_entropy_short']:.3f}"
        f" vs {measured['mean_entropy_long_same_steps']:.3f}). Distinct-{n} is "
        f"{measured['distinct_short']:.3f} (short) vs {measured['distinct_long']:.3f} (long) "
        "only because distinct-n falls with text length, not with randomness.",
    )


def definitions_claim(
    checks: dict, library: dict[str, float], tol: float = 1e-5, seeds: Sequence[int] = (0,)
) -> Claim:
    definitions_hold = (
        checks["t1_vs_softmax_max_abs"] <= tol
        and all(b >= a for a, b in pairwise(checks["mean_argmax_mass_by_small_t"]))
        and checks["mean_argmax_mass_by_small_t"][-1] >= 0.999
        and checks["t0_is_argmax"]
        and checks["top_k_exact_k"]
        and checks["top_p_smallest_prefix"]
    )
    worst_library = max(library.values())
    return Claim.on_interval(
        "The from-scratch knobs follow the definitions: T = 1 is the softmax, T -> 0 is "
        "argmax, top-k keeps exactly k tokens, top-p keeps the smallest prefix with mass >= p",
        exact(worst_library, "exact: max over every held-out position"),
        measure="largest |probability difference| vs transformers' warpers",
        seeds=seeds,
        below=tol,
        also=definitions_hold,
        evidence="A definition check (exact maxima): "
        f"T = 1 vs softmax max |diff| {checks['t1_vs_softmax_max_abs']:.1e}; at "
        f"T = {', '.join(f'{t:g}' for t in checks['small_temperatures'])} the argmax holds "
        f"{', '.join(f'{m:.4f}' for m in checks['mean_argmax_mass_by_small_t'])} of the mass "
        f"on average (T = 0 is exactly argmax: {checks['t0_is_argmax']}); "
        f"exactly k kept: {checks['top_k_exact_k']}; smallest nucleus: "
        f"{checks['top_p_smallest_prefix']}; vs "
        f"transformers' warpers max |diff| temperature {library['temperature']:.1e}, top-k "
        f"{library['top_k']:.1e}, top-p {library['top_p']:.1e}.",
    )
