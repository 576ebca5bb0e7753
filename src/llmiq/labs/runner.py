"""Run a lab: its config (full or ``--fast``), seeds, timing, environment, and the report
written as JSON beside its figures."""

from __future__ import annotations

import json
import time
from pathlib import Path

from llmiq.atomic import write_atomic
from llmiq.labs.context import LabContext, seed_everything
from llmiq.labs.registry import load_lab
from llmiq.labs.report import LabReport, environment


def run_lab(
    lab_id: str,
    *,
    fast: bool = False,
    seed: int = 0,
    out_dir: Path,
    show_progress: bool = True,
    cache_dir: Path | None = None,
    fresh: bool = False,
) -> LabReport:
    """Run one lab; ``cache_dir`` lets labs keep trained models (``fresh`` retrains)."""
    module = load_lab(lab_id)
    config = module.Config.fast() if fast else module.Config()
    context = LabContext(
        out_dir / lab_id,
        seed=seed,
        fast=fast,
        show_progress=show_progress,
        cache_dir=cache_dir,
        fresh=fresh,
    )
    context.out_dir.mkdir(parents=True, exist_ok=True)
    seed_everything(seed)
    started = time.perf_counter()
    report: LabReport = module.run(config, context)
    report.wall_seconds = round(time.perf_counter() - started, 2)
    report.fast, report.seed = fast, seed
    report.environment = environment()
    path = context.out_dir / "report.json"
    write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return report
