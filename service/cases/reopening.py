"""Reopening cases after a list update that changes or adds an entry they concern.

Each activated list version's change report (`list_change`) is swept once, in whichever process
gets to it first: the sweep's marker row is inserted in the same transaction as its updates, so a
replica that loses the race finds the marker and skips. A hit whose entry changed is reopened with
the new content hash (its clearance, bound to the old content, no longer applies anyway). An added
entry linked to a hit (the same OFAC number, UN reference, document, ...) becomes a new open hit
of that case, so the same person now listed once more is reviewed too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from service.cases.entry_facts import ENTRIES, entry_facts
from service.cases.grouping import NAME_KEY, link_keys
from service.cases.intake import CASES, EVENTS, HITS, insert_ignoring_conflicts
from service.cases.states import case_status
from service.cases.tables import CaseListSweep
from service.db import update_by_id
from service.sources.tables import ListChange, ListVersion
from service.timeutil import utc_now

log = logging.getLogger(__name__)
CHUNK = 500
SWEEPS = CaseListSweep.__table__  # type: ignore[attr-defined]
CHANGES = ListChange.__table__  # type: ignore[attr-defined]
VERSIONS = ListVersion.__table__  # type: ignore[attr-defined]
ACTOR = "list-update"


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def reopen_after_list_updates(engine: Engine) -> int:
    """Sweep every activated list version not swept yet; returns how many hits were reopened or added."""
    statement = (
        select(CHANGES.c.version_id, CHANGES.c.source)
        .join(VERSIONS, VERSIONS.c.id == CHANGES.c.version_id)
        .outerjoin(SWEEPS, SWEEPS.c.version_id == CHANGES.c.version_id)
        .where(SWEEPS.c.version_id.is_(None), VERSIONS.c.status.in_(["active", "superseded"]))
        .order_by(CHANGES.c.version_id)
    )
    with engine.connect() as connection:
        pending = [(int(version_id), str(source)) for version_id, source in connection.execute(statement)]
    total = 0
    for version_id, source in pending:
        with engine.begin() as connection:
            marker = {"version_id": version_id, "source": source, "swept_at": utc_now(), "reopened": 0}
            if not insert_ignoring_conflicts(connection, SWEEPS, [marker], ["version_id"]):
                continue  # swept by another process meanwhile
            count = _sweep(connection, version_id, source)
            connection.execute(update(SWEEPS).where(SWEEPS.c.version_id == version_id).values(reopened=count))
        if count:
            log.info("%s version %d: %d case hit(s) reopened or added", source, version_id, count)
        total += count
    return total


def _sweep(connection: Connection, version_id: int, source: str) -> int:
    change = connection.execute(
        select(CHANGES.c.changed, CHANGES.c.added).where(CHANGES.c.version_id == version_id)
    ).one()
    events: list[dict[str, Any]] = []
    touched: set[str] = set()
    count = _reopen_changed(connection, version_id, source, list(change.changed), events, touched)
    count += _add_linked(connection, version_id, source, list(change.added), events, touched)
    if events:
        connection.execute(insert(EVENTS), events)
    for case_id in sorted(touched):
        states = connection.execute(select(HITS.c.state).where(HITS.c.case_id == case_id)).scalars()
        status = case_status(states)
        before = connection.execute(select(CASES.c.status).where(CASES.c.id == case_id)).scalar_one()
        values: dict[str, Any] = {"status": status, "updated_at": utc_now()}
        if before == "closed" and status != "closed":
            values["opened_at"] = values["updated_at"]
        connection.execute(update(CASES).where(CASES.c.id == case_id).values(**values))
    return count


def _new_entries(
    connection: Connection, version_id: int, entity_ids: Sequence[str]
) -> dict[str, tuple[str, dict[str, Any]]]:
    statement = select(ENTRIES.c.entity_id, ENTRIES.c.content_hash, ENTRIES.c.document).where(
        ENTRIES.c.version_id == version_id, ENTRIES.c.entity_id.in_(entity_ids)
    )
    return {entity_id: (content_hash, document) for entity_id, content_hash, document in connection.execute(statement)}


def _reopen_changed(
    connection: Connection,
    version_id: int,
    source: str,
    changed: list[str],
    events: list[dict[str, Any]],
    touched: set[str],
) -> int:
    now = utc_now()
    reopened: dict[str, list[int]] = {}
    updates: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(changed)):
        hits = connection.execute(
            select(HITS.c.id, HITS.c.case_id, HITS.c.entity_id, HITS.c.entry_hash).where(
                HITS.c.source == source, HITS.c.entity_id.in_(chunk)
            )
        ).all()
        if not hits:
            continue
        facts = entry_facts(connection, {version_id: {hit.entity_id for hit in hits}})
        for hit in hits:
            entry = facts.get((version_id, hit.entity_id))
            if entry is None or entry[0] == hit.entry_hash:
                continue
            updates.append({"b_id": hit.id, "b_entry_hash": entry[0], "b_link_keys": entry[1]})
            reopened.setdefault(hit.case_id, []).append(int(hit.id))
    if updates:
        connection.execute(update_by_id(HITS, "entry_hash", "link_keys", state="open", pending_event_id=None), updates)
    for case_id, hit_ids in reopened.items():
        touched.add(case_id)
        events.append(
            {
                "case_id": case_id,
                "at": now,
                "actor": ACTOR,
                "action": "hits.reopened",
                "hit_ids": sorted(hit_ids),
                "details": {"reason": "entry_changed", "source": source, "version_id": version_id},
            }
        )
    return len(updates)


def _add_linked(
    connection: Connection,
    version_id: int,
    source: str,
    added: list[str],
    events: list[dict[str, Any]],
    touched: set[str],
) -> int:
    """New hits for added entries linked to a hit of a case (not by name alone: that needs a screening)."""
    if not added:
        return 0
    by_key: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for chunk in _chunks(sorted(added)):
        for entity_id, (content_hash, document) in _new_entries(connection, version_id, chunk).items():
            for key in link_keys(source, document):
                if not key.startswith(NAME_KEY):
                    by_key.setdefault(key, []).append((entity_id, content_hash, document))
    if not by_key:
        return 0
    now = utc_now()
    new_hits: dict[tuple[str, str], dict[str, Any]] = {}
    linked_from: dict[str, list[str]] = {}
    statement = select(HITS.c.case_id, HITS.c.source, HITS.c.entity_id, HITS.c.link_keys, HITS.c.score, HITS.c.decision)
    for hit in connection.execute(statement):
        for key in hit.link_keys:
            for entity_id, content_hash, document in by_key.get(key, ()):
                if (hit.source, hit.entity_id) == (source, entity_id) or (hit.case_id, entity_id) in new_hits:
                    continue
                new_hits[(hit.case_id, entity_id)] = {
                    "case_id": hit.case_id,
                    "source": source,
                    "entity_id": entity_id,
                    "entry_hash": content_hash,
                    "name": document.get("name", ""),
                    "matched_name": document.get("name", ""),
                    "score": hit.score,
                    "decision": hit.decision,
                    "programs": list(document.get("programs") or []),
                    "explanation": [
                        {
                            "feature": "linked",
                            "score": 1.0,
                            "detail": f"listed under {key}, like {hit.source} {hit.entity_id}",
                        }
                    ],
                    "link_keys": link_keys(source, document),
                    "state": "open",
                    "screening_id": "",
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
                linked_from.setdefault(hit.case_id, []).append(entity_id)
    rows = list(new_hits.values())
    insert_ignoring_conflicts(connection, HITS, rows, ["case_id", "source", "entity_id"])
    for case_id, entity_ids in linked_from.items():
        touched.add(case_id)
        ids = connection.execute(
            select(HITS.c.id).where(
                HITS.c.case_id == case_id, HITS.c.source == source, HITS.c.entity_id.in_(entity_ids)
            )
        ).scalars()
        events.append(
            {
                "case_id": case_id,
                "at": now,
                "actor": ACTOR,
                "action": "hits.added",
                "hit_ids": sorted(int(hit_id) for hit_id in ids),
                "details": {"reason": "linked_entry_added", "source": source, "version_id": version_id},
            }
        )
    return len(rows)
