"""How the alignment lab's learning rates, DPO's beta and RLHF's KL coefficient were chosen:
on seeds 1000-1002 (``uncertainty.TUNING_SEEDS``), which no report ever uses.

Every method gets the same treatment, the same budget (``Config.steps`` updates of 64
sequences) and the same rule, fixed before looking: the setting of its grid with the
highest mean win-rate on the held-out requests at the end of the budget, over the tuning
seeds; settings within ``TIE`` of the best count as tied, and the one with the lowest mean
KL to the reference wins the tie (the same alignment for less departure from the
reference). The augmentation arm without a preference signal is tuned the same way, so its
best chance to raise the win-rate is the one measured.

``python -m llmiq.labs.alignment.tuning`` prints the table; ``--write`` also stores it in
``tuning.json`` beside this file, which the lab reads to say how each setting was chosen
(and a test checks ``Config``'s defaults against it).
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.methods import fit_reward_model, run_dpo, run_rlhf, run_supervised
from llmiq.labs.alignment.replicate import SUPERVISED, set_up
from llmiq.labs.uncertainty import TUNING_SEEDS

SEEDS = tuple(TUNING_SEEDS[:3])
TIE = 0.01  # win-rates this close to the best are tied; the lower KL wins
GRIDS: dict[str, dict[str, tuple[float, ...]]] = {
    "dpo": {"dpo_lr": (1e-4, 3e-4, 1e-3, 3e-3), "beta": (0.1, 0.3, 1.0, 3.0, 10.0)},
    "rlhf": {"rl_lr": (3e-4, 1e-3, 3e-3), "kl_coef": (0.03, 0.1, 0.3, 1.0)},
    **{name: {lr_field: (3e-4, 1e-3, 3e-3, 1e-2)} for name, _, _, lr_field in SUPERVISED},
}
PATH = Path(__file__).with_name("tuning.json")
#: each tuned setting as the report names it
LABELS = {
    "dpo_lr": "DPO learning rate",
    "beta": "DPO beta",
    "rl_lr": "RLHF learning rate",
    "kl_coef": "RLHF KL coefficient",
    "augment_lr": "augmentation (labels ignored) learning rate",
    "augment_chosen_lr": "augmented chosen replies learning rate",
    "chosen_lr": "chosen replies (as they are) learning rate",
}


def measure_grid(config: Config, seeds: tuple[int, ...] = SEEDS) -> dict[str, list[dict]]:
    """Every method at every setting of its grid, on each seed: the held-out win-rate and
    KL at the end of the budget."""
    from llmiq.labs.context import seed_everything, torch_threads

    if set(seeds) - set(TUNING_SEEDS):
        raise ValueError("tuning runs on the tuning seeds only")
    rows: dict[str, dict[tuple, dict[str, Any]]] = {name: {} for name in GRIDS}

    def record(method: str, setting: dict[str, float], seed: int, win: float, kl: float) -> None:
        key = tuple(setting.values())
        row = rows[method].setdefault(key, {**setting, "win_rate_by_seed": [], "kl_by_seed": []})
        row["win_rate_by_seed"].append(round(win, 4))
        row["kl_by_seed"].append(round(kl, 4))

    with torch_threads(1):
        for seed in seeds:
            seed_everything(seed)
            setup = set_up(config, seed)
            reward_model, losses, drawn = fit_reward_model(
                setup.reference, setup.pairs, config, seed * 10 + 2
            )
            for method in ("dpo", "rlhf"):
                grid = GRIDS[method]
                for values in itertools.product(*grid.values()):
                    setting = dict(zip(grid, values, strict=True))
                    tried = replace(config, **setting)
                    if method == "dpo":
                        arm = run_dpo(setup.reference, setup.pairs, tried.beta,
                                      setup.checkpoints(tried), tried, seed * 10 + 1)  # fmt: skip
                    else:
                        arm = run_rlhf(setup.reference, setup.world, reward_model,
                                       (len(losses), drawn),
                                       tried.kl_coef, setup.checkpoints(tried), tried,
                                       seed * 10 + 3)  # fmt: skip
                    record(method, setting, seed, arm.final.win_rate, arm.final.kl)
            for name, chosen_only, augmented, lr_field in SUPERVISED:
                for lr in GRIDS[name][lr_field]:
                    tried = replace(config, **{lr_field: lr})
                    arm = run_supervised(
                        name, setup.reference, setup.world, setup.pairs,
                        chosen_only=chosen_only, copies=config.augment_copies if augmented else 0,
                        lr=lr, checkpoints=setup.checkpoints(tried), config=tried,
                        seed=seed * 10 + 4,
                    )  # fmt: skip
                    record(name, {lr_field: lr}, seed, arm.final.win_rate, arm.final.kl)
    out = {}
    for method, by_setting in rows.items():
        out[method] = []
        for row in by_setting.values():
            wins, kls = row["win_rate_by_seed"], row["kl_by_seed"]
            row["win_rate"] = round(sum(wins) / len(wins), 4)
            row["kl"] = round(sum(kls) / len(kls), 4)
            out[method].append(row)
    return out


def choose(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The row with the highest win-rate, ties (within ``TIE``) to the lowest KL.

    >>> choose([{"lr": 1, "win_rate": 0.70, "kl": 3.0}, {"lr": 2, "win_rate": 0.695, "kl": 1.0},
    ...         {"lr": 3, "win_rate": 0.60, "kl": 0.1}])["lr"]
    2
    """
    best = max(row["win_rate"] for row in rows)
    tied = [row for row in rows if row["win_rate"] >= best - TIE]
    return min(tied, key=lambda row: row["kl"])


def tune(config: Config | None = None) -> dict[str, Any]:
    """The grid measured on the tuning seeds and the setting chosen for each method."""
    config = config or Config()
    results = measure_grid(config)
    chosen: dict[str, float] = {}
    for method, rows in results.items():
        best = choose(rows)
        chosen |= {name: best[name] for name in GRIDS[method]}
    return {
        "seeds": list(SEEDS),
        "budget": f"{config.steps} updates of 64 sequences per method",
        "rule": f"highest mean held-out win-rate at the end of the budget; within {TIE} of "
        "the best, the lowest mean KL to the reference",
        "chosen": chosen,
        "results": results,
    }


def tuned() -> dict[str, Any]:
    """The stored outcome of :func:`tune` (``tuning.json``)."""
    return json.loads(PATH.read_text("utf-8"))


def explain(config: Config) -> dict[str, str]:
    """For the report: each tuned setting, how it was chosen, and whether ``config`` uses it."""
    stored = tuned()
    seeds = f"seeds {stored['seeds'][0]}-{stored['seeds'][-1]}"
    out = {}
    for method, grid in GRIDS.items():
        rows = stored["results"][method]
        best = choose(rows)
        for name, values in grid.items():
            used = getattr(config, name)
            tried = ", ".join(f"{v:g}" for v in values)
            text = (
                f"{used:g}: best of {tried} on {seeds} (mean held-out win-rate "
                f"{best['win_rate']:.3f}, KL {best['kl']:.2f} nats, at the end of the budget; "
                f"ties within {TIE} to the lower KL)"
            )
            if used != stored["chosen"][name]:
                text = f"{used:g}: set by hand (tuning chose {stored['chosen'][name]:g} on {seeds})"
            out[LABELS[name]] = text
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"store the outcome in {PATH.name}")
    args = parser.parse_args(argv)
    outcome = tune()
    for method, rows in outcome["results"].items():
        print(method)
        for row in sorted(rows, key=lambda r: -r["win_rate"]):
            setting = ", ".join(f"{k}={row[k]:g}" for k in GRIDS[method])
            print(f"  {setting:28} win {row['win_rate']:.3f} {row['win_rate_by_seed']}  "
                  f"KL {row['kl']:.2f}")  # fmt: skip
    print("chosen:", outcome["chosen"])
    if args.write:
        PATH.write_text(json.dumps(outcome, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
