"""The case export for auditors: CSV, one row per hit, with the latest decision on it.

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
are prefixed with an apostrophe: party names and list data come from outside.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlmodel import Session, col

from service.cases.queries import CaseFilter, iter_cases
from service.cases.tables import CaseEvent

COLUMNS = (
    "case_id",
    "case_status",
    "party_name",
    "party_reference",
    "party_country",
    "party_date_of_birth",
    "assignee",
    "opened_at",
    "hit_id",
    "source",
    "entity_id",
    "listed_name",
    "score",
    "screening_decision",
    "hit_state",
    "entry_hash",
    "clearance_id",
    "decision_action",
    "reason_code",
    "comment",
    "decided_by",
    "approved_by",
    "decided_at",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DECISION_EVENTS = ("decision", "decision.approved", "decision.proposed", "decision.rejected")


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_safe(value) for value in values])
    return buffer.getvalue()


def export_rows(session: Session, filters: CaseFilter) -> Iterator[str]:
    """The header line, then a line per hit of every case the filter selects."""
    yield _line(list(COLUMNS))
    for case, hits in iter_cases(session, filters):
        events = session.execute(
            select(CaseEvent)
            .where(col(CaseEvent.case_id) == case.id, col(CaseEvent.action).in_(DECISION_EVENTS))
            .order_by(col(CaseEvent.id))
        ).scalars()
        last: dict[int, CaseEvent] = {}
        for event in events:
            for hit_id in event.hit_ids:
                last[hit_id] = event
        for hit in hits:
            event = last.get(int(hit.id or 0))
            details = event.details if event is not None else {}
            approved = event is not None and event.action == "decision.approved"
            yield _line(
                [
                    case.id,
                    case.status,
                    case.name,
                    case.reference,
                    case.country,
                    case.date_of_birth,
                    case.assignee,
                    case.opened_at.isoformat(),
                    hit.id,
                    hit.source,
                    hit.entity_id,
                    hit.name,
                    f"{hit.score:.4f}",
                    hit.decision,
                    hit.state,
                    hit.entry_hash,
                    hit.clearance_id,
                    details.get("action", ""),
                    details.get("reason_code", ""),
                    details.get("comment", ""),
                    details.get("proposed_by", event.actor if event is not None else ""),
                    event.actor if approved and event is not None else "",
                    event.at.isoformat() if event is not None else "",
                ]
            )
