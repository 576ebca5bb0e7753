"""``llmiq review``: spaced repetition within the daily limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import (
    bank_argument,
    console,
    database_option,
    lang_option,
    profile_option,
    rate_option,
    rating_wanted,
    read_line,
)

if TYPE_CHECKING:
    from llmiq.bank.model import Lang


@click.command()
@bank_argument
@lang_option
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N questions.")
@click.option("--new-per-day", type=click.IntRange(min=0), help="New questions a day [config: 20].")
@click.option(
    "--reviews-per-day", type=click.IntRange(min=0), help="Due reviews a day [config: 200]."
)
@rate_option
@profile_option
@database_option
def review(
    bank: str,
    lang: Lang,
    limit: int | None,
    new_per_day: int | None,
    reviews_per_day: int | None,
    rate: bool | None,
    profile: str | None,
    database_url: str | None,
) -> None:
    """Spaced repetition: the questions that are due, then new ones, within the daily limits.

    A question you miss comes back a minute later, in the same session. The limits default to
    new_per_day and reviews_per_day in the data directory's config.toml. Ratings follow the
    same rules as quiz (Easy within 5 s, Hard after 60 s); at a terminal (or with --rate) it
    is the default of the four ratings shown with their next intervals: 1-4, Enter accepts.
    Each question shows how many are left today.
    """
    from rich.text import Text

    from llmiq.config import load_settings
    from llmiq.messages import translator
    from llmiq.practice.intervals import card_choices
    from llmiq.practice.queue import DailyLimits
    from llmiq.practice.review import describe_end, run_review

    settings = load_settings()
    limits = DailyLimits(
        new=settings.new_per_day if new_per_day is None else new_per_day,
        reviews=settings.reviews_per_day if reviews_per_day is None else reviews_per_day,
    )
    database = DatabaseOpener(database_url)
    practice = database.practice(profile)
    loaded = database.bank(bank)
    screen = console()
    result = run_review(
        loaded,
        practice,
        lang=lang,
        console=screen,
        read_line=read_line(screen),
        limits=limits,
        limit=limit,
        choices=lambda q, suggested: card_choices(practice, loaded.id, q, suggested, lang),
        rate_graded=rating_wanted(rate),
    )
    _ = translator(lang)
    screen.print()
    if result.answered:
        reviewed = _("Reviewed {answered}: {right} right.")
        screen.print(
            Text(reviewed.format(answered=result.answered, right=result.correct), style="bold")
        )
    if result.interrupted or (limit is not None and result.answered >= limit):
        return
    screen.print(Text(describe_end(loaded.id, result, limits, practice.clock(), lang)))
