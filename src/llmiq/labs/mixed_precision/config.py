"""The mixed-precision lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    """Every setting is fixed a priori (none was tuned by looking at results): the claims are
    about number formats, not about a model's quality."""

    n_embd: int = 64  # width of the tiny GPT whose gradients are measured
    n_layer: int = 2  # transformer blocks
    block_size: int = 64  # context, in bytes
    corpus_chars: int = 200_000  # stdlib docstrings to train on
    steps: int = 200  # training steps per seed (fp32 master weights, gradients through fp16)
    batch_size: int = 32  # windows per step; the loss is their mean, as usual
    lr: float = 3e-3  # AdamW peak learning rate (cosine-decayed)
    init_scale: float = 2.0**24  # the loss scale at the start (torch's GradScaler: 2^16);
    # high on purpose, so the run shows the scale backing off from overflow
    growth_factor: float = 2.0  # scale *= this after growth_interval clean steps
    backoff_factor: float = 0.5  # scale *= this after a step whose gradients overflow
    growth_interval: int = 50  # clean steps before the scale grows (GradScaler: 2000)
    measure_every: int = 5  # the gradients of every 5th step are measured: the items
    dynamic_scaling: bool = True  # False keeps init_scale (init_scale=1: no loss scaling)
    wide_dtype: str = "bfloat16"  # the format set against fp16; "float16" is a broken set-up
    grad_scaler_check: bool = True  # replay the first seed under torch.amp.GradScaler
    min_underflow_share: float = 0.01  # fp16 "loses a share": at least 1% of gradient values
    rescued_fraction: float = 0.9  # loss scaling "rescues": more than 90% of those kept normal
    rounding_samples: int = 100_000  # in-range values per seed whose rounding error is measured
    rounding_blocks: int = 100  # ... in blocks of equal size: the items of its interval
    hidden_width: int = 4096  # width of the hidden vector in the overflow example
    hidden_scale: float = 5.0  # size of its entries (LLM activations reach far more)

    @classmethod
    def fast(cls) -> Config:
        return cls(
            block_size=32,
            corpus_chars=60_000,
            steps=60,
            batch_size=16,
            growth_interval=10,
            rounding_samples=20_000,
        )
