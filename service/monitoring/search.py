"""The search phase of a re-screening: every monitored party against the version's delta index.

This is the only part whose cost grows with the number of parties (one index search each), so it
can run in worker processes: each builds the same small delta index itself (a second or less) and
reads its own id range of parties from the store; only the few parties that match something, or
whose stored matches the version touched, travel back to the parent, which decides and writes.
Worker processes are *spawned* (not forked): the API process has threads and open connections
that a fork would copy in an undefined state.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from service.db import make_engine
from service.decisions import as_decision
from service.errors import NotFound
from service.matching.types import IndexBuilder, IndexedEntry, MatchIndex, MatchThresholds
from service.monitoring.outcome import touches
from service.monitoring.registry import party_query
from service.monitoring.tables import MonitoredParty
from service.screening.index_state import to_indexed_entry
from service.screening.service import match_out
from service.sources.model import ParsedEntry
from service.sources.tables import ListChange, ListEntry

IN_CHUNK = 500
_PARTY_COLUMNS = (
    col(MonitoredParty.id),
    col(MonitoredParty.reference),
    col(MonitoredParty.name),
    col(MonitoredParty.type),
    col(MonitoredParty.country),
    col(MonitoredParty.date_of_birth),
    col(MonitoredParty.identifiers),
    col(MonitoredParty.decision),
    col(MonitoredParty.matches),
    col(MonitoredParty.versions),
)


@dataclass(slots=True, frozen=True)
class Change:
    source: str
    version_id: int
    removed: frozenset[str]
    reevaluated: frozenset[str]  # added + changed: the entries in the delta index


@dataclass(slots=True, frozen=True)
class PartyRow:
    id: int
    reference: str
    name: str
    type: str
    country: str | None
    date_of_birth: str | None
    identifiers: list[dict[str, Any]]
    decision: str
    matches: list[dict[str, Any]]
    versions: dict[str, int]


@dataclass(slots=True)
class SearchOutcome:
    """Parties that need a decision (with their delta matches, `cleared` not yet set), and counts of the rest."""

    candidates: list[tuple[PartyRow, list[dict[str, Any]]]] = field(default_factory=list)
    parties: int = 0
    skipped: int = 0
    unaffected: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True, frozen=True)
class SearchSpec:
    version_id: int
    build_index: IndexBuilder
    thresholds: MatchThresholds
    limit: int


def load_change(session: Session, version_id: int) -> Change:
    change = session.get(ListChange, version_id)
    if change is None:
        raise NotFound(f"no change report for list version {version_id}")
    return Change(change.source, version_id, frozenset(change.removed), frozenset(change.added + change.changed))


def load_delta_index(engine: Engine, change: Change, build_index: IndexBuilder) -> tuple[MatchIndex | None, int]:
    """An index over only the version's added and changed entries."""
    ids = sorted(change.reevaluated)
    entries: list[IndexedEntry] = []
    with Session(engine) as session:
        for start in range(0, len(ids), IN_CHUNK):
            rows = session.execute(
                select(col(ListEntry.content_hash), col(ListEntry.document)).where(
                    col(ListEntry.version_id) == change.version_id,
                    col(ListEntry.entity_id).in_(ids[start : start + IN_CHUNK]),
                )
            )
            entries.extend(
                to_indexed_entry(change.source, str(content_hash), ParsedEntry.from_document(document))
                for content_hash, document in rows
            )
    return (build_index(entries) if entries else None), len(entries)


def id_ranges(engine: Engine, chunk_size: int) -> tuple[int, list[tuple[int, int]]]:
    """The party count and [low, high) id ranges of at most `chunk_size` ids covering every party."""
    with Session(engine) as session:
        count, low, high = session.execute(
            select(func.count(), func.min(col(MonitoredParty.id)), func.max(col(MonitoredParty.id)))
        ).one()
    if not count:
        return 0, []
    return int(count), [(start, start + chunk_size) for start in range(int(low), int(high) + 1, chunk_size)]


def _rows(engine: Engine, low: int, high: int) -> Iterator[PartyRow]:
    with Session(engine) as session:
        rows = session.execute(
            select(*_PARTY_COLUMNS)
            .where(col(MonitoredParty.id) >= low, col(MonitoredParty.id) < high)
            .order_by(col(MonitoredParty.id))
        ).all()
    for row in rows:
        yield PartyRow(*row)


def search_range(
    engine: Engine, change: Change, index: MatchIndex | None, spec: SearchSpec, low: int, high: int
) -> SearchOutcome:
    outcome = SearchOutcome()
    touched = change.removed | change.reevaluated
    for row in _rows(engine, low, high):
        if row.versions.get(change.source, 0) >= change.version_id:
            # Registered (or updated) from a snapshot that already held this version.
            outcome.skipped += 1
            continue
        outcome.parties += 1
        found = []
        if index is not None:
            query = party_query(row.name, row.type, row.country, row.date_of_birth, row.identifiers)
            found = index.search(query, thresholds=spec.thresholds, limit=spec.limit)
        if found or touches(row.matches, change.source, touched):
            matches = [
                {**match_out(match).model_dump(mode="json"), "content_hash": match.entry.content_hash}
                for match in found
            ]
            outcome.candidates.append((row, matches))
        else:
            outcome.unaffected[as_decision(row.decision)] += 1
    return outcome


# State of a worker process, set once by its initializer.
_WORKER: dict[str, Any] = {}


def _init_worker(url: str, spec: SearchSpec) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        change = load_change(session, spec.version_id)
    index, _count = load_delta_index(engine, change, spec.build_index)
    _WORKER.update(engine=engine, change=change, index=index, spec=spec)


def _search_in_worker(bounds: tuple[int, int]) -> SearchOutcome:
    return search_range(_WORKER["engine"], _WORKER["change"], _WORKER["index"], _WORKER["spec"], *bounds)


def worker_count(configured: int) -> int:
    return configured if configured > 0 else max(os.cpu_count() or 1, 1)


def can_run_in_workers(spec: SearchSpec) -> bool:
    """A builder that cannot be pickled (a closure, a lambda) can only run in this process."""
    try:
        pickle.dumps(spec)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def search_in_workers(
    engine: Engine, spec: SearchSpec, ranges: list[tuple[int, int]], workers: int
) -> Iterator[SearchOutcome]:
    """Search the ranges in `workers` spawned processes; outcomes come back in range order as they finish."""
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(url, spec)) as pool:
        yield from pool.map(_search_in_worker, ranges)
