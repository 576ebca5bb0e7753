"""The alignment lab's configuration: the full run, and the seconds-long ``fast()`` one.

Settings marked "tuned" were chosen by ``python -m llmiq.labs.alignment.tuning`` on seeds
1000-1002 (never reported; the choice and the grid are in ``tuning.json``); every other
setting was fixed before measuring.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    held_out_requests: int = 8  # of the 36 requests, kept out of all training but the reference's
    n_layer: int = 1  # transformer blocks of the policy
    n_embd: int = 48  # width of the policy (three heads of 16)
    max_new_tokens: int = 12  # longest sampled reply (the longest template has 8 words + <end>)
    sft_steps: int = 100  # fine-tuning of the reference on the six template replies (a priori)
    sft_batch_size: int = 64  # episodes per step of that fine-tuning
    sft_lr: float = 1e-2  # its Adam learning rate
    # equal compute, fixed a priori: every method makes `steps` updates of the policy on
    # 64 sequences each (DPO: 32 pairs = 64 replies; RLHF: 64 sampled replies; the
    # supervised arms: 64 replies), and the reward model sees as many pairs as DPO
    steps: int = 64  # policy updates of every method (~8 passes over the 252 pairs)
    pairs_per_step: int = 32  # DPO's (and the reward model's) preference pairs per update
    episodes_per_step: int = 64  # RLHF's sampled replies per update (= 2 x pairs_per_step)
    sft_replies_per_step: int = 64  # the supervised arms' replies per update (the same)
    checkpoints: tuple[int, ...] = (8, 16, 32, 64)  # updates after which every method is
    #                                                 measured: the win-rate-KL curve
    beta: float = 3.0  # DPO's beta (tuned)
    dpo_lr: float = 3e-4  # DPO's Adam learning rate (tuned)
    curve_betas: tuple[float, ...] = (0.3, 3.0, 10.0)  # DPO runs of the curve (beta in)
    reward_lr: float = 3e-3  # Adam learning rate of the reward model (a priori: it ranks
    #                          every held-out pair right, see the metrics)
    rl_lr: float = 1e-3  # RLHF's Adam learning rate (tuned)
    kl_coef: float = 1.0  # RLHF's KL penalty to the reference (tuned)
    curve_kl_coefs: tuple[float, ...] = (0.03, 1.0)  # RLHF runs of the curve (kl_coef in)
    augment_copies: int = 4  # augmented variants of every reply (paraphrase or noise)
    augment_lr: float = 1e-3  # Adam learning rate of the supervised arms, cosine-decayed (tuned,
    #                           per arm: see augment_chosen_lr, chosen_lr)
    augment_chosen_lr: float = 3e-3  # the same for the augmented chosen replies (tuned)
    chosen_lr: float = 1e-3  # the same for the chosen replies as they are (tuned)
    samples_per_request: int = 128  # replies sampled per held-out request to measure a policy
    reference_samples_per_request: int = 1024  # the reference's replies it is compared with
    #                                            (sampled once per seed: the comparison's
    #                                            noise comes mostly from the policy's side)
    labels: str = "rule"  # who labels the pairs: the hidden "rule"; "swapped" (the rule
    #                       inverted) and "shuffled" (a coin flip per pair) are the broken
    #                       labellers of the tests

    @classmethod
    def fast(cls) -> Config:
        """The same experiment (same budget, settings and samples) with only the chosen beta
        and KL coefficient, and two checkpoints."""
        return cls(checkpoints=(16, 64), curve_betas=(cls.beta,), curve_kl_coefs=(cls.kl_coef,))
