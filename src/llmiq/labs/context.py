"""What the runner hands a lab: where figures go, the seed, and a progress bar."""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmiq.atomic import write_atomic


@dataclass
class LabContext:
    out_dir: Path  # this lab's folder: figures and report.json
    seed: int = 0
    fast: bool = False
    show_progress: bool = True
    cache_dir: Path | None = None  # where a lab may keep trained models between runs
    fresh: bool = False  # ignore (and overwrite) cached models
    replicates: int = 1  # runs per claim, one per seed: 3 in full mode, 1 with --fast

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds a lab runs and reports: ``seed, seed+1, ...`` (``replicates`` of them);
        never one of ``uncertainty.TUNING_SEEDS``, which hyperparameters were chosen on."""
        from llmiq.labs.uncertainty import seeds_for

        return seeds_for(self.seed, self.replicates)

    def replicate(self) -> Iterator[int]:
        """Each reported seed in turn, with Python, NumPy and torch seeded with it first:
        ``for seed in context.replicate(): ...`` runs one replicate of the experiment."""
        for seed in self.seeds:
            seed_everything(seed)
            yield seed

    def cached(self, name: str) -> Path | None:
        """Path for a cached artefact, or None when caching is off (no cache_dir)."""
        if self.cache_dir is None:
            return None
        return self.cache_dir / name

    def figure_path(self, name: str) -> Path:
        return self.out_dir / f"{name}.png"

    def save_figure(self, figure: Any, name: str) -> str:
        """Write a matplotlib figure as PNG (atomically) and close it; returns the path."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(figure)
        path = self.figure_path(name)
        write_atomic(path, buffer.getvalue())
        return str(path)

    @contextmanager
    def progress(self, total: int, description: str) -> Iterator[Callable[[int], None]]:
        """A rich progress bar on stderr for training and timing loops; yields ``advance``."""
        if not (self.show_progress and sys.stderr.isatty()):
            yield lambda steps=1: None
            return
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda steps=1: bar.advance(task, steps)


def seed_everything(seed: int) -> None:
    """Python, NumPy and PyTorch generators (deterministic algorithms where torch has them)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` intra-op torch threads, then restore the count. Small tensors run
    fastest on one thread: on a busy 2-core machine two OpenMP threads spinning against other
    jobs were measured 10-20x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def pyplot() -> Any:
    """matplotlib.pyplot with the non-interactive backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
