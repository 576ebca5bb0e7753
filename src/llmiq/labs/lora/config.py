"""The LoRA lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    n_embd: int = 64  # width of the tiny GPT (4 heads); every adapted matrix is d x kd
    n_layer: int = 2  # transformer blocks
    block_size: int = 64  # context, in bytes
    pretrain_chars: int = 300_000  # stdlib docstrings (English prose) the base learns from
    pretrain_steps: int = 600  # AdamW steps of pre-training (cosine-decayed)
    pretrain_lr: float = 3e-3  # peak learning rate of pre-training
    target_chars: int = 150_000  # stdlib Python code (other files): the shifted domain
    val_fraction: float = 0.15  # tail of the target text held out for the validation loss
    finetune_steps: int = 300  # AdamW steps of every fine-tuning run, full and LoRA alike
    finetune_lr: float = 3e-3  # one peak learning rate for every method (cosine-decayed)
    batch_size: int = 16  # windows per step, pre-training and fine-tuning
    eval_batches: int = 16  # validation batches (the same windows for every method)
    ranks: tuple[int, ...] = (1, 4, 16)  # LoRA ranks r compared with full fine-tuning
    alpha_per_rank: float = 2.0  # alpha = 2r: the update is scaled by alpha / r = 2 at every r
    targets: tuple[str, ...] = ("qkv", "proj", "mlp.0", "mlp.2")  # adapted nn.Linear modules
    init_b: str = "zeros"  # "zeros" (LoRA) or "random" (a broken set-up: B like A)
    freeze_base: bool = True  # False forgets to freeze the base weights (a broken set-up)
    merge_scaled: bool = True  # False merges W + B A without alpha / r (a broken set-up)
    small_fraction: float = 0.05  # "a small fraction": the smallest rank trains less than this
    peft_check: bool = True  # also build each adapter with Hugging Face peft and compare

    @classmethod
    def fast(cls) -> Config:
        """A narrower context and a few dozen steps, two ranks, no peft (its import alone
        costs seconds; the tests compare with peft directly)."""
        return cls(
            block_size=32,
            pretrain_chars=80_000,
            pretrain_steps=150,
            target_chars=40_000,
            finetune_steps=60,
            eval_batches=8,
            ranks=(1, 8),
            peft_check=False,
        )
