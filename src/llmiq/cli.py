"""The ``llmiq`` command line: parses arguments and calls the packages, nothing more."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from llmiq import __version__
from llmiq.errors import LlmiqError

if TYPE_CHECKING:  # these pull in pydantic and SQLAlchemy: keep them off the --help path
    from llmiq.bank.model import Bank, Lang
    from llmiq.practice.recording import Practice
    from llmiq.store.database import Database

LANG_ENV = "LLMIQ_LANG"


def default_lang() -> Lang:
    """``$LLMIQ_LANG``, else Chinese when the locale is Chinese, else English."""
    explicit = os.environ.get(LANG_ENV)
    if explicit == "zh" or explicit == "en":
        return explicit
    locale = (
        os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    )
    return "zh" if locale.lower().startswith("zh") else "en"


class _Group(click.Group):
    """Turns :class:`LlmiqError` into a one-line ``Error: ...`` and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LlmiqError as exc:
            raise click.ClickException(str(exc)) from None


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=default_lang,
    show_default="$LLMIQ_LANG, else from the locale",
    help="Language of question texts (the other one fills in where a text is missing).",
)
bank_argument = click.argument("bank", default="seed", metavar="[BANK]")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="llmiq")
def cli() -> None:
    """LLM interview questions: validated bilingual banks, an article importer, and a quiz.

    BANK is a built-in bank id (seed), the id of a bank you imported, or a path to a bank file.
    """


class _LazyDatabase:
    """Opens the progress database the first time it is needed, once."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._database: Database | None = None

    def __call__(self) -> Database:
        if self._database is None:
            self._database = _open_database(self.url)
        return self._database


def _open_database(url: str | None) -> Database:
    from llmiq.store.adopt import adopt_bank_files
    from llmiq.store.database import open_database

    database = open_database(url)
    adopt_bank_files(database)
    return database


database_option = click.option(
    "--database-url",
    envvar="LLMIQ_DATABASE_URL",
    metavar="URL",
    help="SQLAlchemy URL of the progress database (default: SQLite in the data directory; "
    "env LLMIQ_DATABASE_URL).",
)
profile_option = click.option(
    "--profile",
    envvar="LLMIQ_PROFILE",
    metavar="NAME",
    help="Whose progress this is (default: the profile in config.toml, else your OS user "
    "name; env LLMIQ_PROFILE).",
)


def _profile_name(profile: str | None) -> str:
    from llmiq.config import check_profile_name, default_profile, load_settings

    return check_profile_name(profile) if profile else default_profile(load_settings())


def _practice(database_url: str | None, profile: str | None) -> Practice:
    from llmiq.practice.recording import Practice

    return Practice(_open_database(database_url), _profile_name(profile))


def _read_line(console: Any) -> Callable[[str], str]:
    from rich.text import Text

    echo = not sys.stdin.isatty()

    def read_line(prompt: str) -> str:
        line = console.input(Text(prompt))
        if echo:  # piped answers are not echoed by a terminal: show them in the transcript
            console.print(line, highlight=False, markup=False)
        return line

    return read_line


@cli.command()
@database_option
def banks(database_url: str | None) -> None:
    """List the built-in and imported banks."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.bank.catalog import builtin_entries, imported_entries, load_entry

    table = Table("id", "origin", "questions", "kinds", "title", box=None, pad_edge=False)
    for entry in builtin_entries() + imported_entries(_open_database(database_url)):
        try:
            bank = load_entry(entry)
        except LlmiqError as exc:
            table.add_row(entry.id, entry.origin, "-", "-", Text(f"invalid: {exc}", style="red"))
            continue
        kinds = Counter(q.kind.value for q in bank.questions)
        table.add_row(
            bank.id,
            entry.origin,
            str(len(bank.questions)),
            ", ".join(f"{n} {k}" for k, n in kinds.items()),
            Text(bank.title.get(default_lang())),
        )
    _console().print(table)


@cli.command()
@bank_argument
@lang_option
@click.option("--answers/--no-answers", default=True, help="Show answers and explanations.")
@database_option
def show(bank: str, lang: Lang, answers: bool, database_url: str | None) -> None:
    """Print a bank: questions, options, answers, explanations and why each option is right
    or wrong."""
    from llmiq.bank.catalog import resolve_bank
    from llmiq.practice.render import bank_view

    loaded = resolve_bank(bank, _LazyDatabase(database_url))
    _console().print(bank_view(loaded, lang, with_answers=answers))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check bank files; print every problem as FILE:LINE: FIELD: MESSAGE.

    Exits 0 only when every file is a valid bank.
    """
    from llmiq.bank.files import check_bank_file

    failed = 0
    for path in files:
        try:
            bank, problems = check_bank_file(path)
        except LlmiqError as exc:
            click.echo(str(exc), err=True)
            failed += 1
            continue
        if bank is None:
            failed += 1
            for problem in problems:
                click.echo(str(problem), err=True)
            click.echo(f"{path}: {_plural(len(problems), 'problem')}", err=True)
        else:
            count = _plural(len(bank.questions), "question")
            click.echo(f"{path}: valid bank {bank.id!r} with {count}")
    if failed:
        sys.exit(1)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@cli.command("import")
@click.argument("article", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the bank to this YAML file instead of storing it in the database.",
)
@click.option("--id", "bank_id", help="Bank id (default: from the file name).")
@click.option("--title", help="Bank title (default: the article's title line).")
@click.option("--strict", is_flag=True, help="Fail if any question block could not be imported.")
@database_option
def import_(
    article: Path,
    output: Path | None,
    bank_id: str | None,
    title: str | None,
    strict: bool,
    database_url: str | None,
) -> None:
    """Import an interview-question article (text or Markdown, UTF-8) as a bank.

    Prints what it found and every line it did not take. Without -o the bank is stored in the
    database, where every front end sees it, and is used by its id.
    """
    from llmiq.bank.catalog import is_builtin, store_bank
    from llmiq.bank.files import write_bank_file
    from llmiq.bank.model import check_identifier
    from llmiq.ingest import bank_id_from, import_article

    if bank_id is not None:
        try:
            check_identifier(bank_id)
        except ValueError as exc:
            raise LlmiqError(f"--id: {exc}") from None
    bank_id = bank_id or bank_id_from(article.stem)
    if output is None and is_builtin(bank_id):
        raise LlmiqError(f"{bank_id!r} is a built-in bank; choose another --id or use -o FILE")
    result = import_article(article, bank_id=bank_id, title=title)
    for skipped in result.skipped:
        click.secho(
            f"  {skipped}",
            err=True,
            fg="yellow" if skipped.dropped else None,
            dim=not skipped.dropped,
        )
    if strict and result.dropped_questions:
        raise LlmiqError(
            f"{article}: {_plural(len(result.dropped_questions), 'question block')} not "
            "imported (see above); nothing written"
        )
    if output is not None:
        replaced = output.exists()
        write_bank_file(result.bank, output)
        where = str(output)
    else:
        replaced = store_bank(_open_database(database_url), result.bank, title_lang=default_lang())
        where = "the database"
    kinds = Counter(q.kind.value for q in result.bank.questions)
    summary = ", ".join(f"{n} {k}" for k, n in kinds.items())
    dropped = len(result.dropped_questions)
    click.echo(
        f"Imported {_plural(len(result.bank.questions), 'question')} ({summary}; language "
        f"{result.lang}) from {article} into {where}{' (replaced)' if replaced else ''}"
        + (f"; {_plural(dropped, 'question block')} skipped, see above" if dropped else "")
    )
    if output is None:
        click.echo(f"Use it as bank {bank_id!r}: llmiq quiz {bank_id}")


@cli.command()
@bank_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "md", "anki"]),
    required=True,
    help="json: the bank model; csv: one row per question; md: Markdown; anki: an .apkg deck.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="Output file, or - for standard output (default: standard output; BANK.apkg for anki).",
)
@lang_option
@database_option
def export(bank: str, fmt: str, output: str | None, lang: Lang, database_url: str | None) -> None:
    """Export a bank as JSON, CSV, Markdown or an Anki deck."""
    from llmiq.atomic import write_atomic
    from llmiq.bank.catalog import resolve_bank
    from llmiq.export import apkg_bytes, bank_to_csv, bank_to_json, bank_to_markdown

    loaded = resolve_bank(bank, _LazyDatabase(database_url))
    payload: str | bytes
    if fmt == "json":
        payload = bank_to_json(loaded)
    elif fmt == "csv":
        payload = bank_to_csv(loaded)
    elif fmt == "md":
        payload = bank_to_markdown(loaded, lang)
    else:
        if output is None:
            output = f"{loaded.id}.apkg"
        if output == "-" and sys.stdout.isatty():
            raise LlmiqError("an Anki deck is binary; give -o FILE.apkg or redirect the output")
        payload = apkg_bytes(loaded, lang)
    if output in (None, "-"):
        stream = sys.stdout.buffer
        stream.write(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
        stream.flush()
        return
    write_atomic(Path(output), payload)
    click.echo(f"Wrote {len(loaded.questions)} questions to {output}", err=True)


@cli.command()
@bank_argument
@lang_option
@click.option("--topic", help="Only questions with this topic.")
@click.option("-n", "count", type=int, help="Ask at most N questions.")
@click.option("--shuffle/--in-order", default=True, show_default=True, help="Question order.")
@click.option("--seed", type=int, help="Random seed for --shuffle (repeatable order).")
@profile_option
@database_option
def quiz(
    bank: str,
    lang: Lang,
    topic: str | None,
    count: int | None,
    shuffle: bool,
    seed: int | None,
    profile: str | None,
    database_url: str | None,
) -> None:
    """Answer questions and get feedback at once: right or wrong, the explanation, and why
    each option is right or wrong. Every answer is saved to your progress.

    Type a letter (A), several (A,C), or free text for open questions. Answers may be piped
    on standard input, one per line. Ctrl-C or end of input stops with the score so far.
    An answer graded right counts as Easy for spaced repetition when given within 5 s, Hard
    after 60 s, else Good; a wrong one as Again. Open questions with only a reference answer
    are rated by you, 1-4.
    """
    from llmiq.background import Background
    from llmiq.bank.catalog import resolve_bank
    from llmiq.practice.quiz import run_quiz, select_questions
    from llmiq.practice.recording import Practice
    from llmiq.store.database import check_database_url

    name = _profile_name(profile)  # every input is checked before the first question
    check_database_url(database_url)
    database = _LazyDatabase(database_url)
    loaded = resolve_bank(bank, database)
    questions = select_questions(loaded, topic=topic, limit=count, shuffle=shuffle, seed=seed)

    def open_practice() -> Practice:
        practice = Practice(database(), name)
        practice.sync(loaded)
        return practice

    # The first question needs no database: open it (SQLAlchemy, migrations) meanwhile.
    pending = Background(open_practice)
    console = _console()
    run_quiz(
        questions,
        lang=lang,
        console=console,
        read_line=_read_line(console),
        on_answer=lambda q, grade, ms: pending.result().record(loaded.id, q, grade, ms, "quiz"),
    )
    pending.result()  # a database that could not be opened is an error even with no answer


@cli.command()
@bank_argument
@lang_option
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N questions.")
@click.option("--new-per-day", type=click.IntRange(min=0), help="New questions a day [config: 20].")
@click.option(
    "--reviews-per-day", type=click.IntRange(min=0), help="Due reviews a day [config: 200]."
)
@profile_option
@database_option
def review(
    bank: str,
    lang: Lang,
    limit: int | None,
    new_per_day: int | None,
    reviews_per_day: int | None,
    profile: str | None,
    database_url: str | None,
) -> None:
    """Spaced repetition: the questions that are due, then new ones, within the daily limits.

    A question you miss comes back a minute later, in the same session. The limits default to
    new_per_day and reviews_per_day in the data directory's config.toml. Ratings follow the
    same rules as quiz (Easy within 5 s, Hard after 60 s).
    """
    from rich.text import Text

    from llmiq.bank.catalog import resolve_bank
    from llmiq.config import load_settings
    from llmiq.practice.queue import DailyLimits
    from llmiq.practice.review import describe_end, run_review

    settings = load_settings()
    limits = DailyLimits(
        new=settings.new_per_day if new_per_day is None else new_per_day,
        reviews=settings.reviews_per_day if reviews_per_day is None else reviews_per_day,
    )
    practice = _practice(database_url, profile)
    loaded = resolve_bank(bank, lambda: practice.database)
    console = _console()
    result = run_review(
        loaded,
        practice,
        lang=lang,
        console=console,
        read_line=_read_line(console),
        limits=limits,
        limit=limit,
    )
    console.print()
    if result.answered:
        console.print(Text(f"Reviewed {result.answered}: {result.correct} right.", style="bold"))
    if result.interrupted or (limit is not None and result.answered >= limit):
        return
    console.print(Text(describe_end(loaded.id, result, limits, practice.clock())))


@cli.command()
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

    from llmiq.bank.catalog import resolve_bank
    from llmiq.practice.mock import mock_report, pick_across_topics, report_data, run_mock

    practice = _practice(database_url, profile)
    loaded = resolve_bank(bank, lambda: practice.database)
    questions = pick_across_topics(loaded, count, random.Random(seed))
    console = _console()
    result = run_mock(
        questions,
        lang=lang,
        console=console,
        read_line=_read_line(console),
        minutes=minutes,
        on_answer=lambda q, grade, ms: practice.record(loaded.id, q, grade, ms, "mock"),
        interrupt_at_deadline=sys.stdin.isatty(),
    )
    console.print()
    console.print(mock_report(result, lang))
    saved = _save_mock_report(report_data(result, loaded.id, minutes), practice)
    console.print(Text(f"Report saved to {saved}", style="dim"))


def _save_mock_report(report: dict[str, Any], practice: Practice) -> Path:
    import json

    from llmiq.atomic import write_atomic
    from llmiq.paths import data_dir

    when = practice.clock()
    path = data_dir() / "mock-reports" / f"{when:%Y%m%d-%H%M%S}-{practice.profile}.json"
    report = {"profile": practice.profile, "finished_at": when.isoformat(), **report}
    write_atomic(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return path


@cli.command()
@click.argument("bank", required=False, metavar="[BANK]")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.option(
    "--plot", type=click.Path(path_type=Path), help="Also draw the charts to a .png (or .svg) file."
)
@profile_option
@database_option
def stats(
    bank: str | None, fmt: str, plot: Path | None, profile: str | None, database_url: str | None
) -> None:
    """Your progress: reviews and accuracy overall and per topic, retention (FSRS
    retrievability) per topic, streak, a review heatmap and the due forecast for 14 days."""
    import json

    from llmiq.practice.stats import compute_stats
    from llmiq.store import progress

    if plot is not None and plot.suffix.lower() not in {".png", ".svg"}:
        raise LlmiqError(f"--plot: {plot} should end in .png or .svg")
    practice = _practice(database_url, profile)
    banks = _banks_for(bank, practice)
    only = next(iter(banks)) if bank is not None else None
    reviews: list = []
    cards: list = []
    with practice.database.transaction() as session:
        user_id = practice.existing_user_id(session)
        if user_id is not None:
            reviews = progress.reviews_of(session, user_id, only)
            cards = progress.cards_of(session, user_id, only)
    numbers = compute_stats(reviews, cards, banks, practice.clock())
    if plot is not None:
        from llmiq.practice.plots import save_stats_plot

        save_stats_plot(numbers, plot)
    if fmt == "json":
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    from llmiq.practice.render import stats_view

    _console().print(stats_view(numbers, practice.profile))
    if plot is not None:
        click.echo(f"Wrote the charts to {plot}", err=True)


def _banks_for(bank: str | None, practice: Practice) -> dict[str, Bank]:
    """The bank asked for, or every bank with progress (those that still load)."""
    from llmiq.bank.catalog import builtin_entries, imported_entries, load_entry, resolve_bank

    if bank is not None:
        loaded = resolve_bank(bank, lambda: practice.database)
        return {loaded.id: loaded}
    found: dict[str, Bank] = {}
    for entry in builtin_entries() + imported_entries(practice.database):
        try:
            found[entry.id] = load_entry(entry)
        except LlmiqError:
            continue
    return found


@cli.command()
@click.option("-n", "count", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many attempts.")  # fmt: skip
@click.option("--bank", help="Only this bank.")
@profile_option
@database_option
def history(count: int, bank: str | None, profile: str | None, database_url: str | None) -> None:
    """Your most recent answers, newest first."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.practice.scheduling import RATING_NAMES
    from llmiq.store import progress

    practice = _practice(database_url, profile)
    with practice.database.transaction() as session:
        user_id = practice.existing_user_id(session)
        rows = (
            []
            if user_id is None
            else progress.reviews_of(session, user_id, bank, limit=count, newest_first=True)
        )
    table = Table("when", "bank", "question", "answer", "", "rating", "mode", "time",
                  box=None, pad_edge=False)  # fmt: skip
    for row in rows:
        mark = {True: "✓", False: "✗", None: "?"}[row.correct]
        table.add_row(
            f"{row.reviewed_at.astimezone():%Y-%m-%d %H:%M}",
            Text(row.bank_id),
            Text(row.question_id),
            Text(row.answer[:30]),
            mark,
            RATING_NAMES.get(row.rating, str(row.rating)),
            row.mode,
            f"{row.duration_ms / 1000:.1f} s",
        )
    console = _console()
    if not rows:
        console.print(Text(f"No answers yet for profile {practice.profile!r}."))
        return
    console.print(table)


@cli.group(cls=_Group)
def profile() -> None:
    """Profiles: whose progress is kept (list, create, delete, use)."""


@profile.command("list")
@database_option
def profile_list(database_url: str | None) -> None:
    """List profiles with their number of answers; * marks the default."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.config import default_profile, load_settings
    from llmiq.store import progress

    current = default_profile(load_settings())
    with _open_database(database_url).transaction() as session:
        rows = progress.users_with_activity(session)
    table = Table("", "profile", "answers", "last answer", box=None, pad_edge=False)
    for user, count, last in rows:
        when = f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "-"
        table.add_row("*" if user.name == current else "", Text(user.name), str(count), when)
    _console().print(table if rows else Text(f"No profiles yet; the default is {current!r}."))


@profile.command("create")
@click.argument("name")
@click.option("--use", "make_default", is_flag=True, help="Also make it the default profile.")
@database_option
def profile_create(name: str, make_default: bool, database_url: str | None) -> None:
    """Create a profile."""
    from llmiq.config import check_profile_name
    from llmiq.practice.scheduling import utc_now
    from llmiq.store import progress

    check_profile_name(name)
    from sqlalchemy.exc import IntegrityError

    try:
        with _open_database(database_url).transaction() as session:
            if progress.find_user(session, name) is not None:
                raise LlmiqError(f"profile {name!r} already exists")
            progress.ensure_user(session, name, utc_now())
    except IntegrityError:  # created by another process meanwhile
        raise LlmiqError(f"profile {name!r} already exists") from None
    click.echo(f"Created profile {name!r}.")
    if make_default:
        _use_profile(name)


@profile.command("use")
@click.argument("name")
def profile_use(name: str) -> None:
    """Make NAME the default profile (saved in config.toml)."""
    from llmiq.config import check_profile_name

    _use_profile(check_profile_name(name))


def _use_profile(name: str) -> None:
    from dataclasses import replace

    from llmiq.config import config_path, load_settings, save_settings

    save_settings(replace(load_settings(), profile=name))
    click.echo(f"Default profile is now {name!r} ({config_path()}).")


@profile.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@database_option
def profile_delete(name: str, yes: bool, database_url: str | None) -> None:
    """Delete a profile with all its answers and cards."""
    from llmiq.store import progress

    database = _open_database(database_url)
    with database.transaction() as session:
        if progress.find_user(session, name) is None:
            raise LlmiqError(f"no profile named {name!r}")
    if not yes:
        if not sys.stdin.isatty():
            raise LlmiqError(f"deleting profile {name!r} loses its history; add --yes to confirm")
        click.confirm(f"Delete profile {name!r} and all its answers?", abort=True)
    with database.transaction() as session:
        progress.delete_user(session, name)
    click.echo(f"Deleted profile {name!r}.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--multi-user",
    is_flag=True,
    default=None,
    help="Accounts and sign-in (needed to listen on a non-loopback address); "
    "needs LLMIQ_SECRET_KEY. Default: $LLMIQ_MULTI_USER.",
)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes."
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    metavar="IPS",
    help="Reverse proxies whose X-Forwarded-For/-Proto headers are trusted.",
)
@database_option
@profile_option
def serve(
    host: str,
    port: int,
    multi_user: bool | None,
    workers: int,
    forwarded_allow_ips: str,
    database_url: str | None,
    profile: str | None,
) -> None:
    """Start the web app: practice, review, mock interviews, statistics, import, in a browser.

    Single-user by default: on 127.0.0.1, with your profile and no sign-in. --multi-user adds
    accounts for a shared instance (create the first admin with llmiq account create).
    """
    try:
        from llmiq.web.serving import prepare, run
        from llmiq.web.settings import WebSettings
    except ImportError as exc:
        raise LlmiqError(
            f"the web app needs its extra: pip install 'llmiq[web]' (missing: {exc.name})"
        ) from None
    from pydantic import ValidationError

    try:
        settings = WebSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise LlmiqError(f"setting LLMIQ_{str(first['loc'][0]).upper()}: {first['msg']}") from None
    overrides = {"database_url": database_url, "profile": profile, "multi_user": multi_user}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    prepared = prepare(settings, host)
    mode = (
        "multi-user"
        if settings.multi_user
        else f"single-user, profile {settings.profile or _profile_name(None)!r}"
    )
    click.echo(f"llmiq: http://{host}:{port} ({mode}; database {prepared.shown_database})")
    if settings.multi_user and prepared.admins == 0:
        click.echo("No admin account yet: llmiq account create NAME --admin", err=True)
    run(prepared, host=host, port=port, workers=workers, forwarded_allow_ips=forwarded_allow_ips)


@cli.group(cls=_Group)
def account() -> None:
    """Accounts of the web app's multi-user mode (create, list, password)."""


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise LlmiqError("no terminal to ask for the password: use --password-stdin")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@account.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May import banks, see flags, manage accounts.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def account_create(name: str, admin: bool, password_stdin: bool, database_url: str | None) -> None:
    """Create an account (the first admin of an instance is made this way)."""
    from llmiq.config import check_profile_name
    from llmiq.practice.scheduling import utc_now
    from llmiq.store import accounts
    from llmiq.web.passwords import hash_password, password_problem

    check_profile_name(name)
    password = _new_password(password_stdin)
    if problem := password_problem(password, name):
        raise LlmiqError(problem)
    with _open_database(database_url).transaction() as session:
        user = accounts.create_account(
            session, name, hash_password(password), is_admin=admin, now=utc_now()
        )
    if user is None:
        raise LlmiqError(f"the name {name!r} is taken by an account or a profile")
    click.echo(f"Created account {name!r}{' (admin)' if admin else ''}")


@account.command("list")
@database_option
def account_list(database_url: str | None) -> None:
    """List accounts with their answers and last activity."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.store import accounts

    with _open_database(database_url).transaction() as session:
        rows = accounts.accounts_with_activity(session)
    table = Table("account", "admin", "answers", "last answer", box=None, pad_edge=False)
    for user, acct, count, last in rows:
        when = f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "-"
        table.add_row(Text(user.name), "yes" if acct.is_admin else "", str(count), when)
    _console().print(table if rows else Text("No accounts yet."))


@account.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def account_password(name: str, password_stdin: bool, database_url: str | None) -> None:
    """Set an account's password (signs it out everywhere)."""
    from llmiq.store import accounts
    from llmiq.web.passwords import hash_password, password_problem

    password = _new_password(password_stdin)
    if problem := password_problem(password, name):
        raise LlmiqError(problem)
    with _open_database(database_url).transaction() as session:
        found = accounts.find_account(session, name)
        if found is None:
            raise LlmiqError(f"no account named {name!r}")
        accounts.set_password(session, found[0].id, hash_password(password))
    click.echo(f"Password of {name!r} changed; its sessions are signed out")


@cli.group(cls=_Group)
def lab() -> None:
    """Labs: a small, real experiment per seed question that measures the claim in its answer
    and prints a verdict with numbers and figures (needs pip install 'llmiq[labs]')."""


@lab.command("list")
def lab_list() -> None:
    """The labs: id, the question each backs, its claim and typical run time."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.labs.registry import LAB_INFO

    table = Table("lab", "question", "claim", "full run", box=None, pad_edge=False)
    for info in LAB_INFO.values():
        table.add_row(info.id, info.question, Text(info.claim), f"~{info.typical_seconds:.0f} s")
    _console().print(table)


@lab.command("run")
@click.argument("lab_ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "run_all", is_flag=True, help="Run every lab.")
@click.option("--fast", is_flag=True, help="Small configs: seconds per lab (used by the tests).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for reports and figures [default: DATA_DIR/labs].")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.option("--fresh", is_flag=True, help="Retrain models a lab keeps in its cache.")
def lab_run(
    lab_ids: tuple[str, ...],
    run_all: bool,
    fast: bool,
    seed: int,
    out_dir: Path | None,
    fmt: str,
    fresh: bool,
) -> None:
    """Run labs and print each claim with its verdict, computed from the measurement.

    Writes report.json and PNG figures per lab to --out.
    """
    import json

    from llmiq.labs.registry import LAB_INFO, load_lab
    from llmiq.labs.runner import run_lab
    from llmiq.paths import data_dir

    chosen = list(LAB_INFO) if run_all else list(lab_ids)
    if not chosen:
        raise LlmiqError(f"name a lab or give --all; labs: {', '.join(LAB_INFO)}")
    for lab_id in chosen:
        load_lab(lab_id)  # unknown ids and a missing extra fail before anything runs
    folder = out_dir or data_dir() / "labs"
    reports = [
        run_lab(
            lab_id,
            fast=fast,
            seed=seed,
            out_dir=folder,
            show_progress=fmt == "table",
            cache_dir=data_dir() / "labs-cache",
            fresh=fresh,
        )
        for lab_id in chosen
    ]
    if fmt == "json":
        data = [report.to_dict() for report in reports]
        click.echo(json.dumps(data if run_all or len(data) > 1 else data[0], indent=2))
        return
    from llmiq.labs.view import reports_view

    _console().print(reports_view(reports))


@lab.command("memory")
@click.option("--params", type=float, multiple=True, help="Model size in parameters (7e9).")
@click.option("--gpus", type=click.IntRange(min=1), multiple=True, help="Number of GPUs.")
@click.option("--gpu-mem", type=click.FloatRange(min=1), default=80, show_default=True,
              help="Memory per GPU in GB.")  # fmt: skip
def lab_memory(params: tuple[float, ...], gpus: tuple[int, ...], gpu_mem: float) -> None:
    """The ZeRO memory model: per-GPU bytes of weights, gradients and Adam state under DDP and
    FSDP (mixed precision, 16 bytes per parameter), and whether they fit, before activations."""
    from llmiq.labs.memory_model import format_memory_table, memory_table

    rows = memory_table(list(params) or [1e9, 7e9, 70e9], list(gpus) or [1, 8, 64], gpu_mem)
    click.echo(format_memory_table(rows))


def main() -> None:
    try:
        cli()
    except BrokenPipeError:  # `llmiq export ... | head`: the reader left; that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
