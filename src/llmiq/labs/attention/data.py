"""The items of the context experiment: an ambiguous word in two frames that select its two
senses, and unambiguous control words put in the same slot of the same two frames.

A frame is a sentence with one slot (``{}``). Both frames of an item share a carrier and
differ in the few words that pick the sense ("by the river" / "by the office"). The
ambiguous word and a control word go into the same slot, so both see exactly the same
context change: whatever moves the control's attention is the context effect; what moves the
ambiguous word's attention beyond it is the ambiguity effect. Controls are common nouns with
one dominant sense, grammatical in the slot of both frames; they were written with the
frames, before anything was measured, and need not be plausible in both (an implausible
control is more surprising in one frame, which if anything moves it more: a bias against
the ambiguity effect, not for it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContextPair:
    """Two sentences that both contain ``word`` once; ``control``, when given, is a second
    word measured the same way (both must be single MiniLM tokens)."""

    sentence_a: str
    sentence_b: str
    word: str
    control: str = ""


@dataclass(frozen=True)
class SenseFrames:
    """An ambiguous ``word``, frame pairs (sense a, sense b) that each select one of its
    senses, and unambiguous ``controls`` for the same slot."""

    word: str
    frames: tuple[tuple[str, str], ...]
    controls: tuple[str, ...]


@dataclass(frozen=True)
class ContextItem:
    """One measured item: a frame pair with the ambiguous word and with one control."""

    word: str
    control: str
    frame_a: str
    frame_b: str

    def pair(self, filler: str) -> ContextPair:
        """The two sentences with ``filler`` in the slot."""
        return ContextPair(self.frame_a.format(filler), self.frame_b.format(filler), filler)


DEFAULT_WORDS = (
    SenseFrames(
        "bank",
        (
            ("the {} by the river was muddy after the flood",
             "the {} by the office was closed after the robbery"),
            ("we rested on the grassy {} and watched the ducks swim",
             "we queued inside the busy {} and watched the cashiers count"),
        ),
        ("road", "house", "wall"),
    ),
    SenseFrames(
        "bat",
        (
            ("the boy swung the {} at the ball in the game",
             "the boy watched the {} fly out of the dark cave"),
            ("the {} broke when it hit the cricket ball",
             "the {} slept upside down in the dark cave"),
        ),
        ("stick", "rope", "box"),
    ),
    SenseFrames(
        "spring",
        (
            ("in the {} the garden was full of flowers",
             "in the {} the mattress was full of rust"),
            ("we planted the seeds in early {} after the frost",
             "we oiled the steel {} in the old clock"),
        ),
        ("box", "barn", "tent"),
    ),
    SenseFrames(
        "bark",
        (
            ("the {} of the old dog was loud at night",
             "the {} of the old oak was rough and brown"),
            ("we heard a sharp {} from the angry puppy",
             "we peeled a thin {} from the birch tree"),
        ),
        ("cup", "stone", "coin"),
    ),
    SenseFrames(
        "match",
        (
            ("she struck a {} to light the candle",
             "she watched a {} to cheer for her team"),
            ("the {} burned down to her fingers in the dark",
             "the {} ended with a goal in the last minute"),
        ),
        ("lamp", "pen", "cake"),
    ),
    SenseFrames(
        "seal",
        (
            ("the {} swam in the cold sea and ate fish",
             "the {} was pressed into the hot wax on the letter"),
            ("a grey {} rested on the rocks by the shore",
             "a royal {} was stamped on the letter of the king"),
        ),
        ("dog", "bird", "horse"),
    ),
    SenseFrames(
        "crane",
        (
            ("the {} waded in the marsh looking for frogs",
             "the {} lifted the steel beams onto the tower"),
            ("a white {} flew over the lake at dawn",
             "a yellow {} stood over the building site at dawn"),
        ),
        ("truck", "horse", "ship"),
    ),
    SenseFrames(
        "club",
        (
            ("he swung the heavy {} at the golf ball",
             "he danced all night in the busy {} downtown"),
            ("the {} hit the ball onto the green",
             "the {} played loud music until dawn"),
        ),
        ("hammer", "tent", "shop"),
    ),
)  # fmt: skip


def draw_items(words: tuple[SenseFrames, ...], seed: int) -> list[ContextItem]:
    """Every frame pair of every word, each with a control drawn (by ``seed``) from the
    word's controls: the seeds vary the control words, the frames stay.

    >>> items = draw_items(DEFAULT_WORDS[:1], 0)
    >>> [(i.word, i.control in DEFAULT_WORDS[0].controls) for i in items]
    [('bank', True), ('bank', True)]
    """
    import random

    rng = random.Random(seed)
    return [
        ContextItem(entry.word, rng.choice(entry.controls), frame_a, frame_b)
        for entry in words
        for frame_a, frame_b in entry.frames
    ]
