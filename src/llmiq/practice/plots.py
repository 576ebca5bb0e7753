"""The statistics figure: review heatmap, due forecast and accuracy by topic. One figure
function for every front end: the CLI saves it as PNG, the web app as SVG."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from llmiq.atomic import write_atomic
from llmiq.errors import LlmiqError


def _figure_class() -> Any:
    """matplotlib's Figure: drawn without pyplot, so no global state is shared between the
    threads of a web server, and no display is needed. One sentence saying what to install
    when matplotlib or numpy (which it needs, and the heatmap too) is missing."""
    try:
        import numpy  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError:
        raise LlmiqError("plots need matplotlib: pip install 'llmiq[plot]'") from None
    return Figure


def stats_figure(stats: dict[str, Any]) -> Any:
    """A matplotlib Figure of ``compute_stats`` output."""
    figure_class = _figure_class()
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    fig = figure_class(figsize=(9, 9))
    heat_ax, forecast_ax, topic_ax = fig.subplots(
        3, 1, gridspec_kw={"height_ratios": [1.1, 1, 1.3]}
    )
    days = [date.fromisoformat(d) for d in stats["heatmap"]]
    counts = list(stats["heatmap"].values())
    weeks = (len(days) + days[0].weekday() + 6) // 7
    grid = np.full((7, weeks), np.nan)
    for index, (day, count) in enumerate(zip(days, counts, strict=True)):
        column = (index + days[0].weekday()) // 7
        grid[day.weekday(), column] = count
    busiest = max(counts, default=0)
    image = heat_ax.imshow(grid, cmap="Greens", aspect="auto", vmin=0, vmax=max(1, busiest))
    heat_ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    heat_ax.set_xticks([])
    heat_ax.set_title(f"Reviews per day ({days[0]} to {days[-1]}); streak {stats['streak_days']} d")
    fig.colorbar(image, ax=heat_ax, fraction=0.03).locator = MaxNLocator(integer=True)

    labels = [d[5:] for d in stats["forecast"]]
    forecast_ax.bar(labels, list(stats["forecast"].values()), color="#4c72b0")
    forecast_ax.set_title("Cards due per day (today includes overdue)")
    forecast_ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    forecast_ax.set_ylim(bottom=0, top=max(1, *stats["forecast"].values()) * 1.1)
    forecast_ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    topics = [t for t, v in stats["by_topic"].items() if v["reviews"]]
    accuracy = [stats["by_topic"][t]["accuracy"] * 100 for t in topics]
    topic_ax.barh(topics or ["(no reviews yet)"], accuracy or [0], color="#55a868")
    topic_ax.set_xlim(0, 100)
    topic_ax.set_xlabel("accuracy %")
    topic_ax.set_title("Accuracy by topic")
    topic_ax.invert_yaxis()
    fig.tight_layout()
    return fig


def stats_plot_bytes(stats: dict[str, Any], fmt: str = "png") -> bytes:
    """The figure as PNG or SVG bytes."""
    import io

    buffer = io.BytesIO()
    stats_figure(stats).savefig(buffer, format=fmt, dpi=110)
    return buffer.getvalue()


def save_stats_plot(stats: dict[str, Any], path: Path) -> None:
    """Write the figure as PNG (or SVG, by the file's suffix), atomically."""
    fmt = "svg" if path.suffix.lower() == ".svg" else "png"
    write_atomic(path, stats_plot_bytes(stats, fmt))
