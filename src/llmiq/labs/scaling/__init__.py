"""Scaling lab (bank "pretraining": question "initial-loss-uniform", a model's first loss is
ln V; and "scaling-law-shape", loss falls as a power law in parameters, data and compute,
towards an irreducible constant).

Five tiny byte-level GPTs (``llmiq.labs.tinylm``, 3.3k to 100k non-embedding parameters,
30x) are trained on the shipped corpus (``llmiq.labs.corpus``, docstrings of Python's
standard library) for the same token budget, on the same batches in the same order, with the
same schedule shape (linear warm-up, cosine decay) at each size's own peak learning rate,
chosen on tuning seeds 1000-1001 (``tuning``). Each seed (3 in full mode) draws its own
initial weights, batches and held-out windows (no two overlapping), and every size of a seed
is scored on the same windows, in nats per byte, before its first step and at log-spaced
checkpoints, so differences between sizes are paired window by window. From those numbers
the lab judges three claims, and a fourth on request, each on a 95% interval over seeds and
windows (nested bootstrap):

- the loss before the first step is close to ln 256 = 5.545 nats: small initial weights give
  near-zero logits and a near-uniform prediction over the 256 byte values (the cheapest
  sanity check of a pre-training run);
- at equal tokens seen, a larger model has a lower held-out loss, at the end and at
  intermediate checkpoints: larger models are more sample-efficient (Kaplan et al. 2020,
  "Scaling Laws for Neural Language Models", arXiv:2001.08361);
- the final loss against N, the non-embedding parameter count, is close to a power law plus
  a constant, L(N) = E + A / N^alpha, the shape of Kaplan et al. and of Hoffmann et al. 2022
  ("Training Compute-Optimal Large Language Models", arXiv:2203.15556), fitted here from
  scratch by least squares (a grid over E, a line in log-log space for each), with a
  bootstrap interval on alpha (seeds and windows resampled, refitted each time); Kaplan et
  al. report alpha_N = 0.076 for models trained to convergence;
- with ``Config(isoflop=True)`` (off by default: it adds a fifth to the CPU time), at one
  compute budget C = 6ND, training every size on D = C / 6N tokens, whether the best split
  is an interior one, neither the largest model nor the most tokens (Hoffmann et al.'s
  isoFLOP profiles).

Every verdict is computed from the measurements with thresholds fixed in ``Config``; where
the numbers do not carry a claim the lab says "not supported here". With three sizes
(``--fast``) the three-parameter fit has no degree of freedom and is not tested.

Left out, and why the numbers only illustrate the shape: the models are 10^3-10^5 parameters
trained for seconds on ~200k bytes, where the papers span 10^7-10^10 parameters trained on
billions of tokens; no fit over tokens D (L(N, D)), no fit of the compute-optimal frontier,
and one compute budget rather than a family of isoFLOP curves. Embedding and attention FLOPs
are not in 6ND, which matters for models this small.

One idea per module: ``training`` (models, held-out windows and losses, one run with
checkpoints), ``fitting`` (the power law plus constant, the interval of its exponent, tokens
to reach a loss), ``tuning`` (the learning rates), ``claims``, ``figures``, and ``config``
and ``experiment`` (the run and its metrics).
"""

from llmiq.labs.scaling.claims import (
    compute_optimal_claim,
    initial_loss_claim,
    power_law_claim,
    sample_efficiency_claim,
)
from llmiq.labs.scaling.config import Config, Size
from llmiq.labs.scaling.experiment import Metrics, ScalingMetrics, run
from llmiq.labs.scaling.fitting import (
    PowerLawFit,
    alpha_interval,
    fit_power_law,
    r_squared,
    tokens_to_reach,
)
from llmiq.labs.scaling.training import (
    Run,
    build_model,
    checkpoint_steps,
    held_out_loss,
    held_out_windows,
    learning_rate,
    non_embedding_params,
    train_run,
    unigram_cross_entropy,
)
from llmiq.labs.tinylm import sampled_windows, window_losses

__all__ = [
    "Config",
    "Metrics",
    "PowerLawFit",
    "Run",
    "ScalingMetrics",
    "Size",
    "alpha_interval",
    "build_model",
    "checkpoint_steps",
    "compute_optimal_claim",
    "fit_power_law",
    "held_out_loss",
    "held_out_windows",
    "initial_loss_claim",
    "learning_rate",
    "non_embedding_params",
    "power_law_claim",
    "r_squared",
    "run",
    "sample_efficiency_claim",
    "sampled_windows",
    "tokens_to_reach",
    "train_run",
    "unigram_cross_entropy",
    "window_losses",
]
