"""How a re-screening against one list version changes a monitored party's stored outcome (pure functions).

A stored outcome is a list of match objects (the API's match plus the entry's `content_hash`).
Against a new version of one source:
- a match on an entry the version removed is dropped: `match_removed`;
- a match on an entry the version changed is re-evaluated: dropped when it no longer matches
  (`match_removed`), replaced when it still does; a cleared match whose entry changed loses its
  clearance (the clearance named the old content): `cleared_match_changed`;
- a match on an entry not matched before (added, or changed so that it now matches): `new_match`
  (a match already cleared by a clearance for this very content raises nothing);
- when the overall decision (strictest of the matches not cleared) rises: `decision_raised`.
Matches of other sources, and of entries the version did not touch, stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from service.decisions import rank, strictest

AlertKind = Literal["new_match", "decision_raised", "match_removed", "cleared_match_changed"]
ALERT_KINDS: tuple[AlertKind, ...] = ("new_match", "decision_raised", "match_removed", "cleared_match_changed")

StoredMatch = dict[str, Any]


@dataclass(slots=True, frozen=True)
class AlertDraft:
    kind: AlertKind
    source: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(slots=True)
class Combined:
    matches: list[StoredMatch]
    decision: str
    alerts: list[AlertDraft] = field(default_factory=list)


def overall_decision(matches: Iterable[StoredMatch]) -> str:
    """The strictest decision of the matches that are not cleared; `clear` when none."""
    return strictest(match["decision"] for match in matches if not match.get("cleared"))


def touches(stored: Iterable[StoredMatch], source: str, entity_ids: set[str] | frozenset[str]) -> bool:
    """Whether any stored match is on one of these entries of this source."""
    return any(match["source"] == source and match["entity_id"] in entity_ids for match in stored)


def combine(
    *,
    stored: list[StoredMatch],
    stored_decision: str,
    found: list[StoredMatch],
    source: str,
    removed: frozenset[str],
    reevaluated: frozenset[str],
) -> Combined:
    """The party's new outcome and the alerts it raises; `found` are the matches against the version's
    added and changed entries (`reevaluated`), with `cleared` already set from the live clearances."""
    found_by_id = {match["entity_id"]: match for match in found if match["source"] == source}
    kept: list[StoredMatch] = []
    alerts: list[AlertDraft] = []
    for match in stored:
        entity_id = match["entity_id"]
        if match["source"] != source or (entity_id not in removed and entity_id not in reevaluated):
            kept.append(match)
            continue
        new = found_by_id.pop(entity_id, None) if entity_id in reevaluated else None
        if new is None:
            alerts.append(AlertDraft("match_removed", source, entity_id, match, None))
            continue
        if match.get("cleared") and not new.get("cleared") and new["content_hash"] != match["content_hash"]:
            alerts.append(AlertDraft("cleared_match_changed", source, entity_id, match, new))
        kept.append(new)
    for entity_id, new in found_by_id.items():
        if not new.get("cleared"):
            alerts.append(AlertDraft("new_match", source, entity_id, None, new))
        kept.append(new)
    kept.sort(key=lambda match: (-float(match["score"]), match["source"], match["entity_id"]))
    decision = overall_decision(kept)
    if rank(decision) > rank(stored_decision):
        driver = next(match for match in kept if not match.get("cleared") and match["decision"] == decision)
        alerts.append(
            AlertDraft(
                "decision_raised",
                driver["source"],
                driver["entity_id"],
                {"decision": stored_decision},
                {"decision": decision},
            )
        )
    if not alerts and kept != stored:
        # The same entries still match (a changed entry's new hash or score): keep the outcome current quietly.
        return Combined(kept, decision)
    return Combined(kept, decision, alerts)
