"""What one seed of the RoPE lab measures: random (q, k) pairs placed along the positions,
the rotation against the library on random q and k, a byte-level RoPE GPT trained with the
seed and evaluated past its trained length on held-out windows the seed draws, and the
matched-key score of random vectors by distance. The training text and the closed-form
decay bound are shared by the seeds (``experiment``)."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext
from llmiq.labs.rope.config import Config
from llmiq.labs.rope.model import RotaryGPT, held_out_windows, position_losses, train
from llmiq.labs.rope.rotary import (
    absolute_scores,
    compare_with_transformers,
    matched_scores_per_vector,
    pair_spreads,
    rope_scores,
    sinusoidal,
)


@dataclass
class Relative:
    """How far each pair's score moves when only its absolute position moves, relative to
    |q| |k| (its largest movement over the distances), per encoding: (pairs,) each."""

    spreads: dict[str, torch.Tensor]  # "rope", "rope_fp32", "sinusoidal", "learned"
    max_position: int
    placements: list[int]
    figure_distance: int
    figure_scores: dict[str, list[float]]


def relative_position(config: Config, generator: torch.Generator) -> Relative:
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
    spreads = {key: torch.zeros(P) for key in ("rope", "rope_fp32", "sinusoidal", "learned")}
    figure_distance = config.distances[min(2, len(config.distances) - 1)]
    figure_scores: dict[str, list[float]] = {}
    for distance in config.distances:
        m = n + distance
        keys = n * config.key_position_scale
        rope = rope_scores(q, k, m, keys, config.base)
        rope32 = rope_scores(q.float(), k.float(), m, keys, config.base, angle_dtype=torch.float32)
        found = {
            "rope": pair_spreads(rope, norms),
            "rope_fp32": pair_spreads(rope32.double(), norms),
        }
        absolute = {}
        for name, (pm, pn) in {
            "sinusoidal": (sinusoidal(m, d), sinusoidal(n, d)),
            "learned": (table[m], table[n]),
        }.items():
            scores = absolute_scores(q, k, pm, pn, w_q, w_k)  # (P, O)
            size = ((q[:, None] + pm) @ w_q.T).norm(dim=-1) * ((k[:, None] + pn) @ w_k.T).norm(
                dim=-1
            )
            found[name] = pair_spreads(scores, size.mean(1))
            absolute[name] = (scores[0] / size[0]).tolist()
        spreads = {key: torch.maximum(spreads[key], found[key].float()) for key in spreads}
        if distance == figure_distance:
            figure_scores = {
                "RoPE": (rope[0] / norms[0]).tolist(),
                "sinusoidal, added to the input": absolute["sinusoidal"],
                "random position table, added": absolute["learned"],
            }
    return Relative(spreads, top, n.tolist(), figure_distance, figure_scores)


def library_differences(config: Config, seed: int) -> dict[str, float]:
    """Largest |difference| from transformers' rotary embedding on random q, k of this seed,
    near position 0 and ``library_offset`` further on: with float32 angles as the library
    rounds them ("same"), and with exact float64 angles ("float64")."""
    out = {}
    for key, dtype in (("same", torch.float32), ("float64", torch.float64)):
        out[key] = max(
            compare_with_transformers(
                tokens=config.library_tokens, offset=offset, angle_dtype=dtype, seed=seed
            )
            for offset in (0, config.library_offset)
        )
    return out


@dataclass
class PastLength:
    """The seed's RoPE GPT past its trained length: per evaluated length, per held-out window
    (W,) values; the longest length's fine-tuned losses; mean loss curves for the figure."""

    params: int
    final_loss: float  # mean of the last 20 training steps
    before: list[torch.Tensor]  # per length: mean loss at positions < L, per window
    past: list[torch.Tensor | None]  # positions >= L (None at L itself)
    plain: list[torch.Tensor]  # whole windows, plain positions
    interpolated: list[torch.Tensor]  # whole windows, positions x L / T
    finetuned_plain: torch.Tensor  # (W,) at the longest length, after fine-tuning
    finetuned_interpolated: torch.Tensor
    curves: dict[str, torch.Tensor]  # label -> (T,) mean loss by position, longest length


def past_trained_length(
    config: Config, context: LabContext, seed: int, data: torch.Tensor, held: torch.Tensor
) -> PastLength:
    """Train the RoPE GPT on windows of L with ``seed``, evaluate held-out windows (drawn with
    the seed) of L x each factor with plain and interpolated positions, then fine-tune a copy
    of each at the longest length on the same batches."""
    L = config.train_length
    gpt = tinylm.GPTConfig(
        block_size=L, n_layer=config.n_layer, n_head=config.n_head, n_embd=config.n_embd
    )
    model = RotaryGPT(gpt, base=config.base)
    generator = torch.Generator().manual_seed(seed)
    with context.progress(config.train_steps, f"rope: a byte-level RoPE GPT, seed {seed}") as go:
        losses = train(
            model,
            data,
            length=L,
            steps=config.train_steps,
            batch_size=config.batch_size,
            lr=config.learning_rate,
            generator=generator,
            on_step=go,
        )
    out = PastLength(
        params=sum(p.numel() for p in model.parameters()),
        final_loss=sum(losses[-20:]) / len(losses[-20:]),
        before=[],
        past=[],
        plain=[],
        interpolated=[],
        finetuned_plain=torch.zeros(0),
        finetuned_interpolated=torch.zeros(0),
        curves={},
    )
    longest = max(config.eval_factors) * L
    for factor in config.eval_factors:
        length = factor * L
        x, y = held_out_windows(held, length, config.eval_windows, generator)
        plain = position_losses(model, x, y)  # (W, length)
        interpolated = position_losses(model, x, y, L / length)
        out.before.append(plain[:, :L].mean(1))
        out.past.append(plain[:, L:].mean(1) if length > L else None)
        out.plain.append(plain.mean(1))
        out.interpolated.append(interpolated.mean(1))
        if length == longest:
            windows = (x, y)
            out.curves = {"plain RoPE": plain.mean(0), "interpolated": interpolated.mean(0)}
    tuned = {}
    batches_from = generator.get_state()  # both fine-tunings see the same batches
    with context.progress(2 * config.finetune_steps, "rope: fine-tuning at 4L") as advance:
        for name, scale in (("plain", 1.0), ("interpolated", L / longest)):
            copy_ = copy.deepcopy(model)
            train(
                copy_,
                data,
                length=longest,
                steps=config.finetune_steps,
                batch_size=max(1, config.batch_size * L // longest),
                lr=config.finetune_learning_rate,
                generator=torch.Generator().set_state(batches_from),
                position_scale=scale,
                on_step=advance,
            )
            tuned[name] = position_losses(copy_, *windows, scale)  # (W, longest)
    out.finetuned_plain = tuned["plain"].mean(1)
    out.finetuned_interpolated = tuned["interpolated"].mean(1)
    out.curves |= {
        "plain, fine-tuned": tuned["plain"].mean(0),
        "interpolated, fine-tuned": tuned["interpolated"].mean(0),
    }
    return out


def matched_by_vector(config: Config, generator: torch.Generator) -> torch.Tensor:
    """(vectors, distances 0 .. max) scores of a key equal to the query, per random vector
    of this seed (``rotary.matched_scores_per_vector``)."""
    distances = torch.arange(config.decay_max_distance + 1)
    vectors = torch.randn(config.decay_vectors, config.decay_head_dim, generator=generator)
    return matched_scores_per_vector(
        distances, vectors, config.base, single=config.single_frequency
    )


@dataclass
class SeedRun:
    seed: int
    relative: Relative
    library: dict[str, float]
    past: PastLength
    matched: torch.Tensor  # (vectors, distances)


def measure_seed(
    seed: int, config: Config, context: LabContext, text: tuple[torch.Tensor, torch.Tensor]
) -> SeedRun:
    """One replicate; Python, NumPy and torch are already seeded with ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    relative = relative_position(config, generator)
    library = library_differences(config, seed)
    past = past_trained_length(config, context, seed, *text)
    return SeedRun(seed, relative, library, past, matched_by_vector(config, generator))
