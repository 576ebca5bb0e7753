"""What pandoc writes when it turns a Word document into Markdown, made plain: grid tables
(``+----+----+`` borders) become pipe tables, backslash escapes (``\\"``, ``\\*``, ``\\|``,
``\\...``) their characters, and bracketed spans (``[]{#_Toc123 .anchor}``,
``[text]{.underline}``) their text, or nothing for a badge (``[Easy]{.badge}``). One output
line per input line; code is left alone.

Escapes of brackets, braces and parentheses are kept: ``\\[ x \\]`` and ``\\( x \\)`` are how
Markdown articles write LaTeX. So is ``\\|``: inside a table it is a pipe in a cell, which
the table readers split around.
"""

from __future__ import annotations

import re

from llmiq.ingest.lines import FENCE

_GRID_BORDER = re.compile(r"^\s*\+(?:[-=:]+\+){1,}\s*$")
_ESCAPE = re.compile(r"\\([\"'*_#.~<>!`$+\-=])")
_RAW_BLOCK = re.compile(r"^\s*(?:```+|~~~+)\s*\{=(?!html\b|markdown\b)\w+\}\s*$")
_SPAN = re.compile(r"\[(?P<text>[^\[\]]*)\]\{(?P<attrs>[#.][^{}]*)\}")
#: A span styled as a badge ("[Easy]{.badge .bg-success}"): a tag on the text, not its words.
_BADGE = re.compile(r"\.(?:badge|label|tag|pill|chip)\b", re.I)


def rewrite_pandoc(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_code = in_raw = False
    for line in lines:
        if in_raw or _RAW_BLOCK.match(line):
            # a raw block for another output format ("```{=openxml}" page break): no text
            in_raw = not in_raw or not FENCE.match(line)
            out.append("")
            continue
        if FENCE.match(line):
            in_code = not in_code
        if in_code or ("\\" not in line and "+" not in line and "]{" not in line):
            out.append(line)
            continue
        if _GRID_BORDER.match(line):
            columns = line.strip().count("+") - 1
            out.append("|" + " --- |" * columns)
            continue
        out.append(_ESCAPE.sub(r"\1", _SPAN.sub(_span_text, line)))
    return out


def _span_text(span: re.Match[str]) -> str:
    return "" if _BADGE.search(span["attrs"]) else span["text"]
