"""Registering, reading and removing monitored parties; the baseline outcome comes from a normal screening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update
from sqlmodel import Session, col

from service.errors import NotFound
from service.matching.types import Query, QueryType
from service.metrics import Metrics
from service.monitoring.schemas import MonitoredPartyIn
from service.monitoring.tables import MonitoredParty
from service.screening.index_state import IndexSnapshot
from service.screening.pipeline import ScreeningContext, decide, match_party
from service.screening.schemas import PartyIn, ScreenResponse
from service.screening.service import query_of
from service.screening.tables import AuditEvent
from service.sources.model import Identifier
from service.sources.tables import ListEntry
from service.timeutil import utc_now

IN_CHUNK = 500
_QUERY_TYPES: dict[str, QueryType] = {
    "person": "person",
    "organization": "organization",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "any": "any",
}


@dataclass(slots=True, frozen=True)
class Baseline:
    """A party's outcome as it starts being monitored."""

    party: MonitoredPartyIn
    decision: str
    matches: list[dict[str, Any]]
    versions: dict[str, int]


def party_query(
    name: str, type_: str, country: str | None, date_of_birth: str | None, identifiers: Sequence[dict[str, Any]]
) -> Query:
    """The matcher's query for a stored party (validated when it was registered)."""
    return query_of(
        name=name,
        type_=_QUERY_TYPES.get(type_, "any"),
        country=country,
        date_of_birth=date_of_birth,
        identifiers=[
            Identifier(type=item.get("type", ""), value=item["value"], country=item.get("country"))
            for item in identifiers
        ],
    )


def stored_matches(response: ScreenResponse, hashes: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    return [
        {**out.model_dump(mode="json"), "content_hash": hashes.get((out.source, out.entity_id), "")}
        for out in response.matches
    ]


def as_screening_party(party: MonitoredPartyIn) -> PartyIn:
    """The same party as a screening request: both share `PartyFields`, so every field carries over."""
    return PartyIn.model_validate(party.model_dump())


def _snapshot_versions(snapshot: IndexSnapshot | None) -> dict[str, int]:
    return {version.source: version.version_id for version in snapshot.versions} if snapshot else {}


def screen_baselines(context: ScreeningContext, parties: Sequence[MonitoredPartyIn]) -> list[Baseline]:
    """Screen each party through the screening pipeline (clearances applied, nothing recorded); with no
    list loaded yet the outcome starts empty and the first list version's re-screening reports every
    match as new."""
    snapshot = context.snapshot
    versions = _snapshot_versions(snapshot)
    if snapshot is None or not snapshot.versions:
        return [Baseline(party, "clear", [], versions) for party in parties]
    screened = [match_party(context, as_screening_party(party)) for party in parties]
    decide(context, screened, None)
    baselines: list[Baseline] = []
    for party, item in zip(parties, screened, strict=True):
        hashes = {(match.entry.source, match.entry.entity_id): match.entry.content_hash for match in item.matches}
        baselines.append(Baseline(party, item.response.decision, stored_matches(item.response, hashes), versions))
    return baselines


def entry_hashes(
    engine: Engine, responses: Sequence[ScreenResponse], snapshot: IndexSnapshot | None
) -> dict[tuple[str, str], str]:
    """The content hashes of the entries screenings matched, read from the versions they screened against."""
    version_ids = {version.source: version.version_id for version in snapshot.versions} if snapshot else {}
    wanted: dict[str, set[str]] = {}
    for response in responses:
        for out in response.matches:
            if out.source in version_ids:
                wanted.setdefault(out.source, set()).add(out.entity_id)
    hashes: dict[tuple[str, str], str] = {}
    with Session(engine) as session:
        for source, ids in wanted.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), IN_CHUNK):
                rows = session.execute(
                    select(col(ListEntry.entity_id), col(ListEntry.content_hash)).where(
                        col(ListEntry.version_id) == version_ids[source],
                        col(ListEntry.entity_id).in_(ordered[start : start + IN_CHUNK]),
                    )
                ).all()
                hashes.update(((source, str(entity_id)), str(content_hash)) for entity_id, content_hash in rows)
    return hashes


def register_screened(context: ScreeningContext, screened: Sequence[tuple[PartyIn, ScreenResponse]]) -> None:
    """Register parties just screened with `"monitor": true`; their screenings are the baselines (the
    screening pipeline's `register_monitored`)."""
    if not screened:
        return
    snapshot = context.snapshot
    hashes = entry_hashes(context.engine, [response for _party, response in screened], snapshot)
    baselines = []
    for party, response in screened:
        monitored = MonitoredPartyIn(
            reference=party.reference or "",  # PartyIn refuses `monitor` without a reference
            name=party.name,
            type=party.type,
            country=party.country,
            date_of_birth=party.date_of_birth,
            identifiers=party.identifiers,
        )
        baselines.append(
            Baseline(monitored, response.decision, stored_matches(response, hashes), _snapshot_versions(snapshot))
        )
    upsert_baselines(engine=context.engine, caller=context.caller, baselines=baselines, metrics=context.metrics)


def upsert_baselines(*, engine: Engine, caller: str, baselines: Sequence[Baseline], metrics: Metrics) -> int:
    """Create or update parties by reference, in bulk; the outcome is replaced by the baseline (no alerts)."""
    if not baselines:
        return 0
    now = utc_now()
    by_reference = {baseline.party.reference: baseline for baseline in baselines}
    references = list(by_reference)
    with Session(engine) as session:
        existing: set[str] = set()
        for start in range(0, len(references), IN_CHUNK):
            chunk = references[start : start + IN_CHUNK]
            existing.update(
                str(reference)
                for reference in session.execute(
                    select(col(MonitoredParty.reference)).where(col(MonitoredParty.reference).in_(chunk))
                ).scalars()
            )
        new_rows, changed_rows = [], []
        for reference, baseline in by_reference.items():
            party = baseline.party
            row = {
                "reference": reference,
                "name": party.name,
                "type": party.type,
                "country": party.country,
                "date_of_birth": party.date_of_birth,
                "identifiers": [item.model_dump(mode="json", exclude_none=True) for item in party.identifiers],
                "updated_at": now,
                "decision": baseline.decision,
                "matches": baseline.matches,
                "versions": baseline.versions,
            }
            if reference in existing:
                changed_rows.append(row)
            else:
                new_rows.append({**row, "created_at": now, "created_by": caller})
        if new_rows:
            session.execute(insert(MonitoredParty), new_rows)
        if changed_rows:
            # One executemany for all updates; bound names differ from the columns as SQLAlchemy requires.
            table = MonitoredParty.__table__  # type: ignore[attr-defined]
            session.connection().execute(
                update(table)
                .where(table.c.reference == bindparam("b_reference"))
                .values({name: bindparam(f"b_{name}") for name in changed_rows[0] if name != "reference"}),
                [{f"b_{name}": value for name, value in row.items()} for row in changed_rows],
            )
        session.add(
            AuditEvent(
                actor=caller,
                action="monitor.register",
                object_id=references[0] if len(references) == 1 else f"{len(references)} parties",
                details={"created": len(new_rows), "updated": len(changed_rows)},
            )
        )
        session.commit()
    publish_count(engine, metrics)
    return len(by_reference)


def get_party(session: Session, reference: str) -> MonitoredParty:
    party: MonitoredParty | None = session.execute(
        select(MonitoredParty).where(col(MonitoredParty.reference) == reference)
    ).scalar_one_or_none()
    if party is None:
        raise NotFound(f"no monitored party '{reference}'")
    return party


def get_parties(session: Session, references: Sequence[str]) -> list[MonitoredParty]:
    found = {
        party.reference: party
        for party in session.execute(
            select(MonitoredParty).where(col(MonitoredParty.reference).in_(list(references)[:IN_CHUNK]))
        ).scalars()
    }
    return [found[reference] for reference in references if reference in found]


def list_parties(session: Session, *, limit: int, cursor: str | None) -> tuple[list[MonitoredParty], int, str | None]:
    """By reference, keyset-paginated: the cursor is the last reference of the previous page."""
    statement = select(MonitoredParty).order_by(col(MonitoredParty.reference))
    if cursor is not None:
        statement = statement.where(col(MonitoredParty.reference) > cursor)
    rows = list(session.execute(statement.limit(limit + 1)).scalars())
    total = int(session.execute(select(func.count()).select_from(MonitoredParty)).scalar_one())
    next_cursor = rows[limit - 1].reference if len(rows) > limit else None
    return rows[:limit], total, next_cursor


def remove_party(*, engine: Engine, caller: str, reference: str, metrics: Metrics) -> None:
    with Session(engine) as session:
        result = session.execute(delete(MonitoredParty).where(col(MonitoredParty.reference) == reference))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound(f"no monitored party '{reference}'")
        session.add(AuditEvent(actor=caller, action="monitor.delete", object_id=reference, details={}))
        session.commit()
    publish_count(engine, metrics)


def count_parties(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(MonitoredParty)).scalar_one())


def publish_count(engine: Engine, metrics: Metrics) -> None:
    metrics.set_monitored_parties(count_parties(engine))
