"""``llmiq account``: accounts of the web app's multi-user mode (create, list, password)."""

from __future__ import annotations

import sys

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import LlmiqGroup, console, database_option, default_lang
from llmiq.errors import LlmiqError
from llmiq.messages import N_, translator


@click.group(cls=LlmiqGroup)
def account() -> None:
    """Accounts of the web app's multi-user mode (create, list, password)."""


def _new_password(password_stdin: bool, name: str) -> str:
    """The new password, from standard input or asked twice, hashed once it passes the
    rules."""
    from llmiq.passwords import hash_password, password_error, password_hasher

    password_hasher()  # a missing argon2-cffi is said before the password is asked for
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        raise LlmiqError(
            N_("no terminal to ask for the password: use {option}"), option="--password-stdin"
        )
    else:
        _ = translator(default_lang())
        password = click.prompt(
            _("Password"),
            hide_input=True,
            confirmation_prompt=_("Repeat for confirmation"),
        )
    if (problem := password_error(password, name)) is not None:
        raise problem
    return hash_password(password)


@account.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May import banks, see flags, manage accounts.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def account_create(name: str, admin: bool, password_stdin: bool, database_url: str | None) -> None:
    """Create an account (the first admin of an instance is made this way)."""
    from llmiq.account_names import create_account, normalise_name, require_name_checker
    from llmiq.clock import utc_now
    from llmiq.config import check_profile_name

    name = check_profile_name(normalise_name(name))
    require_name_checker()  # a missing PyICU is said before the password is asked for
    password_hash = _new_password(password_stdin, name)
    with DatabaseOpener(database_url)().transaction() as session:
        user = create_account(session, name, password_hash, is_admin=admin, now=utc_now())
    if user is None:
        raise LlmiqError(N_("the name {name} is taken by an account or a profile"), name=repr(name))
    _ = translator(default_lang())
    created = _("Created admin account {name}") if admin else _("Created account {name}")
    click.echo(created.format(name=repr(name)))


@account.command("list")
@database_option
def account_list(database_url: str | None) -> None:
    """List accounts with their answers and last activity."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.store import accounts

    with DatabaseOpener(database_url)().reading() as session:
        rows = accounts.accounts_with_activity(session)
    _ = translator(default_lang())
    table = Table(_("account"), _("admin"), _("answers"), _("last answer"), box=None,
                  pad_edge=False)  # fmt: skip
    for user, acct, count, last in rows:
        when = f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "-"
        table.add_row(Text(user.name), _("yes") if acct.is_admin else "", str(count), when)
    console().print(table if rows else Text(_("No accounts yet.")))


@account.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def account_password(name: str, password_stdin: bool, database_url: str | None) -> None:
    """Set an account's password (signs it out everywhere)."""
    from llmiq.account_names import normalise_name
    from llmiq.store import accounts

    name = normalise_name(name)
    password_hash = _new_password(password_stdin, name)
    with DatabaseOpener(database_url)().transaction() as session:
        found = accounts.find_account(session, name)
        if found is None:
            raise LlmiqError(N_("no account named {name}"), name=repr(name))
        accounts.set_password(session, found[0].id, password_hash)
    _ = translator(default_lang())
    click.echo(_("Password of {name} changed; its sessions are signed out").format(name=repr(name)))
