"""The ``llmiq`` command line: parses arguments and calls the packages, nothing more."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from llmiq import __version__
from llmiq.errors import LlmiqError

if TYPE_CHECKING:  # the model pulls in pydantic: keep it off the `llmiq --help` path
    from llmiq.bank.model import Lang

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


@cli.command()
def banks() -> None:
    """List the built-in and imported banks."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.bank.catalog import all_entries, load_entry

    table = Table("id", "origin", "questions", "kinds", "title", box=None, pad_edge=False)
    for entry in all_entries():
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
def show(bank: str, lang: Lang, answers: bool) -> None:
    """Print a bank: questions, options, answers, explanations and why each option is right
    or wrong."""
    from llmiq.bank.catalog import resolve_bank
    from llmiq.practice.render import bank_view

    _console().print(bank_view(resolve_bank(bank), lang, with_answers=answers))


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


def _bank_id_from(name: str) -> str:
    """A bank id from a file name: ``"LLM Interview Qs"`` -> ``"llm-interview-qs"``; a name with
    no Latin letters (``"面试题"``) gets ``"article-"`` and a short hash, so two such files do
    not overwrite each other."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    if slug:
        return slug
    return "article-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


@cli.command("import")
@click.argument("article", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the bank to this YAML file instead of the data directory.",
)
@click.option("--id", "bank_id", help="Bank id (default: from the file name).")
@click.option("--title", help="Bank title (default: the article's title line).")
@click.option("--strict", is_flag=True, help="Fail if any question block could not be imported.")
def import_(
    article: Path, output: Path | None, bank_id: str | None, title: str | None, strict: bool
) -> None:
    """Import an interview-question article (text or Markdown, UTF-8) as a bank.

    Prints what it found and every line it did not take. Without -o the bank is saved in the
    data directory and can then be used by its id.
    """
    from llmiq.bank.catalog import is_builtin
    from llmiq.bank.files import write_bank_file
    from llmiq.bank.model import check_identifier
    from llmiq.ingest import import_article
    from llmiq.paths import imported_banks_dir

    if bank_id is not None:
        try:
            check_identifier(bank_id)
        except ValueError as exc:
            raise LlmiqError(f"--id: {exc}") from None
    bank_id = bank_id or _bank_id_from(article.stem)
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
    target = output or imported_banks_dir() / f"{bank_id}.yaml"
    replaced = target.exists()
    write_bank_file(result.bank, target)
    kinds = Counter(q.kind.value for q in result.bank.questions)
    summary = ", ".join(f"{n} {k}" for k, n in kinds.items())
    dropped = len(result.dropped_questions)
    click.echo(
        f"Imported {_plural(len(result.bank.questions), 'question')} ({summary}; language "
        f"{result.lang}) from {article} into {target}{' (replaced)' if replaced else ''}"
        + (f"; {_plural(dropped, 'question block')} skipped, see above" if dropped else "")
    )
    if output is None:
        click.echo(f"Use it as bank {bank_id!r}: llmiq quiz {bank_id}")


_TEXT_FORMATS = {"json", "csv", "md"}


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
def export(bank: str, fmt: str, output: str | None, lang: Lang) -> None:
    """Export a bank as JSON, CSV, Markdown or an Anki deck."""
    from llmiq.atomic import write_atomic
    from llmiq.bank.catalog import resolve_bank
    from llmiq.export import apkg_bytes, bank_to_csv, bank_to_json, bank_to_markdown

    loaded = resolve_bank(bank)
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
def quiz(
    bank: str, lang: Lang, topic: str | None, count: int | None, shuffle: bool, seed: int | None
) -> None:
    """Answer questions and get feedback at once: right or wrong, the explanation, and why
    each option is right or wrong.

    Type a letter (A), several (A,C), or free text for open questions. Answers may be piped
    on standard input, one per line. Ctrl-C or end of input stops with the score so far.
    """
    from rich.text import Text

    from llmiq.bank.catalog import resolve_bank
    from llmiq.practice.quiz import run_quiz, select_questions

    questions = select_questions(
        resolve_bank(bank), topic=topic, limit=count, shuffle=shuffle, seed=seed
    )
    console = _console()
    echo = not sys.stdin.isatty()

    def read_line(prompt: str) -> str:
        line = console.input(Text(prompt))
        if echo:  # piped answers are not echoed by a terminal: show them in the transcript
            console.print(line, highlight=False, markup=False)
        return line

    run_quiz(questions, lang=lang, console=console, read_line=read_line)


def main() -> None:
    try:
        cli()
    except BrokenPipeError:  # `llmiq export ... | head`: the reader left; that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
