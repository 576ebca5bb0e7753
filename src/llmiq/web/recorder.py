"""Group commit for answers: request handlers hand their answers to one writer thread, which
records whatever has queued up in one transaction and then wakes every waiting request.

A commit is the expensive part of recording an answer (and SQLite lets one writer in at a
time): under load, one commit for many answers keeps latency low and nothing is lost — each
request is answered only after its answer is committed. When a batch is refused because of
one answer's data, the answers are retried one at a time, so that one cannot take the
others down; when the database itself fails, every answer of the batch gets that error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmiq.errors import LlmiqError
from llmiq.practice.recording import Answer, Recorded, record_answers
from llmiq.store.database import Database
from llmiq.store.errors import ConstraintViolation, DatabaseUnavailable
from llmiq.store.lite import LiteDatabase, open_lite_database

if TYPE_CHECKING:
    import fsrs

    from llmiq.store.writes import ProgressDatabase

MAX_BATCH = 256

logger = logging.getLogger("llmiq.web")


@dataclass
class _Job:
    answer: Answer
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Recorded]


def _settle(
    future: asyncio.Future[Recorded], done: Recorded | None, error: BaseException | None
) -> None:
    if future.cancelled():  # the client went away; the answer is recorded all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(done)  # type: ignore[arg-type]


def _hand_back(job: _Job, done: Recorded | None, error: BaseException | None) -> None:
    # a closed loop: the server stopped while this was committed (and it is recorded)
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(_settle, job.future, done, error)


class AnswerRecorder:
    """The writer thread of one app process; ``start`` and ``stop`` follow the app's life.

    On an SQLite file the thread records through its own sqlite3 connection
    (:class:`~llmiq.store.lite.LiteDatabase`, the quiz's write path, same transactions and
    errors) rather than SQLAlchemy's ORM: under load the ORM's per-answer work held the GIL
    for about half of the server's CPU time per answer (``web_load.py --profile``), time the
    event loop could not serve requests in.
    """

    def __init__(self, database: Database, scheduler: fsrs.Scheduler) -> None:
        self.database = database
        self.scheduler = scheduler
        self._writer: ProgressDatabase = database
        self._lite: LiteDatabase | None = None
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writer thread, after the check of the database that would otherwise
        come before the first answer written (``PRAGMA quick_check``: 0.6-1.0 s on a
        database of a million answers). Called before the app serves. A damaged database
        is logged in one sentence here, and every write is refused with it (a 503); one
        that does not answer is logged too, and checked again before the first write."""
        if self._thread is None:
            try:
                self.database.check_before_writing()
            except DatabaseUnavailable as exc:  # damaged, or not answering: checked later
                logger.error("%s", exc)
            else:
                if self.database.path is not None and self._lite is None:
                    lite = open_lite_database(self.database.path, guard=self.database.guard)
                    self._lite = lite  # None: not at the schema's head
                    self._writer = self._lite or self.database
            self._thread = threading.Thread(target=self._run, name="llmiq-answers", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Record what is queued, then end the thread; answers that arrive after that are
        refused, never left waiting."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._queue.put(None)
        thread.join()
        if self._lite is not None:
            self._lite.close()
            self._lite, self._writer = None, self.database
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                _hand_back(job, None, RuntimeError("the answer recorder has stopped"))

    async def record(self, answer: Answer) -> Recorded:
        """Record ``answer``; returns its review id and card once the answer is committed."""
        if self._thread is None:
            raise RuntimeError("the answer recorder is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Recorded] = loop.create_future()
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
            done = record_answers(self._writer, self.scheduler, [job.answer for job in batch])
        except LlmiqError as exc:  # the database failed (DatabaseUnavailable), not an answer
            for job in batch:
                _hand_back(job, None, exc)
            return
        except ConstraintViolation:
            if len(batch) > 1:
                for job in batch:
                    self._commit([job])
                return
            # another process made the same new card meanwhile: once more finds it
            self._retry(batch[0])
            return
        except Exception as exc:  # one answer's data (say, a value too long for a column)
            if len(batch) > 1:
                for job in batch:
                    self._commit([job])
                return
            _hand_back(batch[0], None, exc)
            return
        for job, recorded in zip(batch, done, strict=True):
            _hand_back(job, recorded, None)

    def _retry(self, job: _Job) -> None:
        try:
            [done] = record_answers(self._writer, self.scheduler, [job.answer])
        except Exception as exc:
            _hand_back(job, None, exc)
        else:
            _hand_back(job, done, None)
