"""Decoding lab (bank ``inference``, question ``beam-vs-sampling``).

Greedy and beam search maximise likelihood; sampling draws from the distribution. Which
text is likelier, and which repeats itself? Holtzman et al. (2020), "The Curious Case of
Neural Text Degeneration" (arXiv:1904.09751), found that maximisation-based decoding yields
text that is far likelier under the model than human text, yet bland and repetitive, and
proposed nucleus (top-p) sampling. This lab measures that on the real pretrained
SmolLM2-135M-Instruct (``llmiq.labs.pretrained``) with prompts cut from the seed bank's
explanations, in English and in Chinese:

- greedy search, beam search (b = 4, the best beam by total log-probability), and sampling
  (temperature 1, top-p 0.9, two draws per prompt), written from scratch over the model's
  logits with its key/value cache (``search``); each continuation has the same number of new tokens
  (the end-of-sequence token is suppressed), so the measures compare like with like;
- for each continuation: the mean log-probability per token under the model's own
  distribution, and repetition: seq-rep-n, the share of repeated n-grams (Welleck et al.
  2020, "Neural Text Generation with Unlikelihood Training") and distinct-2 (Li et al.
  2016, "A Diversity-Promoting Objective Function for Neural Conversation Models");
- a variant: greedy search that may not repeat an n-gram (``no_repeat_ngram_size``, from
  Paulus et al. 2017), which removes repetition by construction and costs likelihood.

Uncertainty: each seed draws its own prompts (6 per seed: 16 tokens from a random start in
a randomly chosen explanation, 4 English and 2 Chinese; 3 seeds in the full run, continued in
one batch per method) and its own sampling draws; a prompt's draws are averaged first, and
every verdict is decided on a 95% interval that resamples the seeds and the prompts within
them (``claims.prompt_interval``): "greedy and beam beat sampling" needs the whole interval
of the weaker of the two per-prompt gaps above zero. For comparison, Holtzman et al.'s
Table 1 (GPT-2 Large continuing WebText): beam search (b = 16) text has perplexity 1.48
against 13.13 for nucleus sampling (p = 0.95) and 12.38 for human text, and 28.9% of beam's
generations end in a repetition loop against 0.36% for nucleus and 0.28% for human text.

The from-scratch greedy, beam and no-repeat searches are checked against transformers'
``generate`` (``do_sample=False``, ``num_beams``, ``no_repeat_ngram_size``, with
``min_new_tokens``): identical token ids. Beam search here equals transformers' as long as no
beam ends, which suppressing the end-of-sequence token guarantees; its length penalty then
divides every finished beam by the same length and changes nothing.

Left out: free-running lengths (with the end-of-sequence token allowed, beam search's
preference for short outputs and the length penalty come into play), top-k and typical
sampling, repetition penalties (Keskar et al. 2019), contrastive search, diverse beam search,
batching prompts of different lengths (padding), and human judgements of quality.

One idea per module: ``search`` (the decoders), ``measurements`` (prompts, repetition,
comparison with generate), ``claims``, ``figures``, ``config`` and ``experiment``.
"""

from llmiq.labs.decoding.claims import (
    beam_claim,
    library_claim,
    likelihood_claim,
    repetition_claim,
)
from llmiq.labs.decoding.config import Config
from llmiq.labs.decoding.experiment import DecodingMetrics, Metrics, run
from llmiq.labs.decoding.measurements import (
    MethodResult,
    distinct,
    generate_tokens,
    library_comparison,
    prompt_batch,
    sampled_prompts,
    seq_rep,
)
from llmiq.labs.decoding.search import (
    Decoded,
    banned_by_ngrams,
    beam_search,
    greedy_search,
    row_generator,
    sample,
    sample_rows,
)

__all__ = [
    "Config",
    "Decoded",
    "DecodingMetrics",
    "MethodResult",
    "Metrics",
    "banned_by_ngrams",
    "beam_claim",
    "beam_search",
    "distinct",
    "generate_tokens",
    "greedy_search",
    "library_claim",
    "library_comparison",
    "likelihood_claim",
    "prompt_batch",
    "repetition_claim",
    "row_generator",
    "run",
    "sample",
    "sample_rows",
    "sampled_prompts",
    "seq_rep",
]
