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
        await asyncio.wrap_future(self.submit(rows))

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
            self._commit(rows, pending)

    def _commit(self, rows: list[dict[str, Any]], pending: list[tuple[list[dict[str, Any]], Future[None]]]) -> None:
        try:
            self._store(rows)
        except Exception as error:
            # The writer's boundary. A shared transaction failed: write each request's records on its own,
            # so one bad request fails alone (it answers 5xx: no caller sees a screening without its
            # record) and the writer keeps serving.
            if len(pending) == 1:
                log.exception("audit write of %d records failed", len(rows))
                pending[0][1].set_exception(error)
                return
            for own_rows, done in pending:
                self._commit(own_rows, [(own_rows, done)])
            return
        for _rows, done in pending:
            done.set_result(None)

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
