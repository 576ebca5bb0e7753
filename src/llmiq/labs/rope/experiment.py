"""The RoPE lab's run: the relative property, the library check, a tiny model past its
trained length (plain and interpolated), the long-term decay; what it measured, as
``RopeMetrics``."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import LabResult
from llmiq.labs.rope.claims import (
    Paired,
    decay_claim,
    extrapolation_claim,
    finetuned_claim,
    interpolation_claim,
    library_claim,
    relative_claim,
)
from llmiq.labs.rope.config import Config
from llmiq.labs.rope.figures import plot_rope
from llmiq.labs.rope.model import RotaryGPT, held_out_windows, position_losses, train
from llmiq.labs.rope.rotary import (
    absolute_scores,
    binned,
    compare_with_transformers,
    log_edges,
    matched_scores,
    rope_scores,
    sinusoidal,
    spread,
    su_bound,
)


@dataclass
class RopeMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    head_dim: int
    base: float
    distances: list[int]
    max_position: int  # the farthest absolute position a pair was placed at
    key_position_scale: float  # 1 unless broken on purpose
    rope_spread: float  # largest score movement / (|q||k|), float64
    rope_spread_fp32: float  # the same with float32 values and angles
    sinusoidal_spread: float
    learned_spread: float
    vs_transformers_same_rounding: float  # max |diff|, float32 angles like the library's
    vs_transformers_float64_angles: float
    train_length: int
    eval_lengths: list[int]
    model_params: int
    final_train_loss: float
    loss_before_length: list[float]  # positions < L, plain RoPE, per evaluated length
    loss_past_length: list[float | None]  # positions >= L (None at L itself)
    rise_past_length: list[list[float] | None]  # paired mean and standard error
    loss_plain: list[float]  # whole windows
    loss_interpolated: list[float]
    interpolation_gain: list[list[float]]  # plain - interpolated: mean, standard error
    finetune_length: int
    finetune_steps: int
    finetuned_plain: float
    finetuned_interpolated: float
    finetuned_gain: list[float]
    decay_head_dim: int
    decay_edges: list[int]
    decay_bound_by_bin: list[float]
    decay_matched_envelope_by_bin: list[float]
    single_frequency: bool
    torch_threads_used: int


Metrics = RopeMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[RopeMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[RopeMetrics]:
    torch.manual_seed(context.seed)
    generator = torch.Generator().manual_seed(context.seed)
    relative = relative_position(config, generator)
    library = {
        "same": max(
            compare_with_transformers(tokens=config.library_tokens, offset=offset)
            for offset in (0, config.library_offset)
        ),
        "float64": max(
            compare_with_transformers(
                tokens=config.library_tokens, offset=offset, angle_dtype=torch.float64
            )
            for offset in (0, config.library_offset)
        ),
    }
    past = past_trained_length(config, context)
    decay = long_term_decay(config, generator)

    L, factors = config.train_length, list(config.eval_factors)
    longest = max(factors) * L
    claims = [
        relative_claim(
            rope_spread=relative["rope"],
            rope_spread_fp32=relative["rope_fp32"],
            sinusoidal_spread=relative["sinusoidal"],
            learned_spread=relative["learned"],
            key_position_scale=config.key_position_scale,
            max_position=relative["max_position"],
        ),
        library_claim(
            library["same"], library["float64"], config.library_tokens, config.library_offset
        ),
        extrapolation_claim(L, factors, past["before"], past["past"], past["rises"]),
        interpolation_claim(factors, L, past["plain"], past["interpolated"], past["gains"]),
        finetuned_claim(
            longest,
            config.finetune_steps,
            (past["plain"][-1], past["interpolated"][-1]),
            (past["finetuned_plain"], past["finetuned_interpolated"]),
            past["finetuned_gain"],
        ),
        decay_claim(
            decay["edges"], decay["bound_bins"], decay["matched_bins"], config.single_frequency
        ),
    ]
    figure = plot_rope(
        context,
        placements=relative["placements"],
        distance=relative["figure_distance"],
        pair_scores=relative["figure_scores"],
        train_length=L,
        curves=past["curves"],
        distances=decay["distances"],
        bound=decay["bound"],
        matched=decay["matched"],
        head_dim=config.decay_head_dim,
    )
    i = factors.index(max(factors))
    metrics = RopeMetrics(
        head_dim=config.head_dim,
        base=config.base,
        distances=list(config.distances),
        max_position=relative["max_position"],
        key_position_scale=config.key_position_scale,
        rope_spread=relative["rope"],
        rope_spread_fp32=relative["rope_fp32"],
        sinusoidal_spread=round(relative["sinusoidal"], 4),
        learned_spread=round(relative["learned"], 4),
        vs_transformers_same_rounding=library["same"],
        vs_transformers_float64_angles=library["float64"],
        train_length=L,
        eval_lengths=[f * L for f in factors],
        model_params=past["params"],
        final_train_loss=round(past["final_loss"], 4),
        loss_before_length=_rounded(past["before"]),
        loss_past_length=[None if v is None else round(v, 4) for v in past["past"]],
        rise_past_length=[None if r is None else _pair(r) for r in past["rises"]],
        loss_plain=_rounded(past["plain"]),
        loss_interpolated=_rounded(past["interpolated"]),
        interpolation_gain=[_pair(g) for g in past["gains"]],
        finetune_length=longest,
        finetune_steps=config.finetune_steps,
        finetuned_plain=round(past["finetuned_plain"], 4),
        finetuned_interpolated=round(past["finetuned_interpolated"], 4),
        finetuned_gain=_pair(past["finetuned_gain"]),
        decay_head_dim=config.decay_head_dim,
        decay_edges=decay["edges"],
        decay_bound_by_bin=_rounded(decay["bound_bins"]),
        decay_matched_envelope_by_bin=_rounded(decay["matched_bins"]),
        single_frequency=config.single_frequency,
        torch_threads_used=torch.get_num_threads(),
    )
    key_figure = (
        f"score spread {relative['rope']:.0e} (RoPE) vs {relative['sinusoidal']:.2f} (sinusoidal); "
        f"at {longest} tokens, loss {past['before'][i]:.2f} before L -> {past['past'][i]:.2f} "
        f"past it; interpolated {past['interpolated'][i]:.2f} vs plain {past['plain'][i]:.2f}"
    )
    return LabResult(
        title="RoPE: relative positions, past the trained length, and the long-term decay",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[figure],
    )


def _rounded(values: list[float]) -> list[float]:
    return [round(v, 4) for v in values]


def _pair(p: Paired) -> list[float]:
    return [round(p.mean, 4), round(p.se, 4)]


def paired(differences: torch.Tensor) -> Paired:
    """Mean and standard error of per-window differences."""
    n = differences.numel()
    return Paired(differences.mean().item(), differences.std().item() / math.sqrt(n))


def relative_position(config: Config, generator: torch.Generator) -> dict[str, Any]:
    """Each random (q, k) pair at ``placements`` absolute positions, for each distance m - n:
    how far its score moves with RoPE, and with sinusoidal or table positions added to the
    input (random projections W_q, W_k stand in for a layer's)."""
    d, P = config.head_dim, config.pairs
    q = torch.randn(P, d, generator=generator, dtype=torch.float64)
    k = torch.randn(P, d, generator=generator, dtype=torch.float64)
    w_q = torch.randn(d, d, generator=generator, dtype=torch.float64) / math.sqrt(d)
    w_k = torch.randn(d, d, generator=generator, dtype=torch.float64) / math.sqrt(d)
    n = torch.arange(config.placements) * config.placement_stride  # (O,)
    top = int(n[-1]) + max(config.distances)
    table = torch.randn(top + 1, d, generator=generator, dtype=torch.float64)
    norms = q.norm(dim=1) * k.norm(dim=1)  # (P,)
    spreads: dict[str, float] = {"rope": 0.0, "rope_fp32": 0.0, "sinusoidal": 0.0, "learned": 0.0}
    figure_distance = config.distances[min(2, len(config.distances) - 1)]
    figure_scores: dict[str, list[float]] = {}
    for distance in config.distances:
        m = n + distance
        keys = n * config.key_position_scale
        rope = rope_scores(q, k, m, keys, config.base)
        rope32 = rope_scores(q.float(), k.float(), m, keys, config.base, angle_dtype=torch.float32)
        found = {"rope": spread(rope, norms), "rope_fp32": spread(rope32.double(), norms)}
        absolute = {}
        for name, (pm, pn) in {
            "sinusoidal": (sinusoidal(m, d), sinusoidal(n, d)),
            "learned": (table[m], table[n]),
        }.items():
            scores = absolute_scores(q, k, pm, pn, w_q, w_k)  # (P, O)
            size = ((q[:, None] + pm) @ w_q.T).norm(dim=-1) * ((k[:, None] + pn) @ w_k.T).norm(
                dim=-1
            )
            found[name] = spread(scores, size.mean(1))
            absolute[name] = (scores[0] / size[0]).tolist()
        spreads = {key: max(spreads[key], found[key]) for key in spreads}
        if distance == figure_distance:
            figure_scores = {
                "RoPE": (rope[0] / norms[0]).tolist(),
                "sinusoidal, added to the input": absolute["sinusoidal"],
                "random position table, added": absolute["learned"],
            }
    return spreads | {
        "max_position": top,
        "placements": n.tolist(),
        "figure_distance": figure_distance,
        "figure_scores": figure_scores,
    }


def past_trained_length(config: Config, context: LabContext) -> dict[str, Any]:
    """Train the RoPE GPT on windows of L, evaluate held-out windows of L x each factor with
    plain and interpolated positions, then fine-tune a copy of each at the longest length."""
    text = stdlib_corpus(config.corpus_chars)
    train_text, held_text = split_held_out(text)
    data = torch.tensor(tinylm.encode(train_text))
    held = torch.tensor(tinylm.encode(held_text))
    L = config.train_length
    gpt = tinylm.GPTConfig(
        block_size=L, n_layer=config.n_layer, n_head=config.n_head, n_embd=config.n_embd
    )
    model = RotaryGPT(gpt, base=config.base)
    generator = torch.Generator().manual_seed(context.seed)
    with context.progress(config.train_steps, "rope: training a byte-level RoPE GPT") as advance:
        losses = train(
            model,
            data,
            length=L,
            steps=config.train_steps,
            batch_size=config.batch_size,
            lr=config.learning_rate,
            generator=generator,
            on_step=advance,
        )
    out: dict[str, Any] = {
        key: [] for key in ("before", "past", "rises", "plain", "interpolated", "gains")
    }
    windows: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
    last: dict[str, torch.Tensor] = {}
    for factor in config.eval_factors:
        T = factor * L
        x, y = windows[T] = held_out_windows(held, T, config.eval_windows)
        plain = position_losses(model, x, y)  # (W, T)
        interpolated = position_losses(model, x, y, L / T)
        out["before"].append(plain[:, :L].mean().item())
        out["past"].append(plain[:, L:].mean().item() if T > L else None)
        out["rises"].append(paired(plain[:, L:].mean(1) - plain[:, :L].mean(1)) if T > L else None)
        out["plain"].append(plain.mean().item())
        out["interpolated"].append(interpolated.mean().item())
        out["gains"].append(paired(plain.mean(1) - interpolated.mean(1)))
        if factor == max(config.eval_factors):
            last = {"plain RoPE": plain.mean(0), "interpolated": interpolated.mean(0)}

    T = max(config.eval_factors) * L
    x, y = windows[T]
    tuned = {}
    with context.progress(
        2 * config.finetune_steps, "rope: fine-tuning at the longest length"
    ) as advance:
        for name, scale in (("plain", 1.0), ("interpolated", L / T)):
            copy_ = copy.deepcopy(model)
            train(
                copy_,
                data,
                length=T,
                steps=config.finetune_steps,
                batch_size=max(1, config.batch_size * L // T),
                lr=config.finetune_learning_rate,
                generator=torch.Generator().manual_seed(context.seed + 1),
                position_scale=scale,
                on_step=advance,
            )
            tuned[name] = position_losses(copy_, x, y, scale)  # (W, T)
    last |= {
        "plain, fine-tuned": tuned["plain"].mean(0),
        "interpolated, fine-tuned": tuned["interpolated"].mean(0),
    }
    tail = losses[-20:]
    return out | {
        "params": sum(p.numel() for p in model.parameters()),
        "final_loss": sum(tail) / len(tail),
        "finetuned_plain": tuned["plain"].mean().item(),
        "finetuned_interpolated": tuned["interpolated"].mean().item(),
        "finetuned_gain": paired(tuned["plain"].mean(1) - tuned["interpolated"].mean(1)),
        "curves": last,
    }


def long_term_decay(config: Config, generator: torch.Generator) -> dict[str, Any]:
    """Su et al.'s bound and the matched-key score for every distance 0 .. max, and both
    summarised per log-spaced distance bin."""
    distances = torch.arange(config.decay_max_distance + 1)
    single = config.single_frequency
    bound = su_bound(distances, config.decay_head_dim, config.base, single=single)
    vectors = torch.randn(config.decay_vectors, config.decay_head_dim, generator=generator)
    matched = matched_scores(distances, vectors, config.base, single=single)
    edges = log_edges(config.decay_max_distance)
    return {
        "distances": distances,
        "bound": bound,
        "matched": matched,
        "edges": edges,
        "bound_bins": binned(bound, distances, edges, envelope=False),
        "matched_bins": binned(matched, distances, edges, envelope=True),
    }
