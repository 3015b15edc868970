"""OpenSanctions delta files (`entities.delta.json`): ADD/MOD/DEL operations on the previous version.

A delta line is `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`; ADD and MOD carry the whole entity,
DEL only its id. Applying a delta needs the previous entries, so the ingest pipeline calls the
pair in `DELTA_FORMATS` instead of a plain Parser: `parse_ftm_delta` reads the file,
`apply_ftm_delta` folds it into the previous entries.

Limits, because relations are separate entities and a delta holds only what changed:
- a MODified target comes without its unchanged Sanction/Address/Passport entities, so the
  relation-derived facts of the previous entry (programs other than topics, listing date,
  addresses, identifiers) are kept and the new ones added. A relation that was removed
  (a DEL of a Sanction id) cannot be traced to its target and stays until the next full load;
- a changed relation whose target is not itself in the delta becomes an amendment merged into
  the previous entry (counted as `amendments_orphaned` when that entry is not there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.errors import ListFileError
from service.sources.model import ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile
from service.sources.parsers.ftm import (
    build_entry,
    check_entity,
    collect_relations,
    is_target,
    newest_change,
    read_json_lines,
)

_OPS = frozenset({"ADD", "MOD", "DEL"})


@dataclass(slots=True)
class FtmDelta:
    """A parsed delta: whole target entries to upsert, ids to delete, relation facts for others."""

    upserts: list[ParsedEntry]
    deletions: list[str]
    amendments: list[ParsedEntry] = field(default_factory=list)  # only relation-derived fields set
    published_at: datetime | None = None
    stats: dict[str, int] = field(default_factory=dict)


def parse_ftm_delta(files: Sequence[SourceFile]) -> FtmDelta:
    if not files:
        raise ListFileError("no FtM delta file given")
    changed: dict[str, dict[str, Any]] = {}
    deletions: list[str] = []
    counts = dict.fromkeys(("ADD", "MOD", "DEL"), 0)
    for file in files:
        for line, operation in read_json_lines(file):
            op = operation.get("op")
            if op not in _OPS:
                raise ListFileError(f"{file.name}: line {line} has op {op!r}, expected ADD, MOD or DEL")
            counts[op] += 1
            entity = operation.get("entity")
            if op == "DEL":
                if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) or not entity["id"]:
                    raise ListFileError(f"{file.name}: line {line} is a DEL without an entity id")
                changed.pop(entity["id"], None)
                deletions.append(entity["id"])
            else:
                checked = check_entity(entity, file, line)
                changed[checked["id"]] = checked
    relations = collect_relations(changed.values())
    upserts = [build_entry(entity, relations) for entity in changed.values() if is_target(entity)]
    upserted = {entry.entity_id for entry in upserts}
    amendments = [
        ParsedEntry(
            entity_id=target,
            type="unknown",
            name="",
            programs=list(relations.programs.get(target, [])),
            identifiers=list(relations.identifiers.get(target, [])),
            listed_on=min(relations.listing_dates[target]) if relations.listing_dates.get(target) else None,
        )
        for target in dict.fromkeys([*relations.programs, *relations.identifiers])
        if target not in upserted
    ]
    return FtmDelta(
        upserts=upserts,
        deletions=deletions,
        amendments=amendments,
        published_at=newest_change(changed.values()),
        stats={
            "ops_add": counts["ADD"],
            "ops_mod": counts["MOD"],
            "ops_del": counts["DEL"],
            "upserts": len(upserts),
            "amendments": len(amendments),
        },
    )


def _keep_relation_facts(new: ParsedEntry, old: ParsedEntry) -> None:
    """Carry the previous entry's relation-derived facts onto its replacement (see module docstring)."""
    topics = [p for p in new.programs if p.startswith("topic:")]
    programs = [p for p in new.programs if not p.startswith("topic:")]
    programs.extend(p for p in old.programs if not p.startswith("topic:") and p not in programs)
    new.programs = programs + topics
    new.addresses.extend(a for a in old.addresses if a not in new.addresses)
    new.identifiers.extend(i for i in old.identifiers if i not in new.identifiers)
    if old.listed_on and (new.listed_on is None or old.listed_on < new.listed_on):
        new.listed_on = old.listed_on


def apply_ftm_delta(previous: Sequence[ParsedEntry], delta: FtmDelta) -> ParsedList:
    """The new version: previous entries minus deletions, upserts replacing or appended, amendments merged.

    Pure: `previous` is not modified (entries touched by an amendment are copied).
    """
    by_id: dict[str, ParsedEntry] = {entry.entity_id: entry for entry in previous}
    deleted = 0
    for entity_id in delta.deletions:
        if by_id.pop(entity_id, None) is not None:
            deleted += 1
    added = modified = 0
    for upsert in delta.upserts:
        new = ParsedEntry.from_document(upsert.to_document())
        if (old := by_id.get(upsert.entity_id)) is not None:
            _keep_relation_facts(new, old)
            modified += 1
        else:
            added += 1
        by_id[new.entity_id] = new
    applied = orphaned = 0
    for amendment in delta.amendments:
        if (old := by_id.get(amendment.entity_id)) is None:
            orphaned += 1
            continue
        merged = ParsedEntry.from_document(old.to_document())
        programs = [p for p in merged.programs if not p.startswith("topic:")]
        programs.extend(p for p in amendment.programs if p not in programs)
        merged.programs = programs + [p for p in merged.programs if p.startswith("topic:")]
        merged.identifiers.extend(i for i in amendment.identifiers if i not in merged.identifiers)
        if amendment.listed_on and (merged.listed_on is None or amendment.listed_on < merged.listed_on):
            merged.listed_on = amendment.listed_on
        by_id[merged.entity_id] = merged
        applied += 1
    return ParsedList(
        entries=list(by_id.values()),
        published_at=delta.published_at,
        stats={
            "added": added,
            "modified": modified,
            "deleted": deleted,
            "deletions_unknown": len(delta.deletions) - deleted,
            "amendments_applied": applied,
            "amendments_orphaned": orphaned,
        },
    )


DeltaParser = Callable[[Sequence[SourceFile]], FtmDelta]
DeltaApplier = Callable[[Sequence[ParsedEntry], FtmDelta], ParsedList]
DELTA_FORMATS: dict[str, tuple[DeltaParser, DeltaApplier]] = {"ftm_delta_json": (parse_ftm_delta, apply_ftm_delta)}
"""Formats that update the previous version instead of replacing it; the ingest pipeline wires them."""
