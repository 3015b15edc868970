"""One ingest per source at a time, across processes and replicas sharing the store."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.errors import IngestLocked
from service.sources.tables import IngestLease
from service.timeutil import utc_now

DEFAULT_LEASE_SECONDS = 900


def _holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_acquire(engine: Engine, source: str, *, holder: str, seconds: float) -> bool:
    now = utc_now()
    expires = now + timedelta(seconds=seconds)
    with Session(engine) as session:
        # Take over an expired lease in one conditional UPDATE, so two takers cannot both win.
        result = session.execute(
            update(IngestLease)
            .where(IngestLease.source == source)  # type: ignore[arg-type]
            .where(IngestLease.expires_at < now)  # type: ignore[arg-type]
            .values(holder=holder, acquired_at=now, expires_at=expires)
        )
        session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return True
        session.add(IngestLease(source=source, holder=holder, acquired_at=now, expires_at=expires))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True


def release(engine: Engine, source: str, *, holder: str) -> None:
    with Session(engine) as session:
        session.execute(
            delete(IngestLease)
            .where(IngestLease.source == source)  # type: ignore[arg-type]
            .where(IngestLease.holder == holder)  # type: ignore[arg-type]
        )
        session.commit()


def current_holder(engine: Engine, source: str) -> IngestLease | None:
    with Session(engine) as session:
        lease = session.get(IngestLease, source)
        if lease is None or lease.expires_at < utc_now():
            return None
        return lease


@contextmanager
def ingest_lease(engine: Engine, source: str, *, seconds: float = DEFAULT_LEASE_SECONDS) -> Iterator[str]:
    """Hold the source's lease for the block, or raise IngestLocked naming who holds it."""
    holder = _holder_id()
    if not try_acquire(engine, source, holder=holder, seconds=seconds):
        lease = current_holder(engine, source)
        who = f" by {lease.holder} since {lease.acquired_at.isoformat()}" if lease else ""
        raise IngestLocked(f"an ingest of '{source}' is already running{who}")
    try:
        yield holder
    finally:
        release(engine, source, holder=holder)
