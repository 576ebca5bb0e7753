"""The alignment lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    held_out_requests: int = 8  # of the 36 requests, kept out of all training but the reference's
    n_layer: int = 1  # transformer blocks of the policy
    n_embd: int = 48  # width of the policy (three heads of 16)
    max_new_tokens: int = 12  # longest sampled reply (the longest template has 8 words + <end>)
    sft_steps: int = 100  # fine-tuning of the reference on the six template replies
    sft_batch_size: int = 64  # episodes per step of that fine-tuning
    sft_lr: float = 1e-2  # its Adam learning rate
    batch_size: int = 32  # pairs (DPO, reward model) or episodes (RL, augmentation) per step
    beta: float = 0.1  # DPO's beta: strength of the implicit KL constraint
    dpo_epochs: int = 2  # passes over the preference pairs
    dpo_lr: float = 3e-4  # Adam learning rate of DPO (see the module docstring)
    dpo_curve_epochs: tuple[int, ...] = (1, 2, 4, 8, 16)  # DPO run longer, measured after each
    reward_steps: int = 100  # Bradley-Terry fitting steps of the reward model
    reward_lr: float = 3e-3  # its Adam learning rate
    rl_steps: int = 100  # REINFORCE steps of RLHF
    rl_lr: float = 1e-3  # their Adam learning rate
    kl_coef: float = 0.1  # RLHF's KL penalty to the reference
    augment_copies: int = 4  # augmented variants of every template reply
    augment_steps: int = 100  # fine-tuning steps on the augmented replies (a real change:
    #                           more steps than DPO's, so "it did not move" is not "it did
    #                           not train")
    augment_lr: float = 1e-3  # their Adam learning rate (cosine-decayed)
    samples_per_request: int = 128  # replies sampled per held-out request to measure a policy
    seeds: int = 3  # independent repeats (world split, reference, training, sampling); the
    #                 verdicts use the mean win-rate, the evidence lists each seed's
    swap_preferences: bool = False  # True: a broken labeller that prefers the rude reply

    @classmethod
    def fast(cls) -> Config:
        return cls(
            rl_steps=60,
            reward_steps=60,
            augment_steps=60,
            dpo_curve_epochs=(),
            samples_per_request=64,
            seeds=1,
        )
