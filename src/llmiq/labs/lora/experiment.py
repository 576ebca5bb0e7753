"""The LoRA lab's run: pre-train a tiny GPT on prose, fine-tune it on code fully and with
LoRA at each rank for the same steps, count, compare and judge; what it measured, as
``LoRAMetrics``."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.lora.adapter import (
    add_lora,
    lora_formula,
    merge_lora,
    target_shapes,
    trainable_parameters,
)
from llmiq.labs.lora.claims import approach_claim, fraction_claim, merge_claim, name, start_claim
from llmiq.labs.lora.config import Config
from llmiq.labs.lora.data import domains
from llmiq.labs.lora.figures import plot_lora
from llmiq.labs.report import LabResult


@dataclass
class LoRAMetrics:
    """What the lab measured, as report.json's ``metrics``. Keys ``full`` and ``r=<rank>``."""

    base_parameters: int
    adapted_shapes: list[list[int]]  # (d_out, d_in) of each adapted matrix
    ranks: list[int]
    alpha_per_rank: float
    init_b: str
    freeze_base: bool
    merge_scaled: bool
    trainable_counted: dict[str, int]
    trainable_formula: dict[str, int]
    trainable_fraction: dict[str, float]
    base_val_loss: float  # held-out code, nats/byte, before fine-tuning
    val_loss: dict[str, float]  # held-out code after fine-tuning
    gap_to_full: dict[str, float]  # val_loss[r] - val_loss[full]
    prose_val_loss: dict[str, float]  # held-out prose: how much each method forgets
    start_max_abs_diff: dict[str, float]  # adapted vs base logits before the first step
    merge_max_abs_diff: dict[str, float]  # merged weights vs adapter, after training
    train_loss_every_10: dict[str, list[float]]  # mean training loss per 10 steps
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


def _run(config: Config, context: LabContext) -> LabResult[LoRAMetrics]:
    seed = context.seed
    prose, prose_val, code, code_val = domains(
        config.pretrain_chars, config.target_chars, config.val_fraction
    )
    shape = tinylm.GPTConfig(
        block_size=config.block_size, n_layer=config.n_layer, n_embd=config.n_embd
    )
    torch.manual_seed(seed)
    base = tinylm.GPT(shape)
    steps = config.pretrain_steps + config.finetune_steps * (len(config.ranks) + 1)
    with context.progress(steps, "lora: pre-training and fine-tuning") as advance:
        tinylm.train(
            base,
            prose,
            steps=config.pretrain_steps,
            batch_size=config.batch_size,
            lr=config.pretrain_lr,
            generator=torch.Generator().manual_seed(seed),
            on_step=advance,
        )

        def val(model: torch.nn.Module, data: torch.Tensor) -> float:
            generator = torch.Generator().manual_seed(seed + 2)  # the same windows for all
            return tinylm.evaluate(
                model,
                data,
                batches_=config.eval_batches,
                batch_size=config.batch_size,
                generator=generator,
            )

        probe, _ = tinylm.batches(
            code_val, config.block_size, 8, torch.Generator().manual_seed(seed + 3)
        )
        with torch.no_grad():
            base_logits = base(probe)  # (8, T, 256)
        shapes = target_shapes(base, config.targets)
        total = base.num_params()
        models: dict[str, torch.nn.Module] = {}
        counted: dict[str, int] = {}
        formula: dict[str, int] = {}
        starts: dict[str, float] = {}
        curves: dict[str, list[float]] = {}
        for method in ["full", *(name(r) for r in config.ranks)]:
            if method == "full":
                model = copy.deepcopy(base)  # every parameter trains
            else:
                r = int(method.removeprefix("r="))
                model = add_lora(
                    base,
                    r,
                    config.alpha_per_rank * r,
                    config.targets,
                    init_b=config.init_b,
                    freeze_base=config.freeze_base,
                    generator=torch.Generator().manual_seed(seed + 10 + r),
                )
                formula[method] = lora_formula(shapes, r)
                with torch.no_grad():
                    starts[method] = (model(probe) - base_logits).abs().max().item()
            counted[method] = trainable_parameters(model)
            losses = tinylm.train(
                model,
                code,
                steps=config.finetune_steps,
                batch_size=config.batch_size,
                lr=config.finetune_lr,
                generator=torch.Generator().manual_seed(seed + 1),
                on_step=advance,
            )
            curves[method] = _every_10(losses)
            models[method] = model

    val_loss = {m: round(val(model, code_val), 4) for m, model in models.items()}
    prose_loss = {"base": round(val(base, prose_val), 4)}
    prose_loss |= {m: round(val(model, prose_val), 4) for m, model in models.items()}
    base_val = round(val(base, code_val), 4)
    merges = {}
    for method in starts:
        merged = merge_lora(models[method], scaled=config.merge_scaled)
        with torch.no_grad():
            merges[method] = (merged(probe) - models[method](probe)).abs().max().item()

    vs_peft: dict[str, dict[str, float]] = {}
    if config.peft_check:
        from llmiq.labs.lora.library import compare_with_peft

        for r in config.ranks:
            vs_peft[name(r)] = compare_with_peft(
                base, models[name(r)], r, config.alpha_per_rank * r, config.targets, probe
            )

    claims = [
        fraction_claim(config.ranks, counted, formula, total, config.small_fraction, config.n_embd),
        approach_claim(config.ranks, val_loss, base_val, prose_loss),
        start_claim(starts, config.init_b),
        merge_claim(merges, config.merge_scaled),
    ]
    figures = [plot_lora(context, config.ranks, counted, total, curves, val_loss, base_val)]
    top = name(max(config.ranks))
    low = name(min(config.ranks))
    gaps = {m: round(val_loss[m] - val_loss["full"], 4) for m in starts}
    key_figure = (
        f"{low} trains {counted[low] / total:.1%} of the parameters; gap to full FT "
        f"{gaps[low]:+.3f} ({low}) -> {gaps[top]:+.3f} ({top}) nats/byte"
    )
    metrics = LoRAMetrics(
        base_parameters=total,
        adapted_shapes=[list(s) for s in shapes],
        ranks=list(config.ranks),
        alpha_per_rank=config.alpha_per_rank,
        init_b=config.init_b,
        freeze_base=config.freeze_base,
        merge_scaled=config.merge_scaled,
        trainable_counted=counted,
        trainable_formula=formula,
        trainable_fraction={m: round(c / total, 6) for m, c in counted.items()},
        base_val_loss=base_val,
        val_loss=val_loss,
        gap_to_full=gaps,
        prose_val_loss=prose_loss,
        start_max_abs_diff=starts,
        merge_max_abs_diff=merges,
        train_loss_every_10=curves,
        vs_peft=vs_peft,
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="LoRA from scratch vs full fine-tuning on a tiny GPT (prose -> code)",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
