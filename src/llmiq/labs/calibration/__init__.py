"""Calibration lab (seed question 1, "prompt-calibration", answer C: prompt calibration
mitigates bias in prompt-based learning).

Question: does contextual calibration (Zhao, Wallace, Feng, Klein, Singh, "Calibrate Before
Use: Improving Few-Shot Performance of Language Models", ICML 2021) remove the label bias a
few-shot prompt puts on a language model, with no training and no labels? Zhao et al. put a
content-free input ("N/A", "", "[MASK]") in place of the test input, read the label
probabilities ``p_cf`` the prompt alone produces, and divide them out of every prediction
made with that prompt (``W = diag(p_cf)^-1``, renormalised). They report that this raises
GPT-3's and GPT-2's mean accuracy by up to 30.0 points absolute and reduces the spread of
accuracy across prompts (training examples, their order, the format). The maths lives in
``llmiq.exam.calibration`` (numpy, no torch), shared with the exam mode.

Two arms, three seeds each in full mode:

1. Real models (the claim is about them). The built-in pretrained models, SmolLM2-135M-
   Instruct and Gemma 3 270M (base) (``llmiq.labs.pretrained``), classify short sentences
   written for this lab (``sentences``: sentiment, 2 labels; topic, 4 labels as AGNews)
   with few-shot prompts: per task and seed, a balanced test set and 4 prompts, each a
   distinct format and label-word set with 4 demonstrations drawn at random (labels and
   order as drawn). A label is the argmax of its word's first-token log-probability after
   the prompt (``fewshot``). Per model, three verdicts on 95% intervals over prompts and
   seeds (``real_claims``): the label the content-free input favours is over-predicted
   (bias), calibration raises mean accuracy (paired gain), and it lowers the standard
   deviation of accuracy across prompts (spread), each beside Zhao et al.'s figures.
2. The mechanism, in a model small enough to read. A tiny word-level GPT
   (``llmiq.labs.tinylm``) learns to read prompts ``Review: great food\nSentiment:
   positive\n`` repeated k+1 times, where the reviews of one prompt are about one product
   (each label agrees with the product's quality 90% of the time), so the demonstrations'
   labels are evidence about the next one and the model learns to lean on them: with 3
   positive labels of 4 it calls more of a balanced test set positive (majority-label
   bias). Calibration with ``p_cf`` removes it; the question's other options get one
   measurement each: A) fine-tuning on shuffled labelled prompts can unlearn the bias too,
   but needs labels and gradient steps, counted until it matches calibration; B) data
   augmentation (paraphrased demonstrations, same labels) keeps the bias; D) the same model
   trained with gradient clipping (same initialisation and batches) keeps it.

The tiny model's data: reviews are an adjective and a noun from small word lists
(``ADJECTIVES`` gives each adjective's probability of a positive review, from "superb" 0.95
to "rude" 0.05, so the evidence is graded). The content-free strings never occur in its
training, so whether they read as "no evidence" is measured, not assumed. It is a one-block
GPT with a 30-word vocabulary (~31k parameters): a prompt is 35 tokens, and the loss on the
label words is up-weighted (``label_weight``; they are 1 token in 7).

Left out: the pretrained models are scored on 16 sentences per task and seed (the budget:
~300 tokens per CPU-second), not on SST-2 or AGNews (no dataset is downloaded); the other
prompt biases are not separated (majority, recency and common-token bias all land in
``p_cf``); calibration from labelled data (the full affine W, b of Zhao et al.); the
option-position prior for multiple choice (PriDe), which ``llmiq.exam.calibration``
implements and tests but this lab does not measure.

Modules: ``sentences`` (the real arm's labelled sentences and formats), ``fewshot`` (its
prompts and cached-prefix scoring), ``pretrained_arm`` and ``real_claims``; ``data``,
``training``, ``evaluation``, ``tiny_arm`` and ``claims`` (the tiny model); ``figures``;
``config`` and ``experiment`` (the run).
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
from llmiq.labs.calibration.fewshot import (
    FewShotPrompt,
    evaluate_prompt,
    full_sequence_logprobs,
    judge_prompt,
    label_token_ids,
    sample_prompts,
    score_prompt,
    score_queries,
    split,
)
from llmiq.labs.calibration.real_claims import LITERATURE, spread_change_interval
from llmiq.labs.calibration.sentences import SENTIMENT, TASKS, TOPIC, Task
from llmiq.labs.calibration.training import train_on_prompts

__all__ = [
    "ADJECTIVES",
    "LABEL_IDS",
    "LITERATURE",
    "SENTIMENT",
    "TASKS",
    "TOKEN_ID",
    "TOPIC",
    "VOCAB",
    "CalibrationMetrics",
    "Config",
    "FewShotPrompt",
    "Metrics",
    "Task",
    "augmentation_claim",
    "balanced_test_set",
    "bayes_accuracy",
    "bias_claim",
    "block_size",
    "calibration_claim",
    "clipping_claim",
    "detokenize",
    "evaluate_prompt",
    "finetune_claim",
    "format_example",
    "full_sequence_logprobs",
    "judge_prompt",
    "label_logprobs",
    "label_token_ids",
    "macro_f1",
    "make_prompts",
    "paraphrase",
    "run",
    "sample_prompts",
    "score_prompt",
    "score_queries",
    "split",
    "spread_change_interval",
    "tokenize",
    "train_on_prompts",
    "training_prompt",
    "training_tensor",
]
