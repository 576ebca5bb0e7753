"""The attention lab's verdicts, each computed from a measurement."""

from __future__ import annotations

import math
import statistics

import torch

from llmiq.labs.attention.mechanics import CausalLeak, ScaleRow
from llmiq.labs.attention.readout import ContextShift
from llmiq.labs.report import Claim

#: the from-scratch attention's comparisons with torch that must all be within tolerance
EQUAL_KEYS = (
    "sdpa", "sdpa_causal", "mha_output", "mha_weights", "mha_causal_output",
    "mha_causal_weights",
)  # fmt: skip


def equals_torch_claim(errors: dict[str, float], shapes: int, tolerance: float) -> Claim:
    """Supported when every from-scratch output and weight is within ``tolerance`` of torch's."""
    max_error = max(errors[k] for k in EQUAL_KEYS)
    return Claim(
        "Scaled dot-product self-attention written from scratch (unmasked and causal, "
        "multi-head) equals PyTorch's.",
        supported=max_error < tolerance,
        evidence=(
            f"Max abs error vs F.scaled_dot_product_attention {errors['sdpa']:.1e} "
            f"(causal {errors['sdpa_causal']:.1e}); vs nn.MultiheadAttention with its "
            f"weights copied: output {errors['mha_output']:.1e}, weights "
            f"{errors['mha_weights']:.1e} (causal {errors['mha_causal_output']:.1e} / "
            f"{errors['mha_causal_weights']:.1e}); {shapes} shapes, float32, "
            f"tolerance {tolerance:.0e}."
        ),
    )


def distribution_claim(
    errors: dict[str, float], real_sum_dev: float, real_min: float, passes: int, tolerance: float
) -> Claim:
    """Supported when every row (from scratch and MiniLM's) sums to 1 with no negative weight,
    and causal rows give later words nothing."""
    return Claim(
        "Each row of attention weights is a probability distribution over the words: how "
        "much each word matters to the current one.",
        supported=max(errors["row_sum_deviation"], real_sum_dev) < tolerance
        and min(errors["min_weight"], real_min) >= 0.0
        and errors["causal_future_weight"] == 0.0,
        evidence=(
            f"Rows sum to 1 within {errors['row_sum_deviation']:.1e} (from scratch) and "
            f"{real_sum_dev:.1e} (MiniLM, {passes} sentences x 72 heads); smallest "
            f"weight {min(errors['min_weight'], real_min):.1e}; causal rows give later "
            f"words weight {errors['causal_future_weight']:.1e}."
        ),
    )


def replay_claim(
    replay_weights: float, replay_output: float, passes: int, tolerance: float
) -> Claim:
    """Supported when the from-scratch replay of MiniLM's layers matches what it reports."""
    return Claim(
        "A pretrained model's attention is exactly this formula: the from-scratch code, fed "
        "MiniLM's own query/key/value weights, reproduces the weights the model reports.",
        supported=max(replay_weights, replay_output) < tolerance,
        evidence=(
            f"Over 6 layers x 12 heads and {passes} sentences: max abs error "
            f"{replay_weights:.1e} on the weights (output_attentions) and "
            f"{replay_output:.1e} on the attention block output."
        ),
    )


def context_claim(shifts: list[ContextShift]) -> Claim:
    """Supported when the ambiguous word's attention moves more than the control word's in
    most pairs (shared-word TV, the stricter of the two distances)."""
    wins = sum(s.word_tv > s.control_tv for s in shifts)
    mean = statistics.fmean
    word, control = mean(s.word_tv for s in shifts), mean(s.control_tv for s in shifts)
    first = shifts[0]
    return Claim(
        text="The same word attends differently in different contexts (attention weights are "
        "computed from the sentence, not fixed per word).",
        supported=wins > len(shifts) / 2 and word > control,
        evidence=(
            f"'{first.pair.word}' in '{first.pair.sentence_a}' vs '{first.pair.sentence_b}': "
            f"TV distance over the shared words {first.word_tv:.3f} vs {first.control_tv:.3f} "
            f"for '{first.pair.control}' in the unchanged clause; its top words "
            f"{', '.join(first.top_a)} vs {', '.join(first.top_b)}. Over {len(shifts)} pairs "
            f"the ambiguous word moved more in {wins}/{len(shifts)} (mean TV {word:.3f} vs "
            f"{control:.3f}; over all words {mean(s.word_tv_union for s in shifts):.3f} vs "
            f"{mean(s.control_tv_union for s in shifts):.3f}; mean of 6 layers x 12 heads)."
        ),
    )


def not_a_predictor_claim(
    block: torch.Tensor, sentence: str, length: int, hidden: int, vocab: int
) -> Claim:
    """Supported when an attention block's output (1, L, D) for a sentence of ``length``
    tokens has one vector of the model width per token, D is not the vocabulary size, and its
    entries are not probabilities (some are negative)."""
    return Claim(
        "Attention does not itself predict the next word or summarise: it turns L token "
        "vectors into L context-mixed vectors of the model width.",
        supported=block.shape == (1, length, hidden)
        and hidden != vocab
        and bool((block < 0).any()),
        evidence=(
            f"MiniLM's attention block maps the {length} tokens of '{sentence}' "
            f"to output {tuple(block.shape)}: as many vectors as tokens (no shorter "
            f"summary), each {hidden}-dimensional, not a distribution over the {vocab:,} "
            f"vocabulary words (entries from {block.min().item():.2f} to "
            f"{block.max().item():.2f}); next-word prediction needs an LM head this "
            f"encoder does not have."
        ),
    )


def scale_claim(rows: list[ScaleRow]) -> Claim:
    """Supported when the scaled logits keep a standard deviation within 1.5x of 1 at every
    head size and no row's gradient vanishes, while at the largest head size the unscaled
    softmax is saturated: mean top weight at least 0.2 higher, and at least 10% of its rows
    with a vanished gradient."""
    big = rows[-1]
    steady = all(abs(math.log(r.logit_std_scaled)) < math.log(1.5) for r in rows)
    saturated = (
        big.max_weight_unscaled >= big.max_weight_scaled + 0.2
        and big.vanished_unscaled >= 0.10
        and max(r.vanished_scaled for r in rows) <= 0.01
    )
    spread = ", ".join(
        f"{r.d_k}: {r.logit_std_scaled:.2f}/{r.logit_std_unscaled:.1f}" for r in rows
    )
    return Claim(
        "Dividing the scores by sqrt(d_k) keeps the logits at unit spread for any head size; "
        "without it the softmax saturates as d_k grows and its gradient vanishes.",
        supported=steady and saturated,
        evidence=(
            f"Logit std scaled/unscaled by d_k ({spread}); at d_k={big.d_k} the mean top "
            f"weight is {big.max_weight_scaled:.2f} scaled vs {big.max_weight_unscaled:.2f} "
            f"unscaled; rows whose softmax gradient vanished (Jacobian norm < 1e-3) "
            f"{big.vanished_scaled:.0%} vs {big.vanished_unscaled:.0%} (random unit-variance "
            f"q, k)."
        ),
    )


def causal_claim(leak: CausalLeak, tolerance: float) -> Claim:
    """Supported when changing the last token moves no earlier output under the mask (within
    ``tolerance``) and does move them without it."""
    return Claim(
        "The causal mask makes each position's output depend only on itself and earlier "
        "positions: changing a later token leaves earlier outputs unchanged.",
        supported=leak.masked < tolerance and leak.unmasked > 100 * tolerance,
        evidence=(
            f"Changing the last token's q, k, v moves the earlier outputs by at most "
            f"{leak.masked:.1e} with the mask and {leak.unmasked:.2f} without it."
        ),
    )
