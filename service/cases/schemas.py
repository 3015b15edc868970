"""Request and response models of the case endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.cases.states import Action, CaseStatus, HitState, ReasonCode
from service.db import MAX_STORED_INT
from service.screening.schemas import clean_text

HitIds = list[int]

# The examples the document shows, composed from one case so that they agree with each other.
_AT = "2026-12-02T09:30:00Z"
_PARTY = {
    "name": "Nicolas Maduro Moros",
    "type": "person",
    "country": "VE",
    "date_of_birth": None,
    "reference": "CUST-1001",
}
_HIT = {
    "id": 7,
    "group": 7,
    "source": "us_ofac_sdn",
    "entity_id": "22790",
    "entry_hash": "bd2e36f86c09d5ac4b280f0bf002576e1538876ebe7e78e12070423d6edec582",
    "name": "MADURO MOROS, Nicolas",
    "matched_name": "MADURO MOROS, Nicolas",
    "score": 0.99,
    "decision": "block",
    "programs": ["VENEZUELA"],
    "explanation": [{"feature": "name", "score": 1.0, "detail": "all name parts agree"}],
    "link_keys": ["doc:VE:5892464", "name:maduro moros nicolas", "ofac:22790"],
    "state": "open",
    "pending_decision_id": None,
    "clearance_id": None,
    "screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10",
    "first_seen_at": _AT,
    "last_seen_at": _AT,
}
_GROUP = {"id": 7, "hit_ids": [7], "sources": ["us_ofac_sdn"]}
_EVENT = {
    "id": 31,
    "at": _AT,
    "actor": "erp-prod",
    "action": "case.opened",
    "hit_ids": [],
    "details": {"screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10", "decision": "block"},
}
_CASE = {
    "id": "0b6f0f7e-2d1c-4c55-8c53-9f6a3c1b2d10",
    "status": "open",
    "party": _PARTY,
    "decision": "block",
    "assignee": None,
    "created_at": _AT,
    "opened_at": _AT,
    "updated_at": _AT,
    "last_screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10",
    "last_screened_at": _AT,
    "hit_count": 1,
    "open_hits": 1,
    "sources": ["us_ofac_sdn"],
}
_DETAIL = {**_CASE, "hits": [_HIT], "groups": [_GROUP], "pending_decisions": [], "history": [_EVENT]}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class PartyOut(BaseModel):
    model_config = _examples(_PARTY)

    name: str
    type: str
    country: str | None
    date_of_birth: str | None
    reference: str | None


class HitOut(BaseModel):
    model_config = _examples(_HIT)

    id: int
    group: int = Field(..., description="Hits with the same group are one listed party on several lists")
    source: str
    entity_id: str
    entry_hash: str = Field(..., description="Content hash of the entry as screened; a clearance binds to it")
    name: str = Field(..., description="The listed party's primary name")
    matched_name: str
    score: float
    decision: Literal["review", "block"]
    programs: list[str]
    explanation: list[dict[str, Any]] = Field(..., description="The screening's features: what matched and how")
    link_keys: list[str] = Field(
        ..., description="What links the entry to other lists: ofac:, un:, ofsi:, doc:, imo:, name:"
    )
    state: HitState
    pending_decision_id: int | None = Field(None, description="The proposed decision awaiting a second reviewer")
    clearance_id: str | None = Field(None, description="The clearance a false_positive decision created")
    screening_id: str = Field(..., description="The last screening that found it ('' when a list update added it)")
    first_seen_at: datetime
    last_seen_at: datetime


class GroupOut(BaseModel):
    model_config = _examples(_GROUP)

    id: int
    hit_ids: list[int]
    sources: list[str]


class EventOut(BaseModel):
    model_config = _examples(_EVENT)

    id: int
    at: datetime
    actor: str
    action: str = Field(
        ...,
        description="case.opened | hits.added | hits.reopened | decision | decision.proposed | decision.approved"
        " | decision.rejected | assigned",
    )
    hit_ids: list[int]
    details: dict[str, Any]


class CaseOut(BaseModel):
    model_config = _examples(_CASE)

    id: str
    status: CaseStatus
    party: PartyOut
    decision: Literal["review", "block"] = Field(..., description="The decision of the party's last screening")
    assignee: str | None
    created_at: datetime
    opened_at: datetime = Field(..., description="When the case was opened or last reopened (its age)")
    updated_at: datetime
    last_screening_id: str
    last_screened_at: datetime
    hit_count: int
    open_hits: int = Field(..., description="Hits not decided yet (open, escalated, needs_information)")
    sources: list[str]


class CaseDetail(CaseOut):
    model_config = _examples(_DETAIL)

    hits: list[HitOut]
    groups: list[GroupOut]
    pending_decisions: list[EventOut] = Field(..., description="Proposals awaiting a second reviewer (four-eyes)")
    history: list[EventOut] = Field(..., description="Every change, oldest first; never edited")


class CasePage(BaseModel):
    model_config = _examples({"items": [_CASE], "next_cursor": None})

    items: list[CaseOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "action": "false_positive",
                    "reason_code": "different_date_of_birth",
                    "comment": "Customer born 1985 in Lyon; the listed person was born 1962 in Caracas.",
                    "group": 12,
                }
            ]
        },
    )

    action: Action | Literal["approve", "reject"] = Field(
        ...,
        description="false_positive | true_match | escalate | needs_information; `approve` or `reject` (with"
        " `decision_id`) is a second reviewer's answer to a pending decision, as POST .../approvals",
    )
    reason_code: ReasonCode | None = Field(
        None, description="Required for the four decisions; each accepts its own codes (see the error when wrong)"
    )
    comment: str = Field(..., min_length=3, max_length=4000)
    hit_ids: HitIds | None = Field(None, max_length=1000, description="The hits decided")
    group: int | None = Field(None, ge=1, le=MAX_STORED_INT, description="Or every hit of this group")
    decision_id: int | None = Field(None, ge=1, le=MAX_STORED_INT, description="With approve/reject: the proposal")

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str) -> str:
        cleaned = clean_text(value)
        if len(cleaned) < 3:
            raise ValueError("give a comment of at least 3 characters")
        return cleaned


class ApprovalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decision_id": 32, "verdict": "approve", "comment": "Agreed: same cedula."}]},
    )

    decision_id: int = Field(..., ge=1, le=MAX_STORED_INT, description="The proposed decision (its event id)")
    verdict: Literal["approve", "reject"] = "approve"
    comment: str = Field("", max_length=4000)


class DecisionOut(BaseModel):
    model_config = _examples(
        {"decision_id": 32, "status": "applied", "hit_ids": [7], "clearance_ids": [], "case": _DETAIL}
    )

    decision_id: int = Field(..., description="The event recording it (a proposal's id is what approvals name)")
    status: Literal["applied", "pending_approval", "rejected"]
    hit_ids: list[int]
    clearance_ids: list[str] = Field(..., description="Clearances created (false_positive)")
    case: CaseDetail


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"assignee": "reviewer-2"}]})

    assignee: str | None = Field(..., max_length=200, description="Who works the case (a key name); null unassigns")

    @field_validator("assignee")
    @classmethod
    def _assignee(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


class CaseFilterIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "open", "source": "us_bis_dpl", "older_than": "P3D"}]},
    )

    status: CaseStatus | None = None
    source: str | None = Field(None, max_length=64, description="Cases with a hit on this list")
    assignee: str | None = Field(None, max_length=200)
    older_than: timedelta | None = Field(None, description="Opened longer ago than this (ISO 8601 duration: P3D)")
    q: str | None = Field(None, max_length=200, description="Party name, reference, case id or listed entity id")


class BulkDecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "filter": {"status": "open", "source": "us_bis_dpl", "q": "trading"},
                    "action": "false_positive",
                    "reason_code": "name_only_similarity",
                    "comment": "Common trading-company words only; reviewed 2026-12-02.",
                }
            ]
        },
    )

    filter: CaseFilterIn = Field(default_factory=CaseFilterIn, description="Which cases; as GET /v1/cases")
    case_ids: list[str] | None = Field(None, max_length=1000, description="Or exactly these cases")
    action: Action
    reason_code: ReasonCode
    comment: str = Field(..., min_length=3, max_length=4000)
    limit: int = Field(200, ge=1, le=1000, description="Most cases decided by this call")


class BulkSkipped(BaseModel):
    model_config = _examples({"case_id": _CASE["id"], "detail": "no undecided hit"})

    case_id: str
    detail: str


class BulkDecisionOut(BaseModel):
    model_config = _examples({"decided": [_CASE["id"]], "hits": 1, "status": "applied", "skipped": [], "more": False})

    decided: list[str] = Field(..., description="Cases decided (every undecided hit, or those on `filter.source`)")
    hits: int
    status: Literal["applied", "pending_approval"]
    skipped: list[BulkSkipped]
    more: bool = Field(..., description="More cases matched than `limit`: call again")
