"""Terminal layout shared by the commands' rich output: hanging indents, and lines without
the trailing spaces rich pads them with.

rich pads every cell of a table to its column's width and keeps the space a wrapped line was
broken at; at a terminal they are invisible, but piped output (``llmiq quiz ... | less``, a
file, a diff) carries them. :class:`TrailingSpaceTrimmer` strips them from every line a
console prints, whatever drew it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import RenderableType, RenderHook
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderResult


def hanging(marker: Text | str, body: Text | str, indent: int) -> Table:
    """``marker`` right-aligned in ``indent`` cells, then ``body``, its wrapped lines aligned
    under its first (a hanging indent). Plain strings are shown as they are: bank text like
    ``[/INST]`` is not rich markup."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(width=indent, no_wrap=True, justify="right")
    grid.add_column(overflow="fold")
    grid.add_row(Text(marker) if isinstance(marker, str) else marker,
                 Text(body) if isinstance(body, str) else body)  # fmt: skip
    return grid


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, cut between words and ended with "…" when it is
    longer: ``shorten("✗ the second option", 12) == "✗ the…"``. Text with no space to cut at
    (Chinese) is cut at a character."""
    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    cut = set_cell_size(text, width - 1).rstrip()
    head, space, partial = cut.rpartition(" ")
    inside_a_word = len(cut) < len(text) and text[len(cut)] != " "
    if space and head and inside_a_word and cell_len(partial) == len(partial):
        cut = head  # a Latin word cut short: drop it (Chinese has no spaces to cut at)
    return cut.rstrip() + "…"


def _without_trailing_spaces(line: list[Segment]) -> list[Segment]:
    """``line`` with the blanks at its end removed, unless a background or an underline would
    show them."""
    line = list(line)
    while line:
        last = line[-1]
        style = last.style
        if last.control or (style and (style.bgcolor or style.underline or style.reverse)):
            break
        text = last.text.rstrip(" ")
        if text:
            line[-1] = Segment(text, style, last.control)
            break
        line.pop()
    return line


class Trimmed:
    """``renderable`` with no line ending in spaces; a last line with no newline (an input
    prompt such as ``"Your answer (A-D): "``) is left as it is."""

    def __init__(self, renderable: ConsoleRenderable | RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rendered = console.render(self.renderable, options)
        for line, ends_with_newline in Segment.split_lines_terminator(rendered):
            if ends_with_newline:
                yield from _without_trailing_spaces(line)
                yield Segment.line()
            else:
                yield from line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


class TrailingSpaceTrimmer(RenderHook):
    """A console's render hook (``console.push_render_hook(TrailingSpaceTrimmer())``) that
    prints every renderable :class:`Trimmed`."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [Trimmed(each) for each in renderables]
