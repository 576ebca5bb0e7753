"""The sampling lab's verdicts, each computed from a measurement."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from llmiq.labs.report import Claim
from llmiq.labs.sampling.knobs import is_strictly_increasing


def temperature_claim(
    temperatures: Sequence[float], entropies: Sequence[float], diversities: Sequence[float], n: int
) -> Claim:
    """Supported when entropy and distinct-n both rise strictly with T (T given in the order
    measured; a sweep that is not increasing in T cannot support a monotone rise)."""
    ordered = is_strictly_increasing(temperatures)
    rising_entropy = is_strictly_increasing(entropies)
    rising_diversity = is_strictly_increasing(diversities)
    temps = ", ".join(f"{t:g}" for t in temperatures)
    ent = ", ".join(f"{e:.2f}" for e in entropies)
    div = ", ".join(f"{d:.3f}" for d in diversities)
    verdict = []
    if not ordered:
        verdict.append("the temperatures were not swept in increasing order")
    verdict.append("entropy " + ("rises strictly" if rising_entropy else "does NOT rise strictly"))
    verdict.append(
        f"distinct-{n} " + ("rises strictly" if rising_diversity else "does NOT rise strictly")
    )
    return Claim(
        text="Temperature controls randomness: raising T raises the entropy of the next-token "
        f"distribution and the diversity (distinct-{n}) of samples, monotonically",
        supported=ordered and rising_entropy and rising_diversity,
        evidence=f"T = {temps}: mean next-token entropy {ent} bits; distinct-{n} of samples "
        f"{div}; {'; '.join(verdict)}.",
    )


def top_k_claim(
    ks: Sequence[int], measured: dict[str, list[float]], full_entropy: float, tol: float = 1e-4
) -> Claim:
    """Supported when every support is <= k, the kept tokens are the top k in order and no
    kept ratio moves by more than ``tol``. The evidence also says how much a small k lowers
    the entropy: truncation reduces randomness too, it just does not rescale."""
    capped = all(s <= k for s, k in zip(measured["max_support"], ks, strict=True))
    ranked = all(r == 1.0 for r in measured["ranking_kept"])
    worst = max(measured["max_ratio_change"])
    unscaled = worst <= tol
    pairs = ", ".join(
        f"k={k}: {s:g}" for k, s in zip(ks, measured["max_support"], strict=True) if k <= 50
    )
    ents = ", ".join(
        f"k={k}: {e:.2f}" for k, e in zip(ks, measured["entropy_bits"], strict=True) if k <= 20
    )
    return Claim(
        text="Top-k caps the support at k and keeps the ranking and the ratios of the kept "
        "tokens: it truncates the distribution, it does not rescale it like temperature",
        supported=capped and ranked and unscaled,
        evidence=f"largest support {pairs} ({'all' if capped else 'NOT all'} <= k); kept tokens "
        f"{'are' if ranked else 'are NOT'} the top k in the original order; largest change of "
        f"a kept probability ratio {worst:.1e}. A small k does reduce randomness: mean entropy "
        f"{ents} bits vs {full_entropy:.2f} untruncated (k = 1 is greedy).",
    )


def max_new_tokens_claim(
    short_tokens: int, long_tokens: int, measured: dict[str, float], n: int = 3
) -> Claim:
    """Supported when the lengths are the two max_new_tokens, every short sample is a prefix
    of its long sample and the per-step entropies of the shared steps are equal."""
    lengths = measured["short_length"] == short_tokens and measured["long_length"] == long_tokens
    prefix = measured["prefix_fraction"] == 1.0
    same_entropy = measured["max_entropy_difference"] <= 1e-6
    return Claim(
        text="max_new_tokens changes only the length: with the same seed and prefix the shorter "
        "sample is a prefix of the longer one and every step's distribution is unchanged",
        supported=lengths and prefix and same_entropy,
        evidence=f"lengths {measured['short_length']:g} and {measured['long_length']:g} tokens; "
        f"{measured['prefix_fraction']:.0%} of short samples are prefixes of the long ones; "
        f"per-step entropy over the shared steps differs by at most "
        f"{measured['max_entropy_difference']:.1e} bits (mean {measured['mean_entropy_short']:.3f}"
        f" vs {measured['mean_entropy_long_same_steps']:.3f}). Distinct-{n} is "
        f"{measured['distinct_short']:.3f} (short) vs {measured['distinct_long']:.3f} (long) "
        "only because distinct-n falls with text length, not with randomness.",
    )


def definitions_claim(checks: dict, library: dict[str, float], tol: float = 1e-5) -> Claim:
    exact = (
        checks["t1_vs_softmax_max_abs"] <= tol
        and all(b >= a for a, b in pairwise(checks["mean_argmax_mass_by_small_t"]))
        and checks["mean_argmax_mass_by_small_t"][-1] >= 0.999
        and checks["t0_is_argmax"]
        and checks["top_k_exact_k"]
        and checks["top_p_smallest_prefix"]
    )
    worst_library = max(library.values())
    return Claim(
        text="The from-scratch knobs follow the definitions: T = 1 is the softmax, T -> 0 is "
        "argmax, top-k keeps exactly k tokens, top-p keeps the smallest prefix with mass >= p",
        supported=exact and worst_library <= tol,
        evidence=f"T = 1 vs softmax max |diff| {checks['t1_vs_softmax_max_abs']:.1e}; at "
        f"T = {', '.join(f'{t:g}' for t in checks['small_temperatures'])} the argmax holds "
        f"{', '.join(f'{m:.4f}' for m in checks['mean_argmax_mass_by_small_t'])} of the mass "
        f"on average (T = 0 is exactly argmax: {checks['t0_is_argmax']}); "
        f"exactly k kept: {checks['top_k_exact_k']}; smallest nucleus: "
        f"{checks['top_p_smallest_prefix']}; vs "
        f"transformers' warpers max |diff| temperature {library['temperature']:.1e}, top-k "
        f"{library['top_k']:.1e}, top-p {library['top_p']:.1e}.",
    )
