"""``llmiq serve`` and ``llmiq account``: safe defaults, clear refusals, real workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.web.serving import is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serving_beyond_loopback_needs_multi_user(run_cli: Callable) -> None:
    result = run_cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert "add --multi-user" in result.output


def test_multi_user_without_a_secret_does_not_start(
    run_cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMIQ_SECRET_KEY", raising=False)
    result = run_cli("serve", "--multi-user", "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert "multi-user mode needs a secret key: set LLMIQ_SECRET_KEY" in result.output
    monkeypatch.setenv("LLMIQ_SECRET_KEY", "changethis")
    result = run_cli("serve", "--multi-user")
    assert "placeholder or too short" in result.output


def test_a_bad_setting_is_one_sentence(run_cli: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMIQ_SESSION_DAYS", "forever")
    result = run_cli("serve")
    assert result.exit_code == 1
    assert result.output.startswith("Error: setting LLMIQ_SESSION_DAYS:")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow  # starts a server with two worker processes
def test_serve_runs_workers_that_share_the_database(data_home: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ | {"LLMIQ_HOME": str(data_home), "LLMIQ_SECRET_KEY": "s" * 40}
    database = f"sqlite:///{tmp_path / 'served.db'}"
    command = [sys.executable, "-m", "llmiq", "serve", "--port", str(port), "--workers", "2",
               "--multi-user", "--database-url", database]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    body = page.read().decode()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stdout.read().decode()) from None
                time.sleep(0.2)
        assert 'action="/login"' in body
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert f"llmiq: http://127.0.0.1:{port} (multi-user; database sqlite:///" in output
    assert "No admin account yet: llmiq account create NAME --admin" in output


def test_accounts_from_the_command_line(run_cli: Callable) -> None:
    created = run_cli("account", "create", "ada", "--admin", "--password-stdin",
                      input="a long password\n")  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "Created admin account 'ada'" in created.output
    again = run_cli("account", "create", "ada", "--password-stdin", input="a long password\n")
    assert again.exit_code == 1
    assert "is taken" in again.output
    short = run_cli("account", "create", "bob", "--password-stdin", input="short\n")
    assert "at least 10 characters" in short.output
    listed = run_cli("account", "list")
    assert "ada" in listed.output
    assert "yes" in listed.output
    changed = run_cli("account", "password", "ada", "--password-stdin", input="another long one\n")
    assert "sessions are signed out" in changed.output
    missing = run_cli(
        "account", "password", "nobody", "--password-stdin", input="another long one\n"
    )
    assert "no account named 'nobody'" in missing.output


def test_an_account_from_the_command_line_signs_in(
    run_cli: Callable, make_app: Callable, client_of: Callable, web_helpers: object, data_home: Path
) -> None:
    database = f"sqlite:///{data_home / 'shared.db'}"
    run_cli("account", "create", "ada", "--admin", "--password-stdin", "--database-url", database,
            input="a long password\n")  # fmt: skip
    client = client_of(make_app(multi_user=True, database_url=database))
    page = web_helpers.sign_in(client, "ada", "a long password")
    assert "Sign out" in page.text
    assert client.get("/admin").status_code == 200
