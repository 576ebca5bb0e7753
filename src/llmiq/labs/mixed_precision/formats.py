"""The three formats side by side: range, precision, and what a cast does to a value.

fp32 has 8 exponent and 23 mantissa bits, fp16 5 and 10 (IEEE 754 binary16), bfloat16 8 and 7
(Kalamkar et al. 2019, "A Study of BFLOAT16 for Deep Learning Training"): bf16 keeps fp32's
range and gives up precision, fp16 keeps more precision in a range that ends at 65504.
``torch.finfo`` gives each format's numbers; every other number here comes from real casts
and real arithmetic in the format.
"""

from __future__ import annotations

import math

import torch

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def dtype(name: str) -> torch.dtype:
    if name not in DTYPES:
        raise ValueError(f"dtype is one of {', '.join(DTYPES)}, not {name!r}")
    return DTYPES[name]


def format_table(names: list[str]) -> dict[str, dict[str, float]]:
    """``torch.finfo`` of each format: largest, smallest normal (tiny), smallest subnormal,
    machine epsilon, and the bits of the significand.

    >>> format_table(["float16"])["float16"]["max"]
    65504.0
    """
    table = {}
    for name in names:
        info = torch.finfo(dtype(name))
        table[name] = {
            "max": float(info.max),
            "tiny": float(info.tiny),  # smallest normal: below it values lose precision
            "smallest_subnormal": float(info.smallest_normal * info.eps),
            "eps": float(info.eps),
            "mantissa_bits": float(round(-math.log2(info.eps))),
            "decades_of_range": round(math.log10(info.max / info.tiny), 2),
        }
    return table


def cast_probes(values: list[float], names: list[str]) -> dict[str, dict[str, str]]:
    """What each value becomes in each format: "inf", "0", "subnormal" or "normal"."""
    out: dict[str, dict[str, str]] = {}
    for value in values:
        row = {}
        for name in names:
            cast = torch.tensor(value, dtype=torch.float64).to(dtype(name))
            tiny = torch.finfo(dtype(name)).tiny
            if torch.isinf(cast):
                row[name] = "inf"
            elif cast == 0:
                row[name] = "0"
            elif abs(float(cast)) < tiny:
                row[name] = "subnormal"
            else:
                row[name] = "normal"
        out[f"{value:g}"] = row
    return out


def relative_errors(values: torch.Tensor, name: str) -> torch.Tensor:
    """|cast(v) - v| / |v| of each float64 value cast to ``name``."""
    cast = values.to(dtype(name)).to(torch.float64)
    return (cast - values).abs() / values.abs()


def rounding_error(values: torch.Tensor, name: str) -> float:
    """Mean relative error |cast(v) - v| / |v| of float64 ``values`` cast to ``name``."""
    return relative_errors(values, name).mean().item()


def in_range_values(n: int, generator: torch.Generator) -> torch.Tensor:
    """n values, log-uniform in [1e-3, 1e3] with random signs: normal in both 16-bit formats."""
    exponent = torch.rand(n, generator=generator, dtype=torch.float64) * 6 - 3
    sign = torch.randint(0, 2, (n,), generator=generator).to(torch.float64) * 2 - 1
    return sign * 10.0**exponent


def accumulate(start: float, increment: float, times: int, name: str) -> float:
    """``start`` plus ``increment`` added ``times`` times, every partial sum in the format:
    with bf16's 8 bits, 1 + 0.001 rounds back to 1 and the sum never moves."""
    total = torch.tensor(start, dtype=dtype(name))
    step = torch.tensor(increment, dtype=dtype(name))
    for _ in range(times):
        total = total + step
    return float(total)


def overflow_examples(
    width: int, scale: float, name: str, generator: torch.Generator
) -> dict[str, dict[str, float | str]]:
    """Activations computed in a format, against fp32:

    - ``exp_12``: exp(12) = 162755, as in a softmax that does not subtract the max first;
    - ``sum_of_squares``: sum of x^2 over a hidden vector of ``width`` entries of size
      ``scale`` (the variance inside LayerNorm/RMSNorm), about width * scale^2;
    - ``dot``: q . k with k = q plus noise of half its size, an attention logit between a
      query and a key that point the same way (no 1/sqrt(d) scaling).

    Each gives the value in the format, fp32's, and whether the format's is finite."""
    x = torch.randn(width, generator=generator) * scale  # (width,)
    k = x + torch.randn(width, generator=generator) * scale / 2  # (width,)
    ops = {
        "exp_12": lambda t: torch.exp(torch.tensor(12.0, dtype=t.dtype)),
        "sum_of_squares": lambda t: (t * t).sum(dtype=t.dtype),
        "dot": lambda t: t @ k.to(t.dtype),
    }
    out: dict[str, dict[str, float | str]] = {}
    for key, op in ops.items():
        reference = float(op(x))
        value = float(op(x.to(dtype(name))))
        finite = math.isfinite(value)
        out[key] = {  # JSON has no inf: a non-finite value is written as text
            "fp32": reference,
            "value": value if finite else str(value),
            "finite": float(finite),
            "relative_error": abs(value - reference) / abs(reference) if finite else "n/a",
        }
    return out


def exp_overflow_threshold(name: str) -> float:
    """The x above which exp(x) is inf in the format: ln(max), about 11.09 for fp16."""
    return math.log(torch.finfo(dtype(name)).max)
