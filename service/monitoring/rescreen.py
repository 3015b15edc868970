"""Delta re-screening: after a list version is activated, re-check every monitored party against only the
entries that version added or changed, and drop matches on the entries it removed.

Cost: one small index (the version's added + changed entries), one search per party, parties streamed
from the store in chunks of `chunk_size` (keyset on id), and per chunk one clearance query, one bulk
update, one bulk insert of alerts, deliveries and audit records. No per-party query.

Exactly once per version across replicas: the run holds the lease `monitor:<source>` and writes a
`monitor_run` marker at the end. A run interrupted before its marker is simply run again; it is
idempotent because each party is compared with its stored outcome (entry hashes included), so the
parties already updated find nothing new.

Audit volume: only re-screenings whose outcome changed (at least one alert) are recorded, as kind
`rescreen`; an unchanged re-screening is counted in the metrics only (a million parties re-screened
weekly would otherwise add a million identical records a week).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session, col

from service.config import Settings
from service.db import update_by_id
from service.decisions import as_decision
from service.ids import uuid4_text
from service.matching.types import IndexBuilder
from service.metrics import Metrics
from service.monitoring.outcome import ALERT_KINDS, AlertDraft, combine
from service.monitoring.search import (
    Change,
    PartyRow,
    SearchOutcome,
    SearchSpec,
    can_run_in_workers,
    id_ranges,
    load_change,
    load_delta_index,
    search_in_workers,
    search_range,
    worker_count,
)
from service.monitoring.tables import Alert, MonitoredParty, MonitorRun, WebhookDelivery
from service.screening.audit import insert_records, record_row
from service.screening.clearances import PartyClearances, clearances_of, live_clearances
from service.screening.index_state import load_active_versions
from service.screening.schemas import ListVersionRef, MatchOut, ScreenResponse
from service.screening.service import list_refs, thresholds_for
from service.timeutil import utc_now

log = logging.getLogger(__name__)

CHUNK_SIZE = 5000
# Below this many parties, starting worker processes costs more than it saves.
PARALLEL_MIN_PARTIES = 20_000
MONITOR_CALLER = "monitor"


@dataclass(slots=True)
class RescreenResult:
    source: str
    version_id: int
    parties: int = 0
    skipped: int = 0
    changed_parties: int = 0
    alerts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALERT_KINDS, 0))
    delta_entries: int = 0
    seconds: float = 0.0
    workers: int = 1  # processes that searched (1: this one)

    @property
    def alert_count(self) -> int:
        return sum(self.alerts.values())


def _live_clearances(session: Session, rows: Sequence[PartyRow]) -> dict[str, PartyClearances]:
    """reference -> (source, entity_id) -> cleared entry hashes, for a chunk of parties, in one query."""
    clearances = live_clearances(session, [(row.reference, row.name) for row in rows])
    return {
        row.reference: clearances_of(clearances, reference=row.reference, name=row.name, country=row.country)
        for row in rows
    }


def _set_cleared(matches: list[dict[str, Any]], cleared: dict[tuple[str, str], set[str]]) -> list[dict[str, Any]]:
    """A clearance applies only to the entry content it was given for (its hash)."""
    for match in matches:
        match["cleared"] = match["content_hash"] in cleared.get((match["source"], match["entity_id"]), set())
    return matches


def _audit_row(
    row: PartyRow, decision: str, matches: list[dict[str, Any]], lists: list[ListVersionRef]
) -> dict[str, Any]:
    response = ScreenResponse(
        screening_id=uuid4_text(),
        decision=as_decision(decision),
        screened_at=utc_now(),
        reference=row.reference,
        matches=[MatchOut.model_validate({k: v for k, v in match.items() if k != "content_hash"}) for match in matches],
        lists=lists,
    )
    request = {
        "name": row.name,
        "type": row.type,
        "country": row.country,
        "date_of_birth": row.date_of_birth,
        "identifiers": row.identifiers,
        "reference": row.reference,
    }
    return record_row(
        kind="rescreen",
        caller=MONITOR_CALLER,
        request={key: value for key, value in request.items() if value not in (None, [])},
        response=response,
    )


def rescreen_after_version(
    *,
    engine: Engine,
    version_id: int,
    build_index: IndexBuilder,
    settings: Settings,
    metrics: Metrics,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
    parallel_min_parties: int = PARALLEL_MIN_PARTIES,
) -> RescreenResult:
    """Re-screen every monitored party after `version_id` (the caller holds the source's monitor lease).

    The search runs in `workers` processes (default: the `monitor_workers` setting, 0 = one per CPU)
    when at least `parallel_min_parties` parties are monitored, else in this process.
    """
    started = time.perf_counter()
    started_at = utc_now()
    with Session(engine) as session:
        change = load_change(session, version_id)
        lists = list(list_refs(load_active_versions(session), None))
    result = RescreenResult(change.source, version_id)
    spec = SearchSpec(
        version_id=version_id,
        build_index=build_index,
        thresholds=thresholds_for(settings),
        limit=settings.default_limit,
    )
    count, ranges = id_ranges(engine, chunk_size)
    processes = worker_count(settings.monitor_workers if workers is None else workers)
    outcomes: Iterable[SearchOutcome]
    if count == 0:
        # Nobody to re-screen: no delta index to build (a first ingest would index the whole list for nothing).
        outcomes = ()
    elif count >= parallel_min_parties and processes > 1 and len(ranges) > 1 and can_run_in_workers(spec):
        outcomes = search_in_workers(engine, spec, ranges, processes)
        result.workers = processes
        result.delta_entries = len(change.reevaluated)
    else:
        index, result.delta_entries = load_delta_index(engine, change, build_index)
        outcomes = (search_range(engine, change, index, spec, low, high) for low, high in ranges)
    for outcome in outcomes:
        result.parties += outcome.parties
        result.skipped += outcome.skipped
        for decision, unaffected in outcome.unaffected.items():
            metrics.record_rescreening(as_decision(decision), unaffected)
        if outcome.candidates:
            _apply_chunk(engine, change, outcome.candidates, lists, settings, metrics, result)
    result.seconds = time.perf_counter() - started
    with Session(engine) as session:
        session.merge(
            MonitorRun(
                version_id=version_id,
                source=change.source,
                started_at=started_at,
                parties=result.parties,
                changed_parties=result.changed_parties,
                alerts=result.alert_count,
                seconds=round(result.seconds, 3),
            )
        )
        session.commit()
    log.info(
        "re-screened %d monitored parties after %s version %d (%d delta entries): %d changed, %d alerts in %.1fs",
        result.parties,
        change.source,
        version_id,
        result.delta_entries,
        result.changed_parties,
        result.alert_count,
        result.seconds,
    )
    return result


def _apply_chunk(
    engine: Engine,
    change: Change,
    candidates: list[tuple[PartyRow, list[dict[str, Any]]]],
    lists: list[ListVersionRef],
    settings: Settings,
    metrics: Metrics,
    result: RescreenResult,
) -> None:
    """Combine, then write the chunk's party updates, alerts, deliveries and audit records in one transaction."""
    now = utc_now()
    with Session(engine) as session:
        clearances = _live_clearances(session, [row for row, found in candidates if found])
    updates: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    drafts: list[tuple[str, str, AlertDraft]] = []
    for row, matches in candidates:
        found = _set_cleared(matches, clearances.get(row.reference, {}))
        combined = combine(
            stored=row.matches,
            stored_decision=row.decision,
            found=found,
            source=change.source,
            removed=change.removed,
            reevaluated=change.reevaluated,
        )
        metrics.record_rescreening(as_decision(combined.decision))
        if combined.matches == row.matches and combined.decision == row.decision:
            continue
        versions = {**row.versions, change.source: change.version_id}
        updates.append(
            {
                "b_id": row.id,
                "b_decision": combined.decision,
                "b_matches": combined.matches,
                "b_versions": versions,
                "b_updated_at": now,
            }
        )
        if combined.alerts:
            record = _audit_row(row, combined.decision, combined.matches, lists)
            audit_rows.append(record)
            drafts.extend((row.reference, record["id"], draft) for draft in combined.alerts)
    alert_rows = [
        {
            "created_at": now,
            "reference": reference,
            "kind": draft.kind,
            "source": draft.source,
            "entity_id": draft.entity_id,
            "before": draft.before,
            "after": draft.after,
            "version_id": change.version_id,
            "screening_id": screening_id,
        }
        for reference, screening_id, draft in drafts
    ]
    table = MonitoredParty.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        if updates:
            connection.execute(update_by_id(table, "decision", "matches", "versions", "updated_at"), updates)
        if audit_rows:
            insert_records(connection, audit_rows)
        if alert_rows:
            alert_ids = connection.execute(
                insert(Alert).returning(col(Alert.id), sort_by_parameter_order=True), alert_rows
            ).scalars()
            deliveries = [
                {
                    "alert_id": alert_id,
                    "endpoint": endpoint,
                    "status": "pending",
                    "attempt": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for alert_id in alert_ids
                for endpoint in settings.webhook_urls
            ]
            if deliveries:
                connection.execute(insert(WebhookDelivery), deliveries)
    result.changed_parties += len(updates)
    for _reference, _screening_id, draft in drafts:
        result.alerts[draft.kind] += 1
        metrics.record_alert(draft.kind)
