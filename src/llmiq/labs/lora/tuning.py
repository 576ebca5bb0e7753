"""How the LoRA lab's learning rates were chosen: ``python -m llmiq.labs.lora.tuning``.

LoRA usually wants a larger learning rate than full fine-tuning (Hu et al. 2021 used 2e-4 to
5e-4 for GPT-3-size models where full fine-tuning used less; Biderman et al. 2024, "LoRA
Learns Less and Forgets Less", tuned both), so one shared rate would favour one method.
Each method's peak rate is chosen from a grid by its mean held-out code loss, on tuning
seeds only (a base pre-trained from the first of them, fine-tuning batches and windows from
each), scored on the tuning half of the held-out code: no reported seed and no reported
window is looked at. Full fine-tuning gets its best rate; every LoRA rank gets the one rate
with the best mean loss over the ranks (alpha / r is the same at every rank). The chosen
values are written into ``Config`` by hand and each report says where they came from.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import torch

from llmiq.labs.context import seed_everything, torch_threads
from llmiq.labs.lora.config import Config
from llmiq.labs.lora.data import domains, tuning_split
from llmiq.labs.lora.finetuning import adapted, fine_tune, methods, pretrain
from llmiq.labs.tinylm import sampled_windows, window_losses
from llmiq.labs.uncertainty import TUNING_SEEDS

GRID = (1e-3, 3e-3, 1e-2, 3e-2)
SEEDS = tuple(TUNING_SEEDS)[:2]


def sweep(config: Config, seeds: tuple[int, ...] = SEEDS) -> dict[str, dict[float, float]]:
    """Mean held-out loss (tuning half) of every method at every rate of ``GRID``."""
    prose, _, code, code_val = domains(
        config.pretrain_chars, config.target_chars, config.val_fraction
    )
    code_tune, _ = tuning_split(code_val)
    seed_everything(seeds[0])
    base = pretrain(config, seeds[0], prose, lambda n: None)
    losses: dict[str, dict[float, list[float]]] = {
        m: {lr: [] for lr in GRID} for m in methods(config)
    }
    for seed in seeds:
        windows = sampled_windows(
            code_tune, config.block_size, config.eval_windows, torch.Generator().manual_seed(seed)
        )
        for method in methods(config):
            for lr in GRID:
                seed_everything(seed)
                model = adapted(base, method, config, seed)
                fine_tune(model, code, config, seed, lr)
                losses[method][lr].append(float(window_losses(model, *windows).mean()))
    return {m: {lr: float(np.mean(v)) for lr, v in by_lr.items()} for m, by_lr in losses.items()}


def choose(table: dict[str, dict[float, float]]) -> tuple[float, float]:
    """(full fine-tuning's rate, LoRA's rate): the lowest loss, LoRA's averaged over ranks.

    >>> choose({"full": {1e-3: 2.0, 1e-2: 2.1}, "r=1": {1e-3: 2.5, 1e-2: 2.3},
    ...         "r=4": {1e-3: 2.4, 1e-2: 2.35}})
    (0.001, 0.01)
    """
    full = min(table["full"], key=table["full"].get)
    ranks = [m for m in table if m != "full"]
    lora = min(table[ranks[0]], key=lambda lr: float(np.mean([table[m][lr] for m in ranks])))
    return full, lora


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="the fast config (a smoke test)")
    args = parser.parse_args()
    config = Config.fast() if args.fast else Config()
    config = replace(config, peft_check=False)
    with torch_threads(1):
        table = sweep(config)
    for method, row in table.items():
        print(method, "  ".join(f"{lr:g}: {loss:.4f}" for lr, loss in row.items()))
    full, lora = choose(table)
    print(f"chosen on seeds {SEEDS[0]}-{SEEDS[-1]}: full_lr={full:g}, lora_lr={lora:g}")


if __name__ == "__main__":
    main()
