"""Request and response models of the monitoring endpoints (the API edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from service.decisions import Decision
from service.screening.schemas import PartyFields, clean_text, setting_limit

MONITORED_MATCH_EXAMPLE: dict[str, Any] = {
    "source": "us_ofac_sdn",
    "entity_id": "44882",
    "name": "MUELLER, Hans",
    "matched_name": "MUELLER, Hans",
    "type": "person",
    "score": 0.91,
    "decision": "review",
    "cleared": False,
    "content_hash": "c0ffee5e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d",
}
MONITORED_PARTY_EXAMPLE: dict[str, Any] = {
    "reference": "CUST-1001",
    "name": "Hans Müller",
    "type": "person",
    "country": "DE",
    "date_of_birth": "1971-04-02",
    "identifiers": [],
    "created_at": "2026-11-20T09:30:00Z",
    "created_by": "erp-prod",
    "updated_at": "2026-11-24T06:16:10Z",
    "decision": "review",
    "matches": [MONITORED_MATCH_EXAMPLE],
    "versions": {"us_ofac_sdn": 3, "eu_fsf": 7},
}
ALERT_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "created_at": "2026-11-24T12:00:00Z",
    "reference": "CUST-1001",
    "kind": "new_match",
    "source": "us_ofac_sdn",
    "entity_id": "44882",
    "before": None,
    "after": {"entity_id": "44882", "decision": "review", "score": 0.91},
    "version_id": 12,
    "screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10",
}
DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": 88,
    "alert_id": 17,
    "endpoint": "https://erp.example.com/hooks/screening",
    "status": "failed",
    "attempt": 8,
    "response_code": 502,
    "error": "HTTP 502 from the endpoint",
    "created_at": "2026-11-24T12:00:01Z",
    "last_attempt_at": "2026-11-24T14:07:31Z",
    "next_attempt_at": None,
    "delivered_at": None,
}

AlertKindOut = Literal["new_match", "decision_raised", "match_removed", "cleared_match_changed"]
DeliveryStatus = Literal["pending", "delivered", "failed"]


class MonitoredPartyIn(PartyFields):
    """A party to keep under monitoring; its `reference` (the caller's own id) identifies it: posting again updates."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reference": "CUST-1001", "name": "Hans Müller GmbH", "type": "organization", "country": "DE"}
            ]
        },
    )

    reference: str = Field(..., min_length=1, max_length=200, description="The caller's own id for the party")

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("the reference is empty")
        return cleaned


class MonitoredBatchIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"parties": [{"reference": "C-1", "name": "Hans Müller GmbH"}]}]},
    )

    parties: list[MonitoredPartyIn] = Field(..., min_length=1, json_schema_extra=setting_limit("SCREENING_MAX_BATCH"))


def _request_kind(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "parties" in value else "party"


# One party, or {"parties": [...]}: told apart by the `parties` key, so errors name the fields of the one meant.
MonitoredRequest = Annotated[
    Annotated[MonitoredPartyIn, Tag("party")] | Annotated[MonitoredBatchIn, Tag("batch")],
    Discriminator(_request_kind),
]


class MonitoredMatchOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MONITORED_MATCH_EXAMPLE]})

    source: str
    entity_id: str
    name: str
    matched_name: str
    type: str
    score: float
    decision: Literal["block", "review"]
    cleared: bool
    content_hash: str = Field(..., description="The list entry's content when it matched")


class MonitoredPartyOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MONITORED_PARTY_EXAMPLE]})

    reference: str
    name: str
    type: str
    country: str | None
    date_of_birth: str | None
    identifiers: list[dict[str, Any]]
    created_at: datetime
    created_by: str
    updated_at: datetime
    decision: Decision = Field(..., description="The outcome of the last (re-)screening")
    matches: list[MonitoredMatchOut]
    versions: dict[str, int] = Field(..., description="Per source, the list version the outcome reflects")


class MonitoredRegistered(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"registered": 1, "parties": [MONITORED_PARTY_EXAMPLE]}]})

    registered: int = Field(..., description="Parties created or updated")
    parties: list[MonitoredPartyOut]


class MonitoredPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [MONITORED_PARTY_EXAMPLE], "total": 1, "next_cursor": None}]}
    )

    items: list[MonitoredPartyOut]
    total: int
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class AlertOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ALERT_EXAMPLE]})

    id: int
    created_at: datetime
    reference: str
    kind: AlertKindOut
    source: str
    entity_id: str
    before: dict[str, Any] | None = Field(..., description="The match (or decision) before; null for a new match")
    after: dict[str, Any] | None = Field(..., description="The match (or decision) after; null when removed")
    version_id: int = Field(..., description="The list version whose change raised the alert")
    screening_id: str | None = Field(..., description="The re-screening's record in the audit trail")


class AlertPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [ALERT_EXAMPLE], "next_cursor": "17"}]})

    items: list[AlertOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DELIVERY_EXAMPLE]})

    id: int
    alert_id: int
    endpoint: str
    status: DeliveryStatus
    attempt: int = Field(..., description="Attempts made since it was (re)queued")
    response_code: int | None
    error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [DELIVERY_EXAMPLE], "next_cursor": None}]})

    items: list[DeliveryOut]
    next_cursor: str | None = None
