"""The review workbench's API: the case queue, one case, decisions, approvals, assignment, bulk decisions, export.

Every endpoint needs scope `review` (or `admin`): cases hold the parties of every caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from service.api_errors import POST_BODY, error_responses
from service.auth import ReviewerDep
from service.cases import queries
from service.cases.bulk import bulk_decide
from service.cases.decisions import Decision, DecisionOutcome, assign, decide, review_proposal
from service.cases.export import export_rows
from service.cases.schemas import (
    ApprovalIn,
    AssignIn,
    BulkDecisionIn,
    BulkDecisionOut,
    BulkSkipped,
    CaseDetail,
    CasePage,
    DecisionIn,
    DecisionOut,
)
from service.cases.states import CaseStatus
from service.deps import ClearanceDirectoryDep, EngineDep, SessionDep, SettingsDep
from service.errors import InvalidInput
from service.timeutil import utc_now

router = APIRouter(prefix="/v1/cases", tags=["cases"])

_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "One line per hit"}
}


StatusQuery = Query(None, description="open | escalated | needs_information | pending_approval | closed")
SourceQuery = Query(None, max_length=64, description="Cases with a hit on this list")
AssigneeQuery = Query(None, max_length=200)
OlderQuery = Query(None, description="Opened longer ago than this: ISO 8601 duration such as P3D or PT12H")
SearchQuery = Query(
    None, max_length=200, description="Party name (any order, any script), reference, case or entity id"
)


def _filters(
    status: CaseStatus | None, source: str | None, assignee: str | None, older_than: timedelta | None, q: str | None
) -> queries.CaseFilter:
    if older_than is not None and older_than < timedelta(0):
        raise InvalidInput("older_than: must not be negative")
    return queries.CaseFilter(status=status, source=source, assignee=assignee, older_than=older_than, q=q)


def query_filters(
    status: CaseStatus | None = StatusQuery,
    source: str | None = SourceQuery,
    assignee: str | None = AssigneeQuery,
    older_than: timedelta | None = OlderQuery,
    q: str | None = SearchQuery,
) -> queries.CaseFilter:
    """The queue's filters from the query string (the queue and its export take the same ones)."""
    return _filters(status, source, assignee, older_than, q)


FiltersDep = Annotated[queries.CaseFilter, Depends(query_filters)]


@router.get("", responses=error_responses(401, 403))
def list_cases(
    session: SessionDep,
    _caller: ReviewerDep,
    filters: FiltersDep,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=500, description="`next_cursor` of the previous page"),
) -> CasePage:
    """The review queue, oldest (longest waiting) first, keyset-paginated: pages stay stable while cases arrive."""
    items, next_cursor = queries.list_cases(session, filters=filters, limit=limit, cursor=cursor)
    return CasePage(items=items, next_cursor=next_cursor)


@router.get("/export", response_class=StreamingResponse, responses={**_CSV_RESPONSE, **error_responses(401, 403)})
def export_cases(engine: EngineDep, _caller: ReviewerDep, filters: FiltersDep) -> StreamingResponse:
    """Every case the filters select, one CSV line per hit with its latest decision (for auditors)."""
    name = f"cases-{utc_now():%Y%m%dT%H%M%SZ}.csv"
    return StreamingResponse(
        _stream(engine, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _stream(engine: Engine, filters: queries.CaseFilter) -> Iterator[str]:
    # Its own session: the request's is closed before a streamed body is sent.
    with Session(engine) as session:
        yield from export_rows(session, filters)


@router.post("/bulk-decisions", responses=error_responses(*POST_BODY, 401, 403))
def bulk_decide_cases(
    body: BulkDecisionIn,
    directory: ClearanceDirectoryDep,
    caller: ReviewerDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> BulkDecisionOut:
    """One decision and reason over every undecided hit of the cases a filter (or a list of ids) selects.

    At most `limit` cases per call; `more` says whether to call again. With `filter.source`, only that
    list's hits are decided. Cases that cannot take the decision are listed in `skipped` with why.
    """
    f = body.filter
    outcome = bulk_decide(
        engine=engine,
        actor=caller.name,
        filters=_filters(f.status, f.source, f.assignee, f.older_than, f.q),
        chosen=body.case_ids,
        action=body.action,
        reason_code=body.reason_code,
        comment=body.comment,
        limit=body.limit,
        four_eyes=settings.four_eyes,
    )
    directory.learn(outcome.clearances)
    return BulkDecisionOut(
        decided=outcome.decided,
        hits=outcome.hits,
        status="pending_approval" if outcome.pending else "applied",
        skipped=[BulkSkipped(case_id=case_id, detail=detail) for case_id, detail in outcome.skipped],
        more=outcome.more,
    )


@router.get("/{case_id}", responses=error_responses(401, 403, 404))
def get_case(case_id: str, session: SessionDep, _caller: ReviewerDep) -> CaseDetail:
    """One case: the party, every hit (grouped across lists), pending proposals and the full history."""
    return queries.case_detail(session, case_id)


def _decision_out(engine: Engine, case_id: str, outcome: DecisionOutcome) -> DecisionOut:
    with Session(engine) as session:
        detail = queries.case_detail(session, case_id)
    return DecisionOut(
        decision_id=outcome.event_id,
        status=outcome.status,
        hit_ids=outcome.hit_ids,
        clearance_ids=[clearance.id for clearance in outcome.clearances],
        case=detail,
    )


@router.post("/{case_id}/decisions", responses=error_responses(*POST_BODY, 401, 403, 404, 409))
def decide_case(
    case_id: str,
    body: DecisionIn,
    directory: ClearanceDirectoryDep,
    caller: ReviewerDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> DecisionOut:
    """Decide hits of the case: `hit_ids`, or a whole `group` (one party on several lists), or else every
    undecided hit.

    `false_positive` creates a clearance per hit, bound to the entry's content: the party's next
    screening shows those matches `cleared`. With `SCREENING_FOUR_EYES` a `false_positive` or
    `true_match` is a proposal (`status: pending_approval`) until a different reviewer approves it,
    here with `action: approve` (or `reject`) and its `decision_id`, or through POST .../approvals.
    """
    action = body.action
    if action == "approve" or action == "reject":
        if body.decision_id is None:
            raise InvalidInput(f"decision_id: required with action '{action}'")
        outcome = review_proposal(
            engine=engine,
            case_id=case_id,
            actor=caller.name,
            event_id=body.decision_id,
            verdict=action,
            comment=body.comment,
        )
    else:
        if body.reason_code is None:
            raise InvalidInput(f"reason_code: required with action '{action}'")
        decision = Decision(
            action=action, reason_code=body.reason_code, comment=body.comment, hit_ids=body.hit_ids, group=body.group
        )
        outcome = decide(
            engine=engine, case_id=case_id, actor=caller.name, decision=decision, four_eyes=settings.four_eyes
        )
    directory.learn(outcome.clearances)
    return _decision_out(engine, case_id, outcome)


@router.post("/{case_id}/approvals", responses=error_responses(*POST_BODY, 401, 403, 404, 409))
def approve_decision(
    case_id: str, body: ApprovalIn, directory: ClearanceDirectoryDep, caller: ReviewerDep, engine: EngineDep
) -> DecisionOut:
    """A second reviewer's answer to a pending decision (four-eyes): `approve` applies it, `reject` withdraws it.

    The proposer cannot answer their own proposal (403)."""
    outcome = review_proposal(
        engine=engine,
        case_id=case_id,
        actor=caller.name,
        event_id=body.decision_id,
        verdict=body.verdict,
        comment=body.comment,
    )
    directory.learn(outcome.clearances)
    return _decision_out(engine, case_id, outcome)


@router.post("/{case_id}/assign", responses=error_responses(*POST_BODY, 401, 403, 404))
def assign_case(
    case_id: str, body: AssignIn, caller: ReviewerDep, engine: EngineDep, session: SessionDep
) -> CaseDetail:
    """Give the case to a reviewer (any name, usually a key name), or `null` to put it back in the pool."""
    assign(engine=engine, case_id=case_id, actor=caller.name, assignee=body.assignee)
    return queries.case_detail(session, case_id)
