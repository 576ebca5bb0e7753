"""How a line is read for matching: full-width ASCII (``Ａ．`` ``：`` ``（`` ...) as its
half-width form, option keys written as circled or parenthesised marks as letters, and
Traditional Chinese characters as their Simplified forms (``參考答案`` as ``参考答案``, ``第一題``
as ``第一题``), so that the importer's Simplified labels read Taiwan's and Hong Kong's articles
too. The fold maps one character to one character, so match offsets in the folded line are
offsets in the original line, and the text kept is the author's own."""

from __future__ import annotations

from functools import cache

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


_CJK = range(0x4E00, 0xA000)  # CJK Unified Ideographs


@cache
def _table() -> dict[int, int]:
    """:data:`_FOLD`, and every Traditional character of the CJK block as OpenCC's ``t2s``
    writes it alone (3,563 of them; built once, in ~30 ms, when a line is first folded)."""
    import opencc  # only the importer needs it, not `llmiq --help`

    traditional = "".join(map(chr, _CJK))
    simplified = opencc.OpenCC("t2s").convert(traditional)
    if len(simplified) != len(traditional):  # one for one, or not at all
        return _FOLD
    return {ord(t): ord(s) for t, s in zip(traditional, simplified, strict=True) if t != s} | _FOLD


def fold(text: str) -> str:
    """``fold("Ａ．微调：（Ｂ）")`` -> ``"A.微调:(B)"``, ``fold("②")`` -> ``"B"``,
    ``fold("參考答案")`` -> ``"参考答案"``; same length as ``text``."""
    return text.translate(_table())
