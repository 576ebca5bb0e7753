"""The scaling lab's configuration: the model sizes, the token budget, the full run and the
seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """One model of the sweep: a tiny GPT shape (``llmiq.labs.tinylm``)."""

    n_layer: int  # transformer blocks
    n_embd: int  # width
    n_head: int = 4  # attention heads; must divide n_embd
    learning_rate: float | None = None  # its peak rate; None: Config.learning_rate

    @property
    def name(self) -> str:
        return f"{self.n_layer}x{self.n_embd}"


@dataclass
class Config:
    """Shapes, budget, schedule and thresholds are fixed a priori; the peak learning rate of
    each size of the full run was chosen on tuning seeds (``python -m
    llmiq.labs.scaling.tuning``)."""

    sizes: tuple[Size, ...] = (
        Size(1, 16, learning_rate=3e-3),
        Size(1, 24, learning_rate=3e-3),
        Size(2, 32, learning_rate=3e-3),
        Size(2, 48, learning_rate=3e-3),
        Size(2, 64, learning_rate=3e-3),
    )  # smallest to largest: 3.3k to 100k non-embedding parameters (30x); each size's peak
    # rate: its lowest mean held-out loss of 1e-3, 3e-3, 1e-2, 3e-2 on seeds 1000-1001
    corpus_chars: int = 600_000  # characters of stdlib docstrings (every 10th paragraph held
    # out, and of those every other one kept for tuning: the reported windows never are)
    block_size: int = 32  # context of every model, in bytes
    batch_size: int = 16  # windows per step: 512 tokens per step at block_size 32
    steps: int = 400  # AdamW steps of every main run: the same ~205k tokens for every size
    learning_rate: float = 3e-3  # peak learning rate of a size that names none (fast mode)
    warmup_fraction: float = 0.05  # linear warm-up over this share of the steps, then cosine
    final_lr_fraction: float = 0.1  # the cosine decays to this share of the peak
    checkpoints: int = 6  # held-out evaluations at steps/2^k, k = checkpoints-1 .. 0 (and step 0)
    eval_windows: int = 256  # held-out windows per seed, no two overlapping: the items
    init_std: float = 0.02  # std of the normal init of every weight (GPT-2's); 1.0 is a broken init
    shuffle_labels: bool = False  # True trains on shuffled next-byte targets (a broken set-up)
    min_gap: float = 0.02  # nats/byte: a smaller loss difference counts as no difference
    initial_tolerance: float = 0.05  # nats/byte: "close to ln 256" means within this
    fit_min_r2: float = 0.95  # the power law plus a constant must explain this share of variance
    isoflop: bool = False  # also train every size at one compute budget C = 6ND, every seed
    isoflop_anchor: int = 1  # C is the main run's compute of this size (its run is reused)

    @classmethod
    def fast(cls) -> Config:
        """Three tiny sizes and fewer steps at the a-priori rate: the mechanics and the size
        effect. With three sizes the fit has no degree of freedom left: its claim is not
        tested."""
        return cls(
            sizes=(Size(1, 8, 2), Size(1, 16), Size(1, 32)),
            corpus_chars=100_000,
            steps=200,
            checkpoints=4,
            eval_windows=128,
        )
