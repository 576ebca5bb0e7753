"""How the fine-tuning lab's learning rates were chosen, on seeds it never reports:
``python -m llmiq.labs.finetune_base.tuning`` (several CPU minutes).

For each base, every learning rate of a small grid fine-tunes it on every data size for the
tuning seeds 1000-1002 as the full run does (to convergence). Among the rates whose every run
converged before the step cap, the base gets the one that takes the fewest steps while its
mean best dev loss (the checkpoint the lab keeps) is within ``TOLERANCE`` of the lowest: a
trade of a few percent of dev loss for the CPU budget, made after a first tuning run found
the slowest rate (3e-4) best by 3-6% at about twice the steps of 1e-3. Only dev documents are
scored: the test documents the lab reports on are never read. Then the chosen rates run again with a
short fixed budget (16 steps, no run converged at 16k) beside the full run's, and the base and
data effects of the dev-loss grid are printed for both: why the lab trains to convergence.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from llmiq.labs.context import LabContext, seed_everything, torch_threads
from llmiq.labs.finetune_base.claims import effects
from llmiq.labs.finetune_base.config import Config
from llmiq.labs.finetune_base.runs import Setup, prepare, replicate
from llmiq.labs.uncertainty import TUNING_SEEDS

RATES = (3e-4, 1e-3, 3e-3)
SEEDS = tuple(TUNING_SEEDS[:3])
TOLERANCE = 0.07  # relative dev loss given up for fewer steps (see the module docstring)


def dev_grid(setup: Setup, config: Config, seeds: tuple[int, ...]) -> tuple[np.ndarray, int, int]:
    """Best dev loss of every (seed, base, size) run, nats/char, how many runs reached the
    step cap still improving, and the steps all runs took."""
    grid, steps = [], []
    for seed in seeds:
        seed_everything(seed)
        rep = replicate(setup, config, seed, score_test=False)
        grid.append([[r.dev_loss for r in row] for row in rep.runs])
        steps += [(r.steps, r.converged) for row in rep.runs for r in row]
    capped = sum(not converged for _, converged in steps)
    used = [s for s, _ in steps]
    print(f"  {len(steps)} runs, {min(used)}-{max(used)} steps, {capped} at the cap")
    return np.array(grid), capped, sum(used)


def choose_rates(setup: Setup, config: Config) -> Config:
    """``config`` with each base's learning rate chosen on the tuning seeds."""
    chosen = []
    for b, base in enumerate(config.bases):
        scores, capped, steps = {}, {}, {}
        for lr in RATES:
            one = replace(setup, arms=[setup.arms[b]])
            trial = replace(config, bases=(replace(base, lr=lr),))
            grid, capped[lr], steps[lr] = dev_grid(one, trial, SEEDS)
            scores[lr] = float(grid.mean())
        usable = [lr for lr in RATES if not capped[lr]]
        lowest = min(scores[lr] for lr in usable)
        near = [lr for lr in usable if scores[lr] <= lowest * (1 + TOLERANCE)]
        best = min(near, key=steps.__getitem__)
        print(
            f"{base.name}: "
            + ", ".join(
                f"{lr:g} {v:.4f} ({steps[lr]} steps, {capped[lr]} capped)"
                for lr, v in scores.items()
            ),
            f"-> {best:g}",
        )
        chosen.append(replace(base, lr=best))
    return replace(config, bases=tuple(chosen))


def budget_check(setup: Setup, config: Config, short: int = 16) -> None:
    """Base and data effects of the dev-loss grid with ``short`` steps and to convergence."""
    for steps in (short, config.steps):
        grid = dev_grid(setup, replace(config, steps=steps), SEEDS)[0].mean(axis=0)
        e = effects(grid.tolist())
        print(
            f"{steps} steps: base effect {e['base_effect']:.3f}, data effect "
            f"{e['data_effect']:.3f}, grid {np.round(grid, 3).tolist()}"
        )


def main() -> None:
    from llmiq.paths import data_dir

    config = Config()
    with tempfile.TemporaryDirectory() as out, torch_threads(1):
        context = LabContext(Path(out), cache_dir=data_dir() / "labs-cache")
        setup = prepare(config, context)
        tuned = choose_rates(setup, config)
        budget_check(setup, tuned)


if __name__ == "__main__":
    main()
