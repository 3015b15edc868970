"""Screenings that are not `clear` open or update the case of their party, in the audit write's transaction.

`open_cases` is the audit trail's listener (registered at start with `install`): it sees every stored
screening record that is not `clear`, of every kind (single, batch item, order, file row, monitoring
re-screen), so no entry point needs its own hook. Per commit it costs one read of the matched entries
not yet remembered (`entry_facts.py`), one of the cases and one of their hits, then the inserts and
updates: nothing for `clear` screenings.

A party is identified by a digest of its normalised name, country, date of birth and reference
(whatever the screening had): the same customer screened again finds its case. The hits of a
screening are its matches not cleared; a hit already decided is reopened when the entry's content
changed since, or when a `false_positive` is seen uncleared again (its clearance was revoked or expired).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Insert, Table, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from service.cases.entry_facts import EntryFacts, EntryKey, entry_facts
from service.cases.states import case_status
from service.cases.tables import CaseEvent, CaseHit, ReviewCase
from service.db import update_by_id
from service.folding import party_name_key
from service.ids import uuid4_text
from service.screening.audit import on_records_stored
from service.screening.clearances import is_live
from service.screening.tables import Clearance
from service.timeutil import UTCDateTime, utc_now

CASES: Table = ReviewCase.__table__  # type: ignore[attr-defined]
HITS: Table = CaseHit.__table__  # type: ignore[attr-defined]
EVENTS: Table = CaseEvent.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class Party:
    name: str
    type: str
    country: str | None
    date_of_birth: str | None
    reference: str | None

    @property
    def key(self) -> str:
        parts = (party_name_key(self.name), self.country or "", self.date_of_birth or "", self.reference or "")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(slots=True)
class Sighting:
    """One party of one stored screening, with its uncleared matches."""

    party: Party
    decision: str
    caller: str
    screening_id: str
    screened_at: datetime
    matches: list[dict[str, Any]]
    versions: dict[str, int] = field(default_factory=dict)


def install() -> None:
    """Open cases from every screening stored from now on (idempotent)."""
    on_records_stored(open_cases)


def _payload(value: Any) -> dict[str, Any]:
    """A JSON column's value as a dict (the screening paths hand it over pre-serialised)."""
    if isinstance(value, orjson.Fragment):
        loaded: dict[str, Any] = orjson.loads(orjson.dumps(value))
        return loaded
    return dict(value)


def _party(fields: dict[str, Any], reference: str | None) -> Party:
    return Party(
        name=str(fields.get("name", "")),
        type=str(fields.get("type") or "any"),
        country=fields.get("country"),
        date_of_birth=fields.get("date_of_birth"),
        reference=reference,
    )


def sightings(rows: Sequence[dict[str, Any]]) -> list[Sighting]:
    """The parties with uncleared matches in these audit rows (an order has one per party)."""
    found: list[Sighting] = []
    for row in rows:
        request, response = _payload(row["request"]), _payload(row["response"])
        lists = row["list_versions"]
        refs = orjson.loads(orjson.dumps(lists)) if isinstance(lists, orjson.Fragment) else lists
        versions = {ref["source"]: int(ref["version"]) for ref in refs}
        common = {"caller": row["caller"], "screening_id": row["id"], "screened_at": row["created_at"]}
        if row["kind"] == "order":
            for party, summary in zip(request.get("parties", []), response.get("parties", []), strict=False):
                if summary.get("decision", "clear") != "clear" and summary.get("matches"):
                    found.append(
                        Sighting(
                            _party(party, party.get("reference")),
                            summary["decision"],
                            matches=list(summary["matches"]),
                            versions=versions,
                            **common,
                        )
                    )
            continue
        matches = [match for match in response.get("matches", []) if not match.get("cleared")]
        if matches:
            party = _party(request, request.get("reference"))
            found.append(Sighting(party, row["decision"], matches=matches, versions=versions, **common))
    return found


def _entries(connection: Connection, seen: Sequence[Sighting]) -> dict[EntryKey, EntryFacts]:
    """The facts of each matched entry, in the version screened."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for sighting in seen:
        for match in sighting.matches:
            if match["source"] in sighting.versions:
                wanted[sighting.versions[match["source"]]].add(str(match["entity_id"]))
    return entry_facts(connection, wanted)


def ignoring_conflicts(dialect: str, table: Table, keys: list[str]) -> Insert:
    """An INSERT of the rows another process has not inserted meanwhile (replicas write cases concurrently)."""
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=keys)


def insert_ignoring_conflicts(connection: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> int:
    """Insert the rows another process has not inserted meanwhile; returns how many were inserted."""
    if not rows:
        return 0
    return int(connection.execute(ignoring_conflicts(connection.dialect.name, table, keys), rows).rowcount)


def _case_ids(connection: Connection, seen: Sequence[Sighting], now: datetime) -> dict[str, tuple[str, str]]:
    """party key -> (case id, status before this screening); missing cases are created (status '')."""
    latest = {sighting.party.key: sighting for sighting in seen}
    known: dict[str, tuple[str, str]] = {
        str(key): (str(case_id), str(status))
        for key, case_id, status in connection.execute(_CASES_OF_PARTIES, {"party_keys": sorted(latest)})
    }
    new = [
        {
            "id": uuid4_text(),
            "party_key": key,
            "name": sighting.party.name,
            "name_key": party_name_key(sighting.party.name),
            "type": sighting.party.type,
            "country": sighting.party.country,
            "date_of_birth": sighting.party.date_of_birth,
            "reference": sighting.party.reference,
            "status": "open",
            "decision": sighting.decision,
            "created_at": now,
            "opened_at": now,
            "updated_at": now,
            "last_screening_id": sighting.screening_id,
            "last_screened_at": sighting.screened_at,
        }
        for key, sighting in latest.items()
        if key not in known
    ]
    if not new:
        return known
    created = {str(key) for key in connection.execute(_CREATE_CASES[connection.dialect.name], new).scalars()}
    keys = [str(row["party_key"]) for row in new]
    known.update((key, (str(row["id"]), "")) for key, row in zip(keys, new, strict=True) if key in created)
    # A case another replica created since the read above: only then is it read again.
    taken = [key for key in keys if key not in created]
    if taken:
        for key, case_id, _status in connection.execute(_CASES_OF_PARTIES, {"party_keys": taken}):
            known[str(key)] = (str(case_id), "open")
    return known


def _live_clearance_ids(connection: Connection, clearance_ids: Sequence[str | None]) -> set[str]:
    """Those of these clearances that still apply. A replica whose clearance directory has not yet
    learnt of a new clearance reports its match uncleared for a few seconds: that must not reopen the hit."""
    wanted = sorted({clearance_id for clearance_id in clearance_ids if clearance_id})
    if not wanted:
        return set()
    statement = select(col(Clearance.id)).where(col(Clearance.id).in_(wanted), is_live(utc_now()))
    return {str(clearance_id) for clearance_id in connection.execute(statement).scalars()}


def _hit_values(match: dict[str, Any], entry: EntryFacts | None) -> dict[str, Any]:
    return {
        "name": str(match.get("name", "")),
        "matched_name": str(match.get("matched_name") or match.get("name", "")),
        "score": float(match.get("score", 0.0)),
        "decision": str(match.get("decision", "review")),
        "programs": list(match.get("programs") or []),
        "explanation": list(match.get("explanation") or []),
        "entry_hash": entry[0] if entry else "",
        "link_keys": entry[1] if entry else [],
    }


# What a stored hit's update needs of it (not its explanation and programs, rewritten anyway).
_HIT_STATE = [
    HITS.c[name]
    for name in "id case_id source entity_id state pending_event_id clearance_id entry_hash link_keys".split()
]
# The intake's statements, built once: built per commit, they cost more Python than the database took
# to run them (a coercion per IN element, a new cache key each time).
_CASES_OF_PARTIES = select(CASES.c.party_key, CASES.c.id, CASES.c.status).where(
    CASES.c.party_key.in_(bindparam("party_keys", expanding=True))
)
# The new cases' party keys come back from the insert itself: those not returned another replica created first.
_CREATE_CASES = {
    dialect: ignoring_conflicts(dialect, CASES, ["party_key"]).returning(CASES.c.party_key)
    for dialect in ("postgresql", "sqlite")
}
# The new hits' ids come back from the insert itself, for the "hits.added" events.
_INSERT_HITS = insert(HITS).returning(HITS.c.id, HITS.c.case_id, HITS.c.source, HITS.c.entity_id)
_INSERT_EVENTS = insert(EVENTS)
_HITS_OF_CASES = select(*_HIT_STATE).where(HITS.c.case_id.in_(bindparam("case_ids", expanding=True)))
_UPDATE_HITS = update_by_id(HITS, "state", "pending_event_id", "screening_id", "last_seen_at", *_hit_values({}, None))
_UPDATE_CASES = update_by_id(
    CASES,
    "status",
    "decision",
    "last_screening_id",
    "last_screened_at",
    "updated_at",
    # A reopened case's age starts again; the others keep theirs.
    opened_at=func.coalesce(bindparam("b_opened", type_=UTCDateTime()), CASES.c.opened_at),
)


def open_cases(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """The listener: open or update the cases of the parties in these stored screenings."""
    seen = sightings(rows)
    if not seen:
        return
    now = utc_now()
    entries = _entries(connection, seen)
    cases = _case_ids(connection, seen, now)
    case_ids = sorted({case_id for case_id, _ in cases.values()})
    hits = {
        (row.case_id, row.source, row.entity_id): row
        for row in connection.execute(_HITS_OF_CASES, {"case_ids": case_ids})
    }
    live = _live_clearance_ids(connection, [row.clearance_id for row in hits.values() if row.state == "false_positive"])
    states: dict[str, dict[tuple[str, str], str]] = {case_id: {} for case_id in case_ids}
    for (case_id, source, entity_id), row in hits.items():
        states[case_id][(source, entity_id)] = row.state
    new_hits: dict[tuple[str, str, str], dict[str, Any]] = {}
    updates: list[dict[str, Any]] = []
    reopened: dict[str, dict[str, list[int]]] = {}
    latest: dict[str, Sighting] = {}
    for sighting in seen:
        case_id = cases[sighting.party.key][0]
        latest[case_id] = sighting
        for match in sighting.matches:
            entry_key = (str(match["source"]), str(match["entity_id"]))
            version_id = sighting.versions.get(entry_key[0])
            values = _hit_values(match, entries.get((version_id, entry_key[1])) if version_id is not None else None)
            stored = hits.get((case_id, *entry_key))
            if stored is None:
                new_hits[(case_id, *entry_key)] = {
                    "case_id": case_id,
                    "source": entry_key[0],
                    "entity_id": entry_key[1],
                    "state": "open",
                    "screening_id": sighting.screening_id,
                    "first_seen_at": now,
                    "last_seen_at": now,
                    **values,
                }
                states[case_id][entry_key] = "open"
                continue
            state, pending = stored.state, stored.pending_event_id
            changed = bool(values["entry_hash"]) and values["entry_hash"] != stored.entry_hash
            lapsed = state == "false_positive" and stored.clearance_id not in live
            reason = "entry_changed" if changed else "clearance_lapsed" if lapsed else None
            if reason is not None and state != "open":
                state, pending = "open", None
                reopened.setdefault(case_id, {}).setdefault(reason, []).append(int(stored.id))
            if not values["entry_hash"]:
                values["entry_hash"], values["link_keys"] = stored.entry_hash, stored.link_keys
            states[case_id][entry_key] = state
            updates.append(
                {
                    "b_id": stored.id,
                    "b_state": state,
                    "b_pending_event_id": pending,
                    "b_screening_id": sighting.screening_id,
                    "b_last_seen_at": now,
                    **{f"b_{name}": value for name, value in values.items()},
                }
            )
    new_hit_ids: dict[tuple[str, str, str], int] = {}
    if new_hits:
        inserted = connection.execute(_INSERT_HITS, list(new_hits.values()))
        new_hit_ids = {(row.case_id, row.source, row.entity_id): int(row.id) for row in inserted}
    if updates:
        connection.execute(_UPDATE_HITS, updates)
    _update_cases(connection, cases, latest, states, now)
    _record_events(connection, cases, latest, new_hit_ids, reopened, now)


def _update_cases(
    connection: Connection,
    cases: dict[str, tuple[str, str]],
    latest: dict[str, Sighting],
    states: dict[str, dict[tuple[str, str], str]],
    now: datetime,
) -> None:
    before = dict(cases.values())
    rows = []
    for case_id, sighting in latest.items():
        status = case_status(states[case_id].values())
        was_closed = before[case_id] == "closed"
        rows.append(
            {
                "b_id": case_id,
                "b_status": status,
                "b_decision": sighting.decision,
                "b_last_screening_id": sighting.screening_id,
                "b_last_screened_at": sighting.screened_at,
                "b_updated_at": now,
                "b_opened": now if was_closed and status != "closed" else None,
            }
        )
    connection.execute(_UPDATE_CASES, rows)


def _record_events(
    connection: Connection,
    cases: dict[str, tuple[str, str]],
    latest: dict[str, Sighting],
    new_hit_ids: dict[tuple[str, str, str], int],
    reopened: dict[str, dict[str, list[int]]],
    now: datetime,
) -> None:
    """Case opened, hits added, hits reopened: the changes a screening made, as events."""
    created = {case_id for case_id, status in cases.values() if status == ""}
    added: dict[str, list[int]] = {}
    for (case_id, _source, _entity_id), hit_id in new_hit_ids.items():
        added.setdefault(case_id, []).append(hit_id)
    events: list[dict[str, Any]] = []
    for case_id, sighting in latest.items():
        base = {"case_id": case_id, "at": now, "actor": sighting.caller}
        details = {"screening_id": sighting.screening_id, "decision": sighting.decision}
        if case_id in created:
            events.append({**base, "action": "case.opened", "hit_ids": [], "details": details})
        if case_id in added:
            events.append({**base, "action": "hits.added", "hit_ids": sorted(added[case_id]), "details": details})
        for reason, hit_ids in reopened.get(case_id, {}).items():
            events.append(
                {
                    **base,
                    "action": "hits.reopened",
                    "hit_ids": sorted(hit_ids),
                    "details": {**details, "reason": reason},
                }
            )
    if events:
        connection.execute(_INSERT_EVENTS, events)
