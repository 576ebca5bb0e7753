"""Data augmentation, the method with no preference signal: the reference's replies,
paraphrased (synonyms) and noised (a dropped or swapped word), polite and rude alike; and a
broken labeller that swaps chosen and rejected."""

from __future__ import annotations

import random

from llmiq.labs import preference
from llmiq.labs.preference import PreferencePair, RequestWorld, Tokens


def augment(words: list[str], rng: random.Random) -> list[str]:
    """One augmented variant of a reply: a paraphrase (each word with a synonym swapped in
    with probability 1/2) or noise (one word dropped, or two neighbours swapped).

    >>> reply = "sure , happy to help .".split()
    >>> augment(reply, random.Random(4))  # paraphrase
    ['certainly', ',', 'glad', 'to', 'assist', '.']
    >>> augment(reply, random.Random(0)), augment(reply, random.Random(5))  # drop, swap
    (['sure', ',', 'happy', 'help', '.'], ['sure', ',', 'to', 'happy', 'help', '.'])
    """
    if rng.random() < 0.5:
        return [preference.SYNONYMS.get(w, w) if rng.random() < 0.5 else w for w in words]
    out = list(words)
    i = rng.randrange(len(out) - 1)
    if rng.random() < 0.5:
        del out[i]
    else:
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


def augmented_data(
    world: RequestWorld, copies: int, seed: int
) -> tuple[list[Tokens], list[Tokens]]:
    """The reference's fine-tuning replies, each with ``copies`` augmented variants: polite and
    rude alike, so the data carry no preference."""
    rng = random.Random(seed)
    prompts, responses = world.sft_data()
    out_prompts, out_responses = [], []
    for prompt, response in zip(prompts, responses, strict=True):
        words = world.vocab.response_text(response).split()
        for variant in [words] + [augment(words, rng) for _ in range(copies)]:
            out_prompts.append(prompt)
            out_responses.append(world.vocab.encode(" ".join([*variant, preference.END])))
    return out_prompts, out_responses


def swapped(pairs: list[PreferencePair]) -> list[PreferencePair]:
    """The same pairs with chosen and rejected exchanged (a labeller with the rule inverted)."""
    return [PreferencePair(p.prompt, p.rejected, p.chosen) for p in pairs]
