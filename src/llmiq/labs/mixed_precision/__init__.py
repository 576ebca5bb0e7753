"""Mixed-precision lab (question "bf16-vs-fp16", bank ``distributed``).

Why do LLMs train in bf16 rather than fp16, and what does loss scaling do? fp16 (IEEE 754
binary16: 5 exponent bits, 10 mantissa bits) holds 65504 at most and loses precision below
6.1e-5; bfloat16 (8 and 7; Kalamkar et al. 2019, "A Study of BFLOAT16 for Deep Learning
Training") has fp32's range with 3 fewer mantissa bits than fp16. Mixed-precision training
(Micikevicius et al. 2018, "Mixed Precision Training") keeps fp32 master weights, runs the
passes in 16 bits and, in fp16, multiplies the loss by a scale S so that small gradients do
not underflow.

The lab measures, on this machine's CPU, for every seed (3 in full mode: other initial
weights, batches and random values):

- the formats (``torch.finfo``: max, smallest normal, smallest subnormal, eps) and what a
  cast does to probe values from 1e-40 to 1e39 (inf, 0, subnormal, normal);
- the gradients of a real training run (the tiny GPT of ``llmiq.labs.tinylm`` on stdlib
  docstrings): the share of nonzero weight and activation gradients that a cast to fp16
  flushes to zero or leaves subnormal, and the same in bf16;
- dynamic loss scaling written from scratch (``scaling``): the run keeps fp32 master
  weights, takes the backward of S * loss, stores the gradients in fp16 (round trip), skips
  steps that overflow and halves S, doubles S after ``growth_interval`` clean steps. The
  same run under ``torch.amp.GradScaler("cpu")`` must choose the same scales and skip the
  same steps (the first seed is replayed under it). The share of gradients that underflow
  with the scale is measured;
- activations that overflow in fp16: exp(12) (a softmax without max subtraction), the sum of
  squares of a 4096-wide hidden vector (LayerNorm's variance) and a large dot product;
- precision: the mean relative rounding error of in-range values in fp16 and bf16, and a
  running sum in each format.

Shares of gradients and rounding errors get 95% intervals over seeds and measured steps (or
blocks of values); what a cast does to a fixed number is exact. Every setting is fixed a
priori. Literature figure compared with: Micikevicius et al. 2018 (fig. 3) find most of an
SSD detector's activation gradients below fp16's normal range, the network diverging
unscaled and a loss scale of 8 enough to match fp32; here nearly all of the tiny GPT's
activation gradients are subnormal in fp16.

The backward pass itself runs in fp32 and its gradients are rounded to 16 bits afterwards:
a true 16-bit backward also rounds every intermediate, so it loses at least as much. Left
out: fp8 formats (Micikevicius et al. 2022), stochastic rounding, which ops autocast keeps
in fp32, GPU speed (this is a CPU), and per-tensor scaling.

One idea per module: ``formats`` (range, probes, rounding, overflow), ``gradients``
(underflow shares), ``scaling`` (the loss scaler), ``training`` (the run with either
scaler), ``claims``, ``figures``, and ``config`` and ``experiment``.
"""

from llmiq.labs.mixed_precision.claims import (
    gradient_claim,
    overflow_claim,
    precision_claim,
    range_claim,
    scaling_claim,
)
from llmiq.labs.mixed_precision.config import Config
from llmiq.labs.mixed_precision.experiment import Metrics, MixedPrecisionMetrics, run
from llmiq.labs.mixed_precision.formats import (
    accumulate,
    cast_probes,
    exp_overflow_threshold,
    format_table,
    in_range_values,
    overflow_examples,
    rounding_error,
)
from llmiq.labs.mixed_precision.gradients import gradient_values, log2_histogram, underflow
from llmiq.labs.mixed_precision.scaling import DynamicLossScaler, store_in_fp16
from llmiq.labs.mixed_precision.training import TrainLog, train_scaled

__all__ = [
    "Config",
    "DynamicLossScaler",
    "Metrics",
    "MixedPrecisionMetrics",
    "TrainLog",
    "accumulate",
    "cast_probes",
    "exp_overflow_threshold",
    "format_table",
    "gradient_claim",
    "gradient_values",
    "in_range_values",
    "log2_histogram",
    "overflow_claim",
    "overflow_examples",
    "precision_claim",
    "range_claim",
    "rounding_error",
    "run",
    "scaling_claim",
    "store_in_fp16",
    "train_scaled",
    "underflow",
]
