from __future__ import annotations

from collections.abc import Callable

import pytest

from llmiq.labs.report import LabReport
from llmiq.labs.runner import run_lab


@pytest.fixture(scope="session")
def fast_report(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], LabReport]:
    """``fast_report("attention")``: the lab run once per test session in --fast mode (seed 0,
    no model cache), shared by every test that reads its report."""
    reports: dict[str, LabReport] = {}

    def get(lab_id: str) -> LabReport:
        if lab_id not in reports:
            out = tmp_path_factory.mktemp(lab_id)
            reports[lab_id] = run_lab(lab_id, fast=True, seed=0, out_dir=out, show_progress=False)
        return reports[lab_id]

    return get
