"""What quantizing SmolLM2's linear weights does to its next-token distributions: the
weights swapped in place for their round trip under a scheme (and put back), windows of text
scored position by position, and the distance from the fp32 reference measured per window.

A fixed model on fixed text has no randomness of its own: each seed draws its own windows of
the seed bank's explanations, and the intervals resample the windows (and the seeds)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import torch

from llmiq.labs.pretrained import bank_texts
from llmiq.labs.quantization.schemes import (
    Scheme,
    distinct_values_per_block,
    min_max_4bit_error,
    qmax,
    quantize,
    round_trip,
    torch_group_fake_quant,
    torch_int8_per_channel,
)
from llmiq.labs.uncertainty import Interval, nested_interval


@dataclass
class Windows:
    """Windows of text to score, each ``length + 1`` tokens (``length`` predictions), with
    the seed that drew it and its language."""

    tokens: torch.Tensor  # (N, length + 1)
    seeds: list[int]
    languages: list[str]

    def __len__(self) -> int:
        return len(self.seeds)

    def groups(self, values: Sequence[float]) -> list[list[float]]:
        """``values`` (one per window) grouped by seed, in seed order: what
        ``nested_interval`` resamples."""
        return [
            [v for v, s in zip(values, self.seeds, strict=True) if s == seed]
            for seed in dict.fromkeys(self.seeds)
        ]


def text_windows(
    tokenizer: Any, languages: Sequence[str], count: int, length: int, seeds: Sequence[int]
) -> Windows:
    """For each seed and language, ``count`` windows of ``length + 1`` tokens of the seed
    bank's explanations (joined by blank lines), starting at distinct positions drawn with
    the seed."""
    import numpy as np

    texts = {lang: tokenizer("\n\n".join(bank_texts(lang)))["input_ids"] for lang in languages}
    rows, window_seeds, window_languages = [], [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for lang in languages:
            ids = texts[lang]
            if len(ids) < length + 1 + count:
                raise ValueError(f"the {lang} bank text has {len(ids)} tokens, too few")
            starts = np.sort(rng.choice(len(ids) - length, size=count, replace=False))
            rows += [ids[s : s + length + 1] for s in starts]
            window_seeds += [seed] * count
            window_languages += [lang] * count
    return Windows(torch.tensor(rows), window_seeds, window_languages)


@dataclass
class SchemeResult:
    """One storage scheme measured against the fp32 reference, window by window."""

    scheme: str
    linear_bytes: float  # bytes of every quantized linear weight, scales included
    bits_per_weight: float
    kl_per_window: list[float]  # mean KL(fp32 || scheme) over each window's positions
    top1_per_window: list[float]  # share of each window's positions keeping the top-1 token
    windows: Windows = field(repr=False)
    perplexity: dict[str, float]  # exp(mean NLL of the actual next tokens), per language
    weight_relative_error: float  # ||W - W_hat|| / ||W|| over all quantized weights
    #: median fp32 probability gap between the top two tokens where the top-1 changed
    flipped_margin_median: float | None

    @property
    def kl_nats(self) -> float:
        """Mean KL over every scored position (windows are of equal length)."""
        return sum(self.kl_per_window) / len(self.kl_per_window)

    @property
    def top1_agreement(self) -> float:
        return sum(self.top1_per_window) / len(self.top1_per_window)

    def _by_language(self, values: list[float]) -> dict[str, float]:
        out: dict[str, list[float]] = {}
        for v, lang in zip(values, self.windows.languages, strict=True):
            out.setdefault(lang, []).append(v)
        return {k: sum(v) / len(v) for k, v in out.items()}

    @property
    def kl_by_language(self) -> dict[str, float]:
        return self._by_language(self.kl_per_window)

    @property
    def top1_by_language(self) -> dict[str, float]:
        return self._by_language(self.top1_per_window)

    @cached_property
    def kl_interval(self) -> Interval:
        """95% interval of the mean KL, resampling seeds and the windows within them."""
        return nested_interval(self.windows.groups(self.kl_per_window), over=self._over)

    @cached_property
    def top1_interval(self) -> Interval:
        return nested_interval(self.windows.groups(self.top1_per_window), over=self._over)

    def kl_gain_over(self, other: SchemeResult) -> Interval:
        """Interval of the mean paired difference, this scheme's KL minus ``other``'s, on the
        same windows."""
        if other.windows is not self.windows:
            raise ValueError("paired differences need the same windows")
        diff = [a - b for a, b in zip(self.kl_per_window, other.kl_per_window, strict=True)]
        return nested_interval(self.windows.groups(diff), over=self._over)

    @property
    def _over(self) -> str:
        seeds = len(set(self.windows.seeds))
        per_seed = len(self.windows) // seeds
        length = self.windows.tokens.shape[1] - 1
        return f"{seeds} seed{'s' * (seeds > 1)} x {per_seed} windows of {length} tokens"

    def rounded(self) -> dict[str, Any]:
        """The numbers as report.json shows them."""

        def ci(interval: Interval, digits: int) -> list[float]:
            return [round(interval.low, digits), round(interval.high, digits)]

        return {
            "linear_bytes": round(self.linear_bytes),
            "bits_per_weight": round(self.bits_per_weight, 4),
            "kl_nats": float(f"{self.kl_nats:.4g}"),
            "kl_nats_ci": [float(f"{v:.4g}") for v in ci(self.kl_interval, 8)],
            "top1_agreement": round(self.top1_agreement, 4),
            "top1_agreement_ci": ci(self.top1_interval, 4),
            "kl_by_language": {k: float(f"{v:.4g}") for k, v in self.kl_by_language.items()},
            "top1_by_language": {k: round(v, 4) for k, v in self.top1_by_language.items()},
            "perplexity": {k: round(v, 3) for k, v in self.perplexity.items()},
            "weight_relative_error": float(f"{self.weight_relative_error:.4g}"),
            "flipped_margin_median": None
            if self.flipped_margin_median is None
            else round(self.flipped_margin_median, 4),
        }


def linear_layers(model: Any) -> list[tuple[str, torch.nn.Linear]]:
    """The decoder's linear layers (attention q/k/v/o, MLP gate/up/down), not the output
    head: SmolLM2 ties it to the token embedding, which stays in fp32, as most weight-only
    schemes (LLM.int8(), GPTQ, AWQ) keep it in high precision."""
    return [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and name != "lm_head"
    ]


@torch.inference_mode()
def next_token_logprobs(model: Any, tokens: torch.Tensor) -> torch.Tensor:
    """Log-softmax of the model's next-token logits at every position but the last of each
    window, (N, T, V) for ``tokens`` (N, T + 1), in one forward pass."""
    logits = model(input_ids=tokens[:, :-1]).logits  # (N, T, V)
    return torch.log_softmax(logits.float(), dim=-1)


def kl_and_top1(reference: torch.Tensor, other: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per position: ``KL(p || q) = sum_v p_v (log p_v - log q_v)`` in nats, and whether the
    argmax agrees; both (...,), from log-probabilities (..., V).

    >>> p = torch.log(torch.tensor([[0.5, 0.5], [0.9, 0.1]]))
    >>> kl, same = kl_and_top1(p, p.flip(-1))
    >>> kl.round(decimals=4), same
    (tensor([0.0000, 1.7578]), tensor([ True, False]))
    """
    kl = (reference.exp() * (reference - other)).sum(-1)
    return kl, reference.argmax(-1) == other.argmax(-1)


def top2_margin(logprobs: torch.Tensor) -> torch.Tensor:
    """Per position, the probability of the most likely token minus the second's, (...,):
    where it is small, any perturbation of the weights may swap the two.

    >>> top2_margin(torch.log(torch.tensor([[0.5, 0.3, 0.2]])))
    tensor([0.2000])
    """
    top = logprobs.exp().topk(2, dim=-1).values
    return top[..., 0] - top[..., 1]


def perplexity(logprobs: torch.Tensor, tokens: torch.Tensor) -> float:
    """exp of the mean negative log-likelihood of the actual next tokens ``tokens[..., 1:]``
    under ``logprobs`` (..., T, V)."""
    nll = -logprobs.gather(-1, tokens[..., 1:, None]).mean()
    return math.exp(float(nll))


def perplexity_by_language(logprobs: torch.Tensor, windows: Windows) -> dict[str, float]:
    """``perplexity`` of each language's windows."""
    out = {}
    for lang in dict.fromkeys(windows.languages):
        rows = [i for i, w in enumerate(windows.languages) if w == lang]
        out[lang] = perplexity(logprobs[rows], windows.tokens[rows])
    return out


@contextmanager
def weights_replaced(
    layers: list[tuple[str, torch.nn.Linear]], scheme: Scheme, scale_multiplier: float = 1.0
) -> Iterator[float]:
    """Every layer's weight replaced by its round trip under ``scheme`` for the duration,
    then restored exactly; yields the relative error ``||W - W_hat|| / ||W||`` pooled over
    all the layers."""
    originals = [module.weight.data for _, module in layers]
    error_sq = total_sq = 0.0
    try:
        for (_, module), weight in zip(layers, originals, strict=True):
            replaced = round_trip(weight, scheme, scale_multiplier)
            error_sq += float((replaced - weight).pow(2).sum())
            total_sq += float(weight.pow(2).sum())
            module.weight.data = replaced
        yield math.sqrt(error_sq / total_sq)
    finally:
        for (_, module), weight in zip(layers, originals, strict=True):
            module.weight.data = weight


def evaluate_scheme(
    model: Any,
    layers: list[tuple[str, torch.nn.Linear]],
    windows: Windows,
    reference: torch.Tensor,
    scheme: Scheme,
    *,
    scale_bytes: int = 2,
    scale_multiplier: float = 1.0,
) -> SchemeResult:
    """Score every window with the weights stored under ``scheme`` and compare each position's
    next-token distribution with ``reference`` (the fp32 log-probabilities of the same
    windows, (N, T, V))."""
    with weights_replaced(layers, scheme, scale_multiplier) as relative_error:
        scored = next_token_logprobs(model, windows.tokens)  # (N, T, V)
    kl, agree = kl_and_top1(reference, scored)  # (N, T) each
    flipped = top2_margin(reference)[~agree]  # fp32's margins where the top-1 changed
    shapes = [tuple(module.weight.shape) for _, module in layers]
    size = sum(scheme.storage_bytes(shape, scale_bytes) for shape in shapes)
    count = sum(rows * cols for rows, cols in shapes)
    return SchemeResult(
        scheme=scheme.name,
        linear_bytes=size,
        bits_per_weight=8 * size / count,
        kl_per_window=kl.mean(-1).tolist(),
        top1_per_window=agree.float().mean(-1).tolist(),
        windows=windows,
        perplexity=perplexity_by_language(scored, windows),
        weight_relative_error=relative_error,
        flipped_margin_median=float(flipped.median()) if len(flipped) else None,
    )


def library_differences(
    layers: list[tuple[str, torch.nn.Linear]], group_size: int, scale_multiplier: float = 1.0
) -> dict:
    """Our int8 per-channel codes and scales against PyTorch's observer and
    ``quantize_per_channel``, and our int4 per-group round trip against its fake
    quantization, over every layer. Codes may differ by one where ``w / scale`` is a rounding
    tie (``x.5`` to within float error: PyTorch multiplies by ``1 / scale``, we divide), so
    disagreements are counted, and those that are not ties counted apart. ``scale_multiplier``
    is passed to our quantizer (1: the method; anything else must disagree)."""
    int8, int4 = Scheme.parse("int8/channel"), Scheme.parse(f"int4/g{group_size}")
    scale_rel, code_diff, count = 0.0, 0, 0
    int8_differ = int8_not_tie = int4_differ = int4_not_tie = 0
    for _, module in layers:
        weight = module.weight.data
        ours = quantize(weight, int8, scale_multiplier)
        codes, scales = torch_int8_per_channel(weight)
        our_scales = ours.scales.reshape(-1)
        scale_rel = max(scale_rel, float(((our_scales - scales) / scales).abs().max()))
        diff = (ours.codes.reshape(codes.shape).int() - codes.int()).abs()
        code_diff = max(code_diff, int(diff.max()))
        ties = _is_tie(weight / ours.scales.reshape(-1, 1))
        int8_differ += int((diff > 0).sum())
        int8_not_tie += int(((diff > 0) & ~ties).sum())
        count += diff.numel()
        grouped = quantize(weight, int4, scale_multiplier)
        theirs = torch_group_fake_quant(weight, 4, group_size)
        differ = (grouped.dequantize() - theirs).abs() > 1e-6
        ratio = weight.reshape(grouped.codes.shape) / grouped.scales
        int4_differ += int(differ.sum())
        int4_not_tie += int((differ & ~_is_tie(ratio).reshape(weight.shape)).sum())
    return {
        "weights_compared": count,
        "int8_scale_max_rel_diff": scale_rel,
        "int8_code_max_diff": code_diff,
        "int8_codes_differing": int8_differ,
        "int8_codes_differing_not_at_ties": int8_not_tie,
        f"int4_g{group_size}_values_differing": int4_differ,
        f"int4_g{group_size}_values_differing_not_at_ties": int4_not_tie,
    }


def _is_tie(ratio: torch.Tensor, tolerance: float = 1e-4) -> torch.Tensor:
    """Where ``ratio`` is a half-integer (a rounding tie) to within ``tolerance``."""
    return ((ratio - ratio.floor()) - 0.5).abs() <= tolerance


def weight_statistics(
    layers: list[tuple[str, torch.nn.Linear]], grid_stride: int = 1
) -> dict[str, Any]:
    """Where per-tensor scaling loses levels, and what grid the weights came on.

    ``per_tensor_levels``: for each output row, the int8 levels its weights can reach when the
    matrix shares one scale, ``127 * row absmax / matrix absmax`` (per channel every row gets
    127). ``max_distinct_per_32``: distinct values in any block of 32 weights (<= 16: a 4-bit
    grid); ``q4_1_round_trip_max_abs``: how far Q4_1's min/max 4-bit grid is from them (both
    over every ``grid_stride``-th layer).
    """
    levels, distinct, grid_error = [], 0, 0.0
    for index, (_, module) in enumerate(layers):
        weight = module.weight.data
        rows = weight.abs().amax(dim=1)
        levels.append(qmax(8) * rows / rows.max())
        if index % grid_stride == 0:  # the grid of every ``grid_stride``-th layer (it sorts)
            distinct = max(distinct, int(distinct_values_per_block(weight).max()))
            grid_error = max(grid_error, min_max_4bit_error(weight))
    every = torch.cat(levels)
    return {
        "per_tensor_levels": every,
        "max_distinct_per_32": distinct,
        "q4_1_round_trip_max_abs": grid_error,
        "outlier_ratio_median": float((qmax(8) / every).median()),
    }
