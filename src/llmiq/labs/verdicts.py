"""The labs' verdicts as the Markdown table in the README, made from the reference reports
shipped with llmiq, so that the README never states a verdict or an interval the reports do
not hold (``scripts/update-lab-references`` rewrites it; a test compares the two)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmiq.labs.registry import LAB_INFO

BEGIN = "<!-- lab-verdicts: made by scripts/update-lab-references from the reference reports -->"
END = "<!-- /lab-verdicts -->"


def number(value: float) -> str:
    """Three significant digits, no exponent for everyday sizes.

    >>> number(0.04213), number(-1.5), number(123456.0), number(2e-07)
    ('0.0421', '-1.5', '1.23e+05', '2e-07')
    """
    return f"{value:.3g}"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def claim_row(lab: str, claim: dict[str, Any], literature: str) -> str:
    mark = "✓ supported" if claim["supported"] else "✗ not supported here"
    if claim.get("ci"):
        low, high = claim["ci"]
        measured = (
            f"{claim['measure']}: {number(claim['estimate'])} "
            f"[{number(low)}, {number(high)}] ({claim['ci_over']}; "
            f"seeds {', '.join(map(str, claim['seeds']))})"
        )
    else:
        measured = "no interval"
    return (
        "| " + " | ".join(_cell(c) for c in (lab, claim["text"], mark, measured, literature)) + " |"
    )


def verdict_table(reports: Iterable[dict[str, Any]]) -> str:
    """One row per claim: lab, claim, verdict, the measure with its 95% interval and seeds,
    and (on the lab's first row) the literature figure it is compared with."""
    lines = [
        "| lab | claim | verdict | measured: estimate [95% interval] | literature |",
        "|---|---|---|---|---|",
    ]
    for report in reports:
        literature = LAB_INFO[report["lab"]].literature
        for i, claim in enumerate(report["claims"]):
            lines.append(
                claim_row(report["lab"] if i == 0 else "", claim, literature if i == 0 else "")
            )
    return "\n".join(lines)


def reference_reports(reference: Path) -> list[dict[str, Any]]:
    """Every lab's shipped reference report, in registry order."""
    return [json.loads((reference / lab / "report.json").read_text("utf-8")) for lab in LAB_INFO]


def with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table + "\n" + readme[end:]


def table_in(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:end].strip("\n")
