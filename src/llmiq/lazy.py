"""Package attributes imported on first use (PEP 562): a package re-exports its names without
importing its heavy modules until one is asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def import_object(path: str) -> Any:
    """The object an import path names: ``import_object("llmiq.export.anki:apkg_bytes")``.
    Registries name their plug-ins this way, so listing them imports none."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def lazy_attributes(
    package: str, homes: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, where ``homes`` maps each public name
    to the submodule defining it (``{"bank_to_json": "tables"}``)."""

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)

    def __dir__() -> list[str]:
        return sorted(homes)

    return __getattr__, __dir__
