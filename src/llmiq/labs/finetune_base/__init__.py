"""Fine-tuning lab (seed question "finetune-base", answer B: the pre-trained model's
architecture and size matter more than the size of the fine-tuning data set).

The article's claim is debatable, so the lab measures both factors on the same footing, on a
real pre-trained model. Three bases share SmolLM2-135M's architecture (Allal et al. 2025,
"SmolLM2: When Smol Goes Big"; the built-in Instruct checkpoint, 30 blocks):

- SmolLM2-135M itself, pre-trained;
- a smaller pre-trained base: SmolLM2 pruned to 10 blocks, its first 9 and its last (the
  same tokenizer and pre-training, a third of the depth; pruning deep blocks but keeping the
  last follows Gromov et al. 2024, "The Unreasonable Ineffectiveness of the Deeper Layers",
  which found such pruned models recover with a little training -- here the fine-tuning is
  that training, so this base starts far behind and catches up with data);
- the same 30-block architecture drawn at random (transformers' initialisation), the base
  without pre-training.

Each is fine-tuned on 1k, 4k and 16k characters of a *creative-writing style* it has not
seen -- titled four-line poems and "once upon a time" fables generated from word lists by a
seeded ``random.Random`` -- with one recipe: the last block's feed-forward layer, the final
norm and the output rows are trained (2.8M parameters, 2% of the model; AdamW at a constant
rate chosen on tuning seeds, bf16 autocast) and everything else is frozen, the last
block's attention included. Every run trains until its dev loss has not improved for two
evaluations (all 27 runs converge well before the 150-step cap) and keeps its best dev
checkpoint. The score is the loss on held-out test documents of the style in nats per
character. Three seeds choose the training sample (from an 18k-character pool, nested across
sizes), the batch order and the random base's trained weights; every claim is decided on a
95% nested bootstrap interval over the seeds and the test documents.

The verdict compares the effect of the base -- the range of the test loss across the three
bases at a fixed data size, averaged over data sizes -- with the effect of the data -- the
range across 1k/4k/16k at a fixed base, averaged over bases: supported when the whole
interval of the difference is above zero (and every run converged). The same comparison for
the full base and its random twin alone (no pruned base, whose output interface the data
must repair) is a claim of its own, as are the gain of pre-training where data is scarce
(ULMFiT, Howard & Ruder 2018), the gain of the larger base, and that more data helps every
base. The literature figure compared with: Hernandez et al. 2021, "Scaling Laws for
Transfer", fit the data a pre-trained model is worth as D_T = k D_F^0.18 N^0.38 (English
text to Python) -- model size weighs more than fine-tuning data in that exponent, while the
effect of fine-tuning data itself stays large in the low-data regime measured here.

Why to convergence: on tuning seeds a fixed 16-step budget made the base look more important
than the data (0.48 against 0.31 nats/char on dev text); trained to convergence the two were
close, the data ahead (0.47 against 0.52). A short budget under-measures what data can teach.

How it fits in CPU minutes: everything below the trained layer is run once per document (in
bfloat16, about 1% above float32's loss) and its output cached, so a step costs one
feed-forward layer per token; and the output layer is restricted to the ~250 tokens the style
uses (every base scores the same choice; the report gives the pre-trained base's zero-shot
loss over the full 49,152-token vocabulary beside it).

Left out: full fine-tuning and LoRA on every block (each step would cost the whole model; a
frozen base keeps its features, and the random base is judged under the same recipe, not
trained from scratch), Gemma 3 270M (another tokenizer
and pre-training corpus would confound size), other architectures, data quality and
diversity (template text is as clean as it gets), and redrawing the random base's frozen
weights per seed (one draw; the seeds redraw its trained layer).

One idea per module: ``data`` (the target style and the samples), ``backbone`` (the bases cut
into a cached frozen part and a trainable top), ``training`` (the fine-tuning and the loss
per character), ``runs`` (the measurement shared with the tuning), ``claims`` (the effects,
their intervals and the verdicts), ``figures``, ``config``, ``experiment`` (the run and its
metrics) and ``tuning`` (the learning rates).
"""

from llmiq.labs.finetune_base.claims import (
    base_minus_data,
    base_vs_data_claim,
    effects,
    grid_interval,
    variance_shares,
)
from llmiq.labs.finetune_base.config import Base, Config
from llmiq.labs.finetune_base.data import documents, target_corpus
from llmiq.labs.finetune_base.experiment import FinetuneBaseMetrics, Metrics, run

__all__ = [
    "Base",
    "Config",
    "FinetuneBaseMetrics",
    "Metrics",
    "base_minus_data",
    "base_vs_data_claim",
    "documents",
    "effects",
    "grid_interval",
    "run",
    "target_corpus",
    "variance_shares",
]
