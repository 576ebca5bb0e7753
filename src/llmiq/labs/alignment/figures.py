"""The alignment lab's figures: win-rates, reply shares and KL per method; training curves."""

from __future__ import annotations

from llmiq.labs import preference
from llmiq.labs.alignment.claims import MAX_NULL_SHIFT, MIN_SHIFT
from llmiq.labs.alignment.measuring import Measured
from llmiq.labs.context import LabContext, pyplot


def plot_results(
    context: LabContext, measured: dict[str, Measured], per_seed: dict[str, list[float]]
) -> str:
    plt = pyplot()
    names = list(measured)
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 3.6))
    left.bar(names, [measured[n].win_rate for n in names], color="tab:blue", alpha=0.8)
    for x, name in enumerate(names):
        left.plot([x] * len(per_seed[name]), per_seed[name], "k.", ms=5)
    left.axhline(0.5, color="grey", ls="--", lw=1, label="no change")
    left.axhline(0.5 + MIN_SHIFT, color="tab:green", ls=":", lw=1, label="'moves it'")
    left.axhline(0.5 + MAX_NULL_SHIFT, color="tab:red", ls=":", lw=1, label="'raises it'")
    left.set(ylim=(0, 1), ylabel="win-rate vs reference", title="Hidden-rule win-rate")
    left.legend(loc="lower left", fontsize=8)
    bottom = [0.0] * len(names)
    for share, colour in (("polite", "tab:green"), ("neither", "tab:grey"), ("rude", "tab:red")):
        values = [measured[n].shares[share] for n in names]
        label = "garbled / neither" if share == "neither" else share
        middle.bar(names, values, bottom=bottom, color=colour, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    middle.set(ylim=(0, 1), ylabel="share of replies", title="What the policy says")
    middle.legend(loc="lower right", fontsize=8)
    right.bar(names, [measured[n].kl for n in names], color="tab:purple")
    right.set(ylabel="KL(pi || pi_ref), nats per reply", title="Distance from the reference")
    for axis in (left, middle, right):
        axis.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    return context.save_figure(fig, "win_rate_kl")


def plot_training(
    context: LabContext,
    losses: dict[str, list[float]],
    rl_history: list[preference.PolicyGradientStep],
    beta: float,
    curve: list[dict[str, float]],
) -> str:
    plt = pyplot()
    panels = 3 if curve else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 3.4))
    left, right = axes[0], axes[1]
    left.plot(losses["dpo"], label=f"DPO (beta = {beta:g})")
    left.plot(losses["reward_model"], label="reward model (Bradley-Terry)")
    left.plot(losses["augmentation"], label="augmentation (cross-entropy)")
    left.set(xlabel="step", ylabel="loss", title="Training losses")
    left.legend(fontsize=8)
    steps = [h.step for h in rl_history]
    right.plot(steps, [h.reward for h in rl_history], label="reward-model score")
    right.plot(steps, [h.kl for h in rl_history], label="KL to reference (nats)")
    right.set(xlabel="REINFORCE step", title="RLHF")
    right.legend(fontsize=8)
    if curve:
        epochs = [p["epochs"] for p in curve]
        axis = axes[2]
        axis.plot(epochs, [p["win_rate"] for p in curve], "o-", label="win-rate")
        axis.plot(epochs, [p["neither"] for p in curve], "s--", label="garbled share")
        axis.set(xscale="log", xlabel="DPO epochs", ylim=(0, 1), title="DPO left running")
        twin = axis.twinx()
        twin.plot(epochs, [p["kl"] for p in curve], "^:", color="tab:purple", label="KL (nats)")
        twin.set_ylabel("KL to reference (nats)")
        lines = axis.get_legend_handles_labels()
        extra = twin.get_legend_handles_labels()
        axis.legend(lines[0] + extra[0], lines[1] + extra[1], fontsize=8, loc="upper left")
    fig.tight_layout()
    return context.save_figure(fig, "training")
