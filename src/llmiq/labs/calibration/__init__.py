"""Calibration lab (seed question 1, "prompt-calibration", answer C: prompt calibration
mitigates bias in prompt-based learning).

A few-shot prompt biases a language model towards the labels of its demonstrations: with
three positive examples out of four, it calls more of the test reviews positive (Zhao et
al. 2021 call it majority-label bias; they also find recency bias, the last example's label
weighing more, which is reported here too). This lab builds a model with that bias,
measures it on a balanced test set, and removes it with contextual calibration, with no
training and no labels:

1. A tiny GPT (``llmiq.labs.tinylm``) learns to read prompts of the form
   ``Review: great food\\nSentiment: positive\\n`` repeated k+1 times. The reviews of one
   prompt are about one product: its quality is drawn once and each review's label agrees
   with it 90% of the time, as reviews on one product page do. So the labels of the
   demonstrations are evidence about the next label, and the model learns to lean on them
   (as a Bayesian would: after 3 positive labels of 4, a positive label is ~8x likelier,
   enough to outvote a "good" or a "poor" in the review itself).
2. Test: a balanced set of reviews (half positive) is scored after several demonstration
   sets with a 3-to-1 majority (half of them positive, half negative; shuffled orders),
   by comparing log p(" positive") with log p(" negative") after ``Sentiment:``.
3. Contextual calibration (Zhao, Wallace, Feng, Klein, Singh, "Calibrate Before Use",
   ICML 2021): the same prompt with a content-free input ("N/A", "", "[MASK]") in place of
   the review gives ``p_cf``, the bias of that prompt; the calibrated scores are
   ``normalise(diag(p_cf)^-1 p)``. The maths lives in ``llmiq.exam.calibration`` (numpy, no
   torch) so that the exam mode uses the same code; the lab checks it against the explicit
   matrix product in torch (``calibration_vs_torch_max_abs``).

Reported: accuracy, macro-F1, the share of each predicted label and the share that follows
the prompt's majority label (and its last label), per prompt and as mean and spread, before
and after calibration. The other options of the question get one cheap measurement each:
A) fine-tuning on shuffled labelled prompts can unlearn the bias too, but it needs labels and
gradient steps, which are counted until it matches calibration; B) data augmentation
(paraphrased demonstrations, same labels) keeps the bias; D) the same model trained with
gradient clipping (same initialisation and batches) keeps the bias (clipping bounds the size
of a step; with AdamW, which divides each step by the running gradient scale, it changes
the steps little, and in no case does it act on the prompt).

How the data is made: reviews are an adjective and a noun from small word lists written for
this lab (``ADJECTIVES`` gives each adjective's probability of a positive review, from
"superb" 0.95 to "rude" 0.05, so the evidence is graded and a prior can tip the weak
cases). A training prompt draws a product quality, then k+1 labels, then each review from
its label. The content-free strings never occur in training (``content_free_rate`` = 0):
"N/A" and "[MASK]" are tokens the model has never read and the blank review skips the
adjective, so whether they read as "no evidence" is measured, not assumed (``p_cf`` is
reported per prompt). Test reviews and demonstrations come from the same generator with
other seeds.

The model is a one-block word-level GPT (``tinylm.GPT`` with ``vocab_size`` set to the 30
tokens above, ~31k parameters): byte-level, a prompt is ~200 tokens and in the seconds a lab
has the model never learns to read the label off the review; word-level it is 35 tokens and
it does within ~30 steps. Training prompts are whole sequences from their first token (like
real prompts), and the loss on the label words is up-weighted (``label_weight``): they are
1 token in 7, and with the plain next-token loss the label stayed at chance for 250 steps
in 2 of 3 seeds.

Left out: real pre-trained LMs (the exam mode applies the same code to them), the other
prompt biases (common-token bias, instructions), calibration from labelled data (the full
affine W, b of Zhao et al.) and the option-position prior for multiple choice (PriDe), which
``llmiq.exam.calibration`` implements and tests but this lab does not measure.

One idea per module: ``data`` (the tokens, reviews and prompts), ``training`` (the tiny GPT
on prompts), ``evaluation`` (label probabilities, calibration with ``llmiq.exam``'s API, the
measurements), ``claims``, ``figures``, and ``config`` and ``experiment`` (the run, with
options A, B and D compared).
"""

from llmiq.labs.calibration.claims import (
    augmentation_claim,
    bias_claim,
    calibration_claim,
    clipping_claim,
    finetune_claim,
)
from llmiq.labs.calibration.config import Config
from llmiq.labs.calibration.data import (
    ADJECTIVES,
    LABEL_IDS,
    TOKEN_ID,
    VOCAB,
    balanced_test_set,
    bayes_accuracy,
    block_size,
    detokenize,
    format_example,
    make_prompts,
    paraphrase,
    tokenize,
    training_prompt,
    training_tensor,
)
from llmiq.labs.calibration.evaluation import CalibrationMetrics, Metrics, label_logprobs, macro_f1
from llmiq.labs.calibration.experiment import run
from llmiq.labs.calibration.training import train_on_prompts

__all__ = [
    "ADJECTIVES",
    "LABEL_IDS",
    "TOKEN_ID",
    "VOCAB",
    "CalibrationMetrics",
    "Config",
    "Metrics",
    "augmentation_claim",
    "balanced_test_set",
    "bayes_accuracy",
    "bias_claim",
    "block_size",
    "calibration_claim",
    "clipping_claim",
    "detokenize",
    "finetune_claim",
    "format_example",
    "label_logprobs",
    "macro_f1",
    "make_prompts",
    "paraphrase",
    "run",
    "tokenize",
    "train_on_prompts",
    "training_prompt",
    "training_tensor",
]
