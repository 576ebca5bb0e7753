"""The sampling lab's run: train the model, turn every knob, and judge; what it measured,
as ``SamplingMetrics``."""

from __future__ import annotations

import random
import statistics
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import stdlib_corpus
from llmiq.labs.report import LabResult
from llmiq.labs.sampling.claims import (
    adjacent_gains,
    definitions_claim,
    max_new_tokens_claim,
    temperature_claim,
    top_k_claim,
)
from llmiq.labs.sampling.config import Config
from llmiq.labs.sampling.figures import plot_temperature, plot_top_k
from llmiq.labs.sampling.knobs import (
    distinct_n,
    entropy_bits,
    softmax_with_temperature,
    top_p_filter,
)
from llmiq.labs.sampling.measurements import (
    definition_checks,
    entropy_by_temperature,
    library_differences,
    max_new_tokens_measurements,
    top_k_measurements,
)
from llmiq.labs.sampling.model import CharVocab, generate, train_model


@dataclass
class SamplingMetrics:
    """What the lab measured, as report.json's ``metrics`` (means over the seeds unless
    said otherwise)."""

    vocab_size: int
    train_chars: int  # first seed's training split
    final_train_loss: float
    held_out_loss_nats: float
    temperatures: list[float]
    temperature_applied: bool
    entropy_bits_by_temperature: list[float]  # on fixed held-out contexts
    sample_entropy_bits_by_temperature: list[float]  # along the samples drawn at each T
    distinct_by_temperature: list[float]  # distinct-n per sample, mean over prompts and seeds
    distinct_gain_ci: list[list[float]]  # per neighbouring T pair: 95% interval of the gain
    samples_by_temperature: dict[str, str]  # first seed, first prompt
    prompts: int  # sampled per seed
    top_k: list[int]
    top_k_max_support: list[float]
    top_k_mean_support: list[float]
    top_k_entropy_bits: list[float]
    top_k_max_ratio_change: float
    untruncated_entropy_bits: float
    top_p: list[float]
    top_p_mean_support: list[float]
    max_new_tokens: dict[str, float]
    definition_checks: dict[str, Any]
    vs_transformers_max_abs: dict[str, float]
    torch_threads_used: int
    distinct_n: int  # the n of distinct-n (report.json names the key after it)

    def to_dict(self) -> dict[str, Any]:
        """report.json's layout: ``distinct_<n>_by_temperature``, and no ``distinct_n``."""
        data = asdict(self)
        n = data.pop("distinct_n")
        return {
            (f"distinct_{n}_by_temperature" if k == "distinct_by_temperature" else k): v
            for k, v in data.items()
        }


Metrics = SamplingMetrics  # the lab contract's name for it


def held_out_split(text: str, seed: int, share: float = 0.1) -> tuple[str, str]:
    """(training text, held-out text): paragraphs held out at random, drawn by ``seed``."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rng = random.Random(seed)
    held = [rng.random() < share for _ in paragraphs]
    train = [p for p, h in zip(paragraphs, held, strict=True) if not h]
    return "\n\n".join(train), "\n\n".join(p for p, h in zip(paragraphs, held, strict=True) if h)


@dataclass
class SeedRun:
    """One seed's model and measurements."""

    vocab: CharVocab
    train_chars: int
    final_loss: float
    held_loss: float
    held_entropy: list[float]  # per T, on fixed held-out contexts
    sample_entropy: list[list[float]]  # per T, per prompt: mean entropy along its sample
    diversity: list[list[float]]  # per T, per prompt: distinct-n of its sample
    example: dict[str, str]
    top_k: dict[str, list[float]]
    full_entropy: float
    top_p_support: list[float]
    lengths: dict[str, float]
    checks: dict[str, Any]
    library: dict[str, float]


def run(config: Config, context: LabContext) -> LabResult[SamplingMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _one_seed(config: Config, context: LabContext, text: str, seed: int) -> SeedRun:
    train_text, held_text = held_out_split(text, seed)
    vocab = CharVocab.from_text(train_text)
    train_ids, held_ids = vocab.encode(train_text), vocab.encode(held_text)
    V = len(vocab.chars)
    with context.progress(config.train_steps, f"sampling: training (seed {seed})") as advance:
        model, losses = train_model(train_ids, V, config, advance)

    # held-out contexts, evenly spread: the next-token distributions we measure
    windows = held_ids.unfold(0, config.context + 1, 1)  # (M, C + 1)
    picks = torch.linspace(0, windows.shape[0] - 1, config.eval_positions).long()
    with torch.no_grad():
        held = windows[picks]
        logits = model(held[:, :-1])  # (N, V)
        held_loss = F.cross_entropy(logits, held[:, -1]).item()
    probs = torch.softmax(logits, -1)
    generator = torch.Generator().manual_seed(seed)
    chosen = torch.randperm(windows.shape[0], generator=generator)[: config.samples]
    prefixes = windows[chosen, :-1]  # (S, C): prompts drawn at random from held-out text

    temps = list(config.temperatures)
    applied = temps if config.temperature_applied else [1.0] * len(temps)
    diversity, sample_entropy, example = [], [], {}
    for t, used in zip(temps, applied, strict=True):
        tokens, entropies = generate(
            model, prefixes, config.sample_length, temperature=used, seed=seed
        )  # the same uniform draws at every T: paired comparisons
        diversity.append([distinct_n([row], config.distinct_n) for row in tokens.tolist()])
        sample_entropy.append(entropies.mean(1).tolist())
        example[f"{t:g}"] = vocab.decode(prefixes[0].tolist() + tokens[0, :60].tolist())

    ks = [*config.top_ks, V]
    top_p_support = [
        (softmax_with_temperature(top_p_filter(logits, p), 1.0) > 0).sum(-1).float().mean().item()
        for p in config.top_ps
    ]
    lengths = max_new_tokens_measurements(
        model, prefixes, config.short_tokens, config.long_tokens,
        seed_short=seed, seed_long=seed, n=config.distinct_n,
    )  # fmt: skip
    return SeedRun(
        vocab=vocab,
        train_chars=len(train_ids),
        final_loss=statistics.fmean(losses[-50:]),
        held_loss=held_loss,
        held_entropy=entropy_by_temperature(logits, applied),
        sample_entropy=sample_entropy,
        diversity=diversity,
        example=example,
        top_k=top_k_measurements(probs, ks),
        full_entropy=entropy_bits(probs).mean().item(),
        top_p_support=top_p_support,
        lengths=lengths,
        checks=definition_checks(logits, config.top_ps, ks),
        library=library_differences(logits, temps, ks, config.top_ps),
    )


def _worst(runs: list[SeedRun]) -> tuple[dict, dict, dict, dict]:
    """The seeds' definition checks, top-k, length and library measurements combined: the
    worst case of each (largest error, smallest share, every check)."""
    first = runs[0]

    def columns(key: str, part: str) -> Any:
        return zip(*(getattr(r, part)[key] for r in runs), strict=True)

    top_k = {
        "max_support": [max(c) for c in columns("max_support", "top_k")],
        "mean_support": [statistics.fmean(c) for c in columns("mean_support", "top_k")],
        "ranking_kept": [min(c) for c in columns("ranking_kept", "top_k")],
        "max_ratio_change": [max(c) for c in columns("max_ratio_change", "top_k")],
        "entropy_bits": [statistics.fmean(c) for c in columns("entropy_bits", "top_k")],
    }
    checks = dict(first.checks)
    checks["t1_vs_softmax_max_abs"] = max(r.checks["t1_vs_softmax_max_abs"] for r in runs)
    checks["mean_argmax_mass_by_small_t"] = [
        min(c) for c in columns("mean_argmax_mass_by_small_t", "checks")
    ]
    for key in ("t0_is_argmax", "top_k_exact_k", "top_p_smallest_prefix"):
        checks[key] = all(r.checks[key] for r in runs)
    library = {key: max(r.library[key] for r in runs) for key in first.library}
    lengths = {key: statistics.fmean(r.lengths[key] for r in runs) for key in first.lengths}
    lengths["prefix_fraction"] = min(r.lengths["prefix_fraction"] for r in runs)
    lengths["max_entropy_difference"] = max(r.lengths["max_entropy_difference"] for r in runs)
    for key in ("short_length", "long_length"):
        lengths[key] = min(r.lengths[key] for r in runs)
    return checks, top_k, lengths, library


def _run(config: Config, context: LabContext) -> LabResult[SamplingMetrics]:
    text = stdlib_corpus(config.corpus_chars)
    runs = {seed: _one_seed(config, context, text, seed) for seed in context.replicate()}
    seeds = list(runs)
    all_runs = list(runs.values())
    first = all_runs[0]
    temps = list(config.temperatures)
    n = config.distinct_n

    def per_t(part: str) -> list[dict[int, list[float]]]:
        return [{seed: getattr(r, part)[i] for seed, r in runs.items()} for i in range(len(temps))]

    diversity, sample_entropy = per_t("diversity"), per_t("sample_entropy")
    held_entropy = [statistics.fmean(c) for c in zip(*(r.held_entropy for r in all_runs),
                                                     strict=True)]  # fmt: skip
    checks, top_k, lengths, library = _worst(all_runs)
    ks = [*config.top_ks, len(first.vocab.chars)]
    full_entropy = statistics.fmean(r.full_entropy for r in all_runs)
    temperature = temperature_claim(temps, held_entropy, sample_entropy, diversity, n)
    claims = [
        temperature,
        definitions_claim(checks, library, seeds=seeds),
        top_k_claim(ks, top_k, full_entropy, seeds=seeds),
        max_new_tokens_claim(config.short_tokens, config.long_tokens, lengths, n, seeds=seeds),
    ]

    def mean_of(values: dict[int, list[float]]) -> float:
        return statistics.fmean(v for group in values.values() for v in group)

    distinct = [mean_of(d) for d in diversity]
    entropy_samples = [mean_of(e) for e in sample_entropy]
    gains = adjacent_gains(diversity)
    figures = [
        plot_temperature(context, temps, held_entropy, distinct, n, len(first.vocab.chars)),
        plot_top_k(context, ks, top_k, full_entropy),
    ]
    key_figure = (
        f"T {temps[0]:g}->{temps[-1]:g}: distinct-{n} of samples {distinct[0]:.2f}->"
        f"{distinct[-1]:.2f}, sample entropy {entropy_samples[0]:.2f}->"
        f"{entropy_samples[-1]:.2f} bits ({len(seeds)} seed(s) x {config.samples} prompts); "
        f"top-k support <= k"
    )
    metrics = SamplingMetrics(
        vocab_size=len(first.vocab.chars),
        train_chars=first.train_chars,
        final_train_loss=round(statistics.fmean(r.final_loss for r in all_runs), 4),
        held_out_loss_nats=round(statistics.fmean(r.held_loss for r in all_runs), 4),
        temperatures=temps,
        temperature_applied=config.temperature_applied,
        entropy_bits_by_temperature=[round(e, 4) for e in held_entropy],
        sample_entropy_bits_by_temperature=[round(e, 4) for e in entropy_samples],
        distinct_by_temperature=[round(d, 4) for d in distinct],
        distinct_gain_ci=[[round(g.low, 4), round(g.high, 4)] for g in gains],
        samples_by_temperature=first.example,
        prompts=config.samples,
        top_k=ks,
        top_k_max_support=top_k["max_support"],
        top_k_mean_support=top_k["mean_support"],
        top_k_entropy_bits=[round(e, 4) for e in top_k["entropy_bits"]],
        top_k_max_ratio_change=max(top_k["max_ratio_change"]),
        untruncated_entropy_bits=round(full_entropy, 4),
        top_p=list(config.top_ps),
        top_p_mean_support=[
            round(statistics.fmean(c), 2)
            for c in zip(*(r.top_p_support for r in all_runs), strict=True)
        ],
        max_new_tokens={k: round(v, 6) for k, v in lengths.items()},
        definition_checks=checks,
        vs_transformers_max_abs=library,
        torch_threads_used=torch.get_num_threads(),
        distinct_n=n,
    )
    return LabResult(
        title="Temperature, top-k, top-p and max_new_tokens on a character language model",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
