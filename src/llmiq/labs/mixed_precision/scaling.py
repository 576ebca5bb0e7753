"""Dynamic loss scaling from scratch (Micikevicius et al. 2018, "Mixed Precision Training",
section 3.2; the schedule of NVIDIA's Apex and of ``torch.amp.GradScaler``).

Multiply the loss by S before ``backward``: every gradient is multiplied by S too (the chain
rule is linear), which lifts small gradients out of fp16's underflow range. Before the
optimizer step, check the fp16 gradients: if any is inf or NaN the scale was too large, so
skip the step and halve S; otherwise divide the gradients by S (exactly, S being a power of
two) and step. After ``growth_interval`` clean steps in a row, double S to try a larger one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch


@dataclass
class DynamicLossScaler:
    scale: float = 2.0**16  # S, a power of two
    growth_factor: float = 2.0  # S *= this after growth_interval clean steps
    backoff_factor: float = 0.5  # S *= this after a step with inf/NaN gradients
    growth_interval: int = 2000  # clean steps before growing
    dynamic: bool = True  # False: S never changes (a static loss scale)
    clean_steps: int = 0  # clean steps since the last change of S

    def unscale(self, parameters: Iterable[torch.nn.Parameter]) -> bool:
        """Check the (scaled) gradients for inf/NaN; if there are none, divide them by S in
        place. Returns whether an overflow was found (the step must then be skipped)."""
        grads = [p.grad for p in parameters if p.grad is not None]
        found_inf = any(not bool(torch.isfinite(g).all()) for g in grads)
        if not found_inf:
            inverse = 1.0 / self.scale
            for g in grads:
                g.mul_(inverse)
        return found_inf

    def update(self, found_inf: bool) -> None:
        """The schedule: back off on overflow, grow after ``growth_interval`` clean steps.

        >>> s = DynamicLossScaler(scale=8.0, growth_interval=2)
        >>> for overflow in (True, False, False, False):
        ...     s.update(overflow)
        >>> s.scale, s.clean_steps
        (8.0, 1)
        """
        if not self.dynamic:
            return
        if found_inf:
            self.scale *= self.backoff_factor
            self.clean_steps = 0
            return
        self.clean_steps += 1
        if self.clean_steps == self.growth_interval:
            self.scale *= self.growth_factor
            self.clean_steps = 0


def store_in_fp16(parameters: Iterable[torch.nn.Parameter]) -> None:
    """Round every gradient to fp16 and back in place: what a 16-bit backward pass leaves in
    ``.grad`` (values past 65504 become inf, tiny ones subnormal or 0)."""
    for p in parameters:
        if p.grad is not None:
            p.grad.copy_(p.grad.to(torch.float16).to(p.grad.dtype))
