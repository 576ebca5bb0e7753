"""Run a lab: its config (full or ``--fast``), seeds, timing, environment, and the report
written as JSON beside its figures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from llmiq.atomic import write_atomic
from llmiq.errors import LlmiqError
from llmiq.labs.context import LabContext, seed_everything
from llmiq.labs.registry import LAB_INFO, load_lab
from llmiq.labs.report import LabReport, LabResult, environment
from llmiq.labs.uncertainty import FAST_SEEDS, FULL_SEEDS, seeds_for


def planned_seeds(seed: int, *, fast: bool, replicates: int | None = None) -> tuple[int, ...]:
    """The seeds a run reports: ``replicates`` of them from ``seed`` (default 3, 1 with
    ``fast``); a seed kept for tuning is one ``LlmiqError`` sentence."""
    try:
        return seeds_for(seed, replicates or (FAST_SEEDS if fast else FULL_SEEDS))
    except ValueError as exc:
        raise LlmiqError(str(exc)) from None


def run_lab(
    lab_id: str,
    *,
    fast: bool = False,
    seed: int = 0,
    out_dir: Path,
    show_progress: bool = True,
    cache_dir: Path | None = None,
    fresh: bool = False,
    replicates: int | None = None,
) -> LabReport[Any]:
    """Run one lab; ``cache_dir`` lets labs keep trained models (``fresh`` retrains);
    ``replicates`` seeds per claim (default 3, 1 with ``fast``). The report is the lab's
    result filed under its card, with the run's seeds, mode, time and environment; it is also
    written to ``out_dir/<lab id>/report.json``."""
    seeds = planned_seeds(seed, fast=fast, replicates=replicates)
    lab = load_lab(lab_id)
    config = lab.Config.fast() if fast else lab.Config()
    context = LabContext(
        out_dir / lab_id,
        seed=seed,
        fast=fast,
        show_progress=show_progress,
        cache_dir=cache_dir,
        fresh=fresh,
        replicates=len(seeds),
    )
    context.out_dir.mkdir(parents=True, exist_ok=True)
    seed_everything(seed)
    started = time.perf_counter()
    result: LabResult[Any] = lab.run(config, context)
    if not isinstance(result.metrics, lab.Metrics):
        raise TypeError(f"lab {lab_id} returned {type(result.metrics).__name__}, not its Metrics")
    report = LabReport.of(
        LAB_INFO[lab_id],
        result,
        fast=fast,
        seed=seed,
        seeds=seeds,
        wall_seconds=round(time.perf_counter() - started, 2),
        environment=environment(),
    )
    path = context.out_dir / "report.json"
    write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return report
