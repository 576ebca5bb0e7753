"""The decoding lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    prompts_en: int = 4  # English prompts: the start of the seed bank's explanations
    prompts_zh: int = 2  # Chinese prompts, the same explanations in Chinese
    prompt_tokens: int = 16  # tokens per prompt (all equal, so nothing is padded)
    new_tokens: int = 48  # tokens per continuation (end-of-sequence suppressed)
    beams: int = 4  # beam width
    seeds: int = 3  # samples per prompt, one seed each
    temperature: float = 1.0  # sampling temperature
    top_p: float = 0.9  # sampling nucleus
    rep_n: int = 4  # n of seq-rep-n, the repetition measure (Welleck et al. use 4)
    no_repeat_ngram: int = 3  # greedy with repeated n-grams banned, as a variant (0: left out)
    check_prompts: int = 6  # prompts whose tokens are compared with generate's (0: none)
    check_tokens: int = 48  # new tokens compared (= new_tokens reuses the run's own results)
    beam_keep: str = "best"  # "worst" keeps the lowest-scoring beams: a broken beam search

    @classmethod
    def fast(cls) -> Config:
        # generate's check is left to the tests here: each step reads all 540 MB of weights
        return cls(
            prompts_en=2, prompts_zh=1, new_tokens=24, seeds=2, no_repeat_ngram=0, check_prompts=0
        )
