"""What a cast does to gradients: the share of gradient values that underflow.

A value below a format's smallest normal number (fp16: 2^-14 = 6.1e-5) is *subnormal*: it
keeps fewer significant bits the smaller it is; below half the smallest subnormal (fp16:
2^-25 = 3e-8) it rounds to zero (IEEE 754 gradual underflow). Training gradients are small:
the loss is a mean over batch x tokens, so each activation's gradient carries 1/(B T) of it
(Micikevicius et al. 2018, "Mixed Precision Training", fig. 3: most activation gradients of
an SSD model lie below fp16's normal range). bf16's smallest normal is fp32's (1.2e-38).

``gradient_values`` collects the gradients of a step as they would be stored in a 16-bit
backward pass: the weights' gradients and the activations' (the input of every block and of
the final norm, kept with ``retain_grad``), in fp32, so one backward pass serves every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from llmiq.labs.mixed_precision.formats import dtype


@contextmanager
def activation_gradients(
    model: nn.Module, modules: list[nn.Module]
) -> Iterator[list[torch.Tensor]]:
    """Yields a list that fills, during a forward pass, with the outputs of ``modules``; after
    ``backward`` their ``.grad`` holds the activation gradients."""
    kept: list[torch.Tensor] = []

    def keep(module: nn.Module, inputs: object, output: torch.Tensor) -> None:
        output.retain_grad()
        kept.append(output)

    hooks = [m.register_forward_hook(keep) for m in modules]
    try:
        yield kept
    finally:
        for hook in hooks:
            hook.remove()


def gradient_values(model: nn.Module, activations: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """Flat fp32 gradients of the weights and of the kept activations after ``backward``."""
    weights = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    acts = [a.grad.flatten() for a in activations if a.grad is not None]
    return {"weights": torch.cat(weights), "activations": torch.cat(acts)}


def underflow(values: torch.Tensor, name: str, scale: float = 1.0) -> dict[str, float]:
    """Shares of the nonzero ``values`` that, multiplied by ``scale`` and cast to ``name``,
    become zero, become subnormal, or overflow to inf.

    >>> shares = underflow(torch.tensor([1.0, 1e-6, 1e-9, 0.0]), "float16")
    >>> shares["zero"], shares["subnormal"], shares["overflow"]
    (0.3333333333333333, 0.3333333333333333, 0.0)
    """
    nonzero = values[values != 0].to(torch.float64) * scale
    cast = nonzero.to(dtype(name))
    tiny = torch.finfo(dtype(name)).tiny
    n = max(len(nonzero), 1)
    zero = (cast == 0).sum().item()
    infinite = torch.isinf(cast).sum().item()
    subnormal = ((cast != 0) & (cast.abs() < tiny)).sum().item()
    return {
        "zero": zero / n,
        "subnormal": subnormal / n,
        "overflow": infinite / n,
        "underflow": (zero + subnormal) / n,
    }


def log2_histogram(values: torch.Tensor, low: int = -40, high: int = 4) -> list[int]:
    """Counts of nonzero |values| per power of two, bins [2^k, 2^(k+1)) for k in low..high-1
    (values outside go to the end bins)."""
    nonzero = values[values != 0].abs().to(torch.float64)
    k = torch.floor(torch.log2(nonzero)).clamp(low, high - 1).long() - low
    return torch.bincount(k, minlength=high - low).tolist()
