"""The attention lab's run: from scratch vs torch, MiniLM's weights replayed, and the
context shift of ambiguous words; what it measured, as ``AttentionMetrics``."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any

import torch

from llmiq.labs.attention import claims as verdicts
from llmiq.labs.attention.data import DEFAULT_WORDS, ContextPair, SenseFrames, draw_items
from llmiq.labs.attention.figures import context_figure, heatmap_figure, scale_figure
from llmiq.labs.attention.mechanics import CausalLeak, future_leak, scale_rows, top_weight_gaps
from llmiq.labs.attention.readout import ItemShift, WordShift, load_minilm, word_shift
from llmiq.labs.attention.scratch import compare_with_torch
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.minilm import minilm_card
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
    words: tuple[SenseFrames, ...] = DEFAULT_WORDS  # ambiguous words, frames and controls
    tolerance: float = 1e-5  # max abs error (float32) that still counts as "equal"
    heatmap_heads: int = 3  # heads drawn beside the all-head mean (those that move most)
    scale: float | None = None  # None = 1/sqrt(d_k); tests set 1.0 to break attention on purpose
    head_sizes: tuple[int, ...] = (16, 64, 256, 1024)  # d_k values for the sqrt(d_k) claim
    mask_offset: int = 1  # first diagonal the causal mask hides; tests set 2 to break it
    weights: str = "model"  # attention read in the context experiment: "model" (MiniLM's);
    #                         "uniform" or "self" are set-ups where context cannot matter
    threads: int = 1  # torch threads while measuring: tensors this small only pay for syncing

    @classmethod
    def fast(cls) -> Config:
        return cls(
            shapes=((2, 16, 64, 4), (1, 33, 96, 6)),
            words=DEFAULT_WORDS[:3],
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
    max_abs_error: float  # the largest of the six above (over every seed)
    row_sum_deviation: float  # max |row sum - 1| of the from-scratch weights
    causal_future_weight: float  # max weight a causal row gives a later word
    minilm_row_sum_deviation: float  # max |row sum - 1| of MiniLM's own weights
    minilm_replay_weight_error: float  # from-scratch replay vs MiniLM's reported weights
    minilm_replay_output_error: float  # ... and attention block outputs
    context_weights: str  # "model" unless a test broke it on purpose
    context_items: int  # frame pairs per seed (each with an ambiguous word and a control)
    context_items_word_moves_more: int  # over every seed's items
    context_tv_word_mean: float  # mean shared-word TV of the ambiguous words
    context_tv_control_mean: float  # ... and of the controls in the same slot
    context_net_mean: float  # ambiguous - control
    context_net_ci: list[float]  # its 95% interval over items x seeds
    context_share_from_context: float  # control / ambiguous: the part any word would move
    attention_output_dim: int  # MiniLM's hidden size: the width of attention's output
    #: per head size (first seed): logits' std, mean top weight and Jacobian norm, scaled and
    #: unscaled
    scale_rows: list[dict[str, float]]
    causal_leak_masked: float  # max change of earlier outputs when the last token changes
    causal_leak_unmasked: float  # (the smallest over the seeds)
    vocab_size: int  # MiniLM's vocabulary
    #: per ambiguous word, its mean TV (key: the word) and its controls' ("control_<word>")
    context_tv: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """report.json keeps one flat key per word: ``context_tv_bank``,
        ``context_tv_control_bank``, ..."""
        data = asdict(self)
        return data | {f"context_tv_{k}": v for k, v in data.pop("context_tv").items()}


def run(config: Config, context: LabContext) -> LabResult[AttentionMetrics]:
    with torch_threads(config.threads):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[AttentionMetrics]:
    seeds = list(context.seeds)
    model, tokenizer = load_minilm()
    memo: dict[tuple[ContextPair, str], WordShift] = {}  # the ambiguous words recur per seed

    def shift(pair: ContextPair) -> WordShift:
        key = (pair, config.weights)
        if key not in memo:
            memo[key] = word_shift(model, tokenizer, pair, config.weights)
        return memo[key]

    errors: dict[str, float] = {}
    shifts: dict[int, list[ItemShift]] = {}
    gaps: dict[int, torch.Tensor] = {}
    leaks: list[CausalLeak] = []
    scale_table = []
    steps = len(seeds) * (len(config.shapes) + sum(len(w.frames) for w in config.words))
    with context.progress(steps, "attention: torch check and MiniLM sentences") as advance:
        for seed in context.replicate():
            for key, value in compare_with_torch(
                config.shapes, scale=config.scale, advance=advance
            ).items():
                worse = min if key == "min_weight" else max
                errors[key] = worse(errors.get(key, value), value)
            generator = torch.Generator().manual_seed(seed)
            table = scale_rows(config.head_sizes, scale=config.scale, generator=generator)
            scale_table = scale_table or table
            gaps[seed] = top_weight_gaps(
                config.head_sizes[-1], scale=config.scale, generator=generator
            )
            leaks.append(future_leak(mask_offset=config.mask_offset, generator=generator))
            shifts[seed] = []
            for item in draw_items(config.words, seed):
                shifts[seed].append(
                    ItemShift(item, shift(item.pair(item.word)), shift(item.pair(item.control)))
                )
                advance(1)
    leak = CausalLeak(max(x.masked for x in leaks), min(x.unmasked for x in leaks))
    max_error = max(errors[k] for k in verdicts.EQUAL_KEYS)

    passes = [run for s in memo.values() for run in s.passes]
    replay_weights = max(p.replay_weight_error for p in passes)
    replay_output = max(p.replay_output_error for p in passes)
    real_rows = [p.attentions for p in passes]  # (6, 12, L, L), L differs per sentence
    real_sum_dev = max((a.sum(-1) - 1).abs().max().item() for a in real_rows)
    real_min = min(a.min().item() for a in real_rows)

    hidden, vocab = model.config.hidden_size, model.config.vocab_size
    first = shifts[seeds[0]][0]
    sample, sentence = first.word.passes[0], first.word.pair.sentence_a
    block = sample.block_outputs[0]  # (1, L, D)

    ambiguity = verdicts.ambiguity_claim(shifts, config.weights)
    claims = [
        verdicts.equals_torch_claim(errors, len(config.shapes), config.tolerance, seeds),
        verdicts.distribution_claim(
            errors, real_sum_dev, real_min, len(passes), config.tolerance, seeds
        ),
        verdicts.replay_claim(replay_weights, replay_output, len(passes), config.tolerance, seeds),
        verdicts.context_claim(shifts, config.weights),
        ambiguity,
        verdicts.not_a_predictor_claim(block, sentence, len(sample.tokens), hidden, vocab, seeds),
        verdicts.scale_claim(scale_table, gaps, seeds),
        verdicts.causal_claim(leak, config.tolerance, seeds),
    ]
    everything = [s for group in shifts.values() for s in group]
    figures = [
        context.save_figure(heatmap_figure(first.word, config.heatmap_heads), "minilm_heatmap"),
        context.save_figure(context_figure(everything), "context_shift"),
        context.save_figure(scale_figure(scale_table), "sqrt_dk"),
    ]
    mean = statistics.fmean
    context_tv: dict[str, float] = {}
    for entry in config.words:
        mine = [s for s in everything if s.item.word == entry.word]
        context_tv[entry.word] = mean(s.word.tv for s in mine)
        context_tv[f"control_{entry.word}"] = mean(s.control.tv for s in mine)
    word_mean = mean(s.word.tv for s in everything)
    control_mean = mean(s.control.tv for s in everything)
    net = ambiguity.interval
    assert net is not None
    metrics = AttentionMetrics(
        **{f"max_abs_error_{k}": errors[k] for k in verdicts.EQUAL_KEYS},
        max_abs_error=max_error,
        row_sum_deviation=errors["row_sum_deviation"],
        causal_future_weight=errors["causal_future_weight"],
        minilm_row_sum_deviation=real_sum_dev,
        minilm_replay_weight_error=replay_weights,
        minilm_replay_output_error=replay_output,
        context_weights=config.weights,
        context_items=len(shifts[seeds[0]]),
        context_items_word_moves_more=sum(s.net > 0 for s in everything),
        context_tv_word_mean=word_mean,
        context_tv_control_mean=control_mean,
        context_net_mean=net.estimate,
        context_net_ci=[net.low, net.high],
        context_share_from_context=control_mean / word_mean if word_mean > 0 else 0.0,
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
            f"from scratch = torch (max err {max_error:.0e}); ambiguous words' attention moves "
            f"{word_mean:.3f} vs {control_mean:.3f} for a control in the same slot: net "
            f"{net.format('.3f')}"
        ),
        metrics=metrics,
        claims=claims,
        figures=figures,
        models=[minilm_card()],
    )
