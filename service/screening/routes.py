"""Screening endpoints: single, batch, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute

from service.api_errors import POST_BODY, error_responses
from service.auth import PrincipalDep
from service.deps import ScreeningContextDep, SessionDep
from service.screening.audit import get_record, query_records
from service.screening.pipeline import ItemError, Screened, ScreeningContext, screen_batch, screen_on_loop
from service.screening.schemas import (
    BatchItemError,
    BatchRequest,
    BatchResponse,
    ItemErrorOut,
    PartyIn,
    ScreeningPage,
    ScreeningRecordOut,
    ScreenResponse,
)
from service.screening.tables import ScreeningRecord

router = APIRouter(prefix="/v1", tags=["screening"])


@router.post("/screen", response_model=ScreenResponse, responses=error_responses(*POST_BODY, 401, 403, 503))
async def screen(party: PartyIn, request: Request, context: ScreeningContextDep) -> Response:
    """Screen one party against every loaded list (or `sources`).

    The decision is the strictest of the matches not cleared: `block` for a certain
    match, `review` for a possible one, `clear` when nothing reaches the threshold.
    Every screening is stored in the audit trail under its `screening_id`.
    """
    return await screen_one(context, party, request)


async def screen_one(context: ScreeningContext, party: PartyIn, request: Request) -> Response:
    """The screen endpoint's work, also run by the fast path (service/screen_fast_path.py)."""
    ((response, body),) = await screen_on_loop(context, [party], kind="single")
    request.state.screening_id = response.screening_id
    # The body is the one the audit trail stores, serialised once.
    return Response(body, media_type="application/json")


@router.post(
    "/screen/batch",
    operation_id="screen_batch",
    response_model=BatchResponse,
    responses=error_responses(*POST_BODY, 401, 403, 503),
)
def screen_many(body: BatchRequest, request: Request, context: ScreeningContextDep) -> Response:
    """Screen up to `SCREENING_MAX_BATCH` parties; results come back in request order.

    An invalid party gets an error in its own slot (`{"index", "error"}`); the others are screened.
    """
    batch_id, results = screen_batch(context, body.parties)
    request.state.screening_id = batch_id
    # Each result is the body the audit trail stores, serialised once; the batch only joins them.
    return Response(
        orjson.dumps({"batch_id": batch_id, "results": [_result_json(item) for item in results]}),
        media_type="application/json",
    )


def _result_json(item: Screened | ItemError) -> orjson.Fragment:
    if isinstance(item, ItemError):
        error = BatchItemError(index=item.index, error=ItemErrorOut(detail=item.detail, code=item.code))
        return orjson.Fragment(error.model_dump_json())
    return orjson.Fragment(item.json)


def screen_route() -> APIRoute:
    """The route of POST /v1/screen, which service/screen_fast_path.py answers for."""
    return next(route for route in router.routes if isinstance(route, APIRoute) and route.endpoint is screen)


def _record_out(record: ScreeningRecord) -> ScreeningRecordOut:
    return ScreeningRecordOut(
        screening_id=record.id,
        created_at=record.created_at,
        kind=record.kind,
        caller=record.caller,
        reference=record.reference,
        decision=record.decision,
        batch_id=record.batch_id,
        request=record.request,
        response=record.response,
        lists=record.list_versions,
    )


@router.get("/screenings/{screening_id}", responses=error_responses(401, 404))
def get_screening(screening_id: str, session: SessionDep, caller: PrincipalDep) -> ScreeningRecordOut:
    """The audit record of a past screening: request, response, list versions, caller and time.

    Keys with scope `screen` see their own records only.
    """
    return _record_out(get_record(session, screening_id, caller))


@router.get("/screenings", responses=error_responses(401, 422))
def list_screenings(
    session: SessionDep,
    caller: PrincipalDep,
    reference: str | None = Query(None, max_length=200, description="The caller's party reference"),
    since: datetime | None = Query(None, description="Records at or after this time (ISO 8601)"),
    until: datetime | None = Query(None, description="Records before this time (ISO 8601)"),
    decision: Literal["clear", "review", "block"] | None = Query(None),
    kind: Literal["single", "batch", "order", "rescreen"] | None = Query(None),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = Query(None, description="`next_cursor` of the previous page"),
) -> ScreeningPage:
    """Past screenings, newest first, filtered and paginated."""
    records, next_cursor = query_records(
        session,
        caller=caller,
        reference=reference,
        since=since,
        until=until,
        decision=decision,
        kind=kind,
        limit=limit,
        cursor=cursor,
    )
    return ScreeningPage(items=[_record_out(record) for record in records], next_cursor=next_cursor)
