"""The fine-tuning lab's configuration: the bases, the data sizes, the fine-tuning budget, the
full run and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Base:
    """A starting point for fine-tuning: SmolLM2-135M's architecture, all 30 blocks or
    pruned to ``blocks`` (its first ``blocks - 1`` and its last, the deep ones in between
    removed), with its pre-trained weights or with weights drawn at random."""

    name: str  # label in the grid, the report and the plot
    blocks: int  # transformer blocks kept of SmolLM2's 30
    pretrained: bool  # SmolLM2's weights, or SmolLM2's initialisation drawn at random
    lr: float  # AdamW learning rate of its fine-tuning (chosen in tuning.py)


#: How each setting chosen by looking at results was chosen (``tuning.py``; dev loss only).
TUNING: dict[str, str] = {
    "learning rate, SmolLM2-135M": "1e-3: the fewest steps (325 for 9 runs, 715 at 3e-4) "
    "within 7% of the lowest mean best dev loss (3e-4 0.524, 1e-3 0.542, 3e-3 0.654 nats/char) "
    "on seeds 1000-1002, every run converged",
    "learning rate, SmolLM2 pruned to 10 blocks": "1e-3: the fewest steps (440, 735 at 3e-4) "
    "within 7% of the lowest mean best dev loss (3e-4 0.735, 1e-3 0.780, 3e-3 0.898) on seeds "
    "1000-1002, every run converged",
    "learning rate, SmolLM2 random init": "1e-3: the fewest steps (440, 755 at 3e-4) within 7% "
    "of the lowest mean best dev loss (3e-4 0.950, 1e-3 0.986, 3e-3 1.095) on seeds 1000-1002, "
    "every run converged",
    "training length": "to convergence, fixed before tuning; on seeds 1000-1002 a fixed 16-step "
    "budget gave a base effect of 0.479 against a data effect of 0.307 nats/char (dev loss), "
    "training to convergence 0.470 against 0.516: a short budget under-measures the data",
}


@dataclass
class Config:
    bases: tuple[Base, ...] = (
        Base("SmolLM2-135M", 30, pretrained=True, lr=1e-3),
        Base("SmolLM2 pruned to 10 blocks", 10, pretrained=True, lr=1e-3),
        Base("SmolLM2 random init", 30, pretrained=False, lr=1e-3),
    )  # one factor of the grid: the real base, a third of its depth, the same shape untrained
    data_sizes: tuple[int, ...] = (1_000, 4_000, 16_000)  # the other: fine-tuning characters
    pool_chars: int = 18_000  # each seed draws its training documents from this pool
    dev_chars: int = 1_600  # target-style dev text: picks the checkpoint, judges convergence
    test_chars: int = 3_600  # target-style test text: the reported loss
    steps: int = 150  # the cap of every run (each stops earlier, converged): steps of
    batch_docs: int = 8  # documents each, drawn with replacement from the sample
    eval_every: int = 5  # steps between dev evaluations
    patience: int = 2  # evaluations without a new best dev loss that end a run (converged)
    frozen_dtype: str = "bfloat16"  # the frozen blocks' one pass: bf16 is 2x faster on CPU
    vocabulary_chars: int = 200_000  # generated text listing the style's tokens
    weights: str = "pretrained"  # or "random": every base's weights drawn at random (broken)
    data: str = "nested"  # or "same": every data size gets the smallest sample (broken)

    @classmethod
    def fast(cls) -> Config:
        """Smaller data sizes and a shorter budget on the same three bases: the mechanics,
        the pre-training gain and the broken set-ups in seconds."""
        return cls(
            data_sizes=(500, 1_000, 2_000),
            pool_chars=2_200,
            dev_chars=600,
            test_chars=1_500,
            steps=24,
            batch_docs=4,
            eval_every=4,
            patience=2,
            vocabulary_chars=50_000,
        )
