"""Banks: list them, print one, validate bank files."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import (
    bank_argument,
    console,
    database_option,
    default_lang,
    lang_option,
)
from llmiq.errors import LlmiqError

if TYPE_CHECKING:
    from llmiq.bank.model import Bank, Lang


@click.command()
@database_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: one object per bank, for scripts.")  # fmt: skip
def banks(database_url: str | None, fmt: str) -> None:
    """List the built-in and imported banks."""
    import json

    from rich.table import Table
    from rich.text import Text

    from llmiq.bank.catalog import builtin_entries, load_entry
    from llmiq.messages import translator

    lang = default_lang()
    _ = translator(lang)
    table = Table("id", _("origin"), _("questions"), _("kinds"), _("title"), box=None,
                  pad_edge=False)  # fmt: skip
    listed = []
    for entry in builtin_entries() + DatabaseOpener(database_url).saved_entries():
        try:
            bank = load_entry(entry)
        except LlmiqError as exc:
            listed.append({"id": entry.id, "origin": entry.origin, "error": str(exc)})
            invalid = Text(_("invalid: {error}").format(error=exc), style="red")
            table.add_row(entry.id, _(entry.origin), "-", "-", invalid)
            continue
        kinds = Counter(q.kind.value for q in bank.questions)
        listed.append(bank_summary(bank, entry.origin, lang))
        table.add_row(
            bank.id,
            _(entry.origin),
            str(len(bank.questions)),
            _(", ").join(_("{count} {kind}").format(count=n, kind=_(k)) for k, n in kinds.items()),
            Text(bank.title.get(lang)),
        )
    if fmt == "json":
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        console().print(table)


def bank_summary(bank: Bank, origin: str, lang: Lang) -> dict[str, object]:
    """What ``llmiq banks --format json`` says of a bank."""
    areas = sorted({q.area for q in bank.questions if q.area}) or (
        [bank.id] if bank.area is not None else []
    )
    return {
        "id": bank.id,
        "origin": origin,
        "title": bank.title.get(lang),
        "questions": len(bank.questions),
        "kinds": dict(Counter(q.kind.value for q in bank.questions)),
        "areas": areas,
        "topics": bank.topics,
        "difficulty": dict(
            sorted(Counter(str(q.difficulty) for q in bank.questions if q.difficulty).items())
        ),
        "with_lab": sum(q.lab is not None for q in bank.questions),
        "with_references": sum(bool(q.references) for q in bank.questions),
    }


@click.command()
@bank_argument
@lang_option
@click.option("--answers/--no-answers", default=True, help="Show answers and explanations.")
@database_option
def show(bank: str, lang: Lang, answers: bool, database_url: str | None) -> None:
    """Print a bank: questions, options, answers, explanations and why each option is right
    or wrong."""
    from llmiq.practice.render import bank_view

    loaded = DatabaseOpener(database_url).bank(bank)
    console().print(bank_view(loaded, lang, with_answers=answers))


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--strict",
    is_flag=True,
    help="Also hold each bank to the curated standard: zh and en everywhere, a why for every "
    "option, difficulty, references, existing labs with their claim, fair answer letters.",
)
def validate(files: tuple[Path, ...], strict: bool) -> None:
    """Check bank files; print every problem as FILE:LINE: FIELD: MESSAGE.

    Exits 0 only when every file is a valid bank (and, with --strict, a curated one).
    """
    from llmiq.bank.curation import curation_problems
    from llmiq.bank.files import check_bank_file
    from llmiq.labs.registry import lab_ids
    from llmiq.messages import error_text, plural_translator

    lang = default_lang()
    ngettext = plural_translator(lang)
    labs = lab_ids()
    extra = (lambda bank: curation_problems(bank, labs)) if strict else None
    failed = 0
    for path in files:
        try:
            bank, problems = check_bank_file(path, extra)
        except LlmiqError as exc:
            click.echo(error_text(exc, lang), err=True)
            failed += 1
            continue
        if bank is None:
            failed += 1
            for problem in problems:
                click.echo(problem.text(lang), err=True)
            count = len(problems)
            summary = ngettext("{file}: {count} problem", "{file}: {count} problems", count)
            click.echo(summary.format(file=path, count=count), err=True)
        else:
            count = len(bank.questions)
            if strict:
                valid = ngettext(
                    "{file}: valid curated bank {bank} with {count} question",
                    "{file}: valid curated bank {bank} with {count} questions",
                    count,
                )
            else:
                valid = ngettext(
                    "{file}: valid bank {bank} with {count} question",
                    "{file}: valid bank {bank} with {count} questions",
                    count,
                )
            click.echo(valid.format(file=path, bank=repr(bank.id), count=count))
    if failed:
        sys.exit(1)
