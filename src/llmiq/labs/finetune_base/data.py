"""The data: the target style (poems and fables from templates), random bytes for a broken
base, and the general corpus the bases are pre-trained on."""

from __future__ import annotations

import random

import torch

from llmiq.labs import tinylm
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.finetune_base.config import Config


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ADJ = _words(
    "silver quiet golden hollow gentle wild lonely bright ancient tender broken "
    "crimson pale restless velvet frozen"
)
_NOUN = _words(
    "moon river fox willow lantern sparrow harbour meadow candle garden mountain "
    "ocean feather stone orchard star"
)
_VERB = _words("sings sleeps burns wanders trembles waits dances weeps glows drifts")
_PAST = _words("sang slept burned wandered trembled waited danced wept glowed drifted")
_BARE = _words("sing sleep burn wander tremble wait dance weep glow drift")
_PREP = _words("over under beyond beside through across")
_ADV = _words("softly slowly alone forever tonight again")
_NAME = _words("Mira Tobin Elsa Finn Ada Rowan Juniper Oskar")
_CREATURE = _words("fox hare owl mouse bear heron badger wren")
_HOME = _words("cottage burrow tower boat nest mill")
_HABIT = (
    "counted the stars",
    "baked bread for the birds",
    "sang to the river",
    "mended old nets",
    "painted the clouds",
    "listened to the wind",
)
_FOUND = (
    "a golden key",
    "a map of the sea",
    "a singing shell",
    "a tiny door",
    "a lost lantern",
    "a letter with no name",
)
_SAID = (
    "What a strange thing",
    "I must follow it",
    "Who left you here",
    "This changes everything",
    "Come with me",
    "I knew this day would come",
)
_ENDING = (
    "never felt lonely again",
    "kept the secret forever",
    "sailed away at dawn",
    "told the tale to every child",
    "laughed at the rain",
    "slept beneath the stars",
)


def poem(rng: random.Random) -> str:
    """A titled four-line poem ("the pale fox sings beyond the golden stone, ...")."""
    c = rng.choice
    return "\n".join(
        [
            f"~ {c(_ADJ).title()} {c(_NOUN).title()} ~",
            f"the {c(_ADJ)} {c(_NOUN)} {c(_VERB)} {c(_PREP)} the {c(_ADJ)} {c(_NOUN)},",
            f"and {c(_ADV)} the {c(_NOUN)} {c(_PAST)} {c(_PREP)} my {c(_NOUN)};",
            f"o {c(_NOUN)}, so {c(_ADJ)} and {c(_ADJ)}, do not {c(_BARE)} {c(_ADV)},",
            f"for every {c(_NOUN)} {c(_VERB)} {c(_ADV)}.",
        ]
    )


def fable(rng: random.Random) -> str:
    """Six sentences: a named creature, its home, its habit, a find, a line of speech, an end."""
    c = rng.choice
    name, creature = c(_NAME), c(_CREATURE)
    return (
        f"Once upon a time there was a {c(_ADJ)} {creature} called {name}. "
        f"{name} lived in a {c(_ADJ)} {c(_HOME)} by the {c(_NOUN)}. "
        f"Every night, {name} {c(_HABIT)}. "
        f"One day, {name} found {c(_FOUND)} {c(_PREP)} the {c(_NOUN)}. "
        f'"{c(_SAID)}," said the {creature}. '
        f"And from that day on, {name} {c(_ENDING)}."
    )


def target_corpus(n_chars: int, seed: int) -> str:
    """``n_chars`` characters of poems and fables, separated by blank lines. The same seed
    gives the same text, and a shorter corpus is a prefix of a longer one."""
    rng = random.Random(f"finetune-base/{seed}")
    parts: list[str] = []
    size = 0
    while size < n_chars:
        parts.append(poem(rng) if rng.random() < 0.5 else fable(rng))
        size += len(parts[-1]) + 2
    return "\n\n".join(parts)[:n_chars]


def random_bytes(n: int, seed: int) -> torch.Tensor:
    """``n`` uniformly random byte ids: "pre-training" data with nothing to learn."""
    return torch.randint(0, tinylm.VOCAB, (n,), generator=torch.Generator().manual_seed(seed))


def general_corpus(config: Config, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(training ids, held-out ids) of the pre-training corpus named by ``pretrain_data``."""
    if config.pretrain_data == "random":
        ids = random_bytes(config.pretrain_chars, seed)
        return ids[: len(ids) * 9 // 10], ids[len(ids) * 9 // 10 :]
    if config.pretrain_data != "stdlib":
        raise ValueError(f"pretrain_data is 'stdlib' or 'random', not {config.pretrain_data!r}")
    train_text, held_text = split_held_out(stdlib_corpus(config.pretrain_chars))
    return torch.tensor(tinylm.encode(train_text)), torch.tensor(tinylm.encode(held_text))
