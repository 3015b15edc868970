"""Request and response models of the monitoring endpoints (the API edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from service.decisions import Decision
from service.screening.schemas import PartyFields, clean_text

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

    parties: list[MonitoredPartyIn] = Field(..., min_length=1)


def _request_kind(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "parties" in value else "party"


# One party, or {"parties": [...]}: told apart by the `parties` key, so errors name the fields of the one meant.
MonitoredRequest = Annotated[
    Annotated[MonitoredPartyIn, Tag("party")] | Annotated[MonitoredBatchIn, Tag("batch")],
    Discriminator(_request_kind),
]


class MonitoredMatchOut(BaseModel):
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
    registered: int = Field(..., description="Parties created or updated")
    parties: list[MonitoredPartyOut]


class MonitoredPage(BaseModel):
    items: list[MonitoredPartyOut]
    total: int
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class AlertOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "created_at": "2026-11-24T12:00:00Z",
                    "reference": "CUST-1001",
                    "kind": "new_match",
                    "source": "us_ofac_sdn",
                    "entity_id": "44882",
                    "before": None,
                    "after": {"entity_id": "44882", "decision": "block", "score": 0.99},
                    "version_id": 12,
                    "screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10",
                }
            ]
        }
    )

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
    items: list[AlertOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class DeliveryOut(BaseModel):
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
    items: list[DeliveryOut]
    next_cursor: str | None = None
