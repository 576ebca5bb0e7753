"""What quantizing SmolLM2's linear weights does to its next-token distributions: the
weights swapped in place for their round trip under a scheme (and put back), the text scored
position by position, and the distance from the fp32 reference measured."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class SchemeResult:
    """One storage scheme measured against the fp32 reference."""

    scheme: str
    linear_bytes: float  # bytes of every quantized linear weight, scales included
    bits_per_weight: float
    kl_nats: float  # mean KL(fp32 || scheme) of the next-token distribution, all positions
    top1_agreement: float  # share of positions whose most likely next token is unchanged
    kl_by_language: dict[str, float]
    top1_by_language: dict[str, float]
    perplexity: dict[str, float]  # exp(mean NLL of the actual next tokens), per language
    weight_relative_error: float  # ||W - W_hat|| / ||W|| over all quantized weights
    #: median fp32 probability gap between the top two tokens where the top-1 changed
    flipped_margin_median: float | None

    def rounded(self) -> dict[str, Any]:
        """The numbers as report.json shows them."""
        return {
            "linear_bytes": round(self.linear_bytes),
            "bits_per_weight": round(self.bits_per_weight, 4),
            "kl_nats": float(f"{self.kl_nats:.4g}"),
            "top1_agreement": round(self.top1_agreement, 4),
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


def evaluation_tokens(tokenizer: Any, language: str, positions: int) -> torch.Tensor:
    """The first ``positions + 1`` tokens of the seed bank's explanations in ``language``,
    joined by blank lines: ``positions`` next-token predictions to score."""
    ids = tokenizer("\n\n".join(bank_texts(language)))["input_ids"]
    if len(ids) < positions + 1:
        raise ValueError(
            f"the {language} bank text has {len(ids)} tokens, fewer than {positions + 1}"
        )
    return torch.tensor(ids[: positions + 1])


@torch.inference_mode()
def next_token_logprobs(model: Any, tokens: torch.Tensor) -> torch.Tensor:
    """Log-softmax of the model's next-token logits at every position of ``tokens[:-1]``,
    (T, V), in one forward pass."""
    logits = model(input_ids=tokens[None, :-1]).logits[0]  # (T, V)
    return torch.log_softmax(logits.float(), dim=-1)


def kl_and_top1(reference: torch.Tensor, other: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per position: ``KL(p || q) = sum_v p_v (log p_v - log q_v)`` in nats, and whether the
    argmax agrees; both (T,), from log-probabilities (T, V).

    >>> p = torch.log(torch.tensor([[0.5, 0.5], [0.9, 0.1]]))
    >>> kl, same = kl_and_top1(p, p.flip(-1))
    >>> kl.round(decimals=4), same
    (tensor([0.0000, 1.7578]), tensor([ True, False]))
    """
    kl = (reference.exp() * (reference - other)).sum(-1)
    return kl, reference.argmax(-1) == other.argmax(-1)


def top2_margin(logprobs: torch.Tensor) -> torch.Tensor:
    """Per position, the probability of the most likely token minus the second's, (T,):
    where it is small, any perturbation of the weights may swap the two.

    >>> top2_margin(torch.log(torch.tensor([[0.5, 0.3, 0.2]])))
    tensor([0.2000])
    """
    top = logprobs.exp().topk(2, dim=-1).values
    return top[:, 0] - top[:, 1]


def perplexity(logprobs: torch.Tensor, tokens: torch.Tensor) -> float:
    """exp of the mean negative log-likelihood of the actual next tokens ``tokens[1:]``."""
    nll = -logprobs.gather(-1, tokens[1:, None]).mean()
    return math.exp(float(nll))


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
    texts: dict[str, torch.Tensor],
    reference: dict[str, torch.Tensor],
    scheme: Scheme,
    *,
    scale_bytes: int = 2,
    scale_multiplier: float = 1.0,
) -> SchemeResult:
    """Score every text with the weights stored under ``scheme`` and compare each position's
    next-token distribution with ``reference`` (the fp32 log-probabilities of the same text)."""
    with weights_replaced(layers, scheme, scale_multiplier) as relative_error:
        scored = {language: next_token_logprobs(model, ids) for language, ids in texts.items()}
    kls, agreements = {}, {}
    for language, logprobs in scored.items():
        kls[language], agreements[language] = kl_and_top1(reference[language], logprobs)
    flipped = torch.cat(
        [top2_margin(reference[k])[~agreements[k]] for k in scored]  # fp32 margins at flips
    )
    shapes = [tuple(module.weight.shape) for _, module in layers]
    size = sum(scheme.storage_bytes(shape, scale_bytes) for shape in shapes)
    count = sum(rows * cols for rows, cols in shapes)
    return SchemeResult(
        scheme=scheme.name,
        linear_bytes=size,
        bits_per_weight=8 * size / count,
        kl_nats=float(torch.cat(list(kls.values())).mean()),
        top1_agreement=float(torch.cat(list(agreements.values())).float().mean()),
        kl_by_language={k: float(v.mean()) for k, v in kls.items()},
        top1_by_language={k: float(v.float().mean()) for k, v in agreements.items()},
        perplexity={k: perplexity(v, texts[k]) for k, v in scored.items()},
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
