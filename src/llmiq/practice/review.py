"""The review session: questions as FSRS schedules them, recorded as they are answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.console import Console

from llmiq.bank.model import Bank, Lang
from llmiq.practice.queue import DailyLimits, Pick, Today, next_due, next_pick
from llmiq.practice.quiz import ReadLine, ask
from llmiq.practice.recording import Practice
from llmiq.store import progress


@dataclass
class ReviewResult:
    answered: int = 0
    correct: int = 0
    interrupted: bool = False
    next_due: datetime | None = None


def start_of_local_day(moment: datetime) -> datetime:
    """Midnight of ``moment``'s day in the local time zone, as an aware datetime."""
    local = moment.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _pick(
    practice: Practice, bank: Bank, limits: DailyLimits
) -> tuple[Pick | None, datetime | None]:
    now = practice.clock()
    since = start_of_local_day(now)
    with practice.database.transaction() as session:
        user_id = practice.user_id(session)
        cards = progress.cards_by_question(session, user_id, bank.id)
        today = Today(
            new_seen=progress.count_new_since(session, user_id, bank.id, since),
            reviewed=progress.count_reviews_of_old_cards_since(session, user_id, bank.id, since),
        )
        return next_pick(bank, cards, now, limits, today), next_due(bank, cards)


def describe_wait(due: datetime, now: datetime) -> str:
    """``"in 3 h 20 min (Sun 29 Nov 08:00)"``."""
    wait = max(due - now, timedelta(0))
    minutes = int(wait.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{mins} min"] if mins or not parts else []
    return f"in {' '.join(parts)} ({due.astimezone():%a %d %b %H:%M})"


def run_review(
    bank: Bank,
    practice: Practice,
    *,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    limits: DailyLimits,
    limit: int | None = None,
) -> ReviewResult:
    """Ask what is due, then new questions, until the queue or ``limit`` is exhausted."""
    practice.sync(bank)
    result = ReviewResult()
    try:
        while limit is None or result.answered < limit:
            pick, upcoming = _pick(practice, bank, limits)
            if pick is None:
                result.next_due = upcoming
                break
            verdict, duration_ms = ask(
                pick.question,
                lang=lang,
                console=console,
                read_line=read_line,
                position=result.answered + 1,
                total=limit,
                note=pick.why,
            )
            practice.record(bank.id, pick.question, verdict, duration_ms, "review")
            result.answered += 1
            result.correct += bool(verdict.correct)
    except (EOFError, KeyboardInterrupt):
        result.interrupted = True
        console.print()
    return result
