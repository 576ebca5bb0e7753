"""Banks imported into the database, where every front end finds them by id: saving (with
the columns' size limits), listing, reading, deleting, and adopting the YAML files that
llmiq 0.1 kept in ``<data dir>/banks``."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmiq.clock import utc_now
from llmiq.paths import data_dir
from llmiq.store.database import Database
from llmiq.store.models import StoredBank

if TYPE_CHECKING:  # pydantic and YAML: imported where a bank is read or written, so that
    # opening the database for a quiz on a cached built-in bank imports neither
    from llmiq.bank.catalog import BankEntry
    from llmiq.bank.model import Bank

#: Sizes of the ``banks`` columns; the YAML content keeps the whole title and source.
TITLE_CHARS = 500
SOURCE_CHARS = 1000


def saved_entries(database: Database) -> list[BankEntry]:
    """Every saved bank as a catalogue entry, sorted by id (parsed only when loaded)."""
    from llmiq.bank.catalog import BankEntry

    return [
        BankEntry(bank_id, "imported", lambda c=content: c)
        for bank_id, content in saved_bank_texts(database)
    ]


def saved_bank_texts(database: Database) -> list[tuple[str, str]]:
    """Every saved bank's id and YAML text, sorted by id (without importing the bank model:
    most databases hold none)."""
    with database.reading() as session:
        stored = session.execute(select(StoredBank.id, StoredBank.content).order_by(StoredBank.id))
        return [(bank_id, content) for bank_id, content in stored]


def saved_banks(session: Session) -> list[StoredBank]:
    """The saved banks' rows (title, source, import time), sorted by id."""
    return list(session.scalars(select(StoredBank).order_by(StoredBank.id)).all())


def saved_digests(session: Session) -> list[tuple[str, str]]:
    """``(bank id, content hash)`` of every saved bank: enough to tell which changed."""
    rows = session.execute(select(StoredBank.id, StoredBank.content_hash).order_by(StoredBank.id))
    return [(bank_id, digest) for bank_id, digest in rows]


def saved_digest(session: Session, bank_id: str) -> str | None:
    return session.scalar(select(StoredBank.content_hash).where(StoredBank.id == bank_id))


def saved_content(session: Session, bank_id: str) -> str | None:
    return session.scalar(select(StoredBank.content).where(StoredBank.id == bank_id))


def is_saved(session: Session, bank_id: str) -> bool:
    return session.get(StoredBank, bank_id) is not None


def save_bank(database: Database, bank: Bank, *, title_lang: str = "en") -> bool:
    """Save a bank as YAML; returns True when it replaced an earlier save of the same id."""
    from llmiq.bank.files import dump_bank_yaml

    with database.transaction() as session:
        return _save_content(session, bank, dump_bank_yaml(bank), title_lang, utc_now())


def delete_saved_bank(session: Session, bank_id: str) -> bool:
    """Remove a saved bank; progress on its questions stays in the log (and comes back if the
    bank is imported again)."""
    bank = session.get(StoredBank, bank_id)
    if bank is None:
        return False
    session.delete(bank)
    session.flush()
    return True


def adopt_bank_files(database: Database) -> list[str]:
    """Save every valid bank file of 0.1's folder not yet in the database (the files are left
    as they are); returns the ids saved."""
    folder = data_dir() / "banks"
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        return []
    with database.reading() as session:  # most often all adopted: no write lock for that
        known = {bank_id for bank_id, _ in saved_digests(session)}
    if all(path.stem in known for path in paths):
        return []
    from llmiq.bank.files import check_bank_file

    adopted = []
    with database.transaction() as session:
        known = {bank_id for bank_id, _ in saved_digests(session)}
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in known:  # 0.1 named each file after its bank
                continue
            bank, _ = check_bank_file(path)
            if bank is None or bank.id in known:
                continue
            _save_content(session, bank, path.read_text("utf-8"), "en", utc_now())
            adopted.append(bank.id)
    return adopted


def _save_content(
    session: Session, bank: Bank, content: str, title_lang: str, now: datetime
) -> bool:
    title = bank.title.get(title_lang)[:TITLE_CHARS]
    source = bank.source.url[:SOURCE_CHARS] if bank.source and bank.source.url else None
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    existing = session.get(StoredBank, bank.id)
    if existing is None:
        session.add(
            StoredBank(
                id=bank.id,
                title=title,
                content=content,
                content_hash=digest,
                source=source,
                imported_at=now,
            )
        )
        return False
    existing.title, existing.content, existing.content_hash = title, content, digest
    existing.source, existing.imported_at = source, now
    return True
