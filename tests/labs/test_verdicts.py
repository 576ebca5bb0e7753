"""The README's table of lab verdicts is the shipped reference reports, number for number."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from llmiq.labs import verdicts
from llmiq.labs.registry import LABS
from llmiq.web.labs_panel import reference_lab_dir

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_module_examples(run_doctests: Callable) -> None:
    failed, attempted = run_doctests(verdicts)
    assert attempted >= 1
    assert failed == 0


def test_the_readme_table_is_the_reference_reports() -> None:
    reports = verdicts.reference_reports(reference_lab_dir(LABS[0].id).parent)
    table = verdicts.verdict_table(reports)
    assert verdicts.table_in(README.read_text("utf-8")) == table, (
        "the README's verdicts differ from the reference reports: run "
        "scripts/update-lab-references --from <a full run> or rewrite the table"
    )
    rows = table.splitlines()[2:]
    assert len(rows) == sum(len(report["claims"]) for report in reports)


def test_a_row_shows_the_interval_and_escapes_the_table_syntax() -> None:
    claim = {
        "text": "a | b",
        "supported": False,
        "measure": "gain",
        "estimate": 0.0412,
        "ci": [-0.01, 0.093],
        "ci_over": "12 prompts x 3 seeds",
        "seeds": [0, 1, 2],
    }
    row = verdicts.claim_row("calibration", claim, "Zhao et al. 2021: up to +30 points")
    assert row == (
        "| calibration | a \\| b | ✗ not supported here | gain: 0.0412 [-0.01, 0.093] "
        "(12 prompts x 3 seeds; seeds 0, 1, 2) | Zhao et al. 2021: up to +30 points |"
    )
