"""The attention lab's run: from scratch vs torch, MiniLM's weights replayed, and the
context shift of ambiguous words; what it measured, as ``AttentionMetrics``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch

from llmiq.labs.attention import claims as verdicts
from llmiq.labs.attention.data import DEFAULT_PAIRS, ContextPair
from llmiq.labs.attention.figures import context_figure, heatmap_figure, scale_figure
from llmiq.labs.attention.mechanics import future_leak, scale_rows
from llmiq.labs.attention.readout import context_shift, load_minilm
from llmiq.labs.attention.scratch import compare_with_torch
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.report import LabResult


@dataclass
class Config:
    # (batch, seq_len, d_model, n_head) shapes on which from-scratch attention meets torch's
    shapes: tuple[tuple[int, int, int, int], ...] = (
        (2, 16, 64, 4),
        (1, 33, 96, 6),
        (4, 128, 256, 8),
        (2, 256, 384, 12),
    )
    pairs: tuple[ContextPair, ...] = DEFAULT_PAIRS  # sentence pairs for context dependence
    tolerance: float = 1e-5  # max abs error (float32) that still counts as "equal"
    heatmap_heads: int = 3  # heads drawn beside the all-head mean (those that move most)
    scale: float | None = None  # None = 1/sqrt(d_k); tests set 1.0 to break attention on purpose
    head_sizes: tuple[int, ...] = (16, 64, 256, 1024)  # d_k values for the sqrt(d_k) claim
    mask_offset: int = 1  # first diagonal the causal mask hides; tests set 2 to break it
    threads: int = 1  # torch threads while measuring: tensors this small only pay for syncing

    @classmethod
    def fast(cls) -> Config:
        return cls(
            shapes=((2, 16, 64, 4), (1, 33, 96, 6)),
            pairs=DEFAULT_PAIRS[:3],
            head_sizes=(16, 64, 256),
        )


@dataclass
class AttentionMetrics:
    max_abs_error_sdpa: float  # from scratch vs F.scaled_dot_product_attention
    max_abs_error_sdpa_causal: float
    max_abs_error_mha_output: float  # vs nn.MultiheadAttention, its weights copied
    max_abs_error_mha_weights: float
    max_abs_error_mha_causal_output: float
    max_abs_error_mha_causal_weights: float
    max_abs_error: float  # the largest of the six above
    row_sum_deviation: float  # max |row sum - 1| of the from-scratch weights
    causal_future_weight: float  # max weight a causal row gives a later word
    minilm_row_sum_deviation: float  # max |row sum - 1| of MiniLM's own weights
    minilm_replay_weight_error: float  # from-scratch replay vs MiniLM's reported weights
    minilm_replay_output_error: float  # ... and attention block outputs
    context_pairs: int
    context_pairs_word_moves_more: int  # pairs where the ambiguous word moved more
    context_tv_word_mean: float  # mean TV of the ambiguous words between contexts
    context_tv_control_mean: float  # ... and of the control words
    attention_output_dim: int  # MiniLM's hidden size: the width of attention's output
    #: per head size: logits' std, mean top weight and Jacobian norm, scaled and unscaled
    scale_rows: list[dict[str, float]]
    causal_leak_masked: float  # max change of earlier outputs when the last token changes
    causal_leak_unmasked: float
    vocab_size: int  # MiniLM's vocabulary
    #: per pair, the word's TV (key: the word) and the control's ("control_<word>")
    context_tv: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """report.json keeps one flat key per word: ``context_tv_bank``,
        ``context_tv_control_weather``, ..."""
        data = asdict(self)
        return data | {f"context_tv_{k}": v for k, v in data.pop("context_tv").items()}


def run(config: Config, context: LabContext) -> LabResult[AttentionMetrics]:
    with torch_threads(config.threads):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[AttentionMetrics]:
    with context.progress(len(config.shapes), "attention: from scratch vs torch") as advance:
        errors = compare_with_torch(config.shapes, scale=config.scale, advance=advance)
    max_error = max(errors[k] for k in verdicts.EQUAL_KEYS)
    generator = torch.Generator().manual_seed(context.seed)
    scale_table = scale_rows(config.head_sizes, scale=config.scale, generator=generator)
    leak = future_leak(mask_offset=config.mask_offset, generator=generator)

    model, tokenizer = load_minilm()
    shifts = []
    with context.progress(len(config.pairs), "attention: MiniLM sentences") as advance:
        for pair in config.pairs:
            shifts.append(context_shift(model, tokenizer, pair))
            advance(1)
    passes = [run for s in shifts for run in s.passes]
    replay_weights = max(p.replay_weight_error for p in passes)
    replay_output = max(p.replay_output_error for p in passes)
    real_rows = [p.attentions for p in passes]  # (6, 12, L, L), L differs per sentence
    real_sum_dev = max((a.sum(-1) - 1).abs().max().item() for a in real_rows)
    real_min = min(a.min().item() for a in real_rows)

    hidden, vocab = model.config.hidden_size, model.config.vocab_size
    sample, sentence = shifts[0].passes[0], shifts[0].pair.sentence_a
    block = sample.block_outputs[0]  # (1, L, D)

    claims = [
        verdicts.equals_torch_claim(errors, len(config.shapes), config.tolerance),
        verdicts.distribution_claim(errors, real_sum_dev, real_min, len(passes), config.tolerance),
        verdicts.replay_claim(replay_weights, replay_output, len(passes), config.tolerance),
        verdicts.context_claim(shifts),
        verdicts.not_a_predictor_claim(block, sentence, len(sample.tokens), hidden, vocab),
        verdicts.scale_claim(scale_table),
        verdicts.causal_claim(leak, config.tolerance),
    ]
    figures = [
        context.save_figure(heatmap_figure(shifts[0], config.heatmap_heads), "minilm_heatmap"),
        context.save_figure(context_figure(shifts), "context_shift"),
        context.save_figure(scale_figure(scale_table), "sqrt_dk"),
    ]
    first = shifts[0]
    ratio = first.word_tv / first.control_tv if first.control_tv > 0 else float("inf")
    context_tv: dict[str, float] = {}
    for s in shifts:
        context_tv[s.pair.word] = s.word_tv
        context_tv[f"control_{s.pair.control}"] = s.control_tv
    metrics = AttentionMetrics(
        **{f"max_abs_error_{k}": errors[k] for k in verdicts.EQUAL_KEYS},
        max_abs_error=max_error,
        row_sum_deviation=errors["row_sum_deviation"],
        causal_future_weight=errors["causal_future_weight"],
        minilm_row_sum_deviation=real_sum_dev,
        minilm_replay_weight_error=replay_weights,
        minilm_replay_output_error=replay_output,
        context_pairs=len(shifts),
        context_pairs_word_moves_more=sum(s.word_tv > s.control_tv for s in shifts),
        context_tv_word_mean=sum(s.word_tv for s in shifts) / len(shifts),
        context_tv_control_mean=sum(s.control_tv for s in shifts) / len(shifts),
        attention_output_dim=hidden,
        scale_rows=[asdict(row) for row in scale_table],
        causal_leak_masked=leak.masked,
        causal_leak_unmasked=leak.unmasked,
        vocab_size=vocab,
        context_tv=context_tv,
    )
    return LabResult(
        title="Self-attention weighs the other words, by context; it does not predict the next "
        "word or summarise",
        key_figure=(
            f"from scratch = torch (max err {max_error:.0e}); '{first.pair.word}' attention "
            f"moves {ratio:.1f}x more than a control word between contexts"
        ),
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
