"""Sampling lab (seed question 9, "output-randomness", answer C: temperature).

Which decoding knob sets the randomness of the output? This lab writes the four usual
knobs from scratch over a vector of logits and measures what each does on a small
character-level language model trained here in seconds on the shipped corpus
(``llmiq.labs.corpus``, docstrings of Python's standard library):

- temperature T divides the logits before the softmax, ``p = softmax(z / T)``
  (Ackley, Hinton & Sejnowski 1985, the Boltzmann distribution; Hinton et al. 2015):
  T = 1 is the model's own distribution, T -> 0 is greedy (argmax) decoding, and the entropy
  of the next-token distribution rises monotonically with T;
- top-k keeps the k most probable tokens and renormalises (Fan et al. 2018, "Hierarchical
  Neural Story Generation"): it caps the support at k but keeps the ranking and the ratios
  of the kept probabilities (it truncates, it does not rescale; a small k does lower the
  entropy, k = 1 being greedy, and the lab reports by how much);
- top-p / nucleus keeps the smallest prefix of the sorted distribution whose mass is >= p
  (Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration");
- max_new_tokens only stops the loop: with the same seed and prefix the shorter sample is a
  prefix of the longer one and every step's distribution is unchanged.

Diversity of the samples is distinct-n (Li et al. 2016, "A Diversity-Promoting Objective
Function for Neural Conversation Models"): distinct n-grams / all n-grams.

The model is a Bengio et al. (2003) MLP language model over characters (an embedding of
the last ``context`` characters, one tanh hidden layer, logits over the characters).

What is measured and what holds by construction: the entropy of softmax(z / T) on fixed
contexts rises with T for any non-constant logits, top-k keeps the kept ratios, the knobs
equal ``transformers``' warpers and a longer run extends a shorter one with the same draws:
those claims are definition checks of the code (``exact`` maxima over every position, prompt
and seed). The measurement is the temperature claim on real samples: per prompt, distinct-n
of the sampled text and the entropy of the distributions it was drawn from, at each T with
the same prompts and random draws; a rise is supported when the 95% interval of the gain
between every pair of neighbouring temperatures, over seeds x prompts, lies above 0. Each
seed draws the held-out paragraphs, the model's initialisation and batches, and the prompts.
Literature: Holtzman et al. 2020 report that pure sampling (T = 1) from GPT-2 gives text far
more diverse than greedy or beam search, and that lowering T trades diversity for quality.
The from-scratch filters are checked against their definitions and against Hugging Face
``transformers``' logits warpers.

Left out: beam search, repetition/presence penalties, min-p and typical sampling, stop
tokens (our model has no end-of-sequence token, so every sample is exactly max_new_tokens
long; with one, max_new_tokens is only an upper bound) and any KV cache.

One idea per module: ``knobs`` (temperature, top-k, top-p, sampling and distinct-n from
scratch), ``model`` (the character MLP), ``measurements``, ``claims``, ``figures``, and
``config`` and ``experiment`` (the run and its metrics).
"""

from llmiq.labs.sampling.claims import max_new_tokens_claim, temperature_claim, top_k_claim
from llmiq.labs.sampling.config import Config
from llmiq.labs.sampling.experiment import Metrics, SamplingMetrics, held_out_split, run
from llmiq.labs.sampling.knobs import (
    distinct_n,
    entropy_bits,
    next_token_distribution,
    sample_from,
    softmax_with_temperature,
    top_k_filter,
    top_p_filter,
)
from llmiq.labs.sampling.measurements import (
    entropy_by_temperature,
    max_new_tokens_measurements,
    top_k_measurements,
)
from llmiq.labs.sampling.model import CharMLP, CharVocab

__all__ = [
    "CharMLP",
    "CharVocab",
    "Config",
    "Metrics",
    "SamplingMetrics",
    "distinct_n",
    "entropy_bits",
    "entropy_by_temperature",
    "held_out_split",
    "max_new_tokens_claim",
    "max_new_tokens_measurements",
    "next_token_distribution",
    "run",
    "sample_from",
    "softmax_with_temperature",
    "temperature_claim",
    "top_k_claim",
    "top_k_filter",
    "top_k_measurements",
    "top_p_filter",
]
