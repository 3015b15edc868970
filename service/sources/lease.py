"""One ingest per source at a time, across processes and replicas sharing the store.

The lease row names its holder (`host:pid:pid-namespace:tag`) and lasts `LEASE_SECONDS`; a thread
of the holder renews it every quarter of that while the ingest runs. A holder that dies stops
renewing, so its lease lapses within `LEASE_SECONDS` for everyone else (the hosts' clocks must agree
to well within that, as NTP keeps them). Where the holder's pids are visible (same host, same pid
namespace: containers sharing a hostname do not share pids), a dead pid is seen at once and the
lease is taken over without waiting. Whoever takes a lease finds any `loading`
version of the source abandoned (only a lease holder loads), marks it failed and deletes its rows.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from service.errors import IngestLocked
from service.ids import uuid4_hex
from service.sources.tables import IngestLease, ListEntry, ListVersion
from service.timeutil import utc_now

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "-"  # no /proc: pids are never judged, only the lapse counts


def _holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{_pid_namespace()}:{uuid4_hex()[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True when the holder's pids are ours to see (same host and pid namespace) and its process is gone."""
    parts = holder.split(":")
    if len(parts) != 4:
        return False
    host, pid_text, namespace, _ = parts
    if host != socket.gethostname() or namespace != _pid_namespace() or namespace == "-" or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    stat = Path(f"/proc/{pid}/stat")
    try:
        # A killed process its parent has not reaped yet still answers signal 0: it is a zombie ("Z").
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def try_acquire(engine: Engine, source: str, *, holder: str, seconds: float) -> bool:
    now = utc_now()
    expires = now + timedelta(seconds=seconds)
    with Session(engine) as session:
        current = session.get(IngestLease, source)
        if current is not None:
            if current.expires_at >= now and not holder_is_dead(current.holder):
                return False
            # Take over a lapsed or dead holder's lease in one conditional UPDATE, so two takers cannot both win.
            result = session.execute(
                update(IngestLease)
                .where(
                    col(IngestLease.source) == source,
                    col(IngestLease.holder) == current.holder,
                    col(IngestLease.expires_at) == current.expires_at,  # not renewed meanwhile
                )
                .values(holder=holder, acquired_at=now, expires_at=expires)
            )
            session.commit()
            if result.rowcount == 1:  # type: ignore[attr-defined]
                log.warning("ingest lease of %s taken over from %s, which stopped", source, current.holder)
                return True
            return False
        session.add(IngestLease(source=source, holder=holder, acquired_at=now, expires_at=expires))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True


def renew(engine: Engine, source: str, *, holder: str, seconds: float) -> bool:
    """Extend the lease; False when it is no longer this holder's."""
    with Session(engine) as session:
        result = session.execute(
            update(IngestLease)
            .where(col(IngestLease.source) == source, col(IngestLease.holder) == holder)
            .values(expires_at=utc_now() + timedelta(seconds=seconds))
        )
        session.commit()
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(engine: Engine, source: str, *, holder: str) -> None:
    with Session(engine) as session:
        session.execute(delete(IngestLease).where(col(IngestLease.source) == source, col(IngestLease.holder) == holder))
        session.commit()


def current_holder(engine: Engine, source: str) -> IngestLease | None:
    """The live lease of a source, None when free, lapsed or held by a dead process."""
    with Session(engine) as session:
        lease = session.get(IngestLease, source)
        if lease is None or lease.expires_at < utc_now() or holder_is_dead(lease.holder):
            return None
        return lease


def live_leases(session: Session) -> dict[str, IngestLease]:
    now = utc_now()
    leases = session.execute(select(IngestLease)).scalars().all()
    return {lease.source: lease for lease in leases if lease.expires_at >= now and not holder_is_dead(lease.holder)}


def fail_abandoned_versions(engine: Engine, source: str) -> int:
    """Mark the source's `loading` versions failed and delete their rows; the caller holds the lease."""
    with Session(engine) as session:
        loading = select(col(ListVersion.id)).where(
            col(ListVersion.source) == source, col(ListVersion.status) == "loading"
        )
        abandoned = list(session.execute(loading).scalars())
        if not abandoned:
            return 0
        session.execute(delete(ListEntry).where(col(ListEntry.version_id).in_(abandoned)))
        session.execute(
            update(ListVersion)
            .where(col(ListVersion.id).in_(abandoned))
            .values(status="failed", error="abandoned: the ingest loading it stopped before it finished")
        )
        session.commit()
    log.warning("ingest %s: %d abandoned loading version(s) marked failed", source, len(abandoned))
    return len(abandoned)


@dataclass(slots=True)
class HeldLease:
    """A claimed lease, renewed by a daemon thread until `release`."""

    engine: Engine
    source: str
    holder: str
    seconds: float
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start_heartbeat(self) -> None:
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.source}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.seconds / 4):
            try:
                if not renew(self.engine, self.source, holder=self.holder, seconds=self.seconds):
                    if not self._stop.is_set():  # not a release racing this renewal
                        log.error("ingest lease of %s lost to another holder", self.source)
                    return
            except Exception:
                log.exception("ingest lease of %s: renewal failed; retrying", self.source)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.seconds / 4)  # a renewal under way ends before the row goes
        release(self.engine, self.source, holder=self.holder)


def claim(engine: Engine, source: str, *, seconds: float = LEASE_SECONDS) -> HeldLease:
    """Take the source's lease (renewed from now on), or raise IngestLocked naming who holds it."""
    holder = _holder_id()
    if not try_acquire(engine, source, holder=holder, seconds=seconds):
        lease = current_holder(engine, source)
        who = f" by {lease.holder} since {lease.acquired_at.isoformat()}" if lease else ""
        raise IngestLocked(f"an ingest of '{source}' is already running{who}")
    held = HeldLease(engine, source, holder, seconds)
    held.start_heartbeat()
    try:
        fail_abandoned_versions(engine, source)
    except Exception:
        held.release()
        raise
    return held


@contextmanager
def ingest_lease(engine: Engine, source: str, *, held: HeldLease | None = None) -> Iterator[HeldLease]:
    """Hold the source's lease for the block (`held`: one claimed already) and release it after."""
    lease = held or claim(engine, source)
    try:
        yield lease
    finally:
        lease.release()
