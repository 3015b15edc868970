"""What a case hit keeps of the list entry it concerns: its content hash and link keys, as one list version has them.

Read by the case intake (for every matched entry of a stored screening that is not `clear`) and by the sweep
after a list update, and remembered per store under (version_id, entity_id). A version's entries are inserted
once and never updated, and pruning deletes only older versions (never the newest, so no id is handed out
again): what was read once for a version stays true. Customers are screened again and again, so most
commits find their entries here.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Mapping

from sqlalchemy import Connection, Engine, Table, bindparam, select

from service.cases.grouping import link_keys
from service.sources.tables import ListEntry

ENTRIES: Table = ListEntry.__table__  # type: ignore[attr-defined]

EntryFacts = tuple[str, list[str]]  # content hash, link keys
EntryKey = tuple[int, str]  # version_id, entity_id

_known: weakref.WeakKeyDictionary[Engine, dict[EntryKey, EntryFacts]] = weakref.WeakKeyDictionary()
KNOWN_LIMIT = 10_000  # emptied when full: the entries of a day's hits, a few MB at most

# Built once: a statement made per call costs more Python (an element coercion per id, a new cache key)
# than SQLite takes to answer it. Both INs together use the (version_id, entity_id) unique index; the
# pairs they admit that were not asked for (an id wanted in another version) are dropped as read.
_BY_VERSION_AND_ID = select(
    ENTRIES.c.version_id, ENTRIES.c.source, ENTRIES.c.entity_id, ENTRIES.c.content_hash, ENTRIES.c.document
).where(
    ENTRIES.c.version_id.in_(bindparam("versions", expanding=True)),
    ENTRIES.c.entity_id.in_(bindparam("entity_ids", expanding=True)),
)


def entry_facts(connection: Connection, wanted: Mapping[int, Collection[str]]) -> dict[EntryKey, EntryFacts]:
    """The facts of the wanted entity ids of each version (version_id -> entity ids); ids it lacks are left out."""
    known = _known.setdefault(connection.engine, {})
    found: dict[EntryKey, EntryFacts] = {}
    missing: dict[int, set[str]] = {}
    for version_id, entity_ids in wanted.items():
        for entity_id in entity_ids:
            facts = known.get((version_id, entity_id))
            if facts is None:
                missing.setdefault(version_id, set()).add(entity_id)
            else:
                found[(version_id, entity_id)] = facts
    if not missing:
        return found
    if len(known) >= KNOWN_LIMIT:
        known.clear()
    parameters = {"versions": sorted(missing), "entity_ids": sorted({key for ids in missing.values() for key in ids})}
    for version_id, source, entity_id, content_hash, document in connection.execute(_BY_VERSION_AND_ID, parameters):
        if entity_id not in missing[version_id]:
            continue  # another version's id among the wanted ones: both INs match it
        found[(version_id, entity_id)] = known[(version_id, entity_id)] = (
            content_hash,
            link_keys(source, document),
        )
    return found
