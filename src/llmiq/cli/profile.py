"""``llmiq profile``: whose progress is kept (list, create, delete, use)."""

from __future__ import annotations

import sys

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import LlmiqGroup, console, database_option
from llmiq.errors import LlmiqError


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
    table = Table("", "profile", "answers", "last answer", box=None, pad_edge=False)
    for user, count, last in rows:
        when = f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "-"
        table.add_row("*" if user.name == current else "", Text(user.name), str(count), when)
    console().print(table if rows else Text(f"No profiles yet; the default is {current!r}."))


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
        raise LlmiqError(f"profile {name!r} already exists")
    click.echo(f"Created profile {name!r}.")
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
                    f"no profile named {name!r}; create it with: llmiq profile create {name} --use"
                )
    _use_profile(name)


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

    database = DatabaseOpener(database_url)()
    with database.reading() as session:
        if progress.find_user(session, name) is None:
            raise LlmiqError(f"no profile named {name!r}")
    if not yes:
        if not sys.stdin.isatty():
            raise LlmiqError(f"deleting profile {name!r} loses its history; add --yes to confirm")
        click.confirm(f"Delete profile {name!r} and all its answers?", abort=True)
    with database.transaction() as session:
        progress.delete_user(session, name)
    click.echo(f"Deleted profile {name!r}.")
    _forget_default(name)


def _forget_default(name: str) -> None:
    """A deleted profile is no longer the default named in config.toml."""
    from dataclasses import replace

    from llmiq.config import config_path, default_profile, load_settings, save_settings

    settings = load_settings()
    if settings.profile == name:
        settings = replace(settings, profile=None)
        save_settings(settings)
        click.echo(
            f"It was the default profile; the default is now {default_profile(settings)!r} "
            f"({config_path()})."
        )
