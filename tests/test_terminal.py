"""llmiq.terminal: the shortening of table cells and the trimming of padded lines."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from llmiq.terminal import TrailingSpaceTrimmer, shorten


def test_shorten_cuts_between_words_and_chinese_at_a_character() -> None:
    assert shorten("✗ the second option", 30) == "✗ the second option"
    assert shorten("✗ the second option", 13) == "✗ the second…"
    assert shorten("✗ the second option", 12) == "✗ the…"
    assert shorten("✗ 注意力机制用于加权", 12) == "✗ 注意力机…"


def printed(*objects: object, end: str = "\n") -> str:
    out = io.StringIO()
    screen = Console(file=out, width=30, color_system=None)
    screen.push_render_hook(TrailingSpaceTrimmer())
    screen.print(*objects, end=end)
    return out.getvalue()


def test_trimmed_lines_lose_their_padding_but_a_prompt_keeps_its_space() -> None:
    table = Table("a", "b", box=None)
    table.add_row("long cell here", "x")
    table.add_row("y", "a much longer cell that wraps")
    text = printed(table, Text("words that wrap at a space " * 3))
    assert text.count("\n") > 4
    assert [line for line in text.splitlines() if line != line.rstrip()] == []
    assert printed(Text("Your answer (A-D): "), end="") == "Your answer (A-D): "
