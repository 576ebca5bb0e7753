"""``llmiq stats`` and ``llmiq history``: what you know, and what you answered lately."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import console, database_option, lang_option, profile_option
from llmiq.errors import LlmiqError
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.bank.model import AnyBank, Lang


@click.command()
@click.argument("bank", required=False, metavar="[BANK]")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.option(
    "--plot", type=click.Path(path_type=Path), help="Also draw the charts to a .png (or .svg) file."
)
@lang_option
@profile_option
@database_option
def stats(
    bank: str | None,
    fmt: str,
    plot: Path | None,
    lang: Lang,
    profile: str | None,
    database_url: str | None,
) -> None:
    """Your progress: reviews and accuracy overall and per topic, retention (FSRS
    retrievability) per topic, streak, a review heatmap and the due forecast for 14 days."""
    import json

    from llmiq.practice.stats import load_stats

    if plot is not None and plot.suffix.lower() not in {".png", ".svg"}:
        raise LlmiqError(N_("--plot: {file} should end in .png or .svg"), file=plot)
    database = DatabaseOpener(database_url)
    practice = database.practice(profile)
    banks = _banks_for(bank, database)
    only = next(iter(banks)) if bank is not None else None
    numbers = load_stats(practice, banks, practice.clock(), only)
    if plot is not None:
        from llmiq.practice.plots import save_stats_plot

        save_stats_plot(numbers, plot, lang)
    if fmt == "json":
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    from llmiq.messages import translator
    from llmiq.practice.render import stats_view

    _ = translator(lang)
    console().print(stats_view(numbers, practice.profile, lang))
    if plot is not None:
        click.echo(_("Wrote the charts to {path}").format(path=plot), err=True)


def _banks_for(bank: str | None, database: DatabaseOpener) -> dict[str, AnyBank]:
    """The bank asked for, or every bank (those that still load). Built-in banks come from
    their validated cache (:mod:`llmiq.bank.cache`): validating eleven YAML files again took
    longer than all the statistics' queries over a million reviews."""
    from llmiq.bank.builtin import ALL_AREAS, builtin_files
    from llmiq.bank.cache import builtin_record

    if bank is not None:
        loaded = database.quiz_bank(bank)
        return {loaded.id: loaded}
    found: dict[str, AnyBank] = {}
    for bank_id in sorted([*builtin_files(), ALL_AREAS]):
        if (record := builtin_record(bank_id)) is not None:
            found[bank_id] = record
    from llmiq.store.saved_banks import saved_bank_texts

    saved = saved_bank_texts(database())
    if saved:
        from llmiq.bank.catalog import BankEntry, load_entry

        for bank_id, text in saved:
            try:
                found[bank_id] = load_entry(BankEntry(bank_id, "imported", lambda t=text: t))
            except LlmiqError:
                continue
    return found


@click.command()
@click.option("-n", "count", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many attempts.")  # fmt: skip
@click.option("--bank", help="Only this bank.")
@lang_option
@profile_option
@database_option
def history(
    count: int, bank: str | None, lang: Lang, profile: str | None, database_url: str | None
) -> None:
    """Your most recent answers, newest first."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.messages import N_, translator
    from llmiq.practice.scheduling import RATING_NAMES

    _ = translator(lang)
    # the modes an answer is given in, as history shows them
    modes = {"quiz": N_("quiz"), "review": N_("review"), "mock": N_("mock")}

    database = DatabaseOpener(database_url)
    name, rows = _latest_answers(database, profile, bank, count)
    if not rows and bank is not None:
        database.bank(bank)  # an unknown bank is an error, not "no answers yet"
    table = Table(_("when"), _("bank"), _("question"), _("answer"), "", _("rating"), _("mode"),
                  _("time"), box=None, pad_edge=False)  # fmt: skip
    for row in rows:
        mark = {True: "✓", False: "✗", None: "?"}[row.correct]
        table.add_row(
            f"{row.reviewed_at.astimezone():%Y-%m-%d %H:%M}",
            Text(row.bank_id),
            Text(row.question_id),
            Text(row.answer[:30]),
            mark,
            _(RATING_NAMES[row.rating]) if row.rating in RATING_NAMES else str(row.rating),
            _(modes.get(row.mode, row.mode)),
            _("{seconds} s").format(seconds=f"{row.duration_ms / 1000:.1f}"),
        )
    screen = console()
    if not rows:
        screen.print(Text(_("No answers yet for profile {name}.").format(name=repr(name))))
        return
    screen.print(table)


def _latest_answers(
    database: DatabaseOpener, profile: str | None, bank: str | None, count: int
) -> tuple[str, list[Any]]:
    """The profile's name and its ``count`` latest answers, newest first: from the default
    database through sqlite3 when it is ready (no SQLAlchemy to import: most of the time
    of a short command), else through SQLAlchemy."""
    from llmiq.cli.database import profile_name
    from llmiq.store.lite import open_default_lite_database

    lite = open_default_lite_database(database.url)
    if lite is not None:
        name = profile_name(profile)
        try:
            return name, lite.latest_reviews(name, bank, count)
        finally:
            lite.close()
    from llmiq.store import progress

    practice = database.practice(profile)
    with practice.database.reading() as session:
        user_id = practice.existing_user_id(session)
        if user_id is None:
            return practice.profile, []
        return practice.profile, progress.reviews_of(
            session, user_id, bank, limit=count, newest_first=True
        )
