"""Banks imported by llmiq 0.1 were YAML files in ``<data dir>/banks``; since the database
holds imported banks, those files are stored in it on first use (the files are left as they
are)."""

from __future__ import annotations

import hashlib

from llmiq.bank.files import check_bank_file
from llmiq.paths import data_dir
from llmiq.practice.scheduling import utc_now
from llmiq.store import progress
from llmiq.store.database import Database


def adopt_bank_files(database: Database) -> list[str]:
    """Store every valid bank file of the old folder not yet in the database; returns ids."""
    folder = data_dir() / "banks"
    if not folder.is_dir():
        return []
    adopted = []
    with database.transaction() as session:
        known = {bank.id for bank in progress.stored_banks(session)}
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in known:  # 0.1 named each file after its bank
                continue
            bank, _ = check_bank_file(path)
            if bank is None or bank.id in known:
                continue
            content = path.read_text("utf-8")
            progress.save_bank(
                session,
                bank_id=bank.id,
                title=bank.title.get("en"),
                content=content,
                content_hash=hashlib.sha256(content.encode("utf-8")).hexdigest(),
                source=bank.source.url if bank.source else None,
                now=utc_now(),
            )
            adopted.append(bank.id)
    return adopted
