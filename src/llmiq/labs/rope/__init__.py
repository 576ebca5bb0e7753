"""RoPE lab (question "rope-relative-position", bank ``long-context``).

Rotary position embedding (Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary
Position Embedding") rotates each pair of coordinates of a query at position m by m theta_i
and of a key at position n by n theta_i (theta_i = base^(-2i/d)), so that their dot product
is <R_m q, R_n k> = <q, R_(n-m) k>: a function of m - n only. This lab measures that and
what follows from it:

1. **Relative position.** The same random (q, k) pairs placed at many absolute positions
   with m - n fixed: how far the RoPE score moves (relative to |q| |k|; float64 and
   float32), against positions added to the input before random projections W_q, W_k:
   sinusoidal (Vaswani et al. 2017) and a random table standing in for learned embeddings.
2. **Library check.** The from-scratch rotation against transformers' Llama rotary
   embedding (``LlamaRotaryEmbedding`` + ``apply_rotary_pos_emb``) with SmolLM2-135M's
   attention (9 heads of 64, rope_theta 100000), near position 0 and 4096 further on, with
   the library's float32 angles and with exact ones (the gap is the library's round-off).
   The paper's interleaved layout (``rotate_interleaved``) is the same rotation up to a
   permutation of the dimensions (checked in the tests).
3. **Past the trained length.** tinylm's GPT with RoPE in place of its position table,
   trained for seconds on windows of L bytes, evaluated on held-out windows of L, 2L and 4L:
   plain RoPE (positions 0 .. T-1) and position interpolation (positions x L/T, Chen et al.
   2023, "Extending Context Window of Large Language Models via Positional Interpolation"),
   without fine-tuning and after the same short fine-tuning at 4L for both (on the same
   batches). Verdicts use paired differences over the held-out windows; the rise past L is
   judged at the longest length, shorter ones are reported. What the literature reports
   for 7B-65B Llama models need not hold for a 100k-parameter byte model (Chen et al.
   extend LLaMA 7B-65B to 32768 tokens with interpolation and at most 1000 fine-tuning
   steps, while direct fine-tuning without it grew the effective window only from 2048 to
   2560 in 10000 steps); the lab reports what it measures here.
4. **Long-term decay** (Su et al. section 3.4.3). The paper's relative upper bound, the mean
   over j of |sum_{i<j} e^(i (m-n) theta_i)|, and the measured score of a key equal to the
   query (mean over random vectors), by distance; summarised per log-spaced distance bin.

Uncertainty: the full run repeats everything random for 3 seeds (pairs, q and k, the
model's initialisation and batches, its held-out windows, the random vectors) and decides
on 95% intervals that resample the seeds and the items within them (windows, pairs,
vectors; ``uncertainty.nested_interval``): a loss difference is established when its whole
interval lies above zero. The relative property and the library check are worst cases over
every sampled pair, and Su et al.'s bound is a closed form: those are reported as exact.

Deliberately broken set-ups flip the verdicts (the tests run them): keys rotated at another
index than queries (``key_position_scale``), a rotation with the wrong base against the
library, a model trained on the long length (nothing to extrapolate), a broken baseline for
interpolation, and every pair turning at one frequency (``single_frequency``: no decay).

Left out: NTK-aware and YaRN scaling (Peng et al. 2023), ALiBi (Press et al. 2021), partial
rotary dimensions, and anything at the scale where these methods are usually compared.

One idea per module: ``rotary`` (the rotation, scores, baselines, library check, decay),
``model`` (the RoPE GPT, its training and per-position losses), ``replicates`` (what one
seed measures), ``claims``, ``figures``, ``config`` and ``experiment`` (the run, the
intervals and the metrics).
"""

from llmiq.labs.rope.claims import (
    decay_claim,
    extrapolation_claim,
    falls,
    finetuned_claim,
    interpolation_claim,
    library_claim,
    relative_claim,
)
from llmiq.labs.rope.config import Config
from llmiq.labs.rope.experiment import (
    Decay,
    Metrics,
    RopeMetrics,
    decay_ratio_interval,
    long_term_decay,
    paired,
    run,
)
from llmiq.labs.rope.model import RotaryGPT, held_out_windows, position_losses, train
from llmiq.labs.rope.replicates import (
    SeedRun,
    matched_by_vector,
    measure_seed,
    past_trained_length,
    relative_position,
)
from llmiq.labs.rope.rotary import (
    absolute_scores,
    binned,
    compare_with_transformers,
    frequencies,
    log_edges,
    matched_scores,
    matched_scores_per_vector,
    pair_spreads,
    rope_scores,
    rotate,
    rotate_interleaved,
    sinusoidal,
    spread,
    su_bound,
)

__all__ = [
    "Config",
    "Decay",
    "Metrics",
    "RopeMetrics",
    "RotaryGPT",
    "SeedRun",
    "absolute_scores",
    "binned",
    "compare_with_transformers",
    "decay_claim",
    "decay_ratio_interval",
    "extrapolation_claim",
    "falls",
    "finetuned_claim",
    "frequencies",
    "held_out_windows",
    "interpolation_claim",
    "library_claim",
    "log_edges",
    "long_term_decay",
    "matched_by_vector",
    "matched_scores",
    "matched_scores_per_vector",
    "measure_seed",
    "pair_spreads",
    "paired",
    "past_trained_length",
    "position_losses",
    "relative_claim",
    "relative_position",
    "rope_scores",
    "rotate",
    "rotate_interleaved",
    "run",
    "sinusoidal",
    "spread",
    "su_bound",
    "train",
]
