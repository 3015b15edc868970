"""One writer thread for the audit trail, committing the records of concurrent requests together.

Every request still waits until its own records are committed before it answers (an audit
record must exist for every screening a caller saw), but concurrent requests share one
transaction ("group commit") instead of queueing on the database's write lock one by one.
On SQLite that queueing was the latency tail: its busy handler sleeps up to 100 ms between
retries. On PostgreSQL it saves a round trip and a commit per request.

On SQLite the writers of several worker processes also take turns through a file lock
(`SqliteWriteLock`) rather than SQLite's sleeping busy handler.

The writer keeps one connection of its own: checking one out of the pool for every commit
would cost a liveness ping (a round trip) each time. After a failed commit the connection is
given back, and the next commit checks out a fresh, pinged one.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Connection, Engine

from service.db import SqliteWriteLock
from service.screening.audit import insert_records

log = logging.getLogger(__name__)

MAX_ROWS_PER_COMMIT = 2000
_STOP = object()

# Who waits for a commit: a thread (`write`) or a coroutine on an event loop (`write_async`).
Waiter = Future[None] | asyncio.Future[None]
Pending = tuple[list[dict[str, Any]], Waiter]
Outcome = tuple[Waiter, BaseException | None]


class AuditWriter:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None  # used by the writer thread only
        self._write_lock = SqliteWriteLock(engine)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def submit(self, rows: Sequence[dict[str, Any]]) -> Future[None]:
        done: Future[None] = Future()
        if not rows:
            done.set_result(None)
        else:
            self._queue.put((list(rows), done))
        return done

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store the rows; returns once they are committed (raises if the commit failed)."""
        self.submit(rows).result()

    async def write_async(self, rows: Sequence[dict[str, Any]]) -> None:
        """`write` for a coroutine: the event loop serves other requests while the rows are committed."""
        if not rows:
            return
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put((list(rows), committed))
        await committed

    def close(self, timeout: float = 30.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                self._release_connection()
                self._write_lock.close()
                return
            pending = [item]
            rows = list(item[0])
            while len(rows) < MAX_ROWS_PER_COMMIT:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._queue.put(_STOP)
                    break
                pending.append(more)
                rows.extend(more[0])
            outcomes: list[Outcome] = []
            self._commit(rows, pending, outcomes)
            _settle(outcomes)

    def _commit(self, rows: list[dict[str, Any]], pending: list[Pending], outcomes: list[Outcome]) -> None:
        try:
            self._store(rows)
        except Exception as error:
            # The writer's boundary. A shared transaction failed: write each request's records on its own,
            # so one bad request fails alone (it answers 5xx: no caller sees a screening without its
            # record) and the writer keeps serving.
            if len(pending) == 1:
                log.exception("audit write of %d records failed", len(rows))
                outcomes.append((pending[0][1], error))
                return
            for own_rows, waiter in pending:
                self._commit(own_rows, [(own_rows, waiter)], outcomes)
            return
        outcomes.extend((waiter, None) for _rows, waiter in pending)

    def _store(self, rows: list[dict[str, Any]]) -> None:
        if self._connection is None:
            self._connection = self._engine.connect()
        try:
            with self._write_lock.held(), self._connection.begin():
                insert_records(self._connection, rows)
        except Exception:
            # The connection may be the problem (a database restart): start the next commit on a fresh one.
            self._release_connection()
            raise

    def _release_connection(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except Exception:  # a dead connection may fail to close; it is dropped either way
                log.debug("closing the audit writer's connection failed", exc_info=True)


def _settle(outcomes: list[Outcome]) -> None:
    """Wake every waiter; coroutines with one call per event loop, not one wake-up per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[None], BaseException | None]]] = {}
    for waiter, error in outcomes:
        if isinstance(waiter, Future):
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)
        else:
            by_loop.setdefault(waiter.get_loop(), []).append((waiter, error))
    for loop, waiting in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_on_loop, waiting)
        except RuntimeError:  # the loop has closed (shutdown): nobody waits any more
            log.debug("event loop closed before %d audit waiters were woken", len(waiting))


def _settle_on_loop(waiting: list[tuple[asyncio.Future[None], BaseException | None]]) -> None:
    for future, error in waiting:
        if future.done():  # the request was cancelled (client gone); its rows are stored all the same
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
