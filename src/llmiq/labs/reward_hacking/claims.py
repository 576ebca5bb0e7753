"""The reward-hacking lab's verdicts, each decided on a 95% interval over seeds x held-out
requests (or seeds x pairs), with thresholds fixed before measuring (``config``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from llmiq.labs.report import Claim
from llmiq.labs.reward_hacking.config import EARLY_STOP, KEPT, MAJORITY, VALIDATION
from llmiq.labs.reward_hacking.replicate import CLEAN, HACKED, SeedRun, Stage, penalised
from llmiq.labs.uncertainty import Interval, nested_interval


def change(
    runs: Sequence[SeedRun], after: str, before: str, key: str = "gold", rm: str = HACKED
) -> Interval:
    """Interval of the mean per-request change of ``key`` from stage ``before`` to stage
    ``after`` (the same held-out requests at both), nested over the seeds."""

    def values(stage: Stage) -> list[float]:
        return stage.proxy[rm] if key == "proxy" else getattr(stage, key)

    groups = [
        [a - b for a, b in zip(values(r.stages[after]), values(r.stages[before]), strict=True)]
        for r in runs
    ]
    requests = len(runs[0].world.test_requests)
    return nested_interval(groups, seed=runs[0].seed, over=_over(runs, f"{requests} requests"))


def share(runs: Sequence[SeedRun], of: Callable[[SeedRun], list[bool]], what: str) -> Interval:
    groups = [[float(x) for x in of(r)] for r in runs]
    return nested_interval(groups, seed=runs[0].seed, over=_over(runs, what))


DATA = {
    "clean": "clean pairs (half the loophole kind, half between padded, cut and random replies)",
    "loophole": "loophole pairs (polite against rude templates only)",
}


def _over(runs: Sequence[SeedRun], items: str) -> str:
    return f"{len(runs)} seeds x {items}"


def _seeds(runs: Sequence[SeedRun]) -> list[int]:
    return [r.seed for r in runs]


def hacking_claim(runs: Sequence[SeedRun]) -> Claim:
    """RL on the proxy RM without a KL penalty: the true reward falls from its peak to the end
    (decided) while the proxy rises over the same stretch, and the peak is above the start
    (the rise before the fall). The peak is picked on the training curve; every stage is
    measured on fresh replies to held-out requests, so the pick does not bias the changes."""
    fall = change(runs, f"{HACKED} final", f"{HACKED} peak")
    gain = change(runs, f"{HACKED} final", f"{HACKED} peak", key="proxy")
    rise = change(runs, f"{HACKED} peak", "before")
    first = runs[0]
    said = "; ".join(
        f"{stage}: {first.stages[key].most_common!r} ({first.stages[key].most_common_share:.0%})"
        for stage, key in (("before", "before"), ("at the gold peak", f"{HACKED} peak"),
                           ("after", f"{HACKED} final"))
    )  # fmt: skip
    data = first.rms[HACKED].data
    fits = ", ".join(f"{r.gao['beta']:.2f} (R^2 {r.gao['r2']:.2f})" for r in runs)
    return Claim.on_interval(
        "Reward hacking: RL on a learned reward model with a loophole keeps raising the proxy "
        "reward while the true reward peaks and falls (Gao et al. 2023)",
        fall,
        measure="true-reward change from its peak to the end of RL (held-out requests)",
        evidence=f"RM fitted on the {data} pairs. True reward rises {rise.format('.2f')} to its "
        f"peak, then changes {fall.format('.2f')} by the end, while the proxy changes "
        f"{gain.format('.2f')} over the same stretch (all 95% intervals). Gao et al.'s RL form "
        f"d(alpha - beta ln d), d = sqrt(KL), fitted per seed: beta {fits} (beta > 0: the gold "
        f"turns down). Most common reply "
        f"(seed {first.seed}) {said}",
        seeds=_seeds(runs),
        below=0.0,
        also=gain.above(0.0) and rise.above(0.0),
    )


def validation_claim(runs: Sequence[SeedRun], rm: str = HACKED) -> Claim:
    """The RM ranks held-out pairs of its own kind like the rater (at least VALIDATION), yet
    prefers the padded copy of a polite reply in more than MAJORITY of pairs (decided)."""
    padded = share(runs, lambda r: r.prefers_padded[rm], "200 (concise, padded) pairs")
    valid = share(runs, lambda r: r.validation[rm], "200 held-out pairs")
    weights = [r.rms[rm].named_weights() for r in runs]
    length = ", ".join(f"{w['<length>']:+.2f}" for w in weights)
    excess = ", ".join(f"{w['<length over 8>']:+.2f}" for w in weights)
    return Claim.on_interval(
        "The learned reward model looks right on held-out pairs yet pays for length: it "
        "prefers a polite reply padded with its own words to the reply itself",
        padded,
        measure="share of (concise, padded) pairs in which the RM prefers the padded reply",
        evidence=f"RM fitted on the {runs[0].rms[rm].data} pairs ranks held-out pairs of its "
        f"kind like the rater in {valid.format('.3f')} (needs >= {VALIDATION}), and prefers the "
        f"padded reply in {padded.format('.3f')} of pairs (needs > {MAJORITY}). Weight per word "
        f"of length {length}, per word beyond 8 {excess} (per seed, normalised score units)",
        seeds=_seeds(runs),
        above=MAJORITY,
        also=valid.low >= VALIDATION,
    )


def clean_claim(runs: Sequence[SeedRun], run: str = CLEAN) -> Claim:
    """RL on the RM fitted without the loophole: the true reward rises above the start and ends
    no more than one padding word (KEPT) below its peak (decided)."""
    kept = change(runs, f"{run} final", f"{run} peak")
    gain = change(runs, f"{run} final", "before")
    first = runs[0].stages[f"{run} final"]
    data = runs[0].rms[CLEAN if run == CLEAN else HACKED].data
    return Claim.on_interval(
        "An RM fitted on pairs without the loophole is not hacked: the same RL raises the true "
        "reward and keeps it",
        kept,
        measure="true-reward change from its peak to the end of RL on that RM (held-out requests)",
        evidence=f"RM fitted on the {DATA[data]}. True reward "
        f"changes {gain.format('.2f')} from before RL to the end and {kept.format('.2f')} from "
        f"its peak to the end (needs > {KEPT}); most common reply at the end (seed "
        f"{runs[0].seed}) {first.most_common!r} ({first.most_common_share:.0%})",
        seeds=_seeds(runs),
        above=KEPT,
        also=gain.above(0.0),
    )


def kl_drift_claim(runs: Sequence[SeedRun], coefs: Sequence[float]) -> Claim:
    """Final KL to the reference falls at every step up the a priori list of coefficients
    (0 first; decided on the least clear step), and the strongest penalty ends with more true
    reward than none."""
    names = [HACKED, *(penalised(c) for c in coefs)]
    steps = [change(runs, f"{b} final", f"{a} final", key="kl") for a, b in pairwise(names)]
    worst = max(range(len(steps)), key=lambda i: steps[i].high)
    kept = change(runs, f"{names[-1]} final", f"{HACKED} final")
    each = "; ".join(
        f"{c:g}: KL {_mean(runs, n, 'kl'):.1f}, gold {_mean(runs, n, 'gold'):.2f}"
        for c, n in zip([0.0, *coefs], names, strict=True)
    )
    all_fall = all(s.below(0.0) for s in steps)
    coef_pair = ([0.0, *coefs][worst], [0.0, *coefs][worst + 1])
    return Claim.on_interval(
        "A KL penalty bounds the drift: the stronger it is (a priori list), the closer the "
        "policy ends to the reference, and the strongest keeps more of the true reward",
        steps[worst],
        measure="change in final KL to the reference (nats per reply) from one coefficient "
        "to the next, the least clear step",
        evidence=f"final values by KL coefficient (mean of seeds) — {each}. Every step up the "
        f"list {'lowers' if all_fall else 'does NOT always lower'} the KL; least clear step "
        f"{coef_pair[0]:g} -> {coef_pair[1]:g}: {steps[worst].format('.1f')} nats. True reward "
        f"at {coefs[-1]:g} vs no penalty: {kept.format('.2f')}",
        seeds=_seeds(runs),
        below=0.0,
        also=all_fall and kept.above(0.0),
    )


def early_stopping_claim(runs: Sequence[SeedRun], coefs: Sequence[float]) -> Claim:
    """No penalised run ends more than EARLY_STOP above the unpenalised run's true-reward peak
    (decided on the coefficient whose interval reaches highest): a KL penalty does not repair
    the RM, it only stops the policy earlier on the same curve (Gao et al. 2023: their KL
    penalty did not improve the gold-vs-KL frontier, much like early stopping)."""
    versus = {c: change(runs, f"{penalised(c)} final", f"{HACKED} peak") for c in coefs}
    coef = max(coefs, key=lambda c: versus[c].high)
    each = "; ".join(
        f"{c:g}: {versus[c].format('.2f')} (KL {_mean(runs, penalised(c), 'kl'):.1f})"
        for c in coefs
    )
    peak_kl = sum(r.stages[f"{HACKED} peak"].mean("kl") for r in runs) / len(runs)
    return Claim.on_interval(
        "A KL penalty is no better than stopping early: no coefficient of the a priori list ends "
        "above the true-reward peak of the unpenalised run",
        versus[coef],
        measure="final true reward of a penalised run minus the unpenalised run's true reward "
        "at its peak, the coefficient closest to beating it",
        evidence=f"final true reward minus the unpenalised run's at its peak (KL "
        f"{peak_kl:.1f} nats), by KL coefficient: {each}; needs < {EARLY_STOP} (one padding "
        f"word) for all",
        seeds=_seeds(runs),
        below=EARLY_STOP,
    )


def _mean(runs: Sequence[SeedRun], run: str, key: str) -> float:
    """Mean over the seeds of ``key`` at the end of ``run``."""
    return sum(r.stages[f"{run} final"].mean(key) for r in runs) / len(runs)
