"""``llmiq export``: a bank in one of the export formats, to a file or standard output, or, for
a folder format (lm-eval), to a folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import bank_argument, database_option, lang_option
from llmiq.errors import LlmiqError
from llmiq.export.formats import EXPORT_FORMATS
from llmiq.messages import N_, Message

if TYPE_CHECKING:
    from llmiq.bank.model import Lang


@click.command()
@bank_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.name for f in EXPORT_FORMATS]),
    required=True,
    help="; ".join(f"{f.name}: {f.description}" for f in EXPORT_FORMATS) + ".",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="Output file, or - for standard output (default: standard output; BANK.apkg for anki); "
    "a folder for lm-eval (default: BANK-lm-eval).",
)
@lang_option
@database_option
def export(bank: str, fmt: str, output: str | None, lang: Lang, database_url: str | None) -> None:
    """Export a bank as JSON, CSV, Markdown, an Anki deck or an lm-evaluation-harness task."""
    from llmiq.atomic import write_atomic, write_folder_atomic
    from llmiq.export.formats import export_format
    from llmiq.messages import plural_translator, translator

    _, ngettext = translator(lang), plural_translator(lang)
    chosen = export_format(fmt)
    loaded = DatabaseOpener(database_url).bank(bank)
    if chosen.directory:
        if output == "-":
            raise LlmiqError(
                N_("{format} is a folder; give -o DIR"), format=Message(chosen.description)
            )
        folder = Path(output or chosen.folder_name(loaded.id))
        files = chosen.write_folder(loaded, lang)
        write_folder_atomic(folder, files)
        click.echo(_("Wrote {files} to {folder}").format(files=", ".join(files), folder=folder),
                   err=True)  # fmt: skip
        return
    if chosen.binary:
        if output is None:
            output = chosen.file_name(loaded.id)
        if output == "-" and sys.stdout.isatty():
            raise LlmiqError(
                N_("{format} is binary; give -o FILE.{suffix} or redirect the output"),
                format=Message(chosen.description),
                suffix=chosen.suffix,
            )
    payload = chosen.write(loaded, lang)
    if output in (None, "-"):
        stream = sys.stdout.buffer
        stream.write(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
        stream.flush()
        return
    write_atomic(Path(output), payload)
    count = len(loaded.questions)
    wrote = ngettext("Wrote {count} question to {file}", "Wrote {count} questions to {file}", count)
    click.echo(wrote.format(count=count, file=output), err=True)
