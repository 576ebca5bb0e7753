"""``llmiq stats``'s topic table, drawn as aligned text, reads exactly as the borderless rich
Table it replaces (CJK topics, two cells wide per character, included)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from llmiq.practice.render import stats_view

TOPICS = {
    "attention": {"reviews": 12, "correct": 9, "accuracy": 0.75, "cards": 3, "retention": 0.91},
    "分词": {"reviews": 1000000, "correct": 0, "accuracy": 0.0, "cards": 120, "retention": None},
    "x": {"reviews": 0, "correct": 0, "accuracy": None, "cards": 1, "retention": 1.0},
}


def _text(renderable: object) -> list[str]:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]


def test_topics_read_as_a_rich_table() -> None:
    stats = {
        "reviews": 1000012, "correct": 9, "accuracy": 0.0, "due_now": 0, "streak_days": 2,
        "by_topic": TOPICS, "heatmap": {"2026-12-03": 1}, "forecast": {"2026-12-03": 0},
    }  # fmt: skip
    table = Table("topic", "answers", "right", "accuracy", "cards", "retention",
                  box=None, pad_edge=False)  # fmt: skip
    for topic, row in TOPICS.items():
        percent = [
            "-" if row[key] is None else f"{row[key] * 100:.0f}%"  # type: ignore[operator]
            for key in ("accuracy", "retention")
        ]
        table.add_row(topic, str(row["reviews"]), str(row["correct"]), percent[0],
                      str(row["cards"]), percent[1])  # fmt: skip
    shown = _text(stats_view(stats, "ada"))
    expected = _text(table)
    start = shown.index(expected[0])
    assert shown[start : start + len(expected)] == expected
