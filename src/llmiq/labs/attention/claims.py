"""The attention lab's verdicts, each computed from a measurement and decided on an interval.

Exact checks (errors of a replay, a tensor's shape, a mask's leak) carry ``exact`` intervals:
their number is a maximum over every seed's random inputs, not an estimate. The context
claims bootstrap over items (frame pairs) and seeds (the control words drawn).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import torch

from llmiq.labs.attention.mechanics import CausalLeak, ScaleRow
from llmiq.labs.attention.readout import ItemShift
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import bootstrap_interval, exact, nested_interval

#: the from-scratch attention's comparisons with torch that must all be within tolerance
EQUAL_KEYS = (
    "sdpa", "sdpa_causal", "mha_output", "mha_weights", "mha_causal_output",
    "mha_causal_weights",
)  # fmt: skip

#: shared-word TV a word's attention must move between contexts to count as context-dependent
#: (2% of its attention mass; fixed before measuring)
MIN_CONTEXT_TV = 0.02
#: mean top-weight gap (unscaled - scaled) at the largest head size that counts as saturation
MIN_SATURATION_GAP = 0.2


def equals_torch_claim(
    errors: dict[str, float], shapes: int, tolerance: float, seeds: Sequence[int]
) -> Claim:
    """Supported when every from-scratch output and weight is within ``tolerance`` of torch's
    (``errors``: the largest over every seed's random inputs)."""
    max_error = max(errors[k] for k in EQUAL_KEYS)
    return Claim.on_interval(
        "Scaled dot-product self-attention written from scratch (unmasked and causal, "
        "multi-head) equals PyTorch's.",
        exact(max_error, f"exact: max over {len(seeds)} seed(s) x {shapes} shapes"),
        measure="max abs error, from scratch vs torch (float32)",
        seeds=seeds,
        below=tolerance,
        evidence=(
            f"Max abs error vs F.scaled_dot_product_attention {errors['sdpa']:.1e} "
            f"(causal {errors['sdpa_causal']:.1e}); vs nn.MultiheadAttention with its "
            f"weights copied: output {errors['mha_output']:.1e}, weights "
            f"{errors['mha_weights']:.1e} (causal {errors['mha_causal_output']:.1e} / "
            f"{errors['mha_causal_weights']:.1e}); {shapes} shapes x {len(seeds)} seed(s) of "
            f"random inputs, float32, tolerance {tolerance:.0e}; a maximum, not an estimate "
            f"(exact)."
        ),
    )


def distribution_claim(
    errors: dict[str, float],
    real_sum_dev: float,
    real_min: float,
    passes: int,
    tolerance: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when every row (from scratch and MiniLM's) sums to 1 with no negative weight,
    and causal rows give later words nothing."""
    deviation = max(errors["row_sum_deviation"], real_sum_dev)
    return Claim.on_interval(
        "Each row of attention weights is a probability distribution over the words: how "
        "much each word matters to the current one.",
        exact(deviation, "exact: max over every row measured"),
        measure="max |row sum - 1| (from scratch and MiniLM)",
        seeds=seeds,
        below=tolerance,
        also=min(errors["min_weight"], real_min) >= 0.0 and errors["causal_future_weight"] == 0.0,
        evidence=(
            f"Rows sum to 1 within {errors['row_sum_deviation']:.1e} (from scratch) and "
            f"{real_sum_dev:.1e} (MiniLM, {passes} sentences x 72 heads); smallest "
            f"weight {min(errors['min_weight'], real_min):.1e}; causal rows give later "
            f"words weight {errors['causal_future_weight']:.1e} (maxima over every row: exact)."
        ),
    )


def replay_claim(
    replay_weights: float,
    replay_output: float,
    passes: int,
    tolerance: float,
    seeds: Sequence[int],
) -> Claim:
    """Supported when the from-scratch replay of MiniLM's layers matches what it reports."""
    return Claim.on_interval(
        "A pretrained model's attention is exactly this formula: the from-scratch code, fed "
        "MiniLM's own query/key/value weights, reproduces the weights the model reports.",
        exact(max(replay_weights, replay_output), f"exact: max over {passes} sentences"),
        measure="max abs error, from-scratch replay vs MiniLM's own weights and outputs",
        seeds=seeds,
        below=tolerance,
        evidence=(
            f"Over 6 layers x 12 heads and {passes} sentences: max abs error "
            f"{replay_weights:.1e} on the weights (output_attentions) and "
            f"{replay_output:.1e} on the attention block output (maxima: exact)."
        ),
    )


def _by_seed(shifts: dict[int, list[ItemShift]], value: str) -> list[list[float]]:
    get = {
        "word": lambda s: s.word.tv,
        "control": lambda s: s.control.tv,
        "both": lambda s: 0.5 * (s.word.tv + s.control.tv),
        "net": lambda s: s.net,
    }[value]
    return [[get(s) for s in items] for items in shifts.values()]


def context_claim(shifts: dict[int, list[ItemShift]], weights: str = "model") -> Claim:
    """Supported when the words' attention moves between the two frames of an item by more
    than :data:`MIN_CONTEXT_TV` (shared-word TV, mean of the ambiguous word and its control),
    on the whole 95% interval over items x seeds."""
    seeds = list(shifts)
    interval = nested_interval(_by_seed(shifts, "both"), seed=seeds[0])
    first = next(iter(shifts.values()))[0]
    word, control = first.word, first.control
    return Claim.on_interval(
        "The same word attends differently in different contexts (attention weights are "
        "computed from the sentence, not fixed per word).",
        interval,
        measure="shared-word TV distance of a word's attention between two contexts",
        seeds=seeds,
        above=MIN_CONTEXT_TV,
        evidence=(
            f"'{word.pair.word}' in '{word.pair.sentence_a}' vs '{word.pair.sentence_b}': its "
            f"top words {', '.join(word.top_a)} vs {', '.join(word.top_b)}, TV over the shared "
            f"words {word.tv:.3f}; the control '{control.pair.word}' in the same slot "
            f"{control.tv:.3f}. Over {interval.over} (ambiguous and control words, mean of 6 "
            f"layers x 12 heads) the mean TV is {interval.format('.3f')} (needed above "
            f"{MIN_CONTEXT_TV}; {weights} weights)."
        ),
    )


def ambiguity_claim(shifts: dict[int, list[ItemShift]], weights: str = "model") -> Claim:
    """Supported when the ambiguous word's shift exceeds the control's in the same slot of the
    same frames: the whole 95% interval of (ambiguous - control) over items x seeds above 0."""
    seeds = list(shifts)
    net = nested_interval(_by_seed(shifts, "net"), seed=seeds[0])
    word = nested_interval(_by_seed(shifts, "word"), seed=seeds[0])
    control = nested_interval(_by_seed(shifts, "control"), seed=seeds[0])
    items = [s for group in shifts.values() for s in group]
    wins = sum(s.net > 0 for s in items)
    share = net.estimate / word.estimate if word.estimate > 0 else math.nan
    # The frames recur in every seed (only the controls are redrawn), so the items of two
    # seeds are not independent: the same net effect averaged per frame pair over the seeds,
    # bootstrapped over frame pairs alone, must clear zero too.
    per_pair: dict[tuple[str, str], list[float]] = {}
    for s in items:
        per_pair.setdefault((s.item.frame_a, s.item.frame_b), []).append(s.net)
    by_pair = bootstrap_interval(
        [statistics.fmean(v) for v in per_pair.values()],
        seed=seeds[0],
        over=f"{len(per_pair)} frame pairs",
    )
    return Claim.on_interval(
        "An ambiguous word's attention moves more between contexts that select its two senses "
        "than an unambiguous word's in the same slot of the same sentences: context changes "
        "attention more where it changes the meaning.",
        net,
        measure="ambiguity effect net of the context effect: TV(ambiguous) - TV(control), "
        "same frames",
        seeds=seeds,
        above=0.0,
        also=by_pair.above(0.0),
        evidence=(
            f"Shared-word TV of the ambiguous word {word.format('.3f')} vs the control word in "
            f"the same slot {control.format('.3f')}; net effect {net.format('.3f')} over "
            f"{net.over} (frame pairs x seeds drawing the controls), the ambiguous word moving "
            f"more in {wins}/{len(items)} items; per frame pair, controls averaged over the "
            f"seeds: {by_pair.format('.3f')} over {by_pair.over} (must clear 0 too). The "
            f"context alone accounts for "
            f"{1 - share:.0%} of the ambiguous word's shift ({weights} weights)."
        ),
    )


def not_a_predictor_claim(
    block: torch.Tensor,
    sentence: str,
    length: int,
    hidden: int,
    vocab: int,
    seeds: Sequence[int],
) -> Claim:
    """Supported when an attention block's output (1, L, D) for a sentence of ``length``
    tokens has one vector of the model width per token, D is not the vocabulary size, and its
    entries are not probabilities (some are negative)."""
    return Claim.on_interval(
        "Attention does not itself predict the next word or summarise: it turns L token "
        "vectors into L context-mixed vectors of the model width.",
        exact(block.shape[-1], "exact: a tensor shape"),
        measure="width of the attention block's output per token",
        seeds=seeds,
        below=vocab,
        also=block.shape == (1, length, hidden) and bool((block < 0).any()),
        evidence=(
            f"MiniLM's attention block maps the {length} tokens of '{sentence}' "
            f"to output {tuple(block.shape)}: as many vectors as tokens (no shorter "
            f"summary), each {hidden}-dimensional, not a distribution over the {vocab:,} "
            f"vocabulary words (entries from {block.min().item():.2f} to "
            f"{block.max().item():.2f}); next-word prediction needs an LM head this "
            f"encoder does not have (a shape: exact)."
        ),
    )


def scale_claim(rows: list[ScaleRow], gaps: dict[int, torch.Tensor], seeds: Sequence[int]) -> Claim:
    """Supported when the scaled logits keep a standard deviation within 1.5x of 1 at every
    head size and no row's gradient vanishes, while at the largest head size the unscaled
    softmax is saturated: mean top weight at least 0.2 higher, and at least 10% of its rows
    with a vanished gradient."""
    big = rows[-1]
    gap = nested_interval([g.tolist() for g in gaps.values()], seed=seeds[0])
    steady = all(abs(math.log(r.logit_std_scaled)) < math.log(1.5) for r in rows)
    saturated = big.vanished_unscaled >= 0.10 and max(r.vanished_scaled for r in rows) <= 0.01
    spread = ", ".join(
        f"{r.d_k}: {r.logit_std_scaled:.2f}/{r.logit_std_unscaled:.1f}" for r in rows
    )
    return Claim.on_interval(
        "Dividing the scores by sqrt(d_k) keeps the logits at unit spread for any head size; "
        "without it the softmax saturates as d_k grows and its gradient vanishes.",
        gap,
        measure=f"largest weight of a row, unscaled - scaled, at d_k={big.d_k}",
        seeds=seeds,
        above=MIN_SATURATION_GAP,
        also=steady and saturated,
        evidence=(
            f"Logit std scaled/unscaled by d_k ({spread}); at d_k={big.d_k} the mean top "
            f"weight is {big.max_weight_scaled:.2f} scaled vs {big.max_weight_unscaled:.2f} "
            f"unscaled, a gap of {gap.format('.3f')} over {gap.over} (random queries; needed "
            f"above {MIN_SATURATION_GAP}); rows whose softmax gradient vanished (Jacobian "
            f"norm < 1e-3) "
            f"{big.vanished_scaled:.0%} vs {big.vanished_unscaled:.0%} (random unit-variance "
            f"q, k)."
        ),
    )


def causal_claim(leak: CausalLeak, tolerance: float, seeds: Sequence[int] = (0,)) -> Claim:
    """Supported when changing the last token moves no earlier output under the mask (within
    ``tolerance``) and does move them without it."""
    return Claim.on_interval(
        "The causal mask makes each position's output depend only on itself and earlier "
        "positions: changing a later token leaves earlier outputs unchanged.",
        exact(leak.masked, f"exact: max over {len(seeds)} seed(s)"),
        measure="largest change of an earlier output when the last token changes, masked",
        seeds=seeds,
        below=tolerance,
        also=leak.unmasked > 100 * tolerance,
        evidence=(
            f"Changing the last token's q, k, v moves the earlier outputs by at most "
            f"{leak.masked:.1e} with the mask and {leak.unmasked:.2f} without it (maxima over "
            f"{len(seeds)} seed(s) of random q, k, v: exact)."
        ),
    )
