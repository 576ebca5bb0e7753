"""The fine-tuning lab's configuration: the bases, the data sizes, the full run and the
seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Base:
    """A starting point for fine-tuning: a GPT shape, pre-trained or not."""

    name: str  # label in the grid, the report and the plot
    n_layer: int  # transformer blocks
    n_embd: int  # width (4 attention heads)
    pretrained: bool  # pre-trained on the general corpus before fine-tuning


@dataclass
class Config:
    bases: tuple[Base, ...] = (
        Base("small, fresh", 1, 32, pretrained=False),
        Base("small, pre-trained", 1, 32, pretrained=True),
        Base("large, fresh", 2, 48, pretrained=False),
        Base("large, pre-trained", 2, 48, pretrained=True),
    )  # one factor of the grid: ~22k and ~68k parameters, fresh and pre-trained
    data_sizes: tuple[int, ...] = (1_000, 4_000, 16_000)  # the other: fine-tuning characters
    block_size: int = 32  # context of every model, in bytes
    pretrain_data: str = "stdlib"  # "stdlib" docstrings, or "random" bytes (a broken set-up)
    pretrain_chars: int = 300_000  # characters of the general corpus
    pretrain_steps: int = 1_500  # AdamW steps of pre-training for each pre-trained base
    pretrain_lr: float = 3e-3  # pre-training learning rate (cosine-decayed)
    batch_size: int = 16  # windows per step, pre-training and fine-tuning
    finetune_steps: int = 600  # step budget of every fine-tuning run
    finetune_lr: float = 3e-3  # one fine-tuning learning rate for every cell (constant)
    eval_every: int = 30  # fine-tuning steps between dev evaluations
    patience: int = 4  # evaluations that improve the dev loss by < min_gain before a stop
    grace_steps: int = 150  # no early stop before this: a fresh model's loss sits at the
    # unigram level (~3 nats/byte) for ~100 steps before it starts to drop
    dev_chars: int = 3_000  # target-style dev text (early stopping, convergence)
    test_chars: int = 12_000  # target-style test text (the reported loss)
    min_gain: float = 0.02  # nats/byte: a difference below this counts as no difference

    @classmethod
    def fast(cls) -> Config:
        """Smaller bases and a few dozen steps: the mechanics, the pre-training gain and the
        broken set-ups, but no run converges, so the main verdict is "inconclusive"."""
        return cls(
            bases=(
                Base("small, fresh", 1, 16, pretrained=False),
                Base("small, pre-trained", 1, 16, pretrained=True),
                Base("large, fresh", 2, 32, pretrained=False),
                Base("large, pre-trained", 2, 32, pretrained=True),
            ),
            pretrain_chars=60_000,
            pretrain_steps=120,
            pretrain_lr=1e-2,
            finetune_steps=60,
            finetune_lr=1e-2,
            eval_every=10,
            patience=3,
            dev_chars=1_000,
            test_chars=3_000,
        )
