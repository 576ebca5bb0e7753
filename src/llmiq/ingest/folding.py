"""How a line is read for matching: full-width ASCII (``Ａ．`` ``：`` ``（`` ...) as its
half-width form and option keys written as circled or parenthesised marks as letters. The
fold maps one character to one character, so match offsets in the folded line are offsets
in the original line, and the text kept is the author's own."""

from __future__ import annotations

_FOLD = (
    {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    | {0x3000: 0x20}
    # option keys written as circled or parenthesised digits: ① -> A, ⑴ -> A
    | {0x2460 + n: ord("A") + n for n in range(10)}
    | {0x2474 + n: ord("A") + n for n in range(10)}
    # circled letters: Ⓐ -> A, ⓐ -> A
    | {0x24B6 + n: ord("A") + n for n in range(10)}
    | {0x24D0 + n: ord("A") + n for n in range(10)}
    # regional indicator letters, as chat apps draw options: 🇦 -> A
    | {0x1F1E6 + n: ord("A") + n for n in range(10)}
)


def fold(text: str) -> str:
    """``fold("Ａ．微调：（Ｂ）")`` -> ``"A.微调:(B)"``, ``fold("②")`` -> ``"B"``; same length
    as ``text``."""
    return text.translate(_FOLD)
