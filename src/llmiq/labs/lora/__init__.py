"""LoRA lab (question "lora-trainable-parameters", bank ``finetuning``).

How many parameters does LoRA train, and what does it give up? LoRA (Hu et al. 2021, "LoRA:
Low-Rank Adaptation of Large Language Models") freezes a weight W (d_out x d_in) and learns
W + (alpha / r) B A with A (r x d_in) random and B (d_out x r) zero at the start, so each
adapted matrix trains r (d_in + d_out) numbers and the adapted model starts exactly at the
base. After training, B A folds into W: no extra cost at inference.

The lab writes LoRA from scratch (``adapter``), puts it on the attention (qkv, proj) and MLP
matrices of the tiny GPT of ``llmiq.labs.tinylm``, pre-trained here for seconds on English
prose (docstrings of Python's standard library) and fine-tuned on a shifted domain, Python
code from other stdlib files (``data``). The base is pre-trained once per run, as a real
base model is; each seed (3 in full mode) then fine-tunes it fully and with LoRA at ranks
r = 1, 4, 16 (two ranks in ``--fast``) on that seed's batches, with that seed's adapter
initialisation, for the same steps, and scores that seed's held-out windows (no two
overlapping). It measures

- the trainable parameters, counted (``requires_grad``) against the formula (exact);
- the held-out code loss after the same steps, window by window: the drop from each rank to
  the next and the gap to full fine-tuning, with 95% intervals over seeds and windows
  (nested bootstrap), and the held-out prose loss (what each method forgets: Biderman et al.
  2024, "LoRA Learns Less and Forgets Less", who find LoRA behind full fine-tuning on code at
  equal steps and forgetting less of the source domain);
- the start: logits of the adapted model before any step against the base's (exactly equal
  when B = 0);
- the merge: logits with W + (alpha / r) B A folded in against the adapter's.

The scale is alpha = 2r (alpha / r = 2 at every rank, a common setting): with the paper's
fixed alpha the step size would change with r and confound rank with learning rate
(Kalajdzievski 2023, "A Rank Stabilization Scaling Factor for Fine-Tuning with LoRA"). The
learning rates are tuned per method (full fine-tuning; LoRA, one rate for every rank) on
seeds 1000-1001 and the tuning half of the held-out code (``tuning``), never on a reported
seed or window.

The from-scratch adapter is checked against Hugging Face ``peft`` (same trainable count, same
output with the same A and B) in the tests and, in full mode, on the first seed (``library``).

Left out: dropout on the adapter, adapters on the embedding/output matrix, QLoRA (4-bit base),
DoRA and other variants, several pre-trained bases (the seeds vary fine-tuning only), a rate
per rank. The base has ~120k parameters and width 64, so r = 16 is a quarter of d: the
trained share is far larger than at 4096-wide matrices (the evidence gives both).

One idea per module: ``adapter`` (LoRA from scratch), ``library`` (peft), ``data`` (domains,
held-out windows), ``finetuning`` (one run of one method), ``tuning`` (the learning rates),
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
from llmiq.labs.tinylm import sampled_windows, window_losses

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
    "sampled_windows",
    "start_claim",
    "target_shapes",
    "trainable_parameters",
    "window_losses",
]
