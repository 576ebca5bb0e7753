"""Quantization lab (bank ``inference``, question ``int8-weight-quantization``).

Does storing a real model's weights in int8 keep its predictions, at a quarter of the size,
and does int4 cost more? This lab quantizes the 210 linear layers of the pretrained
SmolLM2-135M-Instruct (``llmiq.labs.pretrained``) from scratch and measures, against the fp32
model, on windows of the seed bank's ten explanations in English and in Chinese:

- storage: bytes of the linear weights in fp32, fp16, int8 and int4, scales included
  (one fp16 scale per output channel, per group or per matrix);
- the next-token distribution at every scored position: mean KL(fp32 || quantized) in nats
  and the share of positions whose most likely token is unchanged (top-1 agreement; its
  complement is the "flips" that Dutta et al. 2024, "Accuracy is Not All You Need", measure
  besides KL because equal accuracy can hide them), and the perplexity of the actual text.

The method is weight-only round-to-nearest with symmetric absmax scales (``schemes``):
``scale = absmax / (2**(b-1) - 1)`` per output channel (int8, as in LLM.int8()'s vector-wise
quantization, Dettmers et al. 2022, "LLM.int8(): 8-bit Matrix Multiplication for
Transformers at Scale"), per group of 32 or 64 input weights (int4, the block layout of
GGUF's Q4_0 and of GPTQ/AWQ's group size), or one per matrix (per tensor, to show why
per-channel matters: the rows whose weights are small lose most of their levels to the
matrix's largest weights). Weights are dequantized for the forward pass, which runs in fp32:
the lab measures what the stored numbers lose, not int8 kernels' speed.

The int8 per-channel codes and scales are checked against PyTorch's own
(``PerChannelMinMaxObserver`` and ``quantize_per_channel``), the int4 groups against
``fake_quantize_per_channel_affine``: they agree except at exact rounding ties.

Uncertainty: the model and its weights are fixed, so each seed draws its own windows of text
(4 of 32 predictions per language in the full run, 3 seeds: 768 positions per scheme), every
scheme scores the same windows, and each verdict is decided on a 95% interval that resamples
the seeds and the windows within them (``uncertainty.nested_interval``): the int8 bars must
hold for the whole interval, and int4's and per-tensor's extra drift is a paired difference
per window whose whole interval must lie above zero. Storage, weight errors and the
comparison with PyTorch are exact counts over every weight.

Caveat, measured and reported: the model ships as a Q4_1 GGUF, so the "fp32" reference is a
4-bit model dequantized (at most 16 distinct values per block of 32 weights). Quantization
error here is measured from that reference, on a 135M model, over a few hundred positions.
For scale: Dettmers et al. 2022 run 8-bit weights with no degradation up to 175B parameters
once the outlier feature dimensions that emerge near 6.7B stay in 16 bits (vector-wise int8
alone degrades from there), and Dutta et al. 2024 find answers that flip even where a
compressed model's accuracy is unchanged.

Left out: activation quantization (W8A8, SmoothQuant), error-compensating methods (GPTQ,
Frantar et al. 2022; AWQ, Lin et al. 2023), LLM.int8()'s fp16 outlier columns, asymmetric
zero points, quantizing the tied embedding / output head, and real int8 matmul kernels.

One idea per module: ``schemes`` (quantizers and their storage), ``measurements`` (the model
scored under each scheme), ``claims``, ``figures``, ``config`` and ``experiment``.
"""

from llmiq.labs.quantization.claims import (
    int4_claim,
    int8_claim,
    library_claim,
    per_channel_claim,
)
from llmiq.labs.quantization.config import Config
from llmiq.labs.quantization.experiment import Metrics, QuantizationMetrics, run
from llmiq.labs.quantization.measurements import (
    SchemeResult,
    Windows,
    evaluate_scheme,
    kl_and_top1,
    library_differences,
    linear_layers,
    next_token_logprobs,
    text_windows,
    weights_replaced,
)
from llmiq.labs.quantization.schemes import (
    QuantizedWeight,
    Scheme,
    quantize,
    round_trip,
    torch_group_fake_quant,
    torch_int8_per_channel,
)

__all__ = [
    "Config",
    "Metrics",
    "QuantizationMetrics",
    "QuantizedWeight",
    "Scheme",
    "SchemeResult",
    "Windows",
    "evaluate_scheme",
    "int4_claim",
    "int8_claim",
    "kl_and_top1",
    "library_claim",
    "library_differences",
    "linear_layers",
    "next_token_logprobs",
    "per_channel_claim",
    "quantize",
    "round_trip",
    "run",
    "text_windows",
    "torch_group_fake_quant",
    "torch_int8_per_channel",
    "weights_replaced",
]
