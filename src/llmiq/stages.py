"""A spinner naming the step a long operation is at, with the time it has taken so far."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TextIO


@contextlib.contextmanager
def stages(title: str, *, stream: TextIO | None = None) -> Iterator[Callable[[str], None]]:
    """Show ``title`` with a spinner and the elapsed time on ``stream`` (stderr) while the
    block runs, and yield ``stage(text)`` to name the current step; the line disappears when
    the block ends. Nothing is shown unless the stream is a terminal, so piped output and
    logs stay clean."""
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        yield lambda text: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=out), transient=True) as progress:
        task = progress.add_task(title, total=None)
        yield lambda text: progress.update(task, description=f"{title}: {text}")
