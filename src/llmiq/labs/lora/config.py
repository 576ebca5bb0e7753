"""The LoRA lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    n_embd: int = 64  # width of the tiny GPT (4 heads); every adapted matrix is d x kd
    n_layer: int = 2  # transformer blocks
    block_size: int = 64  # context, in bytes
    pretrain_chars: int = 300_000  # stdlib docstrings (English prose) the base learns from
    pretrain_steps: int = 500  # AdamW steps of pre-training (cosine-decayed), once per run
    pretrain_lr: float = 3e-3  # peak learning rate of pre-training (a priori, not tuned)
    target_chars: int = 200_000  # stdlib Python code (other files): the shifted domain
    val_fraction: float = 0.2  # tail of the code held out: its first half for tuning, the
    # second half for the reported losses (tuning never sees a reported window)
    finetune_steps: int = 200  # AdamW steps of every fine-tuning run, full and LoRA alike
    full_lr: float = 3e-3  # peak learning rate of full fine-tuning (cosine-decayed): chosen
    # by ``python -m llmiq.labs.lora.tuning`` on seeds 1000-1001, never on a reported seed
    lora_lr: float = 1e-2  # peak learning rate of every LoRA rank: chosen by tuning.py too
    batch_size: int = 16  # windows per step, pre-training and fine-tuning
    eval_windows: int = 128  # held-out windows per seed, no two overlapping: the items
    ranks: tuple[int, ...] = (1, 4, 16)  # LoRA ranks r compared with full fine-tuning (a priori)
    alpha_per_rank: float = 2.0  # alpha = 2r: the update is scaled by alpha / r = 2 at every r
    targets: tuple[str, ...] = ("qkv", "proj", "mlp.0", "mlp.2")  # adapted nn.Linear modules
    init_b: str = "zeros"  # "zeros" (LoRA) or "random" (a broken set-up: B like A)
    freeze_base: bool = True  # False forgets to freeze the base weights (a broken set-up)
    merge_scaled: bool = True  # False merges W + B A without alpha / r (a broken set-up)
    small_fraction: float = 0.05  # "a small fraction": the smallest rank trains less than this
    merge_tolerance: float = 1e-5  # largest |logit difference| of a merge: float32 rounding
    peft_check: bool = True  # also build the adapters with Hugging Face peft (first seed)

    @classmethod
    def fast(cls) -> Config:
        """A narrower context, a shorter pre-training, two ranks, no peft (its import alone
        costs seconds; the tests compare with peft directly). Fine-tuning keeps 150 steps:
        after 60 the two ranks had not separated at the tuned rates."""
        return cls(
            block_size=32,
            pretrain_chars=80_000,
            pretrain_steps=150,
            target_chars=60_000,
            finetune_steps=150,
            eval_windows=96,
            ranks=(1, 8),
            peft_check=False,
        )
