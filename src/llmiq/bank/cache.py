"""Built-in banks validated once and read back as plain records, without pydantic or YAML.

A quiz on a built-in bank would otherwise spend about a tenth of a second importing pydantic
and PyYAML and validating the same file it validated last time. The cache keeps, per built-in
bank, the validated bank as plain JSON (:func:`llmiq.bank.files.bank_to_data`) in a file of
:func:`llmiq.paths.cache_dir`::

    {"key": "...", "digest": "..."}    first line: what it was made from, and a checksum
    {"id": "seed", ...}                the rest: the bank's data

``key`` hashes the cache format, the llmiq version and the bytes of every file the bank is
made of; ``digest`` is the SHA-256 of the rest of the file. A file whose key differs (an
edited bank, another llmiq), whose digest does not match, or that does not read as a bank of
that id is never used: the bank is validated again and the file replaced (atomically). A
cache that cannot be written is skipped without a word: it only saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from llmiq import __version__
from llmiq.atomic import write_atomic
from llmiq.bank.builtin import builtin_sources
from llmiq.bank.records import BankRecord, bank_record
from llmiq.errors import LlmiqError
from llmiq.paths import cache_dir

#: Bump when the layout of the cached data or of the records changes.
CACHE_FORMAT = 1


def cache_path(bank_id: str, folder: Path | None = None) -> Path:
    """The cache file of a built-in bank (in :func:`llmiq.paths.cache_dir` by default)."""
    return (folder or cache_dir()) / "banks" / f"{bank_id}.json"


def source_key(sources: list[Path]) -> str:
    """What a cache file must have been made from: the format, llmiq's version and the bytes
    of every source file, hashed."""
    digest = hashlib.sha256(f"llmiq-bank-cache {CACHE_FORMAT} {__version__}\n".encode())
    for path in sources:
        content = path.read_bytes()
        digest.update(f"{path.name} {len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


def _read(path: Path, bank_id: str, key: str) -> BankRecord | None:
    """The record in the cache file, or None when it is missing, stale or damaged."""
    try:
        raw = path.read_bytes()
        header_line, _, body = raw.partition(b"\n")
        header = json.loads(header_line)
        if header["key"] != key or header["digest"] != hashlib.sha256(body).hexdigest():
            return None
        record = bank_record(json.loads(body))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record if record.id == bank_id else None


def _write(path: Path, key: str, data: dict) -> None:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = json.dumps({"key": key, "digest": hashlib.sha256(body).hexdigest()}).encode()
    # a read-only home: the bank is validated each time instead
    with contextlib.suppress(LlmiqError):
        write_atomic(path, header + b"\n" + body)


def cached_bank(path: Path, key: str, bank_id: str, validate: Callable[[], dict]) -> BankRecord:
    """The record cached in ``path`` if it was made from ``key`` and is intact; else
    ``validate()`` (the bank's data, validated by its model), cached for next time."""
    record = _read(path, bank_id, key)
    if record is None:
        data = validate()
        _write(path, key, data)
        record = bank_record(data)
    return record


def _validated_builtin(bank_id: str) -> dict:
    """The built-in bank validated by its model, as plain data (pydantic imported here)."""
    from llmiq.bank.catalog import builtin_entries, load_entry
    from llmiq.bank.files import bank_to_data

    entry = next(e for e in builtin_entries() if e.id == bank_id)
    return bank_to_data(load_entry(entry))


def builtin_record(ref: str, folder: Path | None = None) -> BankRecord | None:
    """The built-in bank ``ref`` as a record: from its cache file when that was made from the
    bank's current files by this llmiq, else validated now and cached. None when ``ref``
    names no built-in bank (a path, a saved bank)."""
    sources = builtin_sources(ref)
    if sources is None:
        return None
    return cached_bank(
        cache_path(ref, folder), source_key(sources), ref, lambda: _validated_builtin(ref)
    )
