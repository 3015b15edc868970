"""The replica's in-memory match index, built from the active list versions and swapped atomically.

Readers take `holder.snapshot` once per request and use only that object, so a
rebuild that finishes mid-request never mixes two generations of lists.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.matching.types import IndexedEntry, MatchIndex
from service.sources.model import ParsedEntry
from service.sources.tables import ListEntry, ListVersion
from service.timeutil import utc_now

log = logging.getLogger(__name__)

IndexBuildFn = Callable[[Iterable[IndexedEntry]], MatchIndex]


@dataclass(slots=True, frozen=True)
class ActiveVersion:
    source: str
    version_id: int
    fetched_at: datetime
    published_at: datetime | None
    activated_at: datetime | None
    record_count: int


@dataclass(slots=True, frozen=True)
class IndexSnapshot:
    index: MatchIndex
    versions: tuple[ActiveVersion, ...]
    built_at: datetime
    build_seconds: float
    memory_bytes: int = 0

    @property
    def key(self) -> tuple[tuple[str, int], ...]:
        return tuple((version.source, version.version_id) for version in self.versions)


def to_indexed_entry(source: str, content_hash: str, entry: ParsedEntry) -> IndexedEntry:
    return IndexedEntry(
        source=source,
        entity_id=entry.entity_id,
        type=entry.type,
        name=entry.name,
        aliases=tuple(entry.aliases),
        programs=tuple(entry.programs),
        countries=tuple(entry.countries),
        birth_dates=tuple(entry.birth_dates),
        identifiers=tuple(entry.identifiers),
        content_hash=content_hash,
    )


def load_active_versions(session: Session) -> tuple[ActiveVersion, ...]:
    rows = session.execute(
        select(ListVersion).where(col(ListVersion.status) == "active").order_by(col(ListVersion.source))
    ).scalars()
    return tuple(
        ActiveVersion(
            source=row.source,
            version_id=row.id or 0,
            fetched_at=row.fetched_at,
            published_at=row.published_at,
            activated_at=row.activated_at,
            record_count=row.record_count,
        )
        for row in rows
    )


def load_entries(engine: Engine, versions: Iterable[ActiveVersion]) -> list[IndexedEntry]:
    entries: list[IndexedEntry] = []
    with Session(engine) as session:
        for version in versions:
            rows = session.execute(
                select(col(ListEntry.content_hash), col(ListEntry.document)).where(
                    col(ListEntry.version_id) == version.version_id
                )
            )
            for content_hash, document in rows:
                entries.append(to_indexed_entry(version.source, content_hash, ParsedEntry.from_document(document)))
    return entries


def resident_bytes() -> int:
    """The process's resident memory (Linux), to estimate what an index build added; 0 where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class IndexHolder:
    """Owns the current snapshot; `refresh()` rebuilds it when the active versions changed."""

    def __init__(self, engine: Engine, build: IndexBuildFn) -> None:
        self.engine = engine
        self._build = build
        self._snapshot: IndexSnapshot | None = None
        self._rebuild_lock = threading.Lock()
        self.on_build: Callable[[IndexSnapshot], None] | None = None

    @property
    def snapshot(self) -> IndexSnapshot | None:
        return self._snapshot

    def refresh(self) -> bool:
        """Rebuild if the store's active versions differ from the index's; True when it rebuilt."""
        with self._rebuild_lock:
            with Session(self.engine) as session:
                versions = load_active_versions(session)
            key = tuple((version.source, version.version_id) for version in versions)
            if self._snapshot is not None and self._snapshot.key == key:
                return False
            started = time.perf_counter()
            resident_before = resident_bytes()
            index = self._build(load_entries(self.engine, versions))
            snapshot = IndexSnapshot(
                index=index,
                versions=versions,
                built_at=utc_now(),
                build_seconds=time.perf_counter() - started,
                memory_bytes=max(resident_bytes() - resident_before, 0),
            )
            self._snapshot = snapshot
            log.info(
                "match index built: %d entries, %d names from %d sources in %.2fs",
                index.entry_count,
                index.name_count,
                len(versions),
                snapshot.build_seconds,
            )
            if self.on_build is not None:
                self.on_build(snapshot)
            return True
