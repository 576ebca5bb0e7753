"""Lab reports in the terminal: one row per lab, then each claim with its evidence."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from llmiq.labs.report import Claim, LabReport


def interval_line(claim: Claim) -> str:
    """``measure: 0.0156 [0.0104, 0.0209] (95% interval over 3 seeds x 16 items; seeds
    0, 1, 2)``; a quantity with no sampling error shows its value and why it is exact."""
    interval = claim.interval
    assert interval is not None
    seeds = ", ".join(map(str, claim.seeds)) or "-"
    if interval.low == interval.high and interval.over.startswith("exact"):
        return f"{claim.measure}: {interval.estimate:.3g} ({interval.over}; seeds {seeds})"
    return (
        f"{claim.measure}: {interval.format('.3g')} (95% interval over {interval.over}; "
        f"seeds {seeds})"
    )


def reports_view(reports: list[LabReport]) -> RenderableType:
    summary = Table("lab", "verdict", "key figure", "time", box=None, pad_edge=False)
    for report in reports:
        verdict = (
            Text("✓ supported", style="green")
            if report.supported
            else Text("✗ not supported here", style="red")
        )
        summary.add_row(
            report.lab, verdict, Text(report.key_figure), f"{report.wall_seconds:.1f} s"
        )
    parts: list[RenderableType] = [summary]
    for report in reports:
        parts += [Text(""), Text(f"{report.lab}: {report.title}", style="bold")]
        for claim in report.claims:
            mark = Text(
                "  ✓ " if claim.supported else "  ✗ ", style="green" if claim.supported else "red"
            )
            parts.append(mark + Text(claim.text, style="bold"))
            parts.append(Text(f"      {claim.evidence}", style="dim"))
            if claim.interval is not None:
                parts.append(Text(f"      {interval_line(claim)}", style="dim"))
        for figure in report.figures:
            parts.append(Text(f"  figure: {figure}", style="dim"))
    return Group(*parts)
