"""Attention read out of a pretrained model: all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM"; a
6-layer, 12-head BERT encoder), its weights replayed by the from-scratch code, and how far an
ambiguous word's attention moves between two contexts, against an unambiguous control word in
the same slot of the same two sentences (total variation per head).

Left out: any claim that attention weights *explain* a model's output (Jain & Wallace 2019
argue they often do not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from llmiq.labs import minilm
from llmiq.labs.attention.data import ContextItem, ContextPair
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


#: what the context experiment reads: the model's own weights, or a set-up where context
#: cannot matter (every row uniform over the sentence, or each word attending only to itself)
WEIGHTS = ("model", "uniform", "self")


def word_row(run: MiniLMPass, word: str, weights: str = "model") -> torch.Tensor:
    """The attention row of ``word`` (one token, once in the sentence): (layers, heads, L)."""
    positions = [i for i, t in enumerate(run.tokens) if t == word]
    if len(positions) != 1:
        raise ValueError(f"{word!r} must be one token, once, in {' '.join(run.tokens)!r}")
    row = run.attentions[:, :, positions[0], :]
    if weights == "uniform":
        return torch.full_like(row, 1.0 / row.size(-1))
    if weights == "self":
        return torch.zeros_like(row).index_fill_(-1, torch.tensor(positions), 1.0)
    if weights != "model":
        raise ValueError(f"weights must be one of {WEIGHTS}, not {weights!r}")
    return row


@dataclass
class WordShift:
    """How far one word's attention moves between the two sentences of a pair."""

    pair: ContextPair
    tv: float  # shared-word TV, mean over layers and heads
    tv_union: float  # TV over the union of both sentences' words
    tv_per_head: torch.Tensor  # (layers, heads), shared-word TV
    top_a: list[str]  # words it attends to most in sentence a
    top_b: list[str]
    passes: tuple[MiniLMPass, MiniLMPass] = field(repr=False)


def word_shift(model: Any, tokenizer: Any, pair: ContextPair, weights: str = "model") -> WordShift:
    """Run both sentences and measure ``pair.word``'s attention shift between them."""
    a = minilm_pass(model, tokenizer, pair.sentence_a)
    b = minilm_pass(model, tokenizer, pair.sentence_b)
    row_a, row_b = word_row(a, pair.word, weights), word_row(b, pair.word, weights)
    p, q = attention_by_word(a.tokens, row_a), attention_by_word(b.tokens, row_b)
    per_head = total_variation(p, q, shared_only=True)  # (layers, heads)
    return WordShift(
        pair=pair,
        tv=per_head.mean().item(),
        tv_union=total_variation(p, q, shared_only=False).mean().item(),
        tv_per_head=per_head,
        top_a=top_words(a.tokens, row_a, pair.word),
        top_b=top_words(b.tokens, row_b, pair.word),
        passes=(a, b),
    )


@dataclass
class ItemShift:
    """An item's two shifts: the ambiguous word's and the control's, in the same frames."""

    item: ContextItem
    word: WordShift
    control: WordShift

    @property
    def net(self) -> float:
        """The ambiguity effect net of the context effect: ambiguous shift - control shift."""
        return self.word.tv - self.control.tv


def item_shift(model: Any, tokenizer: Any, item: ContextItem, weights: str = "model") -> ItemShift:
    return ItemShift(
        item,
        word_shift(model, tokenizer, item.pair(item.word), weights),
        word_shift(model, tokenizer, item.pair(item.control), weights),
    )
