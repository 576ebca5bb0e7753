"""The web app's settings, from ``LLMIQ_*`` environment variables or a ``.env`` file.

Multi-user mode refuses to start without a real secret key: session cookies and CSRF tokens
are signed with it, so a guessable key is a way into every account.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from llmiq.atomic import write_atomic
from llmiq.errors import LlmiqError

MIN_SECRET_LENGTH = 32
#: Values copied from examples and templates; a key in this list is as good as none.
PLACEHOLDER_SECRETS = frozenset(
    {"changethis", "change-me", "changeme", "secret", "secret-key", "your-secret-key", "llmiq"}
)
SECRET_HINT = (
    "set LLMIQ_SECRET_KEY to a random value of at least "
    f"{MIN_SECRET_LENGTH} characters, e.g. the output of "
    "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


class WebSettings(BaseSettings):
    """How ``llmiq serve`` runs. Every field can be set as ``LLMIQ_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="LLMIQ_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    multi_user: bool = Field(False, description="Accounts and sign-in instead of one profile.")
    secret_key: SecretStr | None = Field(None, description="Signs session cookies and CSRF tokens.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; SQLite in the data dir.")
    profile: str | None = Field(None, description="Single-user mode: whose progress it is.")
    registration: bool = Field(True, description="Multi-user: may visitors create accounts?")
    session_days: int = Field(14, ge=1, le=365)
    login_window_minutes: int = Field(15, ge=1)
    login_failures_per_name: int = Field(5, ge=1)
    login_failures_per_address: int = Field(20, ge=1)
    new_per_day: int | None = Field(None, ge=0, description="Default: the config file's.")
    reviews_per_day: int | None = Field(None, ge=0, description="Default: the config file's.")
    import_private_urls: bool | None = Field(
        None,
        description="May the import page fetch loopback/private addresses? Default: only in "
        "single-user mode (a shared instance must not fetch its own network for a visitor).",
    )

    @property
    def fetches_private_urls(self) -> bool:
        return not self.multi_user if self.import_private_urls is None else self.import_private_urls

    def checked_secret(self, data_dir: Path) -> str:
        """The signing key. Multi-user: the configured one, refused when missing or weak.
        Single-user: the configured one, else a random key kept in the data directory (so that
        several workers and restarts agree on it)."""
        value = self.secret_key.get_secret_value() if self.secret_key else ""
        if self.multi_user:
            if not value:
                raise LlmiqError(f"multi-user mode needs a secret key: {SECRET_HINT}")
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH:
                raise LlmiqError(f"the secret key is a placeholder or too short: {SECRET_HINT}")
            return value
        if value:
            return value
        path = data_dir / "web-secret-key"
        try:
            stored = path.read_text("ascii").strip()
        except FileNotFoundError:
            stored = ""
        if len(stored) < MIN_SECRET_LENGTH:
            stored = secrets.token_urlsafe(48)
            data_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(path, stored + "\n", mode=0o600)
        return stored
