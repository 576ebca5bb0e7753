"""What the home page, the statistics page and the API show about one person's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from llmiq.practice.days import local_date
from llmiq.practice.recording import Practice
from llmiq.practice.stats import due_counts, load_stats, streak_in_database
from llmiq.store import progress
from llmiq.web.banks import ShelvedBank


@dataclass(frozen=True)
class BankRow:
    shelved: ShelvedBank
    questions: int
    due: int  # cards due today (practice.stats.due_counts: by local midnight, overdue included)
    new: int  # questions never answered

    @property
    def id(self) -> str:
        return self.shelved.bank.id


def bank_rows(
    practice: Practice, banks: list[ShelvedBank], now: datetime
) -> tuple[list[BankRow], int]:
    """Each bank with what is due and new, and the streak in days."""
    with practice.database.reading() as session:
        user_id = practice.existing_user_id(session)
        cards = progress.cards_of(session, user_id) if user_id is not None else []
        streak_days = (
            streak_in_database(session, user_id, local_date(now)) if user_id is not None else 0
        )
    by_bank: dict[str, dict[str, Any]] = {}
    for card in cards:
        by_bank.setdefault(card.bank_id, {})[card.question_id] = card
    rows = []
    for shelved in banks:
        ids = {q.id for q in shelved.bank.questions}
        mine = by_bank.get(shelved.bank.id, {})
        rows.append(
            BankRow(
                shelved,
                questions=len(ids),
                due=due_counts((card.due for qid, card in mine.items() if qid in ids), now)[1],
                new=sum(1 for qid in ids if qid not in mine),
            )
        )
    return rows, streak_days


def stats_of(
    practice: Practice, banks: list[ShelvedBank], now: datetime, bank_id: str | None = None
) -> dict[str, Any]:
    """This person's statistics over the shelf's banks, every one or ``bank_id``: the same
    :func:`~llmiq.practice.stats.load_stats` as ``llmiq stats``."""
    return load_stats(practice, {s.bank.id: s.bank for s in banks}, now, bank_id)
