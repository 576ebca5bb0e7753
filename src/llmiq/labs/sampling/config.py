"""The sampling lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    corpus_chars: int = 500_000  # characters of stdlib docstrings to train and evaluate on
    context: int = 8  # characters the model sees before predicting the next one
    embed_dim: int = 24  # size of each character embedding
    hidden: int = 256  # width of the tanh hidden layer
    train_steps: int = 3000  # AdamW steps
    batch_size: int = 256  # windows per step
    learning_rate: float = 3e-3  # AdamW learning rate (cosine-decayed to 10%)
    eval_positions: int = 3000  # held-out positions whose next-token entropy is measured
    temperatures: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # swept T
    samples: int = 48  # sequences sampled per temperature (distinct-n)
    sample_length: int = 200  # max_new_tokens of each of those sequences
    distinct_n: int = 3  # n of distinct-n
    top_ks: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 50)  # swept k (plus the whole vocabulary)
    top_ps: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99)  # swept p (reported)
    short_tokens: int = 50  # max_new_tokens of the short run
    long_tokens: int = 200  # max_new_tokens of the long run (same seed and prefix)
    temperature_applied: bool = True  # False ignores T when sampling (a broken sampler)

    @classmethod
    def fast(cls) -> Config:
        return cls(
            corpus_chars=100_000,
            train_steps=300,
            eval_positions=1500,
            samples=24,
            sample_length=150,
            short_tokens=30,
            long_tokens=120,
        )
