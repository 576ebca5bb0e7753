"""The sentence pairs of the context experiment: an ambiguous word in two senses, and a
control word in a clause both sentences share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContextPair:
    """Two sentences using ``word`` in different senses; ``control`` sits in a clause that is
    identical in both, so its local context does not change."""

    sentence_a: str
    sentence_b: str
    word: str
    control: str


DEFAULT_PAIRS = (
    ContextPair(
        "she sat on the river bank . the weather was nice",
        "she deposited cash at the bank . the weather was nice",
        "bank",
        "weather",
    ),
    ContextPair(
        "he swung the wooden bat at the ball . the crowd was loud",
        "a bat flew out of the dark cave . the crowd was loud",
        "bat",
        "crowd",
    ),
    ContextPair(
        "the flowers bloom early in spring . my dog was asleep",
        "the old mattress had a broken spring . my dog was asleep",
        "spring",
        "dog",
    ),
    ContextPair(
        "the dog began to bark at night . the house was quiet",
        "the tree bark was rough and brown . the house was quiet",
        "bark",
        "house",
    ),
    ContextPair(
        "she lit a match to see . the room was cold",
        "they won the football match easily . the room was cold",
        "match",
        "room",
    ),
    ContextPair(
        "the bag was light and easy to carry . my friend was tired",
        "please turn on the light in the hall . my friend was tired",
        "light",
        "friend",
    ),
    ContextPair(
        "we will park the car outside . the street was empty",
        "children played in the park all day . the street was empty",
        "park",
        "street",
    ),
    ContextPair(
        "the cook will season the soup . the kitchen was warm",
        "winter is my favourite season of the year . the kitchen was warm",
        "season",
        "kitchen",
    ),
)
