"""Group commit for answers: request handlers hand their answers to one writer thread, which
records whatever has queued up in one transaction and then wakes every waiting request.

A commit is the expensive part of recording an answer (and SQLite lets one writer in at a
time): under load, one commit for many answers keeps latency low and nothing is lost — each
request is answered only after its answer is committed. A batch that fails is retried one
answer at a time, so one bad answer cannot take the others down with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from llmiq.practice.recording import Answer, CardState, record_answers
from llmiq.store.database import Database

if TYPE_CHECKING:
    import fsrs

MAX_BATCH = 256


@dataclass
class _Job:
    answer: Answer
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[CardState]


def _settle(
    future: asyncio.Future[CardState], card: CardState | None, error: BaseException | None
) -> None:
    if future.cancelled():  # the client went away; the answer is recorded all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(card)  # type: ignore[arg-type]


def _call_in(job: _Job, card: CardState | None, error: BaseException | None) -> None:
    # a closed loop: the server stopped while this was committed (and it is recorded)
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(_settle, job.future, card, error)


class AnswerRecorder:
    """The writer thread of one app process; ``start`` and ``stop`` follow the app's life."""

    def __init__(self, database: Database, scheduler: fsrs.Scheduler) -> None:
        self.database = database
        self.scheduler = scheduler
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="llmiq-answers", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Record what is queued, then end the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    async def record(self, answer: Answer) -> CardState:
        """Record ``answer``; returns its card once the answer is committed."""
        if self._thread is None:
            raise RuntimeError("the answer recorder is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[CardState] = loop.create_future()
        self._queue.put(_Job(answer, loop, future))
        return await asyncio.shield(future)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        try:
            cards = record_answers(self.database, self.scheduler, [job.answer for job in batch])
        except Exception as exc:
            if len(batch) > 1:
                for job in batch:
                    self._commit([job])
                return
            if isinstance(exc, IntegrityError):  # another process made the card: try again
                try:
                    cards = record_answers(self.database, self.scheduler, [batch[0].answer])
                except Exception as again:
                    exc = again
                else:
                    self._wake(batch, cards)
                    return
            _call_in(batch[0], None, exc)
            return
        self._wake(batch, cards)

    @staticmethod
    def _wake(batch: list[_Job], cards: list[CardState]) -> None:
        for job, card in zip(batch, cards, strict=True):
            _call_in(job, card, None)
