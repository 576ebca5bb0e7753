"""The training data of the supervised arms and the labellers.

Data augmentation: every reply of the preference pairs, paraphrased (synonyms) and noised (a
dropped or swapped word). With the labels ignored (both replies of every pair) the data are
half polite, half rude and carry no preference; restricted to the chosen replies they carry
the labeller's preference through the selection (Rafailov et al. 2023 call SFT on the chosen
replies "Preferred-FT"). The labellers: the hidden rule, the rule inverted (``swapped``) and
a coin flip per pair (``shuffled``), the broken set-ups of the tests.
"""

from __future__ import annotations

import random

from llmiq.labs import preference
from llmiq.labs.preference import PreferencePair, Tokens, WordVocab

LABELLERS = ("rule", "swapped", "shuffled")


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
    pairs: list[PreferencePair],
    vocab: WordVocab,
    *,
    copies: int,
    seed: int,
    chosen_only: bool,
) -> tuple[list[Tokens], list[Tokens]]:
    """Supervised data from the preference pairs: each pair's chosen reply (``chosen_only``)
    or both of its replies (the labels ignored), each followed by ``copies`` augmented
    variants; ``copies=0`` keeps the replies as they are.

    >>> world = preference.request_world(0)
    >>> pairs = world.preference_pairs(world.train_requests[:1])
    >>> _, both = augmented_data(pairs, world.vocab, copies=0, seed=0, chosen_only=False)
    >>> _, chosen = augmented_data(pairs, world.vocab, copies=2, seed=0, chosen_only=True)
    >>> len(both), sorted({world.judge(r) for r in both})
    (18, [-1, 1])
    >>> len(chosen), {world.judge(r) for r in chosen}
    (27, {1})
    """
    rng = random.Random(seed)
    out_prompts, out_responses = [], []
    for pair in pairs:
        # with the labels ignored, the order within the pair is not the labeller's either
        for reply in [pair.chosen] if chosen_only else sorted([pair.chosen, pair.rejected]):
            words = vocab.response_text(reply).split()
            for variant in [words] + [augment(words, rng) for _ in range(copies)]:
                out_prompts.append(pair.prompt)
                out_responses.append(vocab.encode(" ".join([*variant, preference.END])))
    return out_prompts, out_responses


def swapped(pairs: list[PreferencePair]) -> list[PreferencePair]:
    """The same pairs with chosen and rejected exchanged (a labeller with the rule inverted)."""
    return [PreferencePair(p.prompt, p.rejected, p.chosen) for p in pairs]


def shuffled(pairs: list[PreferencePair], seed: int) -> list[PreferencePair]:
    """The same pairs, each pair's order a fair coin flip: labels that carry no preference.

    >>> world = preference.request_world(0)
    >>> pairs = world.preference_pairs(world.train_requests)
    >>> kept = sum(p == q for p, q in zip(pairs, shuffled(pairs, 0)))
    >>> 0.4 < kept / len(pairs) < 0.6
    True
    """
    rng = random.Random(seed)
    return [
        p if rng.random() < 0.5 else PreferencePair(p.prompt, p.rejected, p.chosen) for p in pairs
    ]


def labelled(pairs: list[PreferencePair], labeller: str, seed: int) -> list[PreferencePair]:
    """The pairs as ``labeller`` ("rule", "swapped" or "shuffled") labels them."""
    if labeller == "rule":
        return pairs
    if labeller == "swapped":
        return swapped(pairs)
    if labeller == "shuffled":
        return shuffled(pairs, seed)
    raise ValueError(f"labeller {labeller!r}: one of {', '.join(LABELLERS)}")
