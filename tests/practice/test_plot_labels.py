"""The statistics figure in the reader's language: Chinese labels where a Chinese font is
installed, English (never empty boxes) where none is."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

pytest.importorskip("matplotlib")

from llmiq.practice import plots


def _stats() -> dict[str, Any]:
    first = date(2026, 11, 2)
    days = [(first + timedelta(days=n)).isoformat() for n in range(28)]
    return {
        "heatmap": {day: n % 3 for n, day in enumerate(days)},
        "forecast": {day: 2 for day in days[:7]},
        "by_topic": {"fine-tuning": {"reviews": 4, "accuracy": 0.75}},
        "streak_days": 3,
    }


def test_a_chinese_figure_has_chinese_labels() -> None:
    if plots.cjk_font() is None:
        pytest.skip("no Chinese font installed (the figure stays in English: tested below)")
    svg = plots.stats_plot_bytes(_stats(), "svg", "zh").decode()
    # matplotlib keeps each text as a comment beside its glyphs' paths
    assert "各主题正确率" in svg
    assert "微调" in svg  # the topic's name
    assert "周一" in svg
    assert "Accuracy by topic" not in svg
    assert "fine-tuning" not in svg


def test_without_a_chinese_font_the_figure_stays_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plots, "CJK_FONTS", ())
    svg = plots.stats_plot_bytes(_stats(), "svg", "zh").decode()
    assert "Accuracy by topic" in svg
    assert "fine-tuning" in svg
    assert "各主题正确率" not in svg
