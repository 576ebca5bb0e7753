"""The statistics figure: review heatmap, due forecast and accuracy by topic. One figure
function for every front end: the CLI saves it as PNG, the web app as SVG.

Labels follow ``lang``. Chinese needs a font with its glyphs (matplotlib's own DejaVu Sans
has none): the first of :data:`CJK_FONTS` installed backs DejaVu Sans up, glyph by glyph;
with none installed the figure stays in English rather than draw empty boxes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from llmiq.atomic import write_atomic
from llmiq.errors import LlmiqError
from llmiq.messages import N_, topic_translator, translator

#: fonts with Chinese glyphs, as matplotlib names them (Linux, macOS, Windows); first found wins
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Microsoft YaHei",
    "SimHei",
    "AR PL UMing CN",
)
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _figure_class() -> Any:
    """matplotlib's Figure: drawn without pyplot, so no global state is shared between the
    threads of a web server, and no display is needed. One sentence saying what to install
    when matplotlib or numpy (which it needs, and the heatmap too) is missing."""
    try:
        import numpy  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError:
        raise LlmiqError(
            N_("plots need matplotlib: {command}"), command="pip install 'llmiq[plot]'"
        ) from None
    return Figure


def cjk_font() -> str | None:
    """The first of :data:`CJK_FONTS` that matplotlib finds on this machine."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def stats_figure(stats: dict[str, Any], lang: str = "en") -> Any:
    """A matplotlib Figure of ``compute_stats`` output, its labels in ``lang`` where a font
    allows. The fonts are set on each text, not in matplotlib's global settings, which the
    threads of a web server share."""
    figure_class = _figure_class()
    font = cjk_font() if lang == "zh" else None
    if lang == "zh" and font is None:
        lang = "en"
    text: dict[str, Any] = {"fontfamily": ["DejaVu Sans", font]} if font else {}
    _, label = translator(lang), topic_translator(lang)
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
    heat_ax.set_yticks(range(7), [_(day) for day in WEEKDAYS], **text)
    heat_ax.set_xticks([])
    heat_ax.set_title(
        _("Reviews per day ({first} to {last}); streak {days} d").format(
            first=days[0], last=days[-1], days=stats["streak_days"]
        ),
        **text,
    )
    fig.colorbar(image, ax=heat_ax, fraction=0.03).locator = MaxNLocator(integer=True)

    labels = [d[5:] for d in stats["forecast"]]
    forecast_ax.bar(labels, list(stats["forecast"].values()), color="#4c72b0")
    forecast_ax.set_title(_("Cards due per day (today includes overdue)"), **text)
    forecast_ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    forecast_ax.set_ylim(bottom=0, top=max(1, *stats["forecast"].values()) * 1.1)
    forecast_ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    topics = [t for t, v in stats["by_topic"].items() if v["reviews"]]
    accuracy = [stats["by_topic"][t]["accuracy"] * 100 for t in topics]
    names = [label(topic) for topic in topics] or [_("(no reviews yet)")]
    topic_ax.barh(range(len(names)), accuracy or [0], color="#55a868")
    topic_ax.set_yticks(range(len(names)), names, **text)
    topic_ax.set_xlim(0, 100)
    topic_ax.set_xlabel(_("accuracy %"), **text)
    topic_ax.set_title(_("Accuracy by topic"), **text)
    topic_ax.invert_yaxis()
    fig.tight_layout()
    return fig


def stats_plot_bytes(stats: dict[str, Any], fmt: str = "png", lang: str = "en") -> bytes:
    """The figure as PNG or SVG bytes, its labels in ``lang`` where a font allows."""
    import io

    buffer = io.BytesIO()
    stats_figure(stats, lang).savefig(buffer, format=fmt, dpi=110)
    return buffer.getvalue()


def save_stats_plot(stats: dict[str, Any], path: Path, lang: str = "en") -> None:
    """Write the figure as PNG (or SVG, by the file's suffix), atomically."""
    fmt = "svg" if path.suffix.lower() == ".svg" else "png"
    write_atomic(path, stats_plot_bytes(stats, fmt, lang))
