"""The calibration lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PriorMode = Literal["estimated", "flipped", "uniform"]


@dataclass
class Config:
    demonstrations: int = 4  # labelled reviews in a prompt before the test review (k)
    majority: int = 3  # of the k demonstrations have the prompt's majority label
    agreement: float = 0.9  # P(a review's label = its product's quality) in training
    content_free_rate: float = 0.0  # training reviews that are blank, "N/A" or "[MASK]"
    train_prompts: int = 4000  # generated training prompts of k+1 reviews each
    n_embd: int = 48  # model width
    n_head: int = 4  # attention heads
    n_layer: int = 1  # transformer blocks
    steps: int = 600  # AdamW steps of (pre-)training
    batch_size: int = 32  # prompts per step
    lr: float = 3e-3  # peak learning rate (cosine decay); 1e-2 was 3x slower to learn
    label_weight: float = 3.0  # extra weight of the loss on the label words (see docstring)
    clip_norm: float = 1.0  # max gradient norm of the clipped twin (option D)
    test_reviews: int = 400  # balanced test set (half positive)
    prompts: int = 16  # demonstration sets (each its own reviews and order)
    finetune_steps: int = 60  # budget of option A: steps on shuffled labelled prompts
    finetune_eval_every: int = 2  # steps between measurements of the fine-tuned bias
    compare_options: bool = True  # also measure options A, B and D (False: C only)
    content_free_prior: PriorMode = "estimated"  # "flipped"/"uniform": a broken calibration

    @classmethod
    def fast(cls) -> Config:
        return cls(train_prompts=2000, steps=150, test_reviews=200, prompts=6, finetune_steps=10)
