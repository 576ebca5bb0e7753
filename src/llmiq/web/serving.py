"""``llmiq serve``: check the settings, prepare the database, then run uvicorn with as many
worker processes as asked. Workers rebuild the app from ``LLMIQ_*`` environment variables,
so the parent resolves everything they must agree on (the secret key above all) first."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from dataclasses import dataclass

from llmiq.errors import LlmiqError
from llmiq.paths import data_dir
from llmiq.store import accounts
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


def check_port_free(host: str, port: int) -> None:
    """One sentence when ``host:port`` cannot be listened on (another server has it), said
    before anything claims the app is up. The probe binds as uvicorn does (the address family
    from the host's form, SO_REUSEADDR: a port left in TIME_WAIT counts as free) and lets go
    at once."""
    if port == 0:  # any free port
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise LlmiqError(
                    f"port {port} on {host} is in use by another program (another llmiq "
                    "serve?): stop it or choose another --port"
                ) from None
            raise LlmiqError(f"cannot listen on {host} port {port}: {exc.strerror}") from None


@dataclass(frozen=True)
class Prepared:
    """What the parent process settled before starting workers."""

    env: dict[str, str]  # LLMIQ_* variables every worker builds its app from
    shown_database: str  # the database URL without its password
    admins: int


def prepare(settings: WebSettings, host: str) -> Prepared:
    """Refuse unsafe set-ups, migrate the database once (not once per worker), and settle
    the environment the workers need."""
    if not settings.multi_user and not is_loopback(host):
        raise LlmiqError(
            f"binding to {host} lets other machines in: add --multi-user (accounts and "
            "sign-in), or bind to 127.0.0.1"
        )
    secret = settings.checked_secret(data_dir())
    database = open_database(settings.database_url)
    try:
        database.check_before_writing()  # a damaged file: one sentence, before serving
        with database.reading() as session:
            admins = accounts.count_admins(session)
        env = {
            "LLMIQ_MULTI_USER": "true" if settings.multi_user else "false",
            "LLMIQ_SECRET_KEY": secret,
            "LLMIQ_DATABASE_URL": database.url,
        }
        shown = database.shown_url
    finally:
        database.close()
    if settings.profile:
        env["LLMIQ_PROFILE"] = settings.profile
    return Prepared(env, shown, admins)


def run(
    prepared: Prepared,
    *,
    host: str,
    port: int,
    workers: int,
    forwarded_allow_ips: str,
) -> None:
    """Serve until interrupted."""
    import uvicorn

    os.environ.update(prepared.env)
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
