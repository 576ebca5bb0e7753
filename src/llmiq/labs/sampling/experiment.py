"""The sampling lab's run: train the model, turn every knob, and judge; what it measured,
as ``SamplingMetrics``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import LabResult
from llmiq.labs.sampling.claims import (
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
    """What the lab measured, as report.json's ``metrics``."""

    vocab_size: int
    train_chars: int
    final_train_loss: float
    held_out_loss_nats: float
    temperatures: list[float]
    temperature_applied: bool
    entropy_bits_by_temperature: list[float]
    distinct_by_temperature: list[float]  # distinct-n of the samples per temperature
    samples_by_temperature: dict[str, str]
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


def run(config: Config, context: LabContext) -> LabResult[SamplingMetrics]:
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[SamplingMetrics]:
    torch.manual_seed(context.seed)
    text = stdlib_corpus(config.corpus_chars)
    train_text, held_text = split_held_out(text)
    vocab = CharVocab.from_text(train_text)
    train_ids, held_ids = vocab.encode(train_text), vocab.encode(held_text)
    V = len(vocab.chars)

    with context.progress(config.train_steps, "sampling: training a character MLP") as advance:
        model, losses = train_model(train_ids, V, config, advance)

    # held-out contexts, evenly spread: the next-token distributions we measure
    windows = held_ids.unfold(0, config.context + 1, 1)  # (M, C + 1)
    picks = torch.linspace(0, windows.shape[0] - 1, config.eval_positions).long()
    with torch.no_grad():
        held = windows[picks]
        logits = model(held[:, :-1])  # (N, V)
        held_loss = F.cross_entropy(logits, held[:, -1]).item()
    probs = torch.softmax(logits, -1)
    prefixes = held[torch.linspace(0, len(held) - 1, config.samples).long(), :-1]  # (S, C)

    # temperature: entropy of the next-token distribution and distinct-n of samples
    temps = list(config.temperatures)
    applied = temps if config.temperature_applied else [1.0] * len(temps)
    entropies = entropy_by_temperature(logits, applied)
    diversities, examples = [], {}
    with context.progress(len(temps), "sampling: generating at each temperature") as advance:
        for t, used in zip(temps, applied, strict=True):
            tokens, _ = generate(
                model, prefixes, config.sample_length, temperature=used, seed=context.seed
            )
            diversities.append(distinct_n(tokens.tolist(), config.distinct_n))
            examples[f"{t:g}"] = vocab.decode(prefixes[0].tolist() + tokens[0, :60].tolist())
            advance(1)

    # top-k: support, ranking, ratios and entropy, at T = 1
    ks = [*config.top_ks, V]
    top_k = top_k_measurements(probs, ks)
    full_entropy = entropy_bits(probs).mean().item()
    top_p_support = [
        (softmax_with_temperature(top_p_filter(logits, p), 1.0) > 0).sum(-1).float().mean().item()
        for p in config.top_ps
    ]

    # max_new_tokens: same seed and prefixes, two lengths
    lengths = max_new_tokens_measurements(
        model,
        prefixes,
        config.short_tokens,
        config.long_tokens,
        seed_short=context.seed,
        seed_long=context.seed,
        n=config.distinct_n,
    )

    checks = definition_checks(logits, config.top_ps, ks)
    library = library_differences(logits, temps, ks, config.top_ps)
    claims = [
        temperature_claim(temps, entropies, diversities, config.distinct_n),
        definitions_claim(checks, library),
        top_k_claim(ks, top_k, full_entropy),
        max_new_tokens_claim(config.short_tokens, config.long_tokens, lengths, config.distinct_n),
    ]

    figures = [
        plot_temperature(context, temps, entropies, diversities, config.distinct_n, V),
        plot_top_k(context, ks, top_k, full_entropy),
    ]
    n = config.distinct_n
    key_figure = (
        f"T {temps[0]:g}->{temps[-1]:g}: entropy {entropies[0]:.2f}->{entropies[-1]:.2f} bits, "
        f"distinct-{n} {diversities[0]:.2f}->{diversities[-1]:.2f}; top-k support <= k"
    )
    metrics = SamplingMetrics(
        vocab_size=V,
        train_chars=len(train_ids),
        final_train_loss=round(sum(losses[-50:]) / len(losses[-50:]), 4),
        held_out_loss_nats=round(held_loss, 4),
        temperatures=temps,
        temperature_applied=config.temperature_applied,
        entropy_bits_by_temperature=[round(e, 4) for e in entropies],
        distinct_by_temperature=[round(d, 4) for d in diversities],
        samples_by_temperature=examples,
        top_k=ks,
        top_k_max_support=top_k["max_support"],
        top_k_mean_support=top_k["mean_support"],
        top_k_entropy_bits=[round(e, 4) for e in top_k["entropy_bits"]],
        top_k_max_ratio_change=max(top_k["max_ratio_change"]),
        untruncated_entropy_bits=round(full_entropy, 4),
        top_p=list(config.top_ps),
        top_p_mean_support=[round(s, 2) for s in top_p_support],
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
