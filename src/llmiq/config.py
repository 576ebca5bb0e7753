"""Settings kept in the data directory's ``config.toml``: the default profile and the daily
limits of the review queue."""

from __future__ import annotations

import getpass
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from llmiq.atomic import write_atomic
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.paths import data_dir
from llmiq.practice.queue import DailyLimits

_PROFILE = re.compile(r"^[\w.@-]{1,100}$")


def config_path() -> Path:
    return data_dir() / "config.toml"


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    new_per_day: int = DailyLimits.new
    reviews_per_day: int = DailyLimits.reviews

    @property
    def limits(self) -> DailyLimits:
        return DailyLimits(new=self.new_per_day, reviews=self.reviews_per_day)


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LlmiqError(N_("{path}: not valid TOML ({reason})"), path=path, reason=exc) from None
    known = {"profile", "new_per_day", "reviews_per_day"}
    if unknown := sorted(set(data) - known):
        raise LlmiqError(
            N_("{path}: unknown setting {name}; known: {known}"),
            path=path,
            name=repr(unknown[0]),
            known=", ".join(sorted(known)),
        )
    for key in ("new_per_day", "reviews_per_day"):
        value = data.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise LlmiqError(N_("{path}: {key} must be a whole number >= 0"), path=path, key=key)
    if "profile" in data:
        if not isinstance(data["profile"], str):
            raise LlmiqError(N_("{path}: profile must be a string"), path=path)
        try:
            check_profile_name(data["profile"])
        except LlmiqError as exc:
            raise LlmiqError(N_("{path}: {error}"), path=path, error=exc) from None
    return Settings(**data)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    lines = []
    if settings.profile is not None:
        lines.append(f"profile = {_toml_string(settings.profile)}")
    lines.append(f"new_per_day = {settings.new_per_day}")
    lines.append(f"reviews_per_day = {settings.reviews_per_day}")
    write_atomic(path or config_path(), "\n".join(lines) + "\n")


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_profile_name(name: str) -> str:
    if not _PROFILE.match(name):
        raise LlmiqError(
            N_("profile name {name} may hold letters, digits, '.', '_', '-' and '@' (1-100)"),
            name=repr(name),
        )
    return name


def default_profile(settings: Settings) -> str:
    """The configured profile, else the OS user name."""
    if settings.profile:
        return settings.profile
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "me"
    return re.sub(r"[^\w.@-]", "_", name)[:100] or "me"
