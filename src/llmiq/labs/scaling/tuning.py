"""How the scaling lab's learning rates were chosen: ``python -m llmiq.labs.scaling.tuning``.

One learning rate for every size would favour the sizes it happens to suit and bend the
curve of loss against N; Kaplan et al. 2020 and Hoffmann et al. 2022 both tuned it. Here
each size's peak rate is its lowest mean final held-out loss over a grid, on tuning seeds
only (weights, batches and windows from seeds 1000-1001), scored on the tuning half of the
held-out text: no reported seed or window is looked at. The chosen rates are written into
``Config.sizes`` by hand and each report says where they came from.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from llmiq.labs.context import seed_everything, torch_threads
from llmiq.labs.scaling.config import Config
from llmiq.labs.scaling.experiment import texts, train_sizes
from llmiq.labs.uncertainty import TUNING_SEEDS

GRID = (1e-3, 3e-3, 1e-2, 3e-2)
SEEDS = tuple(TUNING_SEEDS)[:2]


def sweep(config: Config, seeds: tuple[int, ...] = SEEDS) -> dict[float, list[float]]:
    """Peak rate -> mean final held-out loss (tuning half) of each size over ``seeds``."""
    train, tune, _ = texts(config)
    table = {}
    for rate in GRID:
        finals = []
        for seed in seeds:
            seed_everything(seed)
            runs = train_sizes(config, seed, train, tune, rates=[rate] * len(config.sizes))
            finals.append([r.final for r in runs])
        table[rate] = np.mean(finals, axis=0).tolist()
    return table


def choose(table: dict[float, list[float]]) -> list[float]:
    """Each size's rate with the lowest loss.

    >>> choose({1e-3: [3.0, 2.5], 1e-2: [2.8, 2.6]})
    [0.01, 0.001]
    """
    rates = list(table)
    sizes = len(table[rates[0]])
    return [min(rates, key=lambda r: table[r][i]) for i in range(sizes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="the fast config (a smoke test)")
    args = parser.parse_args()
    config = Config.fast() if args.fast else Config()
    config = replace(config, sizes=tuple(replace(s, learning_rate=None) for s in config.sizes))
    with torch_threads(1):
        table = sweep(config)
    names = [s.name for s in config.sizes]
    for rate, finals in table.items():
        print(f"{rate:g}", "  ".join(f"{n}: {v:.4f}" for n, v in zip(names, finals, strict=True)))
    chosen = choose(table)
    print(f"chosen on seeds {SEEDS[0]}-{SEEDS[-1]}:", dict(zip(names, chosen, strict=True)))


if __name__ == "__main__":
    main()
