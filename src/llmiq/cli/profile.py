"""``llmiq profile``: whose progress is kept (list, create, delete, use)."""

from __future__ import annotations

import sys

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import LlmiqGroup, console, database_option, default_lang
from llmiq.errors import LlmiqError
from llmiq.messages import N_, translator


@click.group(cls=LlmiqGroup)
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
    with DatabaseOpener(database_url)().reading() as session:
        rows = progress.users_with_activity(session)
    _ = translator(default_lang())
    table = Table("", _("profile"), _("answers"), _("last answer"), box=None, pad_edge=False)
    for user, count, last in rows:
        when = f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "-"
        table.add_row("*" if user.name == current else "", Text(user.name), str(count), when)
    empty = _("No profiles yet; the default is {name}.").format(name=repr(current))
    console().print(table if rows else Text(empty))


@profile.command("create")
@click.argument("name")
@click.option("--use", "make_default", is_flag=True, help="Also make it the default profile.")
@database_option
def profile_create(name: str, make_default: bool, database_url: str | None) -> None:
    """Create a profile."""
    from llmiq.clock import utc_now
    from llmiq.config import check_profile_name
    from llmiq.store import progress

    check_profile_name(name)
    with DatabaseOpener(database_url)().transaction() as session:
        created = progress.create_user(session, name, utc_now())
    if created is None:
        raise LlmiqError(N_("profile {name} already exists"), name=repr(name))
    _ = translator(default_lang())
    click.echo(_("Created profile {name}.").format(name=repr(name)))
    if make_default:
        _use_profile(name)


@profile.command("use")
@click.argument("name")
@database_option
def profile_use(name: str, database_url: str | None) -> None:
    """Make NAME the default profile (saved in config.toml)."""
    from llmiq.config import Settings, check_profile_name, default_profile
    from llmiq.store import progress

    check_profile_name(name)
    # the OS user's profile is everyone's default before any is chosen: it may not exist yet
    if name != default_profile(Settings()):
        with DatabaseOpener(database_url)().reading() as session:
            if progress.find_user(session, name) is None:
                raise LlmiqError(
                    N_("no profile named {name}; create it with: {command}"),
                    name=repr(name),
                    command=f"llmiq profile create {name} --use",
                )
    _use_profile(name)


def _use_profile(name: str) -> None:
    from dataclasses import replace

    from llmiq.config import config_path, load_settings, save_settings

    save_settings(replace(load_settings(), profile=name))
    _ = translator(default_lang())
    click.echo(
        _("Default profile is now {name} ({path}).").format(name=repr(name), path=config_path())
    )


@profile.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@database_option
def profile_delete(name: str, yes: bool, database_url: str | None) -> None:
    """Delete a profile with all its answers and cards."""
    from llmiq.store import progress

    database = DatabaseOpener(database_url)()
    with database.reading() as session:
        if progress.find_user(session, name) is None:
            raise LlmiqError(N_("no profile named {name}"), name=repr(name))
    _ = translator(default_lang())
    if not yes:
        if not sys.stdin.isatty():
            raise LlmiqError(
                N_("deleting profile {name} loses its history; add --yes to confirm"),
                name=repr(name),
            )
        click.confirm(
            _("Delete profile {name} and all its answers?").format(name=repr(name)), abort=True
        )
    with database.transaction() as session:
        progress.delete_user(session, name)
    click.echo(_("Deleted profile {name}.").format(name=repr(name)))
    _forget_default(name)


def _forget_default(name: str) -> None:
    """A deleted profile is no longer the default named in config.toml."""
    from dataclasses import replace

    from llmiq.config import config_path, default_profile, load_settings, save_settings

    settings = load_settings()
    if settings.profile == name:
        settings = replace(settings, profile=None)
        save_settings(settings)
        _ = translator(default_lang())
        click.echo(
            _("It was the default profile; the default is now {name} ({path}).").format(
                name=repr(default_profile(settings)), path=config_path()
            )
        )
