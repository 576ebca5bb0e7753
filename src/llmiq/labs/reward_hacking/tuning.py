"""How the reward-hacking lab's one tuned setting, ``rl_steps``, was chosen: on seeds
1000-1002 (``uncertainty.TUNING_SEEDS``), which no report ever uses.

The rule, fixed before looking: run every RL run of the lab (the proxy RM with each KL
coefficient of the a priori list and without, and the clean RM) for ``LONG`` steps; for each,
find the first step at which the smoothed score of the optimised RM reaches 95% of the way
from its start to its mean over the last 20 steps (the run has reached its plateau); take
the latest such step over runs and seeds, add half again, and round up to a multiple of 10.
So every run of the lab ends on its plateau, with no steps spent beyond that.

``python -m llmiq.labs.reward_hacking.tuning`` prints the table; ``--write`` also stores it
in ``tuning.json`` beside this file, which the lab reads to say how the setting was chosen.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from llmiq.labs.uncertainty import TUNING_SEEDS

SEEDS = tuple(TUNING_SEEDS[:3])
LONG = 120  # steps of the tuning runs
REACHED = 0.95  # share of the way to the plateau
PATH = Path(__file__).with_name("tuning.json")


def plateau_step(proxy: list[float], tail: int = 20) -> int:
    """First step at which ``proxy`` has come ``REACHED`` of the way from its start to the
    mean of its last ``tail`` values.

    >>> plateau_step([0.0, 0.5, 0.9, 0.96, 1.0, 1.0], tail=2)
    3
    """
    start, end = proxy[0], sum(proxy[-tail:]) / tail
    target = start + REACHED * (end - start)
    rising = end >= start
    return next(i for i, p in enumerate(proxy) if (p >= target if rising else p <= target))


def measure(seeds: tuple[int, ...] = SEEDS) -> list[dict[str, Any]]:
    """Every run of the lab for ``LONG`` steps on each tuning seed: its plateau step."""
    from llmiq.labs.context import seed_everything, torch_threads
    from llmiq.labs.reward_hacking.config import Config
    from llmiq.labs.reward_hacking.replicate import run_seed

    if set(seeds) - set(TUNING_SEEDS):
        raise ValueError("tuning runs on the tuning seeds only")
    config = replace(Config(), rl_steps=LONG)
    rows = []
    with torch_threads(1):
        for seed in seeds:
            seed_everything(seed)
            run = run_seed(config, seed, lambda _: None)
            for name, curve in run.curves.items():
                step = plateau_step(curve.smoothed("proxy", config.smooth))
                rows.append({"seed": seed, "run": name, "plateau_step": step})
    return rows


def choose(rows: list[dict[str, Any]]) -> int:
    """The rule of the module docstring.

    >>> choose([{"plateau_step": 12}, {"plateau_step": 37}])
    60
    """
    latest = max(row["plateau_step"] for row in rows)
    return 10 * math.ceil(1.5 * latest / 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the table in tuning.json")
    args = parser.parse_args()
    rows = measure()
    for row in rows:
        print(f"seed {row['seed']}  {row['run']:<22} plateau at step {row['plateau_step']}")
    chosen = choose(rows)
    print(f"rl_steps = {chosen}")
    if args.write:
        PATH.write_text(json.dumps({"long": LONG, "chosen": chosen, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
