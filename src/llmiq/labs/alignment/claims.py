"""The alignment lab's verdicts, against thresholds fixed before measuring."""

from __future__ import annotations

from llmiq.labs.alignment.measuring import Measured
from llmiq.labs.report import Claim

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
MIN_SHIFT = 0.10  # "moves the win-rate": at least 0.60 against the reference's 0.50
MAX_NULL_SHIFT = 0.05  # "does not raise it": below 0.55
MIN_REWARD_ACCURACY = 0.9  # the reward model must rank held-out pairs like the rule


def moves_claim(
    method: str,
    label: str,
    measured: Measured,
    extra: str = "",
    reward_accuracy: float | None = None,
) -> Claim:
    """Supported when the win-rate against the reference is at least 0.5 + MIN_SHIFT (and,
    for RLHF, its reward model ranks at least MIN_REWARD_ACCURACY of held-out pairs like the
    hidden rule: the policy must have learnt the preferences, not something else)."""
    shift = measured.win_rate - 0.5
    moved = shift >= MIN_SHIFT
    faithful = reward_accuracy is None or reward_accuracy >= MIN_REWARD_ACCURACY
    if reward_accuracy is not None:
        extra += (
            f"; the reward model ranks {reward_accuracy:.0%} of held-out pairs like the rule "
            f"(needs >= {MIN_REWARD_ACCURACY:.0%})"
        )
    return Claim(
        text=f"{label} aligns the policy with the preferences: its win-rate under the hidden "
        "rule rises above the reference's 0.5",
        supported=moved and faithful,
        evidence=f"{method}: win-rate {measured.win_rate:.3f} vs the reference "
        f"({'+' if shift >= 0 else ''}{shift:.3f}; needs >= +{MIN_SHIFT:.2f}), polite "
        f"{measured.shares['polite']:.0%} / rude {measured.shares['rude']:.0%} / garbled "
        f"{measured.shares['neither']:.0%} of replies, KL to the reference {measured.kl:.2f} "
        f"nats{extra}",
    )


def augmentation_claim(measured: Measured, dpo: Measured, rlhf: Measured, extra: str = "") -> Claim:
    """Supported when augmentation does not raise the win-rate by MAX_NULL_SHIFT or more: an
    alignment technique moves the policy towards the preferred replies, and this one cannot
    (a fall is reported, and is no alignment either)."""
    shift = measured.win_rate - 0.5
    return Claim(
        text="Data augmentation is not an alignment technique: fine-tuning on augmented "
        "replies (paraphrases, noise; no preference signal) does not raise the win-rate",
        supported=shift < MAX_NULL_SHIFT,
        evidence=f"augmentation: win-rate {measured.win_rate:.3f}{extra} (shift "
        f"{'+' if shift >= 0 else ''}{shift:.3f}; needs < +{MAX_NULL_SHIFT:.2f}), polite "
        f"{measured.shares['polite']:.0%} / rude {measured.shares['rude']:.0%} / garbled "
        f"{measured.shares['neither']:.0%}, although the model did change (KL "
        f"{measured.kl:.2f} nats; DPO {dpo.kl:.2f}, RLHF {rlhf.kl:.2f}); win-rate DPO "
        f"{dpo.win_rate:.3f}, RLHF {rlhf.win_rate:.3f}",
    )
