"""``llmiq serve``: start the web front end. The one place where one front end reaches the
other (declared in the import contract of pyproject.toml)."""

from __future__ import annotations

import click

from llmiq.cli.database import profile_name
from llmiq.cli.options import database_option, profile_option
from llmiq.errors import LlmiqError


@click.command()
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
        from llmiq.web.serving import WebSettings, check_port_free, prepare, run
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
    check_port_free(host, port)
    mode = (
        "multi-user"
        if settings.multi_user
        else f"single-user, profile {settings.profile or profile_name(None)!r}"
    )
    click.echo(f"llmiq: http://{host}:{port} ({mode}; database {prepared.shown_database})")
    if settings.multi_user and prepared.admins == 0:
        click.echo("No admin account yet: llmiq account create NAME --admin", err=True)
    run(prepared, host=host, port=port, workers=workers, forwarded_allow_ips=forwarded_allow_ips)
