"""Reading cases: the queue (filtered, keyset-paginated, oldest first) and one case with hits and history."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlmodel import Session, col

from service.cases.grouping import group_hits
from service.cases.schemas import CaseDetail, CaseOut, EventOut, GroupOut, HitOut, PartyOut
from service.cases.states import CLOSED_STATES
from service.cases.tables import CaseEvent, CaseHit, ReviewCase
from service.errors import InvalidInput, NotFound
from service.folding import party_name_key
from service.timeutil import utc_now


@dataclass(slots=True, frozen=True)
class CaseFilter:
    status: str | None = None
    source: str | None = None
    assignee: str | None = None
    older_than: timedelta | None = None
    q: str | None = None


def _conditions(filters: CaseFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status is not None:
        conditions.append(col(ReviewCase.status) == filters.status)
    if filters.assignee is not None:
        conditions.append(col(ReviewCase.assignee) == filters.assignee)
    if filters.older_than is not None:
        conditions.append(col(ReviewCase.opened_at) < utc_now() - filters.older_than)
    if filters.source is not None:
        conditions.append(
            exists().where(col(CaseHit.case_id) == col(ReviewCase.id), col(CaseHit.source) == filters.source)
        )
    if filters.q is not None and filters.q.strip():
        text = filters.q.strip()
        tokens = party_name_key(text).split()
        # A text with no letters or digits has no name tokens: it can still be a reference or an id.
        by_name = (
            and_(*(col(ReviewCase.name_key).contains(token, autoescape=True) for token in tokens))
            if tokens
            else col(ReviewCase.id) == text
        )
        conditions.append(
            or_(
                by_name,
                col(ReviewCase.reference) == text,
                col(ReviewCase.id) == text,
                exists().where(col(CaseHit.case_id) == col(ReviewCase.id), col(CaseHit.entity_id) == text),
            )
        )
    return conditions


def _encode_cursor(case: ReviewCase) -> str:
    return base64.urlsafe_b64encode(f"{case.opened_at.isoformat()}|{case.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        opened, _, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = datetime.fromisoformat(opened)
    except ValueError as error:
        raise InvalidInput("cursor: not a cursor this API returned") from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), case_id


def _queue(filters: CaseFilter) -> Select[ReviewCase]:
    return select(ReviewCase).where(*_conditions(filters)).order_by(col(ReviewCase.opened_at), col(ReviewCase.id))


def list_cases(
    session: Session, *, filters: CaseFilter, limit: int, cursor: str | None
) -> tuple[list[CaseOut], str | None]:
    """Oldest first (the longest waiting at the top), keyset-paginated on (opened_at, id)."""
    statement = _queue(filters)
    if cursor is not None:
        opened, case_id = _decode_cursor(cursor)
        statement = statement.where(
            or_(
                col(ReviewCase.opened_at) > opened,
                and_(col(ReviewCase.opened_at) == opened, col(ReviewCase.id) > case_id),
            )
        )
    rows = list(session.execute(statement.limit(limit + 1)).scalars())
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    page = rows[:limit]
    hits = _hits_of(session, [case.id for case in page])
    return [case_out(case, hits.get(case.id, [])) for case in page], next_cursor


def iter_cases(session: Session, filters: CaseFilter, *, page: int = 500) -> Iterator[tuple[ReviewCase, list[CaseHit]]]:
    """Every case the filter selects, with its hits, read a page at a time (for the export)."""
    statement = _queue(filters)
    last: ReviewCase | None = None
    while True:
        paged = statement
        if last is not None:
            paged = statement.where(
                or_(
                    col(ReviewCase.opened_at) > last.opened_at,
                    and_(col(ReviewCase.opened_at) == last.opened_at, col(ReviewCase.id) > last.id),
                )
            )
        rows = list(session.execute(paged.limit(page)).scalars())
        if not rows:
            return
        hits = _hits_of(session, [case.id for case in rows])
        for case in rows:
            yield case, hits.get(case.id, [])
        last = rows[-1]


def case_ids(session: Session, filters: CaseFilter, limit: int) -> list[str]:
    statement = (
        select(col(ReviewCase.id)).where(*_conditions(filters)).order_by(col(ReviewCase.opened_at), col(ReviewCase.id))
    )
    return [str(case_id) for case_id in session.execute(statement.limit(limit)).scalars()]


def _hits_of(session: Session, ids: Sequence[str]) -> dict[str, list[CaseHit]]:
    found: dict[str, list[CaseHit]] = {}
    if ids:
        statement = select(CaseHit).where(col(CaseHit.case_id).in_(ids)).order_by(col(CaseHit.id))
        for hit in session.execute(statement).scalars():
            found.setdefault(hit.case_id, []).append(hit)
    return found


def case_out(case: ReviewCase, hits: Sequence[CaseHit]) -> CaseOut:
    return CaseOut(
        id=case.id,
        status=case.status,
        party=PartyOut(
            name=case.name,
            type=case.type,
            country=case.country,
            date_of_birth=case.date_of_birth,
            reference=case.reference,
        ),
        decision=case.decision,
        assignee=case.assignee,
        created_at=case.created_at,
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        last_screening_id=case.last_screening_id,
        last_screened_at=case.last_screened_at,
        hit_count=len(hits),
        open_hits=sum(1 for hit in hits if hit.state not in CLOSED_STATES and hit.state != "pending_approval"),
        sources=sorted({hit.source for hit in hits}),
    )


def _event_out(event: CaseEvent) -> EventOut:
    return EventOut(
        id=int(event.id or 0),
        at=event.at,
        actor=event.actor,
        action=event.action,
        hit_ids=list(event.hit_ids),
        details=dict(event.details),
    )


def case_detail(session: Session, case_id: str) -> CaseDetail:
    case = session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound(f"no case '{case_id}'")
    hits = _hits_of(session, [case_id]).get(case_id, [])
    groups = group_hits([(int(hit.id or 0), hit.source, hit.link_keys) for hit in hits])
    events = list(
        session.execute(
            select(CaseEvent).where(col(CaseEvent.case_id) == case_id).order_by(col(CaseEvent.id))
        ).scalars()
    )
    pending_ids = {hit.pending_event_id for hit in hits if hit.pending_event_id is not None}
    members: dict[int, list[CaseHit]] = {}
    for hit in hits:
        members.setdefault(groups[int(hit.id or 0)], []).append(hit)
    return CaseDetail(
        **case_out(case, hits).model_dump(),
        hits=[
            HitOut(
                id=int(hit.id or 0),
                group=groups[int(hit.id or 0)],
                source=hit.source,
                entity_id=hit.entity_id,
                entry_hash=hit.entry_hash,
                name=hit.name,
                matched_name=hit.matched_name,
                score=hit.score,
                decision=hit.decision,
                programs=list(hit.programs),
                explanation=list(hit.explanation),
                link_keys=list(hit.link_keys),
                state=hit.state,
                pending_decision_id=hit.pending_event_id,
                clearance_id=hit.clearance_id,
                screening_id=hit.screening_id,
                first_seen_at=hit.first_seen_at,
                last_seen_at=hit.last_seen_at,
            )
            for hit in hits
        ],
        groups=[
            GroupOut(
                id=group,
                hit_ids=[int(hit.id or 0) for hit in grouped],
                sources=sorted({hit.source for hit in grouped}),
            )
            for group, grouped in sorted(members.items())
        ],
        pending_decisions=[_event_out(event) for event in events if event.id in pending_ids],
        history=[_event_out(event) for event in events],
    )
