"""Clearances: reviewed false positives that later screenings mark `cleared`."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.api_errors import POST_BODY, error_responses
from service.auth import AdminDep
from service.db import MAX_STORED_INT
from service.deps import CatalogueDep, ClearanceDirectoryDep, EngineDep, SessionDep
from service.errors import NotFound
from service.screening.clearances import create_clearance, list_clearances, revoke_clearance
from service.screening.schemas import MAX_COUNTRY_TEXT, clean_text, validate_country
from service.screening.tables import Clearance
from service.timeutil import utc_now

router = APIRouter(prefix="/v1/clearances", tags=["clearances"])


class ClearanceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference": "CUST-1001",
                    "source": "us_ofac_sdn",
                    "entity_id": "12345",
                    "reason": "Different person: customer born 1985 in Lyon, listed person born 1970 in Moscow.",
                    "expires_at": "2027-11-24T00:00:00Z",
                }
            ]
        },
    )

    reference: str | None = Field(None, max_length=200, description="The caller's party reference")
    name: str | None = Field(None, max_length=1000, description="The party's name, when there is no reference")
    country: str | None = Field(
        None, max_length=MAX_COUNTRY_TEXT, description="With `name`: the clearance covers this country only"
    )
    source: str = Field(..., min_length=1, max_length=64)
    entity_id: str = Field(..., min_length=1, max_length=128)
    reason: str = Field(..., min_length=3, max_length=4000, description="Why the party is not the listed entry")
    expires_at: datetime | None = Field(None, description="When the clearance stops applying (ISO 8601)")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class ClearanceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c7a4e2d0-5b1f-4c3e-9a8d-2f6b0e1c7d35",
                    "created_at": "2026-11-24T12:05:00Z",
                    "created_by": "compliance-officer",
                    "reference": "CUST-1001",
                    "name": None,
                    "country": None,
                    "source": "us_ofac_sdn",
                    "entity_id": "12345",
                    "entry_hash": "9f2c4e1a7b3d5f60c8e2a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5",
                    "reason": "Different person: customer born 1985 in Lyon, listed person born 1970 in Moscow.",
                    "expires_at": "2027-11-24T00:00:00Z",
                    "revoked_at": None,
                    "revoked_by": None,
                    "active": True,
                }
            ]
        }
    )

    id: str
    created_at: datetime
    created_by: str
    reference: str | None
    name: str | None
    country: str | None
    source: str
    entity_id: str
    entry_hash: str = Field(..., description="The list entry's content when reviewed; a change voids the clearance")
    reason: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    active: bool


def _out(clearance: Clearance) -> ClearanceOut:
    now = utc_now()
    active = clearance.revoked_at is None and (clearance.expires_at is None or clearance.expires_at > now)
    return ClearanceOut(**clearance.model_dump(), active=active)


@router.post("", status_code=201, responses=error_responses(*POST_BODY, 401, 403, 404))
def add_clearance(
    body: ClearanceIn,
    caller: AdminDep,
    engine: EngineDep,
    catalogue: CatalogueDep,
    directory: ClearanceDirectoryDep,
) -> ClearanceOut:
    """Record that a party was reviewed against a list entry and is not that party.

    It applies at once to screenings through this replica, and within `SCREENING_INDEX_POLL_SECONDS`
    through the others (until then they report the match as not cleared)."""
    catalogue.get(body.source)
    clearance = create_clearance(
        engine=engine,
        actor=caller.name,
        source=body.source,
        entity_id=body.entity_id,
        reason=body.reason,
        reference=body.reference,
        name=body.name,
        country=body.country,
        expires_at=body.expires_at,
    )
    directory.learn([clearance])
    return _out(clearance)


@router.get("", operation_id="list_clearances", responses=error_responses(401, 403))
def get_clearances(
    session: SessionDep,
    _caller: AdminDep,
    reference: str | None = Query(None, max_length=200),
    source: str | None = Query(None, max_length=64),
    include_inactive: bool = Query(False, description="Also revoked and expired clearances"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_STORED_INT),
) -> list[ClearanceOut]:
    """Clearances, newest first."""
    rows = list_clearances(
        session, reference=reference, source=source, include_inactive=include_inactive, limit=limit, offset=offset
    )
    return [_out(row) for row in rows]


@router.get("/{clearance_id}", responses=error_responses(401, 403, 404))
def get_clearance(clearance_id: str, session: SessionDep, _caller: AdminDep) -> ClearanceOut:
    """One clearance."""
    clearance = session.get(Clearance, clearance_id)
    if clearance is None:
        raise NotFound(f"no clearance '{clearance_id}'")
    return _out(clearance)


@router.delete("/{clearance_id}", responses=error_responses(401, 403, 404))
def delete_clearance(clearance_id: str, caller: AdminDep, engine: EngineDep) -> ClearanceOut:
    """Revoke a clearance; it stays on record (with who revoked it) for the audit trail."""
    return _out(revoke_clearance(engine=engine, actor=caller.name, clearance_id=clearance_id))
