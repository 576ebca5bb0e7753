"""LoRA from scratch: a frozen ``nn.Linear`` plus a trainable low-rank update, how to put it
into a model, count what it trains, and merge it back into one matrix.

For a weight W (d_out, d_in) LoRA learns h = W x + (alpha / r) B A x with A (r, d_in) and
B (d_out, r) (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", eq. 3).
A starts random (Kaiming-uniform, as the reference implementation and peft), B starts at zero,
so B A = 0 and the adapted model is exactly the base until the first update. Each adapted
matrix trains r (d_in + d_out) numbers instead of d_in d_out.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F


class LoRALinear(nn.Module):
    """``base(x) + (alpha / r) * B(A(x))``, the base frozen by the caller (``add_lora``)."""

    def __init__(
        self,
        base: nn.Linear,
        r: int,
        alpha: float,
        *,
        init_b: str = "zeros",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if r < 1:
            raise ValueError(f"rank r must be >= 1, not {r}")
        self.base = base
        self.r = r
        self.alpha = alpha
        self.scaling = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))  # (r, d_in)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))  # (d_out, r)
        # U(-1/sqrt(d_in), 1/sqrt(d_in)): nn.Linear's own init, which peft uses for A
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5), generator=generator)
        if init_b == "random":  # broken on purpose: the update B A is not zero at the start
            nn.init.kaiming_uniform_(self.lora_B, a=math.sqrt(5), generator=generator)
        elif init_b != "zeros":
            raise ValueError(f"init_b is 'zeros' or 'random', not {init_b!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (..., d_in) -> (..., r) -> (..., d_out), in the order peft computes it
        return self.base(x) + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling

    def delta_weight(self, scaled: bool = True) -> torch.Tensor:
        """(alpha / r) B A, the (d_out, d_in) update this adapter adds to W."""
        return self.lora_B @ self.lora_A * (self.scaling if scaled else 1.0)

    def merged(self, scaled: bool = True) -> nn.Linear:
        """One ``nn.Linear`` with W + (alpha / r) B A: the adapter folded in, no extra cost at
        inference. ``scaled=False`` forgets alpha / r (a broken merge)."""
        linear = nn.Linear(
            self.base.in_features, self.base.out_features, bias=self.base.bias is not None
        )
        with torch.no_grad():
            linear.weight.copy_(self.base.weight + self.delta_weight(scaled))
            if self.base.bias is not None:
                linear.bias.copy_(self.base.bias)
        return linear


def matches(name: str, targets: Sequence[str]) -> bool:
    """Whether module ``name`` is a target, by peft's rule: the name itself or its suffix after
    a dot. ``matches("blocks.0.mlp.2", ["mlp.2"])`` -> True; ``["lp.2"]`` -> False.

    >>> matches("blocks.0.mlp.2", ["mlp.2"]), matches("blocks.0.mlp.2", ["lp.2"])
    (True, False)
    """
    return any(name == t or name.endswith("." + t) for t in targets)


def add_lora(
    model: nn.Module,
    r: int,
    alpha: float,
    targets: Sequence[str],
    *,
    init_b: str = "zeros",
    freeze_base: bool = True,
    generator: torch.Generator | None = None,
) -> nn.Module:
    """A copy of ``model`` whose target ``nn.Linear`` modules are ``LoRALinear``; with
    ``freeze_base`` every original parameter stops training (only A and B train)."""
    model = copy.deepcopy(model)
    if freeze_base:
        for p in model.parameters():
            p.requires_grad_(False)
    names = [
        n for n, m in model.named_modules() if isinstance(m, nn.Linear) and matches(n, targets)
    ]
    if not names:
        raise ValueError(f"no nn.Linear module matches {list(targets)}")
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        lora = LoRALinear(getattr(parent, child), r, alpha, init_b=init_b, generator=generator)
        setattr(parent, child, lora)
    return model


def lora_modules(model: nn.Module) -> dict[str, LoRALinear]:
    return {n: m for n, m in model.named_modules() if isinstance(m, LoRALinear)}


def merge_lora(model: nn.Module, scaled: bool = True) -> nn.Module:
    """A copy of ``model`` with every adapter folded into its base matrix (plain Linears)."""
    model = copy.deepcopy(model)
    for name, module in lora_modules(model).items():
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child, module.merged(scaled))
    return model


def trainable_parameters(model: nn.Module) -> int:
    """Numbers the optimizer updates: parameters with ``requires_grad`` (a tied weight once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def lora_formula(shapes: Sequence[tuple[int, int]], r: int) -> int:
    """Sum of r (d_in + d_out) over the adapted (d_out, d_in) matrices.

    >>> lora_formula([(192, 64), (64, 64)], r=4)  # qkv and proj of a 64-wide block
    1536
    """
    return sum(r * (d_in + d_out) for d_out, d_in in shapes)


def target_shapes(model: nn.Module, targets: Sequence[str]) -> list[tuple[int, int]]:
    """(d_out, d_in) of every target ``nn.Linear`` of a model without adapters."""
    return [
        (m.out_features, m.in_features)
        for n, m in model.named_modules()
        if isinstance(m, nn.Linear) and matches(n, targets)
    ]
