"""``llmiq serve``: check the settings, prepare the database, then run uvicorn with as many
worker processes as asked. Workers rebuild the app from ``LLMIQ_*`` environment variables,
so the parent resolves everything they must agree on (the secret key above all) first."""

from __future__ import annotations

import ipaddress
import os
import socket

from llmiq.errors import LlmiqError
from llmiq.paths import data_dir
from llmiq.store.database import open_database
from llmiq.web.settings import WebSettings

APP_FACTORY = "llmiq.web.main:create_app"


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the app on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
        except OSError:
            raise LlmiqError(f"cannot resolve the host name {host!r}") from None
        return all(ipaddress.ip_address(a).is_loopback for a in addresses)


def prepare(settings: WebSettings, host: str) -> dict[str, str]:
    """Refuse unsafe set-ups, migrate the database once, and return the environment the
    workers need."""
    if not settings.multi_user and not is_loopback(host):
        raise LlmiqError(
            f"binding to {host} lets other machines in: add --multi-user (accounts and "
            "sign-in), or bind to 127.0.0.1"
        )
    secret = settings.checked_secret(data_dir())
    database = open_database(settings.database_url)
    try:
        url = database.url
    finally:
        database.close()
    env = {
        "LLMIQ_MULTI_USER": "true" if settings.multi_user else "false",
        "LLMIQ_SECRET_KEY": secret,
        "LLMIQ_DATABASE_URL": url,
    }
    if settings.profile:
        env["LLMIQ_PROFILE"] = settings.profile
    return env


def count_admins(url: str) -> int:
    from llmiq.store import accounts

    database = open_database(url)
    try:
        with database.transaction() as session:
            return accounts.count_admins(session)
    finally:
        database.close()


def run(
    settings: WebSettings,
    *,
    host: str,
    port: int,
    workers: int,
    forwarded_allow_ips: str,
) -> None:
    """Serve until interrupted."""
    import uvicorn

    os.environ.update(prepare(settings, host))
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="info",
        server_header=False,
    )
