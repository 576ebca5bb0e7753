"""``llmiq quiz``: questions with feedback at once, every answer saved to your progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from llmiq.cli.database import DatabaseOpener, profile_name
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
@click.option("--topic", help="Only questions with this topic.")
@click.option("-n", "count", type=int, help="Ask at most N questions.")
@click.option("--shuffle/--in-order", default=True, show_default=True, help="Question order.")
@click.option("--seed", type=int, help="Random seed for --shuffle (repeatable order).")
@rate_option
@profile_option
@database_option
def quiz(
    bank: str,
    lang: Lang,
    topic: str | None,
    count: int | None,
    shuffle: bool,
    seed: int | None,
    rate: bool | None,
    profile: str | None,
    database_url: str | None,
) -> None:
    """Answer questions and get feedback at once: right or wrong, the explanation, and why
    each option is right or wrong. Every answer is saved to your progress.

    Type a letter (A), several (A,C), or free text for open questions. Answers may be piped
    on standard input, one per line. Ctrl-C or end of input stops with the score so far.
    An answer graded right counts as Easy for spaced repetition when given within 5 s, Hard
    after 60 s, else Good; a wrong one as Again. At a terminal (or with --rate) that rating is
    a suggestion: the four ratings are shown with the next interval of each, and 1-4 picks
    another, Enter takes it. Open questions with only a reference answer are rated by you.
    """
    from llmiq.background import Background
    from llmiq.practice.intervals import card_choices
    from llmiq.practice.quiz import run_quiz, select_questions

    name = profile_name(profile)  # every input is checked before the first question
    database = DatabaseOpener(database_url)
    database.check()
    # A damaged file is refused before the first question, with nothing written: the
    # checks of opening it (a few ms for the usual database) run while the bank loads.
    opening = Background(database.checked_lite)
    loaded = database.quiz_bank(bank)
    questions = select_questions(loaded, topic=topic, limit=count, shuffle=shuffle, seed=seed)
    lite = opening.result()

    # The first question needs no more: migrate, adopt and sync meanwhile.
    pending = Background(lambda: database.recording_practice(name, loaded, lite))
    screen = console()
    run_quiz(
        questions,
        lang=lang,
        console=screen,
        read_line=read_line(screen),
        on_answer=lambda q, grade, ms: pending.result().record(loaded.id, q, grade, ms, "quiz"),
        choices=lambda q, suggested: card_choices(pending.result(), loaded.id, q, suggested, lang),
        rate_graded=rating_wanted(rate),
    )
    pending.result()  # a database that could not be opened is an error even with no answer
