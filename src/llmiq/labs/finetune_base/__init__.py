"""Fine-tuning lab (seed question 5, "finetune-base", answer B: the pre-trained model's
architecture and size matter more than the size of the fine-tuning data set).

The article's claim is debatable, so the lab measures both factors on the same footing.
Four bases -- tiny GPTs (``llmiq.labs.tinylm``) of two sizes, each either freshly initialised
or pre-trained on general English (``llmiq.labs.corpus``: docstrings of Python's standard
library) -- are fine-tuned on a *target style* they have not seen, at several data sizes
(1k, 4k and 16k characters). Every cell of the base x data-size grid gets the same recipe
(AdamW, one learning rate, one step budget, early stopping on a dev set) and is scored by its
loss on held-out test text of the target style, in nats per byte. The verdict compares

- the effect of the base: the range (max - min) of the test loss across bases at a fixed
  data size, averaged over the data sizes, with
- the effect of data size: the range across data sizes at a fixed base, averaged over bases,

and also reports a two-way main-effect decomposition of the grid (the share of its sum of
squares each factor explains). The claim is supported only if the base effect is the larger
one *and* every fine-tuning run converged (early stopping ended it before its step budget);
when a run was still improving at the end of its budget, the data effect was not fully
measured, so the lab does not call it for the base.

What the article's side usually rests on is measured too: pre-training makes fine-tuning
data-efficient, which matters most where target data is scarce (Howard & Ruder 2018, ULMFiT;
Hernandez et al. 2021, "Scaling Laws for Transfer": pre-training acts as "effective data
transferred", worth relatively less as the fine-tuning data grows). The lab checks the gain at
the smallest data size and reports it at every size; it also checks the effect of the base's
size, and that more data helps every base.

The target style is creative writing generated here from templates: short titled four-line
poems and "once upon a time" fables, filled from small word lists by a seeded
``random.Random`` (verse, dialogue and narrative: nothing like reference docstrings).
Training, dev and test text come from independent generator seeds; a smaller training set is
a prefix of a larger one, so the data sizes are nested.

Left out: bases big enough for the article's setting (GPT-3-size models pre-trained on the
web; here bases have 8k-70k parameters and pre-train for seconds, so what they bring is
spelling and common words, not knowledge), architecture families other than the decoder-only
transformer, data quality and diversity (template text is as clean as it gets), parameter-
efficient fine-tuning (LoRA, adapters), a learning-rate search per base, and repeated seeds
(one seed; every number that decides a verdict is printed with it).

One idea per module: ``data`` (the target style from templates, the general corpus),
``training`` (the loss from scratch, pre-training and fine-tuning), ``claims`` (how much each
factor matters, and the verdicts), ``figures``, and ``config`` and ``experiment`` (the run and
its metrics).
"""

from llmiq.labs.finetune_base.claims import base_vs_data_claim, effects, variance_shares
from llmiq.labs.finetune_base.config import Base, Config
from llmiq.labs.finetune_base.data import target_corpus
from llmiq.labs.finetune_base.experiment import FinetuneBaseMetrics, Metrics, run
from llmiq.labs.finetune_base.training import (
    fine_tune,
    held_out_loss,
    next_token_loss,
    pretrain,
    windows,
)

__all__ = [
    "Base",
    "Config",
    "FinetuneBaseMetrics",
    "Metrics",
    "base_vs_data_claim",
    "effects",
    "fine_tune",
    "held_out_loss",
    "next_token_loss",
    "pretrain",
    "run",
    "target_corpus",
    "variance_shares",
    "windows",
]
