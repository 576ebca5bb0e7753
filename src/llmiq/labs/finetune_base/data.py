"""The target style: short titled poems and "once upon a time" fables generated from small
word lists by a seeded ``random.Random`` (verse, dialogue and narrative), as whole documents;
the pool each seed draws its fine-tuning sample from; and the style's token vocabulary."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


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


def documents(n_chars: int, stream: str) -> list[str]:
    """Poems and fables, half of each on average, until they hold ``n_chars`` characters.
    Streams are independent ("pool", "dev", "test"); a stream's shorter list is a prefix of
    its longer one.

    >>> docs = documents(1_000, "test")
    >>> sum(map(len, docs)) >= 1_000 > sum(map(len, docs[:-1])), docs == documents(1_000, "test")
    (True, True)
    """
    rng = random.Random(f"finetune-base/{stream}")
    docs: list[str] = []
    size = 0
    while size < n_chars:
        docs.append(poem(rng) if rng.random() < 0.5 else fable(rng))
        size += len(docs[-1])
    return docs


def target_corpus(n_chars: int, seed: int) -> str:
    """``n_chars`` characters of the style, documents separated by blank lines."""
    return "\n\n".join(documents(n_chars, f"corpus/{seed}"))[:n_chars]


@dataclass(frozen=True)
class Document:
    """A document as the model reads it: a separator token, then its tokens."""

    text: str
    ids: tuple[int, ...]  # the separator's id, then the text's token ids
    ends: tuple[int, ...]  # for each text token, the character offset where it ends


def encode(tokenizer: object, texts: Sequence[str], separator: int) -> list[Document]:
    """Each text tokenized on its own (no special tokens added), after ``separator``."""
    encoded = tokenizer(list(texts), return_offsets_mapping=True)  # type: ignore[operator]
    return [
        Document(text, (separator, *ids), tuple(end for _, end in offsets))
        for text, ids, offsets in zip(
            texts, encoded["input_ids"], encoded["offset_mapping"], strict=True
        )
    ]


def sample(pool: Sequence[Document], n_chars: int, rng: random.Random) -> list[tuple[int, int]]:
    """A fine-tuning sample of ``n_chars`` characters: pool documents in the order ``rng``
    shuffles them, the last one cut after its last token that fits. Returns (document index,
    positions to read): a document cut to m tokens is read as its separator and first m - 1
    tokens, predicting its first m tokens.

    >>> pool = [Document("ab", (0, 5, 6), (1, 2)), Document("cde", (0, 7, 8), (2, 3))]
    >>> sample(pool, 4, random.Random(0))
    [(0, 2), (1, 1)]
    """
    order = list(range(len(pool)))
    rng.shuffle(order)
    picked, left = [], n_chars
    for i in order:
        doc = pool[i]
        if len(doc.text) > left:
            fits = sum(end <= left for end in doc.ends)
            if fits:
                picked.append((i, fits))
            return picked
        picked.append((i, len(doc.ids) - 1))
        left -= len(doc.text)
        if left == 0:
            return picked
    raise ValueError(f"the pool holds fewer than {n_chars} characters")
