"""A Chinese exam paper's seal line (密封线) as pdftotext lays it out: the words "密封线内不要答
题" (or "装订线") run down the page's margin, one character at the start of each line, beside
the questions, with the dashed cut line (┊) at the start of others. Those characters are no
part of the lines they open: "题 1. 在 Mixtral 8×7B 中……" is question 1."""

from __future__ import annotations

import re

_PHRASES = ("密封线", "装订线", "不要答题", "请勿答题")
#: One character of the margin's words at a line's start, alone or before a space.
_MARGIN = re.compile(r"^\s*(?P<char>[\u4e00-\u9fff])(?=\s|$)")
_CUT_LINE = re.compile(r"^\s*[┊╎┆](?:\s|$)")


def strip_seal_line(lines: list[str]) -> list[str]:
    """``lines`` without the seal line's characters at their starts (see the module); as
    they are when the margin spells none of its phrases. One output line per input line."""
    out = list(lines)
    found = False
    i = 0
    while i < len(lines):
        k = i
        while k < len(lines) and _MARGIN.match(lines[k]):
            k += 1
        margin = "".join(_MARGIN.match(line)["char"] for line in lines[i:k])  # type: ignore[index]
        if k - i >= 3 and any(phrase in margin for phrase in _PHRASES):
            for j in range(i, k):
                out[j] = lines[j][_MARGIN.match(lines[j]).end() :]  # type: ignore[union-attr]
            found = True
        i = max(k, i + 1)
    return [_CUT_LINE.sub("", line) for line in out] if found else out
