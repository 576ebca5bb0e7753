"""The alignment lab's figures: win-rate against KL for every method (the main figure, with
the final win-rates and their intervals beside it), and the training curves of one seed."""

from __future__ import annotations

from typing import Any

from llmiq.labs.alignment.claims import MAX_NULL_SHIFT, MIN_SHIFT
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.methods import Arm
from llmiq.labs.alignment.replicate import SeedRun
from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.uncertainty import Interval

COLOURS = {
    "dpo": "tab:blue",
    "rlhf": "tab:orange",
    "augmented": "tab:red",
    "augmented_chosen": "tab:green",
    "chosen": "tab:olive",
    "reference": "tab:grey",
}
NAMES = {
    "reference": "reference",
    "dpo": "DPO",
    "rlhf": "RLHF",
    "augmented": "augmented\n(labels ignored)",
    "augmented_chosen": "augmented\nchosen",
    "chosen": "chosen\nas they are",
}


def plot_curve(
    context: LabContext,
    curve: list[dict[str, Any]],
    win: dict[str, Interval],
    ceiling: Interval,
    config: Config,
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), width_ratios=(1.3, 1))
    for method, setting, chosen, markers in (
        ("dpo", "beta", config.beta, "o"),
        ("rlhf", "kl_coef", config.kl_coef, "s"),
    ):
        values = dict.fromkeys(p[setting] for p in curve if p["method"] == method)
        others = iter((":", "-.", (0, (1, 3))))
        for value in values:
            points = [p for p in curve if p["method"] == method and p[setting] == value]
            name = "beta" if method == "dpo" else "KL coef"
            left.plot(
                [0.0] + [p["kl"] for p in points],
                [0.5] + [p["win_rate"] for p in points],
                marker=markers,
                ms=4,
                lw=2.2 if value == chosen else 1.3,
                ls="-" if value == chosen else next(others),
                alpha=1 if value == chosen else 0.7,
                color=COLOURS[method],
                label=f"{NAMES[method]}, {name} {value:g}"
                + (" (tuned)" if value == chosen else ""),
            )
    for method in ("augmented", "augmented_chosen", "chosen"):
        points = [p for p in curve if p["method"] == method]
        left.plot([0.0] + [p["kl"] for p in points], [0.5] + [p["win_rate"] for p in points],
                  "D--", ms=5, lw=1.2, color=COLOURS[method],
                  label=NAMES[method].replace("\n", " "))  # fmt: skip
    left.axhspan(ceiling.low, ceiling.high, color="black", alpha=0.12)
    left.axhline(ceiling.estimate, color="black", lw=1,
                 label=f"ceiling {ceiling.format('.3f')} (every reply polite)")  # fmt: skip
    left.axhline(0.5, color="grey", ls="--", lw=1)
    left.set_xscale("symlog", linthresh=0.1)
    left.set_xlim(left=0)
    left.set(
        xlabel="KL(pi || pi_ref), nats per reply (held-out requests)",
        ylabel="win-rate vs reference",
        ylim=(0.3, 0.85),
        title=f"Win-rate against KL (checkpoints at {', '.join(map(str, config.checkpoints))} "
        "updates)",
    )
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    methods = list(win)
    centres = [win[m].estimate for m in methods]
    errors = [[win[m].estimate - win[m].low for m in methods],
              [win[m].high - win[m].estimate for m in methods]]  # fmt: skip
    right.bar(range(len(methods)), centres, color=[COLOURS[m] for m in methods], alpha=0.85)
    right.errorbar(range(len(methods)), centres, yerr=errors, fmt="none", ecolor="black",
                   capsize=4)  # fmt: skip
    right.axhline(0.5, color="grey", ls="--", lw=1, label="no change")
    right.axhline(0.5 + MIN_SHIFT, color="tab:green", ls=":", lw=1, label="'moves it' (0.60)")
    right.axhline(0.5 + MAX_NULL_SHIFT, color="tab:red", ls=":", lw=1, label="'raises it' (0.55)")
    right.axhline(ceiling.estimate, color="black", lw=1, label="ceiling")
    right.set_xticks(range(len(methods)), [NAMES[m] for m in methods], fontsize=8)
    right.set(ylim=(0.3, 0.85), ylabel="win-rate vs reference",
              title=f"After {config.steps} updates: 95% intervals, {win['dpo'].over}")  # fmt: skip
    right.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return context.save_figure(fig, "win_rate_kl")


def plot_training(context: LabContext, run: SeedRun, arms: dict[str, Arm], config: Config) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    left.plot(arms["dpo"].losses, color=COLOURS["dpo"], label=f"DPO (beta = {config.beta:g})")
    left.plot(run.reward_losses, color=COLOURS["rlhf"], ls="--",
              label="reward model (Bradley-Terry)")  # fmt: skip
    for method in ("augmented", "augmented_chosen", "chosen"):
        left.plot(arms[method].losses, color=COLOURS[method],
                  label=NAMES[method].replace("\n", " ") + " (cross-entropy)")  # fmt: skip
    left.set(xlabel="update", ylabel="loss", title=f"Training losses (seed {run.seed})")
    left.legend(fontsize=7)
    history = arms["rlhf"].history
    steps = [h.step for h in history]
    right.plot(steps, [h.reward for h in history], color=COLOURS["rlhf"],
               label="reward-model score")  # fmt: skip
    right.plot(steps, [h.kl for h in history], color="tab:purple", label="KL to reference (nats)")
    right.set(xlabel="REINFORCE update", title=f"RLHF, KL coefficient {config.kl_coef:g}")
    right.legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "training")
