"""``llmiq mock``: a timed mock interview with a report by topic at the end."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import (
    bank_argument,
    console,
    database_option,
    lang_option,
    profile_option,
    read_line,
)

if TYPE_CHECKING:
    from llmiq.bank.model import Lang


@click.command()
@bank_argument
@lang_option
@click.option("-n", "count", type=click.IntRange(min=1), default=10, show_default=True,
              help="Number of questions.")  # fmt: skip
@click.option("--minutes", type=click.FloatRange(min=0.1), default=15, show_default=True,
              help="Time limit.")  # fmt: skip
@click.option("--seed", type=int, help="Random seed (repeatable choice of questions).")
@profile_option
@database_option
def mock(
    bank: str,
    lang: Lang,
    count: int,
    minutes: float,
    seed: int | None,
    profile: str | None,
    database_url: str | None,
) -> None:
    """A timed mock interview: random questions across topics, a countdown, no feedback until
    the end, then a report by topic with the explanations of what you missed.

    Answers are saved to your progress as they are given (rated as in quiz: Easy within 5 s,
    Hard after 60 s, Again when wrong); the report is kept as JSON in the data directory's
    mock-reports folder. At a terminal the interview stops the moment time runs out.
    """
    import random

    from rich.text import Text

    from llmiq.messages import translator
    from llmiq.practice.mock import mock_report, pick_across_topics, report_data, run_mock
    from llmiq.practice.mock_reports import save_mock_report

    database = DatabaseOpener(database_url)
    practice = database.practice(profile)
    loaded = database.bank(bank)
    questions = pick_across_topics(loaded, count, random.Random(seed))
    screen = console()
    result = run_mock(
        questions,
        lang=lang,
        console=screen,
        read_line=read_line(screen),
        minutes=minutes,
        on_answer=lambda q, grade, ms: practice.record(loaded.id, q, grade, ms, "mock"),
        interrupt_at_deadline=sys.stdin.isatty(),
    )
    screen.print()
    screen.print(mock_report(result, lang))
    report = report_data(result, loaded.id, minutes)
    saved = save_mock_report(report, practice.profile, practice.clock())
    _ = translator(lang)
    saved_to = _("Report saved to {path}").format(path=saved)
    screen.print(Text(saved_to, style="dim"))
