"""Screening endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.api_errors import error_responses
from service.deps import CatalogueDep, SettingsDep, SnapshotDep
from service.screening.schemas import PartyIn, ScreenResponse
from service.screening.service import screen_party

router = APIRouter(prefix="/v1", tags=["screening"])


@router.post("/screen", responses=error_responses(400, 401, 403, 422, 503))
def screen(
    party: PartyIn, request: Request, settings: SettingsDep, snapshot: SnapshotDep, catalogue: CatalogueDep
) -> ScreenResponse:
    """Screen one party against every loaded list (or `sources`).

    The decision is the strictest of the matches: `block` for a certain match, `review`
    for a possible one, `clear` when nothing reaches the threshold.
    """
    response, _matches = screen_party(party=party, snapshot=snapshot, settings=settings, catalogue=catalogue)
    request.state.screening_id = response.screening_id
    return response
