"""The calibration lab's configuration: the full run, and the seconds-long ``fast()`` one.

Every setting is fixed a priori (none was chosen by looking at results); the sizes are set by
the time budget of 120 CPU-seconds for three seeds on two cores: the pretrained models score
~300 tokens per CPU-second, so prompts x test sentences is what the budget buys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from llmiq.labs.pretrained import GEMMA, SMOLLM2

PriorMode = Literal["estimated", "flipped", "uniform"]


@dataclass
class Config:
    # --- the tiny word-level GPT: the mechanism, with the question's options A, B and D ---
    tiny_arm: bool = True  # False: the pretrained models only
    demonstrations: int = 4  # labelled reviews in a prompt before the test review (k)
    majority: int = 3  # of the k demonstrations have the prompt's majority label
    agreement: float = 0.9  # P(a review's label = its product's quality) in training
    content_free_rate: float = 0.0  # training reviews that are blank, "N/A" or "[MASK]"
    train_prompts: int = 2000  # generated training prompts of k+1 reviews each
    n_embd: int = 48  # model width
    n_head: int = 4  # attention heads
    n_layer: int = 1  # transformer blocks
    # AdamW steps of (pre-)training: 600 in the one-seed lab, cut to fast mode's 150 to fit
    # three seeds and two pretrained models in the time budget
    steps: int = 150
    batch_size: int = 32  # prompts per step
    lr: float = 3e-3  # peak learning rate (cosine decay); 1e-2 was 3x slower to learn
    label_weight: float = 3.0  # extra weight of the loss on the label words (see docstring)
    clip_norm: float = 1.0  # max gradient norm of the clipped twin (option D)
    test_reviews: int = 200  # balanced test set (half positive)
    prompts: int = 8  # demonstration sets (each its own reviews and order)
    finetune_steps: int = 15  # budget of option A: steps on shuffled labelled prompts
    finetune_eval_every: int = 1  # steps between measurements of the fine-tuned bias
    compare_options: bool = True  # also measure options A, B and D (False: C only)
    content_free_prior: PriorMode = "estimated"  # "flipped"/"uniform": a broken calibration
    # --- the pretrained models on few-shot sentiment and topic prompts ---
    models: tuple[str, ...] = (SMOLLM2, GEMMA)  # built-in models (pretrained.py); () for none
    shots: int = 4  # demonstrations per prompt, drawn at random (Zhao et al. use 0-8)
    prompts_per_task: int = 4  # per task and seed: distinct (format, label words) pairs
    test_sentences: int = 16  # per task and seed, balanced (8 per sentiment, 4 per topic)
    score_batch: int = 32  # queries per forward pass after the prompt's cached prefix

    @classmethod
    def fast(cls) -> Config:
        return cls(
            prompts=6,
            finetune_steps=10,
            finetune_eval_every=2,
            models=(SMOLLM2,),
            prompts_per_task=2,
            test_sentences=8,
        )
