"""``llmiq import``: an interview-question article becomes a bank."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import database_option, default_lang
from llmiq.errors import LlmiqError
from llmiq.ingest.formats import AUTO, IMPORT_FORMATS
from llmiq.messages import N_


@click.command("import")
@click.argument("article")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the bank to this YAML file instead of storing it in the database.",
)
@click.option("--id", "bank_id", help="Bank id (default: from the file name or URL).")
@click.option("--title", help="Bank title (default: the article's title line).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([AUTO, *(f.name for f in IMPORT_FORMATS)]),
    default=AUTO,
    show_default=True,
    help="Input format; auto: from the file name, a URL's content type, or the text ("
    + "; ".join(f"{f.name}: {f.description}" for f in IMPORT_FORMATS)
    + ").",
)
@click.option("--strict", is_flag=True, help="Fail if any question block could not be imported.")
@click.option("--force", is_flag=True, help="Let -o replace a file that is not an llmiq bank.")
@database_option
def import_(
    article: str,
    output: Path | None,
    bank_id: str | None,
    title: str | None,
    fmt: str,
    strict: bool,
    force: bool,
    database_url: str | None,
) -> None:
    """Import an interview-question article as a bank: a file (text, Markdown or AsciiDoc in
    UTF-8, a saved web page) or an http(s) URL.

    Prints what it found and every line it did not take. Without -o the bank is stored in the
    database, where every front end sees it, and is used by its id.
    """
    from llmiq.bank.catalog import is_builtin
    from llmiq.bank.files import write_bank_file
    from llmiq.bank.model import check_identifier
    from llmiq.ingest import bank_id_from, import_article
    from llmiq.ingest.fetch import bank_id_from_url, import_url, is_url

    url = article if is_url(article) else None

    if bank_id is not None:
        try:
            check_identifier(bank_id)
        except ValueError as exc:
            raise LlmiqError(N_("--id: {problem}"), problem=exc) from None
    bank_id = bank_id or (bank_id_from_url(url) if url else bank_id_from(Path(article).stem))
    if output is None and is_builtin(bank_id):
        raise LlmiqError(
            N_("{bank} is a built-in bank; choose another --id or use -o FILE"), bank=repr(bank_id)
        )
    if output is not None:
        check_output(output, Path(article), force=force)
    from llmiq.messages import plural_translator, translator
    from llmiq.stages import stages

    lang = default_lang()
    _, ngettext = translator(lang), plural_translator(lang)
    with stages(_("Importing {article}").format(article=article)) as stage:
        stage(_("fetching and parsing") if url else _("reading and parsing"))
        if url:
            result = import_url(url, bank_id=bank_id, title=title, format=fmt)
        else:
            result = import_article(Path(article), bank_id=bank_id, title=title, format=fmt)
    note = getattr(result, "note", None)  # a web page's lines are those of its extracted text
    if note and result.skipped:
        click.secho(f"  {_(note)}:", err=True, dim=True)
    for skipped in result.skipped:
        click.secho(
            f"  {skipped.text(lang)}",
            err=True,
            fg="yellow" if skipped.dropped else None,
            dim=not skipped.dropped,
        )
    from llmiq.ingest.result import fold_notes

    for note in fold_notes(result.notes, lang):  # inferred, not read: worth a look
        click.secho(f"  {note}", err=True, fg="cyan")
    if strict and (dropped := len(result.dropped_questions)):
        raise LlmiqError(
            N_("{article}: {blocks} not imported (see above); nothing written"),
            article=article,
            blocks=ngettext("{n} question block", "{n} question blocks", dropped).format(n=dropped),
        )
    with stages(_("Importing {article}").format(article=article)) as stage:
        if output is not None:
            stage(_("writing {file}").format(file=output))
            replaced = output.exists()
            write_bank_file(result.bank, output)
            where = str(output)
        else:
            from llmiq.store.saved_banks import save_bank

            stage(_("storing in the database"))
            database = DatabaseOpener(database_url)()
            replaced = save_bank(database, result.bank, title_lang=default_lang())
            where = _("the database")
    kinds = Counter(q.kind.value for q in result.bank.questions)
    summary = _(", ").join(_("{count} {kind}").format(count=n, kind=_(k)) for k, n in kinds.items())
    count, dropped = len(result.bank.questions), len(result.dropped_questions)
    imported = _(
        "Imported {questions} ({summary}; language {lang}) from {article} into {where}"
    ).format(
        questions=ngettext("{n} question", "{n} questions", count).format(n=count),
        summary=summary,
        lang=result.lang,
        article=article,
        where=where,
    )
    if replaced:
        imported += _(" (replaced)")
    if dropped:
        blocks = ngettext("{n} question block", "{n} question blocks", dropped).format(n=dropped)
        imported += _("; {blocks} skipped, see above").format(blocks=blocks)
    click.echo(imported)
    if output is None:
        click.echo(
            _("Use it as bank {bank}: {command}").format(
                bank=repr(bank_id), command=f"llmiq quiz {bank_id}"
            )
        )


def check_output(output: Path, article: Path, *, force: bool) -> None:
    """``-o`` never destroys a file it was not meant for: the article itself, never; another
    file that is not an llmiq bank, only with ``--force``. Checked before parsing."""
    from llmiq.bank.files import check_bank_file

    if not output.exists():
        return
    if output.is_dir():
        raise LlmiqError(N_("-o {file}: is a folder; give a file name"), file=output)
    if article.exists() and output.resolve() == article.resolve():
        raise LlmiqError(
            N_("-o {file}: is the article being imported; choose another file"), file=output
        )
    if force:
        return
    try:
        bank, _ = check_bank_file(output)
    except LlmiqError:
        bank = None
    if bank is None:
        raise LlmiqError(
            N_("-o {file}: exists and is not an llmiq bank; add --force to replace it"),
            file=output,
        )
