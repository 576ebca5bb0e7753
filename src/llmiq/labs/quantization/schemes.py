"""Symmetric absmax weight quantization from scratch: per tensor, per output channel and per
group of input weights, at any bit width; what each costs to store; and the same int8
quantization done by PyTorch's own quantization functions, to check ours against.

A weight matrix ``W`` (out_features, in_features) is stored as integer codes and scales,

    scale = absmax / qmax,  q = clamp(round(W / scale), -qmax, qmax),  W_hat = q * scale

with ``qmax = 2**(bits - 1) - 1`` (127 for int8, 7 for int4) and ``absmax`` the largest
``|w|`` of the slice that shares the scale: the whole matrix (per tensor), one row, i.e. one
output channel (per channel), or ``group_size`` consecutive weights of a row (per group).
A slice whose largest weight is an outlier spends its levels on the outlier and rounds every
small weight to a few codes; smaller slices confine the damage (Dettmers et al. 2022,
"LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale").
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import torch

_NAME = re.compile(r"int(?P<bits>\d+)/(?P<gran>tensor|channel|g(?P<group>\d+))")


@dataclass(frozen=True)
class Scheme:
    """How weights are stored: ``fp32``, ``fp16``, or ``int<bits>/<granularity>`` with
    granularity ``tensor``, ``channel`` or ``g<group size>``.

    >>> Scheme.parse("int4/g32")
    Scheme(name='int4/g32', bits=4, granularity='group', group_size=32)
    >>> Scheme.parse("int8/channel").bits_per_weight(scale_bytes=2, shape=(4, 64))
    8.25
    """

    name: str
    bits: int  # bits per stored weight: 32, 16, 8, 4, 2
    granularity: str  # "float", "tensor", "channel" or "group"
    group_size: int = 0  # weights sharing one scale along a row (per-group only)

    @classmethod
    def parse(cls, name: str) -> Scheme:
        if name in ("fp32", "fp16"):
            return cls(name, int(name[2:]), "float")
        match = _NAME.fullmatch(name)
        if match is None or not 2 <= int(match["bits"]) <= 8:
            raise ValueError(
                f"unknown scheme {name!r}: fp32, fp16 or int<2..8>/tensor|channel|g<N>"
            )
        group = int(match["group"]) if match["group"] else 0
        if match["group"] and group < 1:
            raise ValueError(f"group size must be >= 1 in {name!r}")
        granularity = "group" if group else match["gran"]
        return cls(name, int(match["bits"]), granularity, group)

    @property
    def is_integer(self) -> bool:
        return self.granularity != "float"

    def scale_count(self, shape: tuple[int, int]) -> int:
        """Scales stored for a matrix of ``shape`` (none for floats)."""
        rows, cols = shape
        if self.granularity == "tensor":
            return 1
        if self.granularity == "channel":
            return rows
        if self.granularity == "group":
            return rows * -(-cols // self.group_size)
        return 0

    def storage_bytes(self, shape: tuple[int, int], scale_bytes: int) -> float:
        """Bytes to store a matrix of ``shape``: the codes packed at ``bits`` each, plus the
        scales at ``scale_bytes`` each.

        >>> Scheme.parse("int4/g32").storage_bytes((2, 64), scale_bytes=2)  # 64 B + 4 scales
        72.0
        """
        return shape[0] * shape[1] * self.bits / 8 + self.scale_count(shape) * scale_bytes

    def bits_per_weight(self, scale_bytes: int, shape: tuple[int, int]) -> float:
        return 8 * self.storage_bytes(shape, scale_bytes) / (shape[0] * shape[1])


@dataclass
class QuantizedWeight:
    """Integer codes (stored as int8 whatever the bit width) and the scales to multiply
    them by, broadcast over ``(out, groups, group_size)``."""

    codes: torch.Tensor  # (out, groups, group_size) int8
    scales: torch.Tensor  # (out, groups, 1), (out, 1, 1) or (1, 1, 1) float32
    shape: tuple[int, int]  # the original (out_features, in_features)

    def dequantize(self) -> torch.Tensor:
        """``codes * scales`` back in the original (out, in) shape, float32."""
        return (self.codes.float() * self.scales).reshape(self.shape)


def qmax(bits: int) -> int:
    """The largest code of a symmetric signed grid: 127 for int8, 7 for int4, 1 for int2.

    >>> qmax(8), qmax(4), qmax(2)
    (127, 7, 1)
    """
    return 2 ** (bits - 1) - 1


def quantize(
    weight: torch.Tensor, scheme: Scheme, scale_multiplier: float = 1.0
) -> QuantizedWeight:
    """Symmetric absmax quantization of a 2-D ``weight`` under ``scheme``.

    ``scale_multiplier`` scales every absmax scale: 1 is the method; a smaller value clips
    the large weights, a larger one leaves codes unused (both are broken set-ups).

    >>> w = torch.tensor([[0.5, -1.0, 0.25, 0.0], [8.0, 0.1, -0.2, 0.3]])
    >>> quantize(w, Scheme.parse("int8/channel")).codes.reshape(2, 4)
    tensor([[  64, -127,   32,    0],
            [ 127,    2,   -3,    5]], dtype=torch.int8)
    >>> quantize(w, Scheme.parse("int8/tensor")).codes.reshape(2, 4)  # 8.0 sets the one scale
    tensor([[  8, -16,   4,   0],
            [127,   2,  -3,   5]], dtype=torch.int8)
    """
    grouped, scales = _grouped_with_scales(weight, scheme, scale_multiplier)
    top = qmax(scheme.bits)
    codes = torch.clamp(torch.round(grouped / scales), -top, top).to(torch.int8)
    return QuantizedWeight(codes, scales, tuple(weight.shape))


def fake_quantize(
    weight: torch.Tensor, scheme: Scheme, scale_multiplier: float = 1.0
) -> torch.Tensor:
    """``quantize(weight, scheme).dequantize()`` in one buffer, without the int8 codes: the
    same numbers (codes are small integers, exact in float32), with less memory traffic."""
    grouped, scales = _grouped_with_scales(weight, scheme, scale_multiplier)
    top = qmax(scheme.bits)
    out = grouped / scales
    out.round_().clamp_(-top, top).mul_(scales)
    return out.reshape(weight.shape)


def _grouped_with_scales(
    weight: torch.Tensor, scheme: Scheme, scale_multiplier: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """``weight`` viewed as (out, groups, group_size) and its scales (out | 1, groups | 1, 1)."""
    if not scheme.is_integer:
        raise ValueError(f"{scheme.name} is not an integer scheme")
    rows, cols = weight.shape
    w = weight.detach().float()
    if scheme.granularity == "group":
        if cols % scheme.group_size:
            raise ValueError(f"in_features {cols} is not a multiple of {scheme.group_size}")
        grouped = w.reshape(rows, cols // scheme.group_size, scheme.group_size)
    else:
        grouped = w.reshape(rows, 1, cols)
    if scheme.granularity == "tensor":
        absmax = grouped.abs().amax().reshape(1, 1, 1)
    else:
        absmax = grouped.abs().amax(dim=-1, keepdim=True)  # (out, groups, 1)
    scales = absmax / qmax(scheme.bits)  # divided, as PyTorch's observer does: same bits
    if scale_multiplier != 1.0:
        scales = scales * scale_multiplier
    scales = torch.where(scales > 0, scales, torch.ones_like(scales))  # an all-zero slice
    return grouped, scales


def round_trip(weight: torch.Tensor, scheme: Scheme, scale_multiplier: float = 1.0) -> torch.Tensor:
    """``weight`` as the forward pass sees it under ``scheme``: dequantized codes, or the
    float rounded to fp16 and back."""
    if scheme.name == "fp32":
        return weight.detach().float().clone()
    if scheme.name == "fp16":
        return weight.detach().half().float()
    return fake_quantize(weight, scheme, scale_multiplier)


def torch_int8_per_channel(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """PyTorch's own symmetric per-channel int8: the scales of its ``PerChannelMinMaxObserver``
    (``per_channel_symmetric`` over [-127, 127]) and the codes of ``torch.quantize_per_channel``;
    returns ``(codes, scales)``.

    PyTorch 2.13 deprecates its quantized tensors (the future home is ``torchao``), but they
    are still the reference implementation: the warning is silenced here only.
    """
    from torch.ao.quantization.observer import PerChannelMinMaxObserver

    w = weight.detach().float()
    observer = PerChannelMinMaxObserver(
        ch_axis=0,
        dtype=torch.qint8,
        qscheme=torch.per_channel_symmetric,
        quant_min=-127,
        quant_max=127,
    )
    observer(w)
    scales, zero_points = observer.calculate_qparams()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*quantized tensor creation functions")
        quantized = torch.quantize_per_channel(w, scales, zero_points, 0, torch.qint8)
    return quantized.int_repr(), scales


def torch_group_fake_quant(weight: torch.Tensor, bits: int, group_size: int) -> torch.Tensor:
    """Per-group symmetric quantization done by PyTorch: a group is a channel of the matrix
    reshaped to (out * in / group_size, group_size), quantized and dequantized by
    ``torch.fake_quantize_per_channel_affine`` with its observer's scales."""
    from torch.ao.quantization.observer import PerChannelMinMaxObserver

    rows, cols = weight.shape
    groups = weight.detach().float().reshape(-1, group_size)
    top = qmax(bits)
    observer = PerChannelMinMaxObserver(
        ch_axis=0,
        dtype=torch.qint8,
        qscheme=torch.per_channel_symmetric,
        quant_min=-top,
        quant_max=top,
    )
    observer(groups)
    scales, zero_points = observer.calculate_qparams()
    fake = torch.fake_quantize_per_channel_affine(groups, scales, zero_points.int(), 0, -top, top)
    return fake.reshape(rows, cols)


def distinct_values_per_block(weight: torch.Tensor, block: int = 32) -> torch.Tensor:
    """How many distinct values each block of ``block`` consecutive weights of a row holds:
    at most 16 everywhere means the matrix lies on a 4-bit grid per block (GGUF's Q4_1).

    >>> distinct_values_per_block(torch.tensor([[1.0, 1.0, 2.0, 3.0]]), block=2)
    tensor([1, 2])
    """
    blocks = weight.detach().reshape(-1, block).sort(dim=-1).values
    return 1 + (blocks.diff(dim=-1) != 0).sum(dim=-1)


def min_max_4bit_error(weight: torch.Tensor, block: int = 32) -> float:
    """Largest ``|w - w_hat|`` when each block of ``block`` weights is stored as GGUF's Q4_1
    stores it: ``w_hat = m + d * q`` with ``m = min``, ``d = (max - min) / 15``, q in 0..15.
    About zero for weights that came from a Q4_1 file (they already are on that grid)."""
    blocks = weight.detach().float().reshape(-1, block)
    low, high = blocks.amin(-1, keepdim=True), blocks.amax(-1, keepdim=True)
    step = torch.where(high > low, (high - low) / 15, torch.ones_like(high))
    codes = torch.clamp(torch.round((blocks - low) / step), 0, 15)
    return float((low + codes * step - blocks).abs().max())
