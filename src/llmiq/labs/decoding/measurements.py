"""What the decoding lab measures on each continuation: likelihood per token, repetition
(seq-rep-n and distinct-n), and whether the from-scratch searches emit the same tokens as
transformers' ``generate``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from llmiq.labs.decoding.search import Decoded, beam_search, greedy_search
from llmiq.labs.pretrained import bank_texts


def prompt_batch(
    tokenizer: Any, counts: dict[str, int], length: int
) -> tuple[torch.Tensor, list[str]]:
    """The first ``length`` tokens of the first ``counts[language]`` seed-bank explanations in
    each language, as one (P, length) batch (equal lengths: nothing padded), and their
    languages in row order."""
    rows, languages = [], []
    for language, count in counts.items():
        for text in bank_texts(language)[:count]:
            ids = tokenizer(text)["input_ids"]
            if len(ids) < length:
                raise ValueError(f"a {language} explanation has only {len(ids)} tokens")
            rows.append(ids[:length])
            languages.append(language)
    return torch.tensor(rows), languages


def sampled_prompts(
    tokenizer: Any, counts: dict[str, int], length: int, seeds: Sequence[int]
) -> tuple[torch.Tensor, list[str], list[int]]:
    """For each seed, ``counts[language]`` prompts per language: ``length`` tokens of a
    seed-bank explanation chosen with the seed (distinct within a seed), from a start drawn
    with it. One (P, length) batch (equal lengths: nothing padded), with each row's language
    and seed, seed-major.

    The model and the texts are fixed; what a seed changes is which text is continued."""
    import numpy as np

    explanations = {lang: [tokenizer(t)["input_ids"] for t in bank_texts(lang)] for lang in counts}
    rows, languages, row_seeds = [], [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for language, count in counts.items():
            for index in rng.choice(len(explanations[language]), size=count, replace=False):
                ids = explanations[language][index]
                if len(ids) < length:
                    raise ValueError(f"a {language} explanation has only {len(ids)} tokens")
                start = int(rng.integers(0, len(ids) - length + 1))
                rows.append(ids[start : start + length])
                languages.append(language)
                row_seeds.append(seed)
    return torch.tensor(rows), languages, row_seeds


def seq_rep(tokens: Sequence[int], n: int) -> float:
    """Share of the continuation's n-grams that repeat an earlier one of the same
    continuation, ``1 - distinct n-grams / n-grams`` (seq-rep-n of Welleck et al. 2020,
    "Neural Text Generation with Unlikelihood Training").

    >>> seq_rep([1, 2, 3, 1, 2, 3, 1, 2], 3)  # 6 trigrams, 3 distinct
    0.5
    >>> seq_rep([1, 2, 3, 4], 2)
    0.0
    """
    grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def distinct(tokens: Sequence[int], n: int) -> float:
    """Distinct n-grams over all n-grams of one continuation (distinct-n, Li et al. 2016).

    >>> distinct([1, 2, 1, 2], 2)  # 12, 21, 12
    0.6666666666666666
    """
    return 1 - seq_rep(tokens, n)


@dataclass
class MethodResult:
    """One decoding method over every prompt (sampling: every prompt x seed, seed-major)."""

    method: str
    rows_per_prompt: int  # 1, or the number of seeds
    mean_logprob: list[float]  # per row: mean log-probability per token (nats)
    total_logprob: list[float]  # per row: log-probability of the whole continuation
    seq_rep: list[float]  # per row: seq-rep-n
    distinct_2: list[float]  # per row: distinct-2
    lengths: list[int]  # per row: new tokens

    @classmethod
    def of(cls, method: str, decoded: Decoded, n: int, rows_per_prompt: int = 1) -> MethodResult:
        rows = decoded.tokens.tolist()
        return cls(
            method=method,
            rows_per_prompt=rows_per_prompt,
            mean_logprob=decoded.mean_logprob().tolist(),
            total_logprob=decoded.logprobs.sum(-1).tolist(),
            seq_rep=[seq_rep(r, n) for r in rows],
            distinct_2=[distinct(r, 2) for r in rows],
            lengths=[len(r) for r in rows],
        )

    def per_prompt(self, values: list[float]) -> list[float]:
        """``values`` averaged over a prompt's rows (seeds), in prompt order."""
        prompts = len(values) // self.rows_per_prompt
        return [
            sum(values[s * prompts + p] for s in range(self.rows_per_prompt)) / self.rows_per_prompt
            for p in range(prompts)
        ]

    def summary(self) -> dict[str, float]:
        count = len(self.mean_logprob)
        return {
            "mean_logprob_per_token": round(sum(self.mean_logprob) / count, 4),
            "seq_rep": round(sum(self.seq_rep) / count, 4),
            "distinct_2": round(sum(self.distinct_2) / count, 4),
            "mean_length": round(sum(self.lengths) / count, 2),
        }


def generate_tokens(
    model: Any, prompts: torch.Tensor, new_tokens: int, **options: Any
) -> torch.Tensor:
    """transformers' ``generate`` with the end-of-sequence token suppressed for ``new_tokens``
    (``min_new_tokens``) and sampling off: the new tokens only, (B, N)."""
    with torch.inference_mode():
        out = model.generate(
            prompts,
            attention_mask=torch.ones_like(prompts),
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
            **options,
        )
    return out[:, prompts.shape[1] :]


def library_comparison(
    model: Any,
    prompts: torch.Tensor,
    new_tokens: int,
    eos: int,
    beams: int,
    no_repeat_ngram: int,
    ours: dict[str, Decoded] | None = None,
    beam_keep: str = "best",
) -> dict[str, Any]:
    """Our greedy, beam and no-repeat greedy tokens against ``generate``'s on the same batch
    (``ours``: results already computed on exactly this batch and length, else they are run
    here). Per method: how many prompts match token for token, and differing tokens."""
    ours = dict(ours or {})
    if "greedy" not in ours:
        ours["greedy"] = greedy_search(model, prompts, new_tokens, eos)
    if "beam" not in ours:
        ours["beam"] = beam_search(model, prompts, new_tokens, eos, beams, keep=beam_keep)
    theirs = {
        "greedy": generate_tokens(model, prompts, new_tokens),
        "beam": generate_tokens(model, prompts, new_tokens, num_beams=beams),
    }
    if no_repeat_ngram:
        if "no_repeat" not in ours:
            ours["no_repeat"] = greedy_search(model, prompts, new_tokens, eos, no_repeat_ngram)
        theirs["no_repeat"] = generate_tokens(
            model, prompts, new_tokens, no_repeat_ngram_size=no_repeat_ngram
        )
    result: dict[str, Any] = {"prompts": prompts.shape[0], "new_tokens": new_tokens}
    for method, tokens in theirs.items():
        mine = ours[method].tokens
        result[f"{method}_prompts_identical"] = int((mine == tokens).all(-1).sum())
        result[f"{method}_tokens_differing"] = int((mine != tokens).sum())
    return result
