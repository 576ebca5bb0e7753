"""The reward-hacking lab's figures: Gao et al.'s picture (proxy and true reward against
sqrt(KL)), and the training curves by step."""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.reward_hacking.replicate import CLEAN, HACKED, SeedRun, penalised


def _sqrt_kl(values: list[float]) -> list[float]:
    return [math.sqrt(max(k, 0.0)) for k in values]


def plot_gao(
    context: LabContext, runs: Sequence[SeedRun], coefs: Sequence[float], window: int
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for i, run in enumerate(runs):
        curve = run.curves[HACKED]
        d = _sqrt_kl(curve.smoothed("kl", window))
        gold = curve.smoothed("gold", window)
        label = (lambda text: text) if i == 0 else (lambda text: None)
        left.plot(d, curve.smoothed("proxy", window), color="tab:orange", alpha=0.8,
                  label=label("proxy (learned RM)"))  # fmt: skip
        left.plot(d, gold, color="tab:blue", alpha=0.8, label=label("true reward"))
        alpha, beta = run.gao["alpha"], run.gao["beta"]
        grid = [x / 20 * max(d) for x in range(1, 21)]
        left.plot(grid, [gold[0] + x * (alpha - beta * math.log(x)) for x in grid], ":",
                  color="tab:blue", label=label("Gao et al. RL fit d(a - b ln d)"))  # fmt: skip
        p = run.peaks[HACKED]
        left.scatter([d[p]], [gold[p]], color="tab:blue", zorder=3, s=14)
    left.set(xlabel="d = sqrt(KL(pi || pi_ref)), sqrt(nats)", ylabel="reward (training samples)",
             title=f"RL on the proxy RM, no KL penalty ({len(runs)} seeds)")  # fmt: skip
    left.legend(fontsize=8)
    shades = plt.get_cmap("Greens")
    lines = [(HACKED, "tab:blue", "proxy RM, no penalty")]
    lines += [(penalised(c), shades(0.45 + 0.55 * i / max(len(coefs), 1)), f"proxy RM + KL {c:g}")
              for i, c in enumerate(coefs)]  # fmt: skip
    lines += [(CLEAN, "tab:purple", "clean RM (no loophole)")]
    for name, colour, label in lines:
        for i, run in enumerate(runs):
            curve = run.curves[name]
            d = _sqrt_kl(curve.smoothed("kl", window))
            gold = curve.smoothed("gold", window)
            right.plot(d, gold, color=colour, alpha=0.7, label=label if i == 0 else None)
            right.scatter([d[-1]], [gold[-1]], color=colour, s=12)
    right.set(xlabel="d = sqrt(KL(pi || pi_ref)), sqrt(nats)", ylabel="true reward",
              title="True reward vs distance from the reference (dots: end)")  # fmt: skip
    right.legend(fontsize=7)
    fig.tight_layout()
    return context.save_figure(fig, "proxy_vs_gold")


def plot_steps(context: LabContext, runs: Sequence[SeedRun], window: int) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    colours = plt.get_cmap("tab10")
    for k, name in enumerate(runs[0].curves):
        for key, axis in zip(("proxy", "gold", "kl"), axes, strict=True):
            per_seed = [run.curves[name].smoothed(key, window) for run in runs]
            mean = [sum(v) / len(v) for v in zip(*per_seed, strict=True)]
            steps = range(len(mean))
            axis.plot(steps, mean, color=colours(k), label=name)
            axis.fill_between(steps, [min(v) for v in zip(*per_seed, strict=True)],
                              [max(v) for v in zip(*per_seed, strict=True)], color=colours(k),
                              alpha=0.15)  # fmt: skip
    titles = ("optimised RM's score (proxy)", "true reward", "KL to reference (nats)")
    for axis, title in zip(axes, titles, strict=True):
        axis.set(xlabel="RL step", title=f"{title}: mean, range over seeds")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return context.save_figure(fig, "by_step")
