"""The replica's in-memory match index, built from the active list versions (or loaded as saved) and swapped atomically.

Readers take `holder.snapshot` once per request and use only that object, so a
rebuild that finishes mid-request never mixes two generations of lists.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from service import matching
from service.matching.index import Index
from service.matching.types import IndexedEntry, MatchIndex
from service.memory import deep_size, return_free_memory
from service.screening.saved_index import SavedIndexes, index_key
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
    sha256: str | None = None  # of the version's files; with the id, what a saved index is keyed on


@dataclass(slots=True, frozen=True)
class IndexSnapshot:
    index: MatchIndex
    versions: tuple[ActiveVersion, ...]
    built_at: datetime
    build_seconds: float  # to build it, or to load it when `loaded`
    memory_bytes: int = 0  # what the index's objects hold (`service.memory.deep_size`)
    loaded: bool = False  # from a saved index (`saved_index.py`) rather than built

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
            sha256=row.sha256,
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


class IndexHolder:
    """Owns the current snapshot; `refresh()` rebuilds it when the active versions changed.

    With `saved`, an index saved for the new versions is loaded instead of built, and an index
    built here is saved for the other replicas and the next start.
    """

    def __init__(self, engine: Engine, build: IndexBuildFn, *, saved: SavedIndexes | None = None) -> None:
        self.engine = engine
        self._build = build
        self._saved = saved
        self._snapshot: IndexSnapshot | None = None
        self._rebuild_lock = threading.Lock()
        self.on_build: Callable[[IndexSnapshot], None] | None = None

    @property
    def snapshot(self) -> IndexSnapshot | None:
        return self._snapshot

    def refresh(self) -> bool:
        """Rebuild (or load) if the store's active versions differ from the index's; True when it did."""
        with self._rebuild_lock:
            with Session(self.engine) as session:
                versions = load_active_versions(session)
            key = tuple((version.source, version.version_id) for version in versions)
            if self._snapshot is not None and self._snapshot.key == key:
                return False
            saved = self._saved if versions else None  # an empty index is built at once
            saved_key = index_key((version.source, version.version_id, version.sha256) for version in versions)
            started = time.perf_counter()
            loaded = saved.load(saved_key) if saved is not None else None
            if loaded is not None:
                index: MatchIndex = loaded.index
                memory_bytes = loaded.memory_bytes
            else:
                index = self._build(load_entries(self.engine, versions))
                # Measured once, by the process that builds; the others load the figure with the index.
                memory_bytes = deep_size(index)
            snapshot = IndexSnapshot(
                index=index,
                versions=versions,
                built_at=utc_now(),
                build_seconds=time.perf_counter() - started,
                memory_bytes=memory_bytes,
                loaded=loaded is not None,
            )
            self._snapshot = snapshot
            log.info(
                "match index %s: %d entries, %d names from %d sources in %.2fs (matching %s)",
                "loaded" if snapshot.loaded else "built",
                index.entry_count,
                index.name_count,
                len(versions),
                snapshot.build_seconds,
                "compiled" if matching.COMPILED else "plain Python",
            )
            # The build's and the load's scratch memory goes back to the system, not into the heap's free lists.
            return_free_memory()
            if self.on_build is not None:
                self.on_build(snapshot)
            if saved is not None and loaded is None and isinstance(index, Index):
                self._save(saved, saved_key, index, memory_bytes)
            return True

    @staticmethod
    def _save(saved: SavedIndexes, key: str, index: Index, memory_bytes: int) -> None:
        """Saved after the swap: after a poll, requests are already served by the new index meanwhile."""
        try:
            saved.save(key, index, memory_bytes)
        except SQLAlchemyError as error:
            # The index in memory is good; a failed save only costs the next process a build.
            log.warning("could not save the match index: %s", error)
