"""Where the built-in banks are: one YAML file per bank in ``bank/data``, and ``all-areas``
made of the curated ones. Listing them reads no file and imports neither pydantic nor YAML."""

from __future__ import annotations

from pathlib import Path

#: The folder of the built-in bank files, shipped inside the package.
DATA_FOLDER = Path(__file__).with_name("data")

#: The built-in bank holding every question of the curated area banks, for practising all
#: areas at once (its progress is its own: a card answered here is not due in its area bank).
ALL_AREAS = "all-areas"


def builtin_files() -> dict[str, Path]:
    """bank id -> its file, for the banks shipped as files (in order of id)."""
    return {path.stem: path for path in sorted(DATA_FOLDER.glob("*.yaml"))}


def looks_like_path(ref: str) -> bool:
    """Whether a bank reference names a file rather than a bank id (``my/bank.yaml``)."""
    return ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref


def builtin_sources(ref: str) -> list[Path] | None:
    """The files a built-in bank is made of (its own, or every bank file for ``all-areas``);
    None when ``ref`` names no built-in bank."""
    if looks_like_path(ref):
        return None
    files = builtin_files()
    if ref == ALL_AREAS:
        return list(files.values())
    return [files[ref]] if ref in files else None
