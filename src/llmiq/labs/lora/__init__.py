"""LoRA lab (question "lora-trainable-parameters", bank ``finetuning``).

How many parameters does LoRA train, and what does it give up? LoRA (Hu et al. 2021, "LoRA:
Low-Rank Adaptation of Large Language Models") freezes a weight W (d_out x d_in) and learns
W + (alpha / r) B A with A (r x d_in) random and B (d_out x r) zero at the start, so each
adapted matrix trains r (d_in + d_out) numbers and the adapted model starts exactly at the
base. After training, B A folds into W: no extra cost at inference.

The lab writes LoRA from scratch (``adapter``), puts it on the attention (qkv, proj) and MLP
matrices of the tiny GPT of ``llmiq.labs.tinylm``, pre-trained here for seconds on English
prose (docstrings of Python's standard library) and fine-tuned on a shifted domain, Python
code from other stdlib files (``data``). Full fine-tuning and LoRA at ranks r = 1, 4, 16
(two ranks in ``--fast``) get the same optimizer, learning rate, batches and steps. It
measures

- the trainable parameters, counted (``requires_grad``) against the formula;
- the held-out code loss after the same steps (the gap to full fine-tuning, with its sign),
  and the held-out prose loss (what each method forgets: Biderman et al. 2024, "LoRA Learns
  Less and Forgets Less");
- the start: logits of the adapted model before any step against the base's (exactly equal
  when B = 0);
- the merge: logits with W + (alpha / r) B A folded in against the adapter's.

The scale is alpha = 2r (alpha / r = 2 at every rank, a common setting): with the paper's
fixed alpha the step size would change with r and confound rank with learning rate (Kalajdzievski
2023, "A Rank Stabilization Scaling Factor for Fine-Tuning with LoRA"). One learning rate for
all methods is a choice, not a tuned optimum; LoRA usually takes a larger one than full
fine-tuning, so the gap is an upper bound of what a tuned LoRA would show here.

The from-scratch adapter is checked against Hugging Face ``peft`` (same trainable count, same
output with the same A and B) in the tests and, in full mode, in the run (``library``).

Left out: dropout on the adapter, adapters on the embedding/output matrix, QLoRA (4-bit base),
DoRA and other variants, several seeds, a learning-rate search per method. The base has
~120k parameters and width 64, so r = 16 is a quarter of d: the trained share is far larger
than at 4096-wide matrices (the evidence gives both).

One idea per module: ``adapter`` (LoRA from scratch), ``library`` (peft), ``data``,
``claims``, ``figures``, and ``config`` and ``experiment`` (the run and its metrics).
"""

from llmiq.labs.lora.adapter import (
    LoRALinear,
    add_lora,
    lora_formula,
    lora_modules,
    matches,
    merge_lora,
    target_shapes,
    trainable_parameters,
)
from llmiq.labs.lora.claims import approach_claim, fraction_claim, merge_claim, start_claim
from llmiq.labs.lora.config import Config
from llmiq.labs.lora.data import domains, python_code
from llmiq.labs.lora.experiment import LoRAMetrics, Metrics, run

__all__ = [
    "Config",
    "LoRALinear",
    "LoRAMetrics",
    "Metrics",
    "add_lora",
    "approach_claim",
    "domains",
    "fraction_claim",
    "lora_formula",
    "lora_modules",
    "matches",
    "merge_claim",
    "merge_lora",
    "python_code",
    "run",
    "start_claim",
    "target_shapes",
    "trainable_parameters",
]
