"""Where llmiq keeps its data."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "LLMIQ_HOME"


def data_dir() -> Path:
    """The data directory: ``$LLMIQ_HOME`` when set, else the platform's user data directory
    (``~/.local/share/llmiq`` on Linux). Not created here; writers create what they need."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("llmiq", appauthor=False)


def cache_dir() -> Path:
    """Where llmiq keeps what it can make again (the validated built-in banks):
    ``$LLMIQ_HOME/cache`` when ``$LLMIQ_HOME`` is set, else the platform's user cache directory
    (``~/.cache/llmiq`` on Linux). Not created here."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser() / "cache"
    from platformdirs import user_cache_path

    return user_cache_path("llmiq", appauthor=False)
