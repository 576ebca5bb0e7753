"""The LoRA lab's run: pre-train a tiny GPT on prose once, then for every seed fine-tune it
on code fully and with LoRA at each rank for the same steps, score the same held-out windows,
count, compare and judge on intervals over seeds and windows; what it measured, as
``LoRAMetrics``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.lora.adapter import lora_formula, merge_lora, target_shapes, trainable_parameters
from llmiq.labs.lora.claims import (
    WindowLosses,
    approach_claim,
    difference,
    fraction_claim,
    merge_claim,
    start_claim,
)
from llmiq.labs.lora.config import Config
from llmiq.labs.lora.data import domains, tuning_split
from llmiq.labs.lora.figures import plot_lora
from llmiq.labs.lora.finetuning import (
    adapted,
    fine_tune,
    learning_rate,
    methods,
    name,
    pretrain,
)
from llmiq.labs.report import LabResult
from llmiq.labs.tinylm import sampled_windows, window_losses


@dataclass
class LoRAMetrics:
    """What the lab measured, as report.json's ``metrics``. Keys ``full`` and ``r=<rank>``;
    losses are means over every seed's held-out windows (nats/byte)."""

    base_parameters: int
    adapted_shapes: list[list[int]]  # (d_out, d_in) of each adapted matrix
    ranks: list[int]
    alpha_per_rank: float
    learning_rates: dict[str, float]  # peak learning rate of each method (tuned)
    init_b: str
    freeze_base: bool
    merge_scaled: bool
    trainable_counted: dict[str, int]
    trainable_formula: dict[str, int]
    trainable_fraction: dict[str, float]
    base_val_loss: float  # held-out code, before fine-tuning
    val_loss: dict[str, float]  # held-out code after fine-tuning
    val_loss_by_seed: dict[str, list[float]]  # the same, per seed
    gap_to_full: dict[str, float]  # val_loss[r] - val_loss[full]
    gap_to_full_ci: dict[str, list[float]]  # its 95% interval over seeds and windows
    prose_val_loss: dict[str, float]  # held-out prose: how much each method forgets
    start_max_abs_diff: dict[str, float]  # adapted vs base logits before the first step
    merge_max_abs_diff: dict[str, float]  # merged weights vs adapter, after training
    train_loss_every_10: dict[str, list[float]]  # mean training loss per 10 steps, 1st seed
    held_out_windows: int  # per seed
    vs_peft: dict[str, dict[str, float]] = field(default_factory=dict)  # empty: not run
    torch_threads_used: int = 1


Metrics = LoRAMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[LoRAMetrics]:
    with torch_threads(1):  # tiny matrices: one thread is fastest on a busy machine
        return _run(config, context)


def _every_10(losses: list[float]) -> list[float]:
    return [
        round(sum(losses[i : i + 10]) / len(losses[i : i + 10]), 4)
        for i in range(0, len(losses), 10)
    ]


@dataclass
class _Seed:
    """What one seed's fine-tuning runs left: per-window losses and the exact checks."""

    losses: dict[str, np.ndarray]  # "base", "full", "r=..", and "prose:<same>"
    counted: dict[str, int]
    starts: dict[str, float]
    merges: dict[str, float]
    curves: dict[str, list[float]]
    vs_peft: dict[str, dict[str, float]]


def _one_seed(
    config: Config,
    seed: int,
    base: torch.nn.Module,
    code: torch.Tensor,
    code_test: torch.Tensor,
    prose_val: torch.Tensor,
    peft_check: bool,
    advance: object,
) -> _Seed:
    test = sampled_windows(
        code_test, config.block_size, config.eval_windows, torch.Generator().manual_seed(seed)
    )
    prose = sampled_windows(
        prose_val, config.block_size, config.eval_windows, torch.Generator().manual_seed(seed)
    )
    probe = test[0][:8]  # (8, T)
    with torch.no_grad():
        base_logits = base(probe)  # (8, T, 256)
    losses = {"base": window_losses(base, *test), "prose:base": window_losses(base, *prose)}
    counted: dict[str, int] = {}
    starts: dict[str, float] = {}
    merges: dict[str, float] = {}
    curves: dict[str, list[float]] = {}
    vs_peft: dict[str, dict[str, float]] = {}
    for method in methods(config):
        model = adapted(base, method, config, seed)
        if method != "full":
            with torch.no_grad():
                starts[method] = (model(probe) - base_logits).abs().max().item()
        counted[method] = trainable_parameters(model)
        train = fine_tune(model, code, config, seed, learning_rate(method, config), advance)
        curves[method] = _every_10(train)
        losses[method] = window_losses(model, *test)
        losses["prose:" + method] = window_losses(model, *prose)
        if method != "full":
            merged = merge_lora(model, scaled=config.merge_scaled)
            with torch.no_grad():
                merges[method] = (merged(probe) - model(probe)).abs().max().item()
            if peft_check:
                from llmiq.labs.lora.library import compare_with_peft

                r = int(method.removeprefix("r="))
                alpha = config.alpha_per_rank * r
                vs_peft[method] = compare_with_peft(base, model, r, alpha, config.targets, probe)
    arrays = {k: v.numpy().astype(np.float64) for k, v in losses.items()}
    return _Seed(arrays, counted, starts, merges, curves, vs_peft)


def _run(config: Config, context: LabContext) -> LabResult[LoRAMetrics]:
    prose, prose_val, code, code_val = domains(
        config.pretrain_chars, config.target_chars, config.val_fraction
    )
    _, code_test = tuning_split(code_val)  # the tuning half is tuning.py's, never scored here
    seeds = context.seeds
    steps = config.pretrain_steps + len(seeds) * config.finetune_steps * (len(config.ranks) + 1)
    runs: list[_Seed] = []
    with context.progress(steps, "lora: pre-training once, fine-tuning per seed") as advance:
        base = pretrain(config, context.seed, prose, advance)  # one base, as in practice
        for i, seed in enumerate(context.replicate()):
            peft = config.peft_check and i == 0
            runs.append(_one_seed(config, seed, base, code, code_test, prose_val, peft, advance))

    shapes = target_shapes(base, config.targets)
    total = base.num_params()
    first = runs[0]
    counted = first.counted
    if any(r.counted != counted for r in runs):
        raise RuntimeError("trainable-parameter counts differ between seeds")
    formula = {name(r): lora_formula(shapes, r) for r in config.ranks}
    losses: WindowLosses = {k: [r.losses[k] for r in runs] for k in first.losses}
    starts = {m: max(r.starts[m] for r in runs) for m in first.starts}
    merges = {m: max(r.merges[m] for r in runs) for m in first.merges}

    def mean(key: str) -> float:
        return round(float(np.concatenate(losses[key]).mean()), 4)

    lora_methods = [name(r) for r in config.ranks]
    val_loss = {m: mean(m) for m in methods(config)}
    gaps = {m: difference(losses, m, "full") for m in lora_methods}
    claims = [
        fraction_claim(
            config.ranks, counted, formula, total, config.small_fraction, config.n_embd, seeds
        ),
        approach_claim(config.ranks, losses, seeds),
        start_claim(starts, config.init_b, seeds),
        merge_claim(merges, config.merge_scaled, seeds, config.merge_tolerance),
    ]
    base_val = mean("base")
    figures = [
        plot_lora(context, config.ranks, counted, total, first.curves, val_loss, base_val, gaps)
    ]
    top, low = name(max(config.ranks)), name(min(config.ranks))
    key_figure = (
        f"{low} trains {counted[low] / total:.1%} of the parameters; gap to full FT "
        f"{gaps[low].format('+.3f')} ({low}) -> {gaps[top].format('+.3f')} ({top}) nats/byte, "
        f"{len(seeds)} seed(s)"
    )
    metrics = LoRAMetrics(
        base_parameters=total,
        adapted_shapes=[list(s) for s in shapes],
        ranks=list(config.ranks),
        alpha_per_rank=config.alpha_per_rank,
        learning_rates={m: learning_rate(m, config) for m in methods(config)},
        init_b=config.init_b,
        freeze_base=config.freeze_base,
        merge_scaled=config.merge_scaled,
        trainable_counted=counted,
        trainable_formula=formula,
        trainable_fraction={m: round(c / total, 6) for m, c in counted.items()},
        base_val_loss=base_val,
        val_loss=val_loss,
        val_loss_by_seed={
            m: [round(float(a.mean()), 4) for a in losses[m]] for m in ["base", *methods(config)]
        },
        gap_to_full={m: round(g.estimate, 4) for m, g in gaps.items()},
        gap_to_full_ci={m: [round(g.low, 4), round(g.high, 4)] for m, g in gaps.items()},
        prose_val_loss={
            k.removeprefix("prose:"): mean(k) for k in losses if k.startswith("prose:")
        },
        start_max_abs_diff=starts,
        merge_max_abs_diff=merges,
        train_loss_every_10=first.curves,
        held_out_windows=config.eval_windows,
        vs_peft=first.vs_peft,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="LoRA from scratch vs full fine-tuning on a tiny GPT (prose -> code)",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
        tuning={
            "full fine-tuning lr": f"{config.full_lr:g}: its lowest held-out loss of {GRID}",
            "LoRA lr (every rank)": f"{config.lora_lr:g}: the lowest held-out loss averaged "
            f"over the ranks, of {GRID}",
            "ranks, alpha = 2r, steps": "fixed a priori (not tuned)",
        },
    )


GRID = (
    "1e-3, 3e-3, 1e-2, 3e-2 on seeds 1000-1001, scored on the tuning half of the held-out "
    "code (python -m llmiq.labs.lora.tuning)"
)
