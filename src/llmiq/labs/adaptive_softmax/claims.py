"""The adaptive-softmax lab's verdicts, each decided on a 95% interval.

Speed-ups are geometric means: the intervals are computed on log(full / adaptive) seconds of
pairs timed back to back (the layer) or of the same batch in both arms (the whole model), over
seeds x timing repeats, and exponentiated. Perplexity ratios are computed on the difference
of mean validation losses per held-out chunk, over seeds x chunks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from llmiq.labs.adaptive_softmax.timing import log_speedups
from llmiq.labs.adaptive_softmax.training import Curve
from llmiq.labs.report import Claim
from llmiq.labs.uncertainty import Interval, nested_interval

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
ZIPF_SLOPE_RANGE = (-1.3, -0.7)  # "near -1"
ZIPF_MIN_R2 = 0.9
MIN_SPEEDUP = 2.0  # the adaptive output layer must be at least this much faster at the largest V
MIN_ZIPF_GAIN = 1.25  # Zipf / uniform speed-up
MAX_PERPLEXITY_RATIO = 1.10  # "little perplexity loss" at equal steps: within 10%
MIN_WHOLE_SPEEDUP = 1.25  # a whole-model speed-up worth having (the bar of the Zipf gain)
MIN_EQUAL_TIME_GAIN = 1.05  # perplexity at least 5% lower at equal time: a real lead, not a
#                             tie measured precisely (held-out chunks move both arms alike)
LITERATURE = (
    'Grave et al. 2017 ("Efficient softmax approximation for GPUs") report 2x-10x faster '
    "training at vocabularies of 44k-800k words with little perplexity loss"
)

Runs = dict[int, dict[str, Curve]]  # seed -> {"full": curve, "adaptive": curve}


def exp_interval(interval: Interval) -> Interval:
    """An interval on a log scale, back on the ratio scale."""
    return Interval(
        math.exp(interval.estimate), math.exp(interval.low), math.exp(interval.high),
        interval.over,
    )  # fmt: skip


def zipf_claim(
    slope: Interval, r_squared: Interval, distinct: int, ranks: int, min_count: int,
    seeds: Sequence[int],
) -> Claim:  # fmt: skip
    return Claim.on_interval(
        "Word frequencies in the corpus follow Zipf's law (log-log rank-frequency slope "
        "near -1, straight line)",
        slope,
        measure="slope of log frequency against log rank",
        seeds=seeds,
        above=ZIPF_SLOPE_RANGE[0],
        below=ZIPF_SLOPE_RANGE[1],
        also=r_squared.low >= ZIPF_MIN_R2,
        evidence=(
            f"{distinct:,} distinct words; over the {ranks:,} ranks seen at least {min_count} "
            f"times the fitted slope is {slope.format('.3f')} (needed inside "
            f"{ZIPF_SLOPE_RANGE[0]} to {ZIPF_SLOPE_RANGE[1]}) with R² {r_squared.format('.3f')} "
            f"(needed >= {ZIPF_MIN_R2}); intervals over {slope.over}."
        ),
    )


def layer_speed_claim(
    rows_by_seed: dict[int, list[dict]], targets: str, tokens: int, hidden: int
) -> Claim:
    seeds = list(rows_by_seed)
    largest = {seed: rows[-1] for seed, rows in rows_by_seed.items()}
    vocab = next(iter(largest.values()))["vocab"]
    speedup = exp_interval(
        nested_interval([log_speedups(row, "main") for row in largest.values()], seed=seeds[0])
    )
    first = next(iter(largest.values()))["main"]
    return Claim.on_interval(
        f"Adaptive softmax trains faster than the full softmax at V={vocab:,} with {targets} "
        "targets (the output layer alone)",
        speedup,
        measure=f"speed-up of the output layer's forward+backward at V={vocab:,}, full / adaptive",
        seeds=seeds,
        above=MIN_SPEEDUP,
        evidence=(
            f"Forward+backward of {tokens} tokens, D={hidden}, 1 thread: adaptive is "
            f"{speedup.format('.1f')}x faster over {speedup.over} (repeats timed back to back; "
            f"needed above {MIN_SPEEDUP}x); the cluster sizes predict "
            f"{first['flop_ratio']:.1f}x fewer multiply-adds and {first['logit_ratio']:.1f}x "
            f"fewer logits; {first['head_share']:.0%} of targets need only the head cluster."
        ),
    )


def layer_zipf_claim(rows_by_seed: dict[int, list[dict]], targets: str) -> Claim:
    seeds = list(rows_by_seed)
    groups = [
        [m - u for row in rows for m, u in zip(log_speedups(row, "main"),
                                               log_speedups(row, "uniform"), strict=True)]
        for rows in rows_by_seed.values()
    ]  # fmt: skip
    gain = exp_interval(nested_interval(groups, seed=seeds[0]))
    rows = next(iter(rows_by_seed.values()))
    logit_gain = float(
        np.exp(np.mean([np.log(r["main"]["logit_ratio"] / r["uniform"]["logit_ratio"])
                        for r in rows]))
    )  # fmt: skip
    flop_gain = float(
        np.exp(np.mean([np.log(r["main"]["flop_ratio"] / r["uniform"]["flop_ratio"])
                        for r in rows]))
    )  # fmt: skip
    big = rows[-1]
    sizes = ", ".join(f"{r['vocab']:,}" for r in rows)
    return Claim.on_interval(
        "The gain comes from Zipf: with uniform targets the advantage shrinks",
        gain,
        measure=f"output-layer speed-up with {targets} targets / with uniform targets",
        seeds=seeds,
        above=MIN_ZIPF_GAIN,
        also=logit_gain >= MIN_ZIPF_GAIN,
        evidence=(
            f"Over V={sizes} the {targets} speed-up is "
            f"{gain.format('.2f')}x the uniform one over {gain.over} (needed above "
            f"{MIN_ZIPF_GAIN}); with uniform targets only {big['uniform']['head_share']:.0%} "
            f"stay in the head (vs {big['main']['head_share']:.0%}). Thin tail clusters keep "
            f"multiply-adds low either way (FLOP model gain {flop_gain:.2f}x), but uniform "
            f"targets make most tokens compute and normalise a big tail's logits (logit model "
            f"gain {logit_gain:.2f}x, needed >= {MIN_ZIPF_GAIN})."
        ),
    )


def _step_log_ratios(full: Sequence[float], adaptive: Sequence[float]) -> list[float]:
    return [math.log(f / a) for f, a in zip(full, adaptive, strict=True) if f > 0 and a > 0]


def whole_speed_claim(runs: Runs, vocab: int) -> Claim:
    seeds = list(runs)
    groups = [_step_log_ratios(r["full"].step_cpu[1:], r["adaptive"].step_cpu[1:])
              for r in runs.values()]  # fmt: skip
    speedup = exp_interval(nested_interval(groups, seed=seeds[0]))
    run = next(iter(runs.values()))
    full, adaptive = run["full"], run["adaptive"]
    share = full.output_parameters / full.parameters
    return Claim.on_interval(
        f"Adaptive softmax makes training the whole model faster (embedding, transformer body "
        f"and output layer, optimiser step included), by at least {MIN_WHOLE_SPEEDUP}x",
        speedup,
        measure="CPU seconds per training step of the whole model, full / adaptive",
        seeds=seeds,
        above=MIN_WHOLE_SPEEDUP,
        evidence=(
            f"Word-level transformer LM on the corpus, V={vocab:,}: a step costs "
            f"{1000 * float(np.median(full.step_cpu)):.0f} ms with the full softmax and "
            f"{1000 * float(np.median(adaptive.step_cpu)):.0f} ms with the adaptive one, "
            f"{speedup.format('.2f')}x faster over {speedup.over} (the same batch in both "
            f"arms; needed above {MIN_WHOLE_SPEEDUP}). The output layer holds {share:.0%} of "
            f"the full model's {full.parameters:,} parameters and "
            f"{adaptive.output_parameters:,} of the adaptive model's {adaptive.parameters:,}: "
            f"the rest of the network bounds the whole-model "
            f"gain. {LITERATURE}."
        ),
    )


def whole_zipf_claim(runs: Runs, uniform: dict[int, dict[str, list[float]]]) -> Claim:
    seeds = list(runs)
    groups = []
    for seed, r in runs.items():
        u = uniform[seed]
        k = len(u["full"])
        zipf = _step_log_ratios(r["full"].step_cpu[1 : k + 1], r["adaptive"].step_cpu[1 : k + 1])
        flat = _step_log_ratios(u["full"], u["adaptive"])
        groups.append([a - b for a, b in zip(zipf, flat, strict=False)])
    gain = exp_interval(nested_interval(groups, seed=seeds[0]))
    flat_all = [x for u in uniform.values() for x in _step_log_ratios(u["full"], u["adaptive"])]
    flat_speedup = math.exp(float(np.mean(flat_all)))
    return Claim.on_interval(
        f"For the whole model too the speed-up comes from Zipf: on a corpus with uniform word "
        f"frequencies the adaptive softmax's advantage shrinks by at least {MIN_ZIPF_GAIN}x",
        gain,
        measure="whole-model step speed-up on the corpus / on uniform word frequencies",
        seeds=seeds,
        above=MIN_ZIPF_GAIN,
        evidence=(
            f"The same model and vocabulary trained on ids redrawn uniformly (no Zipf): "
            f"adaptive is {flat_speedup:.2f}x faster per step there; the corpus's speed-up is "
            f"{gain.format('.2f')}x that over {gain.over} (the same batch positions paired; "
            f"needed above {MIN_ZIPF_GAIN})."
        ),
    )


def equal_steps_claim(runs: Runs) -> Claim:
    seeds = list(runs)
    groups = [
        (np.array(r["adaptive"].chunk_nll[-1]) - np.array(r["full"].chunk_nll[-1])).tolist()
        for r in runs.values()
    ]
    ratio = exp_interval(nested_interval(groups, seed=seeds[0]))
    run = next(iter(runs.values()))
    steps = run["full"].steps[-1]
    full_ppl = [r["full"].perplexity[-1] for r in runs.values()]
    adaptive_ppl = [r["adaptive"].perplexity[-1] for r in runs.values()]
    return Claim.on_interval(
        f"At equal training steps adaptive softmax costs little perplexity (within "
        f"{MAX_PERPLEXITY_RATIO - 1:.0%} of the full softmax)",
        ratio,
        measure=f"validation perplexity after {steps} steps, adaptive / full",
        seeds=seeds,
        below=MAX_PERPLEXITY_RATIO,
        evidence=(
            f"After {steps} steps (the same batches) validation perplexity is "
            f"{', '.join(f'{p:.0f}' for p in adaptive_ppl)} (adaptive) vs "
            f"{', '.join(f'{p:.0f}' for p in full_ppl)} (full) per seed; ratio "
            f"{ratio.format('.3f')} over {ratio.over} (needed below {MAX_PERPLEXITY_RATIO}). "
            f"The models are far from converged: this is the early part of the curve."
        ),
    )


def equal_time_claim(runs: Runs) -> Claim:
    seeds = list(runs)
    groups, points = [], []
    for r in runs.values():
        full, adaptive = r["full"], r["adaptive"]
        seconds = min(full.cpu_seconds[-1], adaptive.cpu_seconds[-1])
        groups.append((full.nll_at(seconds) - adaptive.nll_at(seconds)).tolist())
        points.append(
            (seconds, math.exp(full.nll_at(seconds).mean()),
             math.exp(adaptive.nll_at(seconds).mean()))
        )  # fmt: skip
    ratio = exp_interval(nested_interval(groups, seed=seeds[0]))
    at = "; ".join(f"{s:.1f} s: full {f:.0f} vs adaptive {a:.0f}" for s, f, a in points)
    return Claim.on_interval(
        f"At equal training time the adaptive-softmax model reaches a lower validation "
        f"perplexity than the full-softmax model (at least {MIN_EQUAL_TIME_GAIN - 1:.0%} lower)",
        ratio,
        measure="validation perplexity at equal CPU seconds of training, full / adaptive",
        seeds=seeds,
        above=MIN_EQUAL_TIME_GAIN,
        evidence=(
            f"When the faster arm has finished its steps, validation perplexity (the other arm "
            f"interpolated along its curve) per seed at {at}; ratio {ratio.format('.2f')} over "
            f"{ratio.over} (needed above {MIN_EQUAL_TIME_GAIN}). {LITERATURE}."
        ),
    )
