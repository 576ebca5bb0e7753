"""``llmiq doctor``, ``llmiq backup`` and ``llmiq restore``: the health of the progress
database, and copies of it (:mod:`llmiq.store.maintenance`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from llmiq.cli.options import console, database_option, default_lang
from llmiq.messages import N_, translator

#: the checks' names and statuses as doctor shows them (the details come from
#: llmiq.store.maintenance, in English)
CHECK_WORDS = (
    N_("database"),
    N_("schema"),
    N_("integrity"),
    N_("free space"),
    N_("built-in banks"),
    N_("imported banks"),
    N_("ok"),
    N_("warning"),
    N_("problem"),
)


@click.command()
@database_option
def doctor(database_url: str | None) -> None:
    """Check the progress database and the banks: reachable, schema revision, integrity
    (PRAGMA integrity_check), free disk space, built-in and imported banks valid. Writes
    nothing; exits 1 when a check is not ok."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.store.maintenance import doctor as run_checks

    _ = translator(default_lang())
    screen = console()
    with screen.status(_("Checking the database (integrity_check reads all of it)...")):
        checks = run_checks(database_url)
    table = Table(_("check"), _("status"), _("detail"), box=None, pad_edge=False)
    styles = {"ok": "green", "warning": "yellow", "problem": "bold red"}
    for check in checks:
        status = Text(_(check.status), style=styles[check.status])
        table.add_row(_(check.name), status, Text(check.detail))
    screen.print(table)
    if any(check.status != "ok" for check in checks):
        sys.exit(1)


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@database_option
def backup(file: Path, force: bool, database_url: str | None) -> None:
    """Copy the SQLite progress database to FILE, safely while llmiq is in use (SQLite's
    online backup API; FILE appears whole or not at all). For PostgreSQL, says how to use
    pg_dump."""
    from llmiq.store.maintenance import backup as copy_database
    from llmiq.store.maintenance import size_text

    done = copy_database(database_url, file, force=force)
    _ = translator(default_lang())
    click.echo(
        _("Backed up {source} to {target} ({size}, {answers} answers).").format(
            source=done.source, target=done.target, size=size_text(done.size),
            answers=f"{done.answers:,}",
        )
    )  # fmt: skip


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@database_option
def restore(file: Path, database_url: str | None) -> None:
    """Replace the SQLite progress database with the backup FILE, after checking that FILE
    is a sound llmiq database (PRAGMA integrity_check) at a schema this llmiq can migrate.
    The database it replaces is kept beside it first."""
    from llmiq.store.maintenance import restore as restore_database

    done = restore_database(database_url, file)
    _ = translator(default_lang())
    restored = _("Restored {target} from {source} ({answers} answers, schema revision {revision})")
    restored = restored.format(
        target=done.target, source=done.source, answers=f"{done.answers:,}", revision=done.revision
    )
    if done.previous:
        restored += _("; the database it replaced is kept as {path}").format(path=done.previous)
    click.echo(restored + _("."))
