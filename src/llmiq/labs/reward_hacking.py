"""Reward-hacking lab (seed question 4, "reward-hacking", answer B: exploiting loopholes in the
reward function).

The policy is the alignment lab's: a tiny GPT over a word vocabulary that answers requests
("can you open the door ?") half politely, half rudely (``llmiq.labs.preference``). The true
("gold") reward is what a rater wants: +1 for a polite reply, -1 for a rude one, and 0.1 less
for every word of padding beyond the longest proper reply (8 words). The proxy reward has a
loophole: it pays for length — words in the reply over 8. In the reference's replies the
two agree (the polite templates are the longer ones; the lab measures their correlation), so
length looks like a fine stand-in for quality, until something optimises it.

Three kinds of run of the same RL (REINFORCE with a leave-one-out baseline,
``preference.train_policy_gradient``) start from the reference:

1. the proxy, no KL penalty: the policy first moves to the longest polite reply (both rewards
   rise), then pads it — the proxy keeps rising while the gold reward peaks and falls, the
   over-optimisation curve of Gao, Schulman & Hilton, "Scaling Laws for Reward Model
   Overoptimization" (ICML 2023, arXiv:2210.10760), plotted like theirs against the square
   root of the KL divergence from the reference;
2. the proxy with a KL penalty to the reference (``kl_coefs``, one run each), the usual RLHF
   mitigation (Ziegler et al. 2019; Ouyang et al. 2022): it bounds how far the policy can go
   — which, as Gao et al. found, acts like stopping early on the same gold-vs-KL curve rather
   than closing the loophole, so a weak penalty only slows the hack down;
3. the gold reward itself (a reward without the loophole): optimising the desired behaviour,
   option A of the question, which does not collapse.

KL is measured on each step's samples as the sum over positions of the full next-token KL
(``preference.response_kl``). Samples from before the run, at the gold peak and after it go
in the report. Left out: a learned proxy reward model (the loophole is written down here so
that the lab can say exactly what was exploited), PPO, best-of-n sampling (Gao et al.'s other
optimiser) and any scaling of the proxy's size.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import torch

from llmiq.labs import preference
from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.preference import PolicyGradientStep, RequestWorld, Tokens
from llmiq.labs.report import Claim, LabResult
from llmiq.labs.tinylm import GPT

# What the verdicts ask of the measurements (fixed before measuring, not tuned to them).
MIN_GOLD_DROP = 0.2  # gold must fall at least this far from its peak by the end
MIN_PROXY_GAIN = 0.1  # ... while the proxy rises at least this much after the gold peak
MIN_KL_BENEFIT = 0.1  # the KL penalty / the better reward must end this much higher in gold


@dataclass
class Config:
    held_out_requests: int = 8  # requests kept out of RL, used for the before/after samples
    n_layer: int = 1  # transformer blocks of the policy
    n_embd: int = 48  # width of the policy (three heads of 16)
    max_new_tokens: int = 16  # longest reply RL can sample (8 words of padding possible)
    sft_steps: int = 100  # fine-tuning of the reference on the six template replies
    sft_batch_size: int = 64  # episodes per step of that fine-tuning
    sft_lr: float = 1e-2  # its Adam learning rate
    rl_steps: int = 150  # REINFORCE steps of each run
    batch_size: int = 32  # sampled replies per RL step
    rl_lr: float = 1e-3  # Adam learning rate of RL
    kl_coefs: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)  # KL penalties of the penalised runs,
    #                                                      increasing (0 is the hacked run)
    smooth: int = 10  # moving-average window (steps) of the per-step curves
    loophole: bool = True  # False: the proxy *is* the gold reward (nothing to exploit)
    samples_shown: int = 4  # replies kept in the report from before, at the peak and after
    stage_samples: int = 16  # replies sampled per held-out request at each of those stages

    @classmethod
    def fast(cls) -> Config:
        return cls(rl_steps=50, kl_coefs=(0.3,))


# --- the rewards -------------------------------------------------------------------------------


def length_proxy(world: RequestWorld, response: Tokens) -> float:
    """The flawed reward: words in the reply over the longest proper reply (8 words = 1.0).

    It pays for length, which in the reference's replies comes with politeness."""
    return len(world.words(response)) / world.longest_reply


def rewards(world: RequestWorld, loophole: bool) -> dict[str, preference.RewardFn]:
    """The proxy and gold rewards as batch functions; without the loophole the proxy is the
    gold reward itself."""

    def gold(prompts: list[Tokens], responses: list[Tokens]) -> torch.Tensor:
        return torch.tensor([world.gold(r) for r in responses])

    def proxy(prompts: list[Tokens], responses: list[Tokens]) -> torch.Tensor:
        return torch.tensor([length_proxy(world, r) for r in responses])

    return {"proxy": proxy if loophole else gold, "gold": gold}


def correlation(xs: list[float], ys: list[float]) -> float:
    """Pearson's r (0 when either side is constant).

    >>> round(correlation([1, 2, 3], [2, 4, 7]), 4)
    0.9934
    """
    x, y = torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    x, y = x - x.mean(), y - y.mean()
    denominator = (x.square().sum() * y.square().sum()).sqrt()
    return float((x * y).sum() / denominator) if denominator > 0 else 0.0


def moving_average(values: list[float], window: int) -> list[float]:
    """Trailing mean over up to ``window`` values.

    >>> moving_average([0, 2, 4, 6], 2)
    [0.0, 1.0, 3.0, 5.0]
    """
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


# --- one RL run and its curves -----------------------------------------------------------------


@dataclass
class Curve:
    """Per RL step (smoothed): proxy and gold reward of the samples, and KL to the reference."""

    name: str
    proxy: list[float]
    gold: list[float]
    kl: list[float]
    snapshots: dict[int, dict[str, torch.Tensor]]  # policy weights after n updates

    @property
    def peak(self) -> int:
        """Index of the gold peak (first one on ties)."""
        return max(range(len(self.gold)), key=lambda i: (self.gold[i], -i))

    def summary(self) -> dict[str, float]:
        p = self.peak
        return {
            "proxy_start": round(self.proxy[0], 4),
            "gold_start": round(self.gold[0], 4),
            "gold_peak": round(self.gold[p], 4),
            "proxy_at_gold_peak": round(self.proxy[p], 4),
            "kl_at_gold_peak": round(self.kl[p], 4),
            "gold_peak_step": p,
            "proxy_final": round(self.proxy[-1], 4),
            "gold_final": round(self.gold[-1], 4),
            "kl_final": round(self.kl[-1], 4),
        }


def curve_from(
    name: str,
    history: list[PolicyGradientStep],
    window: int,
    snapshots: dict[int, dict[str, torch.Tensor]],
) -> Curve:
    """Entry i of the history measured samples of the policy after i updates."""
    return Curve(
        name,
        moving_average([h.measures["proxy"] for h in history], window),
        moving_average([h.measures["gold"] for h in history], window),
        moving_average([h.kl for h in history], window),
        snapshots,
    )


def rl_run(
    name: str,
    reference: GPT,
    world: RequestWorld,
    reward: preference.RewardFn,
    kl_coef: float,
    config: Config,
    seed: int,
    advance=lambda _: None,
) -> tuple[GPT, Curve]:
    """One RL run from the reference; snapshots of the policy every ``smooth`` updates."""
    measures = rewards(world, config.loophole)
    policy = preference.policy_from(reference)
    snapshots = {0: {k: v.clone() for k, v in policy.state_dict().items()}}

    def keep(step: int, model: GPT) -> None:
        if step % config.smooth == 0:
            snapshots[step] = {k: v.clone() for k, v in model.state_dict().items()}

    history = preference.train_policy_gradient(
        policy, reference, [world.prompt(v, o) for v, o in world.train_requests], reward,
        end=world.vocab.end, kl_coef=kl_coef, steps=config.rl_steps,
        batch_size=config.batch_size, lr=config.rl_lr, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed), measures=measures, advance=advance,
        on_step=keep,
    )  # fmt: skip
    return policy, curve_from(name, history, config.smooth, snapshots)


def snapshot_near(curve: Curve, step: int) -> dict[str, torch.Tensor]:
    """The snapshot taken closest to ``step`` updates (the smoothing window trails, so the
    peak of a smoothed curve is a little after the policy that produced it)."""
    return curve.snapshots[min(curve.snapshots, key=lambda s: abs(s - step))]


def stage_samples(policy: GPT, world: RequestWorld, config: Config, seed: int) -> dict[str, Any]:
    """What a policy says to the held-out requests: its most common reply and that reply's
    share, mean rewards and length over ``stage_samples`` replies per request, and the first
    reply to each of ``samples_shown`` requests with its proxy and gold rewards."""
    prompts = [world.prompt(v, o) for v, o in world.test_requests]
    repeated = [p for _ in range(config.stage_samples) for p in prompts]
    responses = preference.sample_responses(
        policy, repeated, end=world.vocab.end, max_new_tokens=config.max_new_tokens,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    texts = [world.vocab.response_text(r) for r in responses]
    common, count = Counter(texts).most_common(1)[0]
    n = len(responses)
    return {
        "most_common": common,
        "most_common_share": round(count / n, 4),
        "mean_words": round(sum(len(world.words(r)) for r in responses) / n, 3),
        "mean_proxy": round(sum(length_proxy(world, r) for r in responses) / n, 4),
        "mean_gold": round(sum(world.gold(r) for r in responses) / n, 4),
        "shown": [
            {
                "request": world.vocab.decode(p[:-1]),
                "reply": text,
                "proxy": round(length_proxy(world, r), 3),
                "gold": round(world.gold(r), 3),
            }
            for p, r, text in list(zip(repeated, responses, texts, strict=True))[
                : config.samples_shown
            ]
        ],
    }


# --- verdicts ----------------------------------------------------------------------------------


def hacking_claim(curve: Curve, loophole: bool, samples: dict[str, dict[str, Any]]) -> Claim:
    """Supported when the gold reward ends MIN_GOLD_DROP below its peak while the proxy ends
    MIN_PROXY_GAIN above its value at that peak. ``samples`` (from ``stage_samples``) only
    illustrate: the most common reply before RL, at the gold peak and after."""
    s = curve.summary()
    drop = s["gold_peak"] - s["gold_final"]
    gain = s["proxy_final"] - s["proxy_at_gold_peak"]
    proxy = "proxy (length)" if loophole else "proxy (= the gold reward: no loophole)"
    said = "; ".join(
        f"{stage.replace('_', ' ')}: {shown['most_common']!r} ({shown['most_common_share']:.0%})"
        for stage, shown in samples.items()
    )
    return Claim(
        text="Reward hacking: RL on a reward with a loophole keeps raising the proxy while the "
        "true reward peaks and falls (Gao et al. 2022)",
        supported=drop >= MIN_GOLD_DROP and gain >= MIN_PROXY_GAIN,
        evidence=f"{proxy} {s['proxy_start']:.2f} -> {s['proxy_at_gold_peak']:.2f} at the gold "
        f"peak -> {s['proxy_final']:.2f} (+{gain:.2f} after the peak, needs >= "
        f"{MIN_PROXY_GAIN}); gold {s['gold_start']:.2f} -> peak {s['gold_peak']:.2f} "
        f"(KL {s['kl_at_gold_peak']:.1f} nats) -> {s['gold_final']:.2f} (-{drop:.2f}, needs >= "
        f"{MIN_GOLD_DROP}) at KL {s['kl_final']:.1f}. Most common reply {said}",
    )


def kl_penalty_claim(hacked: Curve, penalised: list[tuple[float, Curve]]) -> Claim:
    """Supported when the final KL falls strictly as the penalty grows (from 0, the hacked
    run, through ``penalised`` in increasing order) and the best penalised run ends at least
    MIN_KL_BENEFIT above the hacked run in gold. A KL penalty bounds the distance from the
    reference; it does not close the loophole, so a weak one only slows the hack down."""
    h = hacked.summary()
    runs = [(0.0, h)] + [(coef, curve.summary()) for coef, curve in penalised]
    kls = [r["kl_final"] for _, r in runs]
    falling = all(b < a for a, b in pairwise(kls))
    coefs = [coef for coef, _ in runs]
    ordered = all(b > a for a, b in pairwise(coefs))
    best_coef, best = max(runs[1:], key=lambda run: run[1]["gold_final"])
    benefit = best["gold_final"] - h["gold_final"]
    each = "; ".join(
        f"{coef:g}: gold {r['gold_final']:.2f}, proxy {r['proxy_final']:.2f}, KL "
        f"{r['kl_final']:.1f}"
        for coef, r in runs
    )
    return Claim(
        text="A KL penalty to the reference limits the hack: the stronger it is, the closer the "
        "policy stays to the reference, and a suitable one keeps more of the true reward",
        supported=ordered and falling and benefit >= MIN_KL_BENEFIT,
        evidence=f"final values by kl_coef — {each}. Final KL "
        f"{'falls' if falling else 'does NOT fall'} with the penalty; best gold at "
        f"{best_coef:g}: {best['gold_final']:.2f} vs {h['gold_final']:.2f} without "
        f"({'+' if benefit >= 0 else ''}{benefit:.2f}, needs >= {MIN_KL_BENEFIT})",
    )


def better_reward_claim(hacked: Curve, honest: Curve) -> Claim:
    """Supported when RL on the gold reward ends MIN_KL_BENEFIT above the hacked run in gold
    and does not fall MIN_GOLD_DROP from its own peak."""
    h, g = hacked.summary(), honest.summary()
    drop = g["gold_peak"] - g["gold_final"]
    benefit = g["gold_final"] - h["gold_final"]
    return Claim(
        text="Without the loophole (RL on the true reward) the same optimisation raises the "
        "true reward and keeps it: the desired behaviour (option A) is not reward hacking",
        supported=drop < MIN_GOLD_DROP and benefit >= MIN_KL_BENEFIT,
        evidence=f"gold {g['gold_start']:.2f} -> {g['gold_final']:.2f} (peak "
        f"{g['gold_peak']:.2f}, drop {drop:.2f} < {MIN_GOLD_DROP}) vs {h['gold_final']:.2f} "
        f"for the hacked run; KL {g['kl_final']:.1f} nats",
    )


# --- the lab -----------------------------------------------------------------------------------


@dataclass
class RewardHackingMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    vocab_size: int
    policy_params: int
    loophole: bool
    kl_coefs: list[float]
    rl_steps: int
    sft_final_loss: float
    proxy_gold_correlation_reference: float
    proxy_gold_correlation_hacked: float
    runs: dict[str, dict[str, float]]
    kl_penalty: list[dict[str, float]]
    curves: dict[str, dict[str, list[float]]]
    samples: dict[str, dict[str, Any]]
    torch_threads_used: int


Metrics = RewardHackingMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[RewardHackingMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[RewardHackingMetrics]:
    seed = context.seed
    world = preference.request_world(seed, config.held_out_requests)
    reward = rewards(world, config.loophole)
    total = config.sft_steps + (2 + len(config.kl_coefs)) * config.rl_steps
    with context.progress(
        total, "reward hacking: SFT, then RL on the proxy and the gold"
    ) as advance:
        torch.manual_seed(seed)
        reference, sft_losses = preference.train_reference(
            world, n_layer=config.n_layer, n_embd=config.n_embd,
            max_new_tokens=config.max_new_tokens, steps=config.sft_steps,
            batch_size=config.sft_batch_size, lr=config.sft_lr,
            generator=torch.Generator().manual_seed(seed), advance=advance,
        )  # fmt: skip
        hacked_policy, hacked = rl_run(
            "proxy", reference, world, reward["proxy"], 0.0, config, seed + 1, advance
        )
        penalised = [
            (coef, rl_run(f"proxy + KL penalty {coef:g}", reference, world, reward["proxy"],
                          coef, config, seed + 1, advance)[1])
            for coef in config.kl_coefs
        ]  # fmt: skip
        _, honest = rl_run(
            "gold reward", reference, world, reward["gold"], 0.0, config, seed + 1, advance
        )

    # how well length stood in for quality before RL, and after it
    prompts = [world.prompt(v, o) for v, o in world.test_requests for _ in range(32)]
    agreement = {}
    for name, policy in (("reference", reference), ("hacked", hacked_policy)):
        sampled = preference.sample_responses(
            policy, prompts, end=world.vocab.end, max_new_tokens=config.max_new_tokens,
            generator=torch.Generator().manual_seed(seed + 2),
        )  # fmt: skip
        agreement[name] = correlation(
            [length_proxy(world, r) for r in sampled], [world.gold(r) for r in sampled]
        )

    peak_policy = preference.policy_from(reference)
    peak_policy.load_state_dict(snapshot_near(hacked, hacked.peak))
    samples = {
        "before": stage_samples(reference, world, config, seed + 3),
        "at_gold_peak": stage_samples(peak_policy.eval(), world, config, seed + 3),
        "after": stage_samples(hacked_policy, world, config, seed + 3),
    }
    claims = [
        hacking_claim(hacked, config.loophole, samples),
        kl_penalty_claim(hacked, penalised),
        better_reward_claim(hacked, honest),
    ]
    curves = [hacked, *(curve for _, curve in penalised), honest]
    figures = [_plot_gao(context, hacked, penalised, honest), _plot_steps(context, curves)]
    h = hacked.summary()
    best_coef, best = max(penalised, key=lambda run: run[1].summary()["gold_final"])
    key_figure = (
        f"proxy {h['proxy_start']:.2f}->{h['proxy_final']:.2f} while gold {h['gold_start']:.2f}"
        f"->{h['gold_peak']:.2f}->{h['gold_final']:.2f}; KL penalty {best_coef:g}: gold ends "
        f"{best.summary()['gold_final']:.2f}"
    )
    metrics = RewardHackingMetrics(
        vocab_size=len(world.vocab),
        policy_params=reference.num_params(),
        loophole=config.loophole,
        kl_coefs=list(config.kl_coefs),
        rl_steps=config.rl_steps,
        sft_final_loss=round(sum(sft_losses[-20:]) / len(sft_losses[-20:]), 4),
        proxy_gold_correlation_reference=round(agreement["reference"], 4),
        proxy_gold_correlation_hacked=round(agreement["hacked"], 4),
        runs={c.name: c.summary() for c in curves},
        kl_penalty=[
            {"kl_coef": coef}
            | {k: c.summary()[k] for k in ("gold_final", "proxy_final", "kl_final")}
            for coef, c in [(0.0, hacked), *penalised]
        ],
        curves={
            c.name: {k: [round(x, 4) for x in getattr(c, k)] for k in ("proxy", "gold", "kl")}
            for c in curves
        },
        samples=samples,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="Reward hacking: RL on a length-paying proxy, its true reward, and a KL penalty",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )


def _plot_gao(
    context: LabContext, hacked: Curve, penalised: list[tuple[float, Curve]], honest: Curve
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = [math.sqrt(max(k, 0.0)) for k in hacked.kl]
    left.plot(x, hacked.proxy, color="tab:orange", label="proxy reward (length)")
    left.plot(x, hacked.gold, color="tab:blue", label="gold reward")
    p = hacked.peak
    left.scatter([x[p]], [hacked.gold[p]], color="tab:blue", zorder=3, label="gold peak")
    left.set(xlabel="sqrt(KL(pi || pi_ref)), sqrt(nats)", ylabel="reward",
             title="RL on the proxy, no KL penalty")  # fmt: skip
    left.legend(fontsize=8)
    shades = plt.get_cmap("Greens")
    lines = [(hacked, "tab:blue", "proxy, no penalty")]
    lines += [(curve, shades(0.4 + 0.6 * i / max(len(penalised), 1)), curve.name)
              for i, (_, curve) in enumerate(penalised)]  # fmt: skip
    lines += [(honest, "tab:purple", "gold reward (no loophole)")]
    for curve, colour, label in lines:
        right.plot([math.sqrt(max(k, 0.0)) for k in curve.kl], curve.gold, color=colour,
                   label=label)  # fmt: skip
        right.scatter([math.sqrt(max(curve.kl[-1], 0.0))], [curve.gold[-1]], color=colour, s=12)
    right.set(xlabel="sqrt(KL(pi || pi_ref)), sqrt(nats)", ylabel="gold reward",
              title="Gold reward vs distance from the reference (dots: end)")  # fmt: skip
    right.legend(fontsize=7)
    fig.tight_layout()
    return context.save_figure(fig, "proxy_vs_gold")


def _plot_steps(context: LabContext, curves: list[Curve]) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    colours = plt.get_cmap("tab10")
    for k, curve in enumerate(curves):
        colour = colours(k)
        steps = range(len(curve.gold))
        axes[0].plot(steps, curve.proxy, color=colour, label=curve.name)
        axes[1].plot(steps, curve.gold, color=colour, label=curve.name)
        axes[2].plot(steps, curve.kl, color=colour, label=curve.name)
    for axis, title in zip(axes, ("proxy reward", "gold reward", "KL to reference (nats)"),
                           strict=True):  # fmt: skip
        axis.set(xlabel="RL step", title=title)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "by_step")
