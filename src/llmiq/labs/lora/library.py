"""The same adapters built by Hugging Face ``peft`` (imported here only: it costs seconds), to
check the from-scratch LoRA: the same trainable-parameter count, and the same output when
peft's A and B are set to ours."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import nn

from llmiq.labs.lora.adapter import lora_modules, trainable_parameters


def peft_model(base: nn.Module, r: int, alpha: float, targets: Sequence[str]) -> nn.Module:
    """peft's LoRA on a copy of ``base`` (the base frozen, B at zero, no dropout)."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=r, lora_alpha=alpha, target_modules=list(targets), lora_dropout=0.0, bias="none"
    )
    return get_peft_model(copy.deepcopy(base), config)


def copy_adapters(ours: nn.Module, theirs: nn.Module) -> int:
    """Set each of peft's ``lora_A``/``lora_B`` to ours, module by module; returns how many."""
    their_modules = dict(theirs.named_modules())
    copied = 0
    for name, module in lora_modules(ours).items():
        target = their_modules[f"base_model.model.{name}"]
        with torch.no_grad():
            target.lora_A["default"].weight.copy_(module.lora_A)
            target.lora_B["default"].weight.copy_(module.lora_B)
        copied += 1
    return copied


@torch.no_grad()
def compare_with_peft(
    base: nn.Module,
    ours: nn.Module,
    r: int,
    alpha: float,
    targets: Sequence[str],
    inputs: torch.Tensor,
) -> dict[str, float]:
    """peft's trainable count, ours, and the largest |output difference| on ``inputs`` once
    peft holds our A and B (``ours`` is ``base`` with our adapters, trained or not)."""
    theirs = peft_model(base, r, alpha, targets)
    copied = copy_adapters(ours, theirs)
    ours.eval()
    theirs.eval()
    difference = (ours(inputs) - theirs(inputs)).abs().max().item()
    return {
        "peft_trainable": float(trainable_parameters(theirs)),
        "ours_trainable": float(trainable_parameters(ours)),
        "adapted_modules": float(copied),
        "max_abs_output_diff": difference,
    }
