"""The review session: questions as FSRS schedules them, recorded as they are answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.console import Console

from llmiq.bank.model import Bank, Lang
from llmiq.messages import translator
from llmiq.practice.days import start_of_local_day
from llmiq.practice.queue import DailyLimits, Pick, Today, next_due, next_pick
from llmiq.practice.quiz import ChoicesFor, ReadLine, ask
from llmiq.practice.recording import Practice
from llmiq.practice.scheduling import REVIEW
from llmiq.store import progress


@dataclass
class ReviewResult:
    answered: int = 0
    correct: int = 0
    interrupted: bool = False
    next_due: datetime | None = None  # of any card of the bank, when the queue ran dry
    waiting_due: int = 0  # cards due now but over today's review limit
    waiting_new: int = 0  # questions never seen, over today's new-question limit
    #: questions the session would still ask now, within today's limits (the next included):
    #: the "N left" both front ends show
    queued: int = 0


def pick_next(
    practice: Practice, bank: Bank, limits: DailyLimits
) -> tuple[Pick | None, ReviewResult]:
    """The next question, or None with what is left over (in a ReviewResult)."""
    now = practice.clock()
    since = start_of_local_day(now)
    with practice.database.transaction() as session:
        user_id = practice.user_id(session)
        cards = progress.cards_by_question(session, user_id, bank.id)
        today = Today(
            new_seen=progress.count_new_since(session, user_id, bank.id, since),
            reviewed=progress.count_reviews_of_old_cards_since(session, user_id, bank.id, since),
        )
    pick = next_pick(bank, cards, now, limits, today)
    ids = {q.id for q in bank.questions}
    due = [card for qid, card in cards.items() if qid in ids and card.due <= now]
    new = sum(1 for qid in ids if qid not in cards)
    reviews_due = sum(1 for card in due if card.state == REVIEW)
    queued = (
        len(due)
        - reviews_due
        + min(reviews_due, max(limits.reviews - today.reviewed, 0))
        + min(new, max(limits.new - today.new_seen, 0))
    )
    left = ReviewResult(
        next_due=next_due(bank, cards),
        waiting_due=len(due),
        waiting_new=new,
        queued=max(queued, 1 if pick is not None else 0),  # a learning card asked ahead
    )
    return pick, left


def describe_wait(due: datetime, now: datetime, lang: Lang = "en") -> str:
    """``"in 3 h 20 min (Sun 29 Nov 08:00)"``."""
    _ = translator(lang)
    wait = max(due - now, timedelta(0))
    minutes = int(wait.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [_("{n} d").format(n=days)] if days else []
    parts += [_("{n} h").format(n=hours)] if hours else []
    parts += [_("{n} min").format(n=mins)] if mins or not parts else []
    # TRANSLATORS: {due} is a datetime: keep its strftime codes after the colon
    return _("in {wait} ({due:%a %d %b %H:%M})").format(wait=" ".join(parts), due=due.astimezone())


def describe_end(
    bank_id: str, result: ReviewResult, limits: DailyLimits, now: datetime, lang: Lang = "en"
) -> str:
    """Why the session ended: a daily limit (and what waits), or nothing due until when."""
    _ = translator(lang)
    if result.waiting_due:
        return _(
            "Today's review limit ({limit}) is reached; {waiting} more card(s) of {bank} are due "
            "(--reviews-per-day raises it)."
        ).format(limit=limits.reviews, waiting=result.waiting_due, bank=bank_id)
    if result.waiting_new and limits.new == 0:
        return _("No new questions today (--new-per-day is 0); {waiting} wait in {bank}.").format(
            waiting=result.waiting_new, bank=bank_id
        )
    if result.waiting_new:
        return _(
            "Today's new-question limit ({limit}) is reached; {waiting} new question(s) wait "
            "in {bank}."
        ).format(limit=limits.new, waiting=result.waiting_new, bank=bank_id)
    if result.next_due is None:
        return _("Nothing to review in {bank}.").format(bank=bank_id)
    wait = describe_wait(result.next_due, now, lang)
    return _("Nothing due in {bank} now; the next card is due {wait}.").format(
        bank=bank_id, wait=wait
    )


def run_review(
    bank: Bank,
    practice: Practice,
    *,
    lang: Lang,
    console: Console,
    read_line: ReadLine,
    limits: DailyLimits,
    limit: int | None = None,
    choices: ChoicesFor | None = None,
    rate_graded: bool = False,
) -> ReviewResult:
    """Ask what is due, then new questions, until the queue or ``limit`` is exhausted.
    ``choices`` and ``rate_graded``: the rating step, as :func:`~llmiq.practice.quiz.ask`."""
    practice.sync(bank)
    result = ReviewResult()
    try:
        while limit is None or result.answered < limit:
            pick, left = pick_next(practice, bank, limits)
            if pick is None:
                result.next_due = left.next_due
                result.waiting_due, result.waiting_new = left.waiting_due, left.waiting_new
                break
            verdict, duration_ms = ask(
                pick.question,
                lang=lang,
                console=console,
                read_line=read_line,
                position=result.answered + 1,
                total=limit,
                note=pick.why,
                left=left.queued if limit is None else min(left.queued, limit - result.answered),
                choices=choices,
                rate_graded=rate_graded,
            )
            practice.record(bank.id, pick.question, verdict, duration_ms, "review")
            result.answered += 1
            result.correct += bool(verdict.correct)
    except (EOFError, KeyboardInterrupt):
        result.interrupted = True
        console.print()
    return result
