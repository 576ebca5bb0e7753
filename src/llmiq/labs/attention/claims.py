"""The attention lab's verdicts, each computed from a measurement."""

from __future__ import annotations

import statistics

import torch

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
