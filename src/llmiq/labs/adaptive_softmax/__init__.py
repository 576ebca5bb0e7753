"""Adaptive softmax: is it faster for the whole model, at what cost in perplexity, and does the
speed come from Zipf's law?

The article's answer (question 8, B): adaptive softmax speeds up large language models
thanks to Zipf's law. Adaptive softmax (Grave, Joulin, Cissé, Grangier, Jégou, "Efficient
softmax approximation for GPUs", ICML 2017, arXiv:1609.04309) sorts the vocabulary by
frequency, keeps the frequent words in a small head that every token computes, and puts the
rare words in tail clusters of lower dimension (``D / div_value**(i+1)``) that only the
tokens whose target lies there pay for. The paper reports 2x-10x faster training at
vocabularies of 44k-800k words (EuroParl, One Billion Word, text8) with a perplexity close to
the full softmax's. This lab measures, on this CPU:

1. Zipf's law on the shipped corpus (Python standard-library docstrings): the log-log
   rank-frequency slope and R², with 95% intervals from resampling corpus chunks.
2. The whole model trained: a word-level transformer language model (embedding, two causal
   transformer blocks, output layer; the corpus's ~6k-word vocabulary) with a full softmax
   and with ``nn.AdaptiveLogSoftmaxWithLoss``, the same initialisation, batches, optimiser
   and steps, the two arms interleaved step by step. Validation perplexity on held-out
   paragraphs against training CPU seconds: the speed-up per step of the *whole* model, the
   perplexity ratio at equal steps and at equal time. The same model on a corpus whose word
   ids are redrawn uniformly (no Zipf) shows how much of the speed-up the frequencies give.
3. The output layer alone at large vocabularies (10k-200k): forward+backward of a full
   softmax vs the adaptive one with targets from the fitted Zipf law and with uniform targets,
   and the speed-ups the cluster sizes predict (multiply-adds, logits per token).

Seeds: each seed draws the held-out paragraphs, the initialisation, the batches and the
synthetic targets; intervals are over seeds x timing repeats (speed) or seeds x held-out
chunks (perplexity). Every setting is fixed a priori (see ``Config``); nothing was tuned.

Left out: the paper's GPU cost model and its cutoff optimisation (cutoffs are fixed fractions
of V), training to convergence (each arm runs a few hundred steps: the comparison is along the
early curve), vocabularies of 100k+ words for the whole model (the corpus has ~6k words that
occur twice), and other approximations (sampled softmax, hierarchical softmax, NCE).

One idea per module: ``zipf`` (the fit and its interval), ``layer`` (clusters, cost models,
log-probabilities from scratch), ``timing`` (the output layer alone), ``training`` (the whole
model), ``claims``, ``figures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from llmiq.labs.adaptive_softmax import claims as verdicts
from llmiq.labs.adaptive_softmax.claims import (
    MAX_PERPLEXITY_RATIO,
    MIN_EQUAL_TIME_GAIN,
    MIN_SPEEDUP,
    MIN_WHOLE_SPEEDUP,
    MIN_ZIPF_GAIN,
    ZIPF_MIN_R2,
    ZIPF_SLOPE_RANGE,
)
from llmiq.labs.adaptive_softmax.figures import plot_curves, plot_times, plot_zipf
from llmiq.labs.adaptive_softmax.layer import (
    adaptive_log_prob,
    adaptive_logits_per_token,
    adaptive_macs_per_token,
    adaptive_softmax_step,
    cluster_shares,
    cutoffs_for,
    full_softmax_step,
)
from llmiq.labs.adaptive_softmax.timing import summarise, time_layers
from llmiq.labs.adaptive_softmax.training import (
    Curve,
    Frequencies,
    Settings,
    WordCorpus,
    WordLM,
    time_steps,
    train_arms,
    validation_windows,
    word_corpus,
)
from llmiq.labs.adaptive_softmax.zipf import (
    TargetDistribution,
    ZipfFit,
    chunk_counts,
    fit_zipf,
    rank_frequencies,
    sample_targets,
    zipf_slope_interval,
)
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import stdlib_corpus, words
from llmiq.labs.report import Claim, LabResult


@dataclass
class Config:
    corpus_chars: int = 2_000_000  # stdlib docstrings (the whole corpus is ~1.7M characters)
    zipf_min_count: int = 5  # fit ranks of words seen at least this often (the tail is ties)
    zipf_chunks: int = 40  # corpus chunks resampled for the Zipf fit's interval
    zipf_resamples: int = 400  # bootstrap resamples of those chunks
    # the whole model (every setting fixed before measuring, the same for both arms)
    min_count: int = 2  # training words seen fewer times become <unk>
    held_out: float = 0.1  # share of paragraphs held out for validation, drawn per seed
    dim: int = 64  # model width
    context_words: int = 32  # words of context per window
    layers: int = 2  # transformer blocks
    heads: int = 4  # attention heads per block
    batch: int = 16  # windows per step (512 predicted words)
    steps: int = 180  # AdamW steps per arm (equal steps; the time each takes is measured)
    learning_rate: float = 3e-3  # AdamW, constant: a common choice for models this small
    checkpoints: int = 6  # validation points after step 0
    valid_windows: int = 128  # held-out windows scored at each checkpoint
    valid_chunks: int = 16  # groups of those windows: the items of the perplexity intervals
    uniform_steps: int = 20  # steps per arm timed on uniform word frequencies
    frequencies: Frequencies = "zipf"  # the training corpus; "uniform" is the tests' broken one
    # the output layer alone
    vocab_sizes: tuple[int, ...] = (10_000, 50_000, 200_000)  # V, timed in this order
    hidden: int = 256  # D, the hidden size feeding the output layer
    tokens: int = 128  # tokens per forward+backward (the full softmax at V=200k computes
    #                    128 x 200k logits)
    repeats: int = 2  # timed repeats per seed, method, target distribution and V
    cutoff_fractions: tuple[float, ...] = (1 / 50, 1 / 10, 1 / 3)  # cutoffs = V * fraction
    div_value: float = 4.0  # tail cluster i has dimension D / div_value**(i+1)
    targets: TargetDistribution = "zipf"  # main target distribution; uniform is the contrast
    threads: int = 1  # torch threads: with 2, other jobs on the 2 cores make OpenMP threads
    #                   wait on each other and the many small adaptive ops slow down 10x

    @classmethod
    def fast(cls) -> Config:
        return cls(
            corpus_chars=300_000,
            zipf_chunks=20,
            zipf_resamples=100,
            steps=40,
            checkpoints=4,
            valid_windows=32,
            valid_chunks=8,
            uniform_steps=10,
            vocab_sizes=(5_000, 20_000, 50_000),
            repeats=4,  # one seed: more repeats for the timing intervals (small V is cheap)
        )


@dataclass
class AdaptiveSoftmaxMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    zipf_slope: float
    zipf_slope_ci: list[float]
    zipf_r_squared: float
    zipf_ranks_used: int
    distinct_words: int
    model_vocab: int  # the whole model's vocabulary (first seed)
    model_cutoffs: list[int]
    model_parameters_full: int
    model_parameters_adaptive: int
    frequencies: Frequencies
    steps: int
    step_ms_full: float  # median over seeds and steps, CPU
    step_ms_adaptive: float
    whole_speedup: float
    whole_speedup_uniform: float
    perplexity_full: list[float]  # at the last step, per seed
    perplexity_adaptive: list[float]
    curves: dict[str, list[dict[str, Any]]]  # per seed: steps, CPU/wall seconds, perplexity
    targets: TargetDistribution
    hidden: int
    tokens: int
    threads: int
    div_value: float
    speedup_largest_v: float
    speedup_largest_v_uniform: float
    flop_ratio_largest_v: float
    logit_ratio_largest_v: float
    by_vocab: list[dict[str, Any]]  # per vocabulary size: main and uniform timings


Metrics = AdaptiveSoftmaxMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[AdaptiveSoftmaxMetrics]:
    with torch_threads(config.threads):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[AdaptiveSoftmaxMetrics]:
    seeds = list(context.seeds)
    text = stdlib_corpus(config.corpus_chars)

    # 1. Zipf's law, and how much it depends on which chunks of text were read
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    counts = rank_frequencies(words(text))
    fit = fit_zipf(counts, config.zipf_min_count)
    chunks = [words("\n\n".join(part)) for part in np.array_split(paragraphs, config.zipf_chunks)]
    slope, r_squared = zipf_slope_interval(
        chunk_counts(chunks), config.zipf_min_count, seed=seeds[0],
        resamples=config.zipf_resamples,
    )  # fmt: skip

    runs: dict[int, dict[str, Curve]] = {}
    uniform: dict[int, dict[str, list[float]]] = {}
    layer_rows: dict[int, list[dict]] = {}
    total = len(seeds) * (config.steps + len(config.vocab_sizes) * config.repeats * 4)
    with context.progress(total, "adaptive softmax: training and timing") as advance:
        for seed in context.replicate():
            corpus = word_corpus(
                text,
                seed=seed,
                held_out=config.held_out,
                min_count=config.min_count,
                frequencies=config.frequencies,
            )
            settings = Settings(
                config.dim, config.context_words, config.layers, config.heads,
                tuple(cutoffs_for(len(corpus.vocab), config.cutoff_fractions)),
                config.div_value, config.batch, config.learning_rate,
            )  # fmt: skip
            windows = validation_windows(corpus.valid, config.context_words, config.valid_windows)
            runs[seed] = train_arms(
                corpus, settings, seed=seed, steps=config.steps,
                checkpoints=config.checkpoints, windows=windows, chunks=config.valid_chunks,
                advance=advance,
            )  # fmt: skip
            flat = word_corpus(
                text,
                seed=seed,
                held_out=config.held_out,
                min_count=config.min_count,
                frequencies="uniform",
            )
            uniform[seed] = time_steps(flat, settings, seed=seed, steps=config.uniform_steps)
            layer_rows[seed] = time_layers(
                vocab_sizes=config.vocab_sizes, hidden_size=config.hidden, tokens=config.tokens,
                repeats=config.repeats, cutoff_fractions=config.cutoff_fractions,
                div_value=config.div_value, targets=config.targets, exponent=fit.exponent,
                rng=np.random.default_rng(seed), generator=torch.Generator().manual_seed(seed),
                advance=advance,
            )  # fmt: skip
            if seed == seeds[0]:
                model_vocab, model_cutoffs = len(corpus.vocab), list(settings.cutoffs)

    claims: list[Claim] = [
        verdicts.zipf_claim(
            slope, r_squared, len(counts), fit.ranks_used, config.zipf_min_count, seeds
        ),
        verdicts.whole_speed_claim(runs, model_vocab),
        verdicts.whole_zipf_claim(runs, uniform),
        verdicts.equal_steps_claim(runs),
        verdicts.equal_time_claim(runs),
        verdicts.layer_speed_claim(layer_rows, config.targets, config.tokens, config.hidden),
        verdicts.layer_zipf_claim(layer_rows, config.targets),
    ]
    rows = summarise(layer_rows)
    figures = [
        plot_curves(context, runs, model_vocab),
        plot_zipf(context, counts, fit, config.zipf_min_count),
        plot_times(context, rows, config.targets, config.tokens, config.hidden),
    ]
    whole, gain, equal_time = (claims[i].interval for i in (1, 2, 4))
    assert whole is not None
    assert gain is not None
    assert equal_time is not None
    uniform_ratio = whole.estimate / gain.estimate
    main, largest = rows[-1]["main"], rows[-1]

    def median_ms(name: str) -> float:
        return round(1000 * float(np.median([s for r in runs.values()
                                             for s in r[name].step_cpu[1:]])), 2)  # fmt: skip

    first = runs[seeds[0]]
    metrics = AdaptiveSoftmaxMetrics(
        zipf_slope=round(fit.slope, 4),
        zipf_slope_ci=[round(slope.low, 4), round(slope.high, 4)],
        zipf_r_squared=round(fit.r_squared, 4),
        zipf_ranks_used=fit.ranks_used,
        distinct_words=len(counts),
        model_vocab=model_vocab,
        model_cutoffs=model_cutoffs,
        model_parameters_full=first["full"].parameters,
        model_parameters_adaptive=first["adaptive"].parameters,
        frequencies=config.frequencies,
        steps=config.steps,
        step_ms_full=median_ms("full"),
        step_ms_adaptive=median_ms("adaptive"),
        whole_speedup=round(whole.estimate, 3),
        whole_speedup_uniform=round(uniform_ratio, 3),
        perplexity_full=[round(r["full"].perplexity[-1], 2) for r in runs.values()],
        perplexity_adaptive=[round(r["adaptive"].perplexity[-1], 2) for r in runs.values()],
        curves={
            str(seed): [
                {
                    "output": name,
                    "steps": curve.steps,
                    "cpu_seconds": [round(x, 3) for x in curve.cpu_seconds],
                    "wall_seconds": [round(x, 3) for x in curve.wall_seconds],
                    "perplexity": [round(p, 2) for p in curve.perplexity],
                }
                for name, curve in run.items()
            ]
            for seed, run in runs.items()
        },
        targets=config.targets,
        hidden=config.hidden,
        tokens=config.tokens,
        threads=config.threads,
        div_value=config.div_value,
        speedup_largest_v=main["speedup"],
        speedup_largest_v_uniform=largest["uniform"]["speedup"],
        flop_ratio_largest_v=main["flop_ratio"],
        logit_ratio_largest_v=main["logit_ratio"],
        by_vocab=rows,
    )
    return LabResult(
        title="Adaptive vs full softmax: the whole model's speed and perplexity, and Zipf's law",
        key_figure=(
            f"whole model {whole.format('.1f')}x faster per step at V={model_vocab:,}, "
            f"perplexity {equal_time.format('.2f')}x lower at equal time; output layer "
            f"{main['speedup']:.1f}x faster at V={largest['vocab']:,}"
        ),
        metrics=metrics,
        claims=claims,
        figures=figures,
    )


__all__ = [
    "MAX_PERPLEXITY_RATIO",
    "MIN_EQUAL_TIME_GAIN",
    "MIN_SPEEDUP",
    "MIN_WHOLE_SPEEDUP",
    "MIN_ZIPF_GAIN",
    "ZIPF_MIN_R2",
    "ZIPF_SLOPE_RANGE",
    "AdaptiveSoftmaxMetrics",
    "Claim",
    "Config",
    "Curve",
    "Metrics",
    "Settings",
    "TargetDistribution",
    "WordCorpus",
    "WordLM",
    "ZipfFit",
    "adaptive_log_prob",
    "adaptive_logits_per_token",
    "adaptive_macs_per_token",
    "adaptive_softmax_step",
    "cluster_shares",
    "cutoffs_for",
    "fit_zipf",
    "full_softmax_step",
    "rank_frequencies",
    "run",
    "sample_targets",
    "word_corpus",
]
