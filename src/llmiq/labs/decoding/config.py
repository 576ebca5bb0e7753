"""The decoding lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    # Per seed: the prompts a seed draws (the full run's 3 seeds continue 12 prompts in one
    # batch per method). Nothing here was chosen by looking at results: the method settings
    # are the textbook ones and the sizes were set to fit the time budget.
    prompts_en: int = 3  # English prompts per seed, from the seed bank's explanations
    prompts_zh: int = 1  # Chinese prompts per seed, the same explanations in Chinese
    prompt_tokens: int = 16  # tokens per prompt (all equal, so nothing is padded)
    new_tokens: int = 48  # tokens per continuation (end-of-sequence suppressed)
    beams: int = 4  # beam width
    samples: int = 2  # sampled continuations per prompt (averaged per prompt)
    temperature: float = 1.0  # sampling temperature
    top_p: float = 0.9  # sampling nucleus
    rep_n: int = 4  # n of seq-rep-n, the repetition measure (Welleck et al. use 4)
    no_repeat_ngram: int = 3  # greedy with repeated n-grams banned, as a variant (0: left out)
    check_prompts: int = 2  # first prompts whose tokens are compared with generate's (0: none)
    check_tokens: int = 16  # new tokens compared (= new_tokens with every prompt: reuses the run)
    beam_keep: str = "best"  # "worst" keeps the lowest-scoring beams: a broken beam search

    @classmethod
    def fast(cls) -> Config:
        # generate's check is left to the tests here: each step reads all 540 MB of weights
        return cls(prompts_en=2, prompts_zh=1, new_tokens=24, no_repeat_ngram=0, check_prompts=0)
