"""Attention read out of a pretrained model: all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM"; a
6-layer, 12-head BERT encoder), its weights replayed by the from-scratch code, and how far an
ambiguous word's attention moves between two contexts (total variation per head).

Left out: any claim that attention weights *explain* a model's output (Jain & Wallace 2019
argue they often do not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from llmiq.labs import minilm
from llmiq.labs.attention.data import ContextPair
from llmiq.labs.attention.scratch import multi_head_attention, weights_from_bert

SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "[PAD]", ".", ","})


def load_minilm() -> tuple[Any, Any]:
    """MiniLM with the eager attention, which returns its weights."""
    return minilm.load_minilm("eager")


@dataclass
class MiniLMPass:
    """One sentence through MiniLM: its tokens, every head's weights, and the attention
    blocks' outputs (the output projection, before the residual and LayerNorm)."""

    tokens: list[str]
    attentions: torch.Tensor  # (layers, heads, L, L)
    block_outputs: list[torch.Tensor]  # layers x (1, L, D)
    replay_weight_error: float  # max |from-scratch weights - the model's| over all layers
    replay_output_error: float  # same for the attention block output


def minilm_pass(model: Any, tokenizer: Any, sentence: str) -> MiniLMPass:
    """Run MiniLM on one sentence and replay each layer's attention from scratch with that
    layer's own weights, on that layer's input."""
    enc = tokenizer(sentence, return_tensors="pt")
    captured: list[torch.Tensor] = []
    hooks = [
        layer.attention.output.dense.register_forward_hook(lambda _m, _i, out: captured.append(out))
        for layer in model.encoder.layer
    ]
    try:
        with torch.no_grad():
            out = model(**enc, output_attentions=True, output_hidden_states=True)
    finally:
        for hook in hooks:
            hook.remove()
    weight_error = output_error = 0.0
    with torch.no_grad():
        for i, layer in enumerate(model.encoder.layer):
            x = out.hidden_states[i]  # (1, L, D): the input of layer i
            ours, w = multi_head_attention(x, weights_from_bert(layer))
            weight_error = max(weight_error, (w - out.attentions[i]).abs().max().item())
            output_error = max(output_error, (ours - captured[i]).abs().max().item())
    return MiniLMPass(
        tokens=tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist()),
        attentions=torch.stack(out.attentions)[:, 0],  # 6 x (1, 12, L, L) -> (6, 12, L, L)
        block_outputs=captured,
        replay_weight_error=weight_error,
        replay_output_error=output_error,
    )


def attention_by_word(tokens: list[str], rows: torch.Tensor) -> dict[str, torch.Tensor]:
    """Sum attention rows (..., L) per word type: repeated words ("the" twice) pool."""
    pooled: dict[str, torch.Tensor] = {}
    for i, token in enumerate(tokens):
        pooled[token] = pooled.get(token, 0) + rows[..., i]
    return pooled


def total_variation(
    p: dict[str, torch.Tensor], q: dict[str, torch.Tensor], *, shared_only: bool
) -> torch.Tensor:
    """TV distance, per head, between two attention distributions keyed by word. With
    ``shared_only`` both are restricted to the words they share and renormalised, so mass
    on words that only one sentence has does not count."""
    words = [w for w in p if w in q] if shared_only else list(dict.fromkeys([*p, *q]))

    def stack(d: dict[str, torch.Tensor]) -> torch.Tensor:
        ref = next(iter(d.values()))
        return torch.stack([d.get(w, torch.zeros_like(ref)) for w in words], dim=-1)

    a, b = stack(p), stack(q)  # (..., W)
    if shared_only:
        a, b = a / a.sum(-1, keepdim=True), b / b.sum(-1, keepdim=True)
    return 0.5 * (a - b).abs().sum(-1)  # (...)


def top_words(tokens: list[str], rows: torch.Tensor, exclude: str, n: int = 3) -> list[str]:
    """The n content words a word attends to most (mean over heads), specials left out."""
    pooled = attention_by_word(tokens, rows.mean(dim=tuple(range(rows.dim() - 1))))
    ranked = sorted(pooled, key=lambda w: -float(pooled[w]))
    return [w for w in ranked if w not in SPECIAL_TOKENS and w != exclude][:n]


@dataclass
class ContextShift:
    """How far a word's attention moves between the two sentences of a pair."""

    pair: ContextPair
    word_tv: float  # shared-word TV of the ambiguous word, mean over heads
    control_tv: float  # same for the control word
    word_tv_union: float  # TV over the union of both sentences' words
    control_tv_union: float
    word_tv_per_head: torch.Tensor  # (layers, heads)
    top_a: list[str]  # words the ambiguous word attends to most in sentence a
    top_b: list[str]
    passes: tuple[MiniLMPass, MiniLMPass] = field(repr=False)


def word_row(run: MiniLMPass, word: str) -> torch.Tensor:
    positions = [i for i, t in enumerate(run.tokens) if t == word]
    if len(positions) != 1:
        raise ValueError(f"{word!r} must be one token, once, in {' '.join(run.tokens)!r}")
    return run.attentions[:, :, positions[0], :]  # (layers, heads, L)


def context_shift(model: Any, tokenizer: Any, pair: ContextPair) -> ContextShift:
    a = minilm_pass(model, tokenizer, pair.sentence_a)
    b = minilm_pass(model, tokenizer, pair.sentence_b)

    def tv(word: str, shared_only: bool) -> torch.Tensor:
        p = attention_by_word(a.tokens, word_row(a, word))
        q = attention_by_word(b.tokens, word_row(b, word))
        return total_variation(p, q, shared_only=shared_only)  # (layers, heads)

    per_head = tv(pair.word, True)
    return ContextShift(
        pair=pair,
        word_tv=per_head.mean().item(),
        control_tv=tv(pair.control, True).mean().item(),
        word_tv_union=tv(pair.word, False).mean().item(),
        control_tv_union=tv(pair.control, False).mean().item(),
        word_tv_per_head=per_head,
        top_a=top_words(a.tokens, word_row(a, pair.word), pair.word),
        top_b=top_words(b.tokens, word_row(b, pair.word), pair.word),
        passes=(a, b),
    )
