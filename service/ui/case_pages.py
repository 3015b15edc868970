"""The reviewer's pages: the case queue, one case beside its list entries, and its decision forms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from sqlalchemy import func, select
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from service.cases import queries
from service.cases.decisions import Decision, decide, review_proposal
from service.cases.export import export_rows
from service.cases.states import CASE_STATUSES, REASON_CODES, Action
from service.cases.tables import ReviewCase
from service.deps import CatalogueDep, ClearanceDirectoryDep, EngineDep, SettingsDep
from service.errors import ScreeningError
from service.sources.entries import active_entry
from service.sources.schemas import EntityOut, entity_out
from service.timeutil import utc_now
from service.ui.pages import SECURITY_HEADERS, PageRefused, check_csrf, redirect, render, require_scope, signed_in
from service.ui.sessions import SignedIn

router = APIRouter(prefix="/ui", include_in_schema=False)
UserDep = Annotated[SignedIn, Depends(signed_in)]
QUEUE_PAGE = 50
ACTIONS: tuple[Action, ...] = ("false_positive", "true_match", "escalate", "needs_information")


def _reviewer(user: SignedIn) -> SignedIn:
    require_scope(user, "review")
    return user


def _age(since: datetime) -> str:
    seconds = max(0, int((utc_now() - since).total_seconds()))
    if seconds >= 86_400:
        return f"{seconds // 86_400} d"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


@router.get("/queue")
def queue(
    request: Request,
    user: UserDep,
    engine: EngineDep,
    status: str | None = "open",
    source: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    _reviewer(user)
    chosen = status if status in CASE_STATUSES else None
    filters = queries.CaseFilter(status=chosen, source=source or None, assignee=assignee or None, q=q or None)
    with Session(engine) as session:
        items, next_cursor = queries.list_cases(session, filters=filters, limit=QUEUE_PAGE, cursor=cursor)
        counted = session.execute(select(col(ReviewCase.status), func.count()).group_by(col(ReviewCase.status))).all()
    counts = dict.fromkeys(CASE_STATUSES, 0) | {state: int(count) for state, count in counted}
    context = {
        "cases": items,
        "ages": {case.id: _age(case.opened_at) for case in items},
        "counts": counts,
        "statuses": CASE_STATUSES,
        "filters": {"status": chosen or "", "source": source or "", "assignee": assignee or "", "q": q or ""},
        "next_cursor": next_cursor,
    }
    return render(request, "queue.html", context, user=user)


@router.get("/queue/export")
def queue_export(
    user: UserDep, engine: EngineDep, status: str | None = None, source: str | None = None, q: str | None = None
) -> StreamingResponse:
    """The queue's cases as CSV, one line per hit (the API's export, for a signed-in reviewer)."""
    _reviewer(user)
    chosen = status if status in CASE_STATUSES else None
    filters = queries.CaseFilter(status=chosen, source=source or None, q=q or None)

    def rows() -> Iterator[str]:
        with Session(engine) as session:
            yield from export_rows(session, filters)

    name = f"cases-{utc_now():%Y%m%dT%H%M%SZ}.csv"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _neighbours(session: Session, case_id: str) -> tuple[str | None, str | None]:
    """The previous and next case of the open queue around this one (for j / k)."""
    ids = queries.case_ids(session, queries.CaseFilter(status="open"), limit=1000)
    if case_id not in ids:
        return None, ids[0] if ids else None
    at = ids.index(case_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


@router.get("/cases/{case_id}")
def case_page(
    request: Request, case_id: str, user: UserDep, engine: EngineDep, catalogue: CatalogueDep, settings: SettingsDep
) -> HTMLResponse:
    _reviewer(user)
    try:
        with Session(engine) as session:
            case = queries.case_detail(session, case_id)
            entries: dict[int, EntityOut | None] = {}
            for hit in case.hits:
                row = active_entry(session, hit.source, hit.entity_id)
                entries[hit.id] = entity_out(row, hit.source) if row is not None else None
            previous, following = _neighbours(session, case_id)
    except ScreeningError as error:
        raise PageRefused(error.status_code, error.detail) from error
    publishers = {source.id: source.publisher for source in catalogue}
    context = {
        "case": case,
        "entries": entries,
        "publishers": publishers,
        "actions": ACTIONS,
        "reason_codes": REASON_CODES,
        "previous": previous,
        "next": following,
        "four_eyes": settings.four_eyes,
        "message": request.query_params.get("done"),
    }
    return render(request, "case.html", context, user=user)


@router.post("/cases/{case_id}/decisions")
async def decide_hits(
    request: Request,
    case_id: str,
    user: UserDep,
    engine: EngineDep,
    settings: SettingsDep,
    directory: ClearanceDirectoryDep,
) -> RedirectResponse:
    _reviewer(user)
    form = await request.form()
    check_csrf(form.get("csrf_token"), user.csrf_token)
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        raise PageRefused(422, f"action: choose one of {', '.join(ACTIONS)}")
    hit_ids = [int(value) for value in form.getlist("hit") if isinstance(value, str) and value.isdigit()]
    decision = Decision(
        action=action,
        reason_code=str(form.get("reason_code") or ""),
        comment=str(form.get("comment") or "").strip(),
        hit_ids=hit_ids or None,
    )
    if len(decision.comment) < 3:
        raise PageRefused(422, "comment: give a comment of at least 3 characters")
    try:
        outcome = await run_in_threadpool(
            lambda: decide(
                engine=engine, case_id=case_id, actor=user.principal, decision=decision, four_eyes=settings.four_eyes
            )
        )
    except ScreeningError as error:
        raise PageRefused(error.status_code, error.detail) from error
    directory.learn(outcome.clearances)
    return redirect(f"/ui/cases/{case_id}?done={outcome.status}")


@router.post("/cases/{case_id}/approvals")
async def answer_proposal(
    request: Request, case_id: str, user: UserDep, engine: EngineDep, directory: ClearanceDirectoryDep
) -> RedirectResponse:
    _reviewer(user)
    form = await request.form()
    check_csrf(form.get("csrf_token"), user.csrf_token)
    verdict = str(form.get("verdict") or "")
    decision_id = str(form.get("decision_id") or "")
    if verdict not in ("approve", "reject") or not decision_id.isdigit():
        raise PageRefused(422, "verdict: approve or reject a pending decision")
    comment = str(form.get("comment") or "").strip()
    try:
        outcome = await run_in_threadpool(
            lambda: review_proposal(
                engine=engine,
                case_id=case_id,
                actor=user.principal,
                event_id=int(decision_id),
                verdict=verdict,  # type: ignore[arg-type]
                comment=comment,
            )
        )
    except ScreeningError as error:
        raise PageRefused(error.status_code, error.detail) from error
    directory.learn(outcome.clearances)
    return redirect(f"/ui/cases/{case_id}?done={outcome.status}")
