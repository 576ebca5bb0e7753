"""Lab reports in the terminal: one row per lab, then each claim with its evidence. The
interface's words follow ``lang``; the labs' titles, claims and evidence are the labs' own
English."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from llmiq.labs.report import Claim, LabReport
from llmiq.messages import translator
from llmiq.terminal import hanging


def interval_line(claim: Claim, lang: str = "en") -> str:
    """``measure: 0.0156 [0.0104, 0.0209] (95% interval over 3 seeds x 16 items; seeds
    0, 1, 2)``; a quantity with no sampling error shows its value and why it is exact."""
    _ = translator(lang)
    interval = claim.interval
    assert interval is not None
    seeds = ", ".join(map(str, claim.seeds)) or "-"
    if interval.low == interval.high and interval.over.startswith("exact"):
        return _("{measure}: {value} ({over}; seeds {seeds})").format(
            measure=claim.measure, value=f"{interval.estimate:.3g}", over=interval.over, seeds=seeds
        )
    return _("{measure}: {value} (95% interval over {over}; seeds {seeds})").format(
        measure=claim.measure, value=interval.format(".3g"), over=interval.over, seeds=seeds
    )


def reports_view(reports: list[LabReport], lang: str = "en") -> RenderableType:
    _ = translator(lang)
    summary = Table(_("lab"), _("verdict"), _("key figure"), _("time"), box=None, pad_edge=False)
    for report in reports:
        verdict = (
            Text("✓ " + _("supported"), style="green")
            if report.supported
            else Text("✗ " + _("not supported here"), style="red")
        )
        seconds = _("{seconds} s").format(seconds=f"{report.wall_seconds:.1f}")
        summary.add_row(report.lab, verdict, Text(report.key_figure), seconds)
    parts: list[RenderableType] = [summary]
    for report in reports:
        parts += [Text(""), Text(f"{report.lab}: {report.title}", style="bold")]
        for claim in report.claims:
            mark = Text(
                "✓" if claim.supported else "✗", style="green" if claim.supported else "red"
            )
            parts.append(hanging(mark, Text(claim.text, style="bold"), 3))
            # wrapped evidence stays under its first line, not back at the left margin
            parts.append(Padding(Text(claim.evidence, style="dim"), (0, 0, 0, 6)))
            if claim.interval is not None:
                interval = Text(interval_line(claim, lang), style="dim")
                parts.append(Padding(interval, (0, 0, 0, 6)))
        for figure in report.figures:
            parts.append(Text("  " + _("figure: {path}").format(path=figure), style="dim"))
    return Group(*parts)
