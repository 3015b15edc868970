"""Response models of the list endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.sources.tables import ListEntry

INGEST_STATE_EXAMPLE: dict[str, Any] = {
    "state": "running",
    "holder": "screening-ingest-29123-x7k2p:1:cron",
    "started_at": "2026-11-24T06:15:02Z",
}
ALIAS_EXAMPLE: dict[str, Any] = {"name": "Nicolás Maduro", "strength": "strong", "script": None, "kind": "aka"}
BIRTH_DATE_EXAMPLE: dict[str, Any] = {"value": "1962-11-23", "precision": "day"}
IDENTIFIER_EXAMPLE: dict[str, Any] = {"type": "national_id", "value": "5892464", "country": "VE"}
ADDRESS_EXAMPLE: dict[str, Any] = {"text": "Caracas, Venezuela", "country": "VE"}
CHANGE_REPORT_EXAMPLE: dict[str, Any] = {
    "source": "us_ofac_sdn",
    "version": 4,
    "previous_version": 3,
    "created_at": "2026-11-25T06:15:40Z",
    "added_count": 2,
    "removed_count": 1,
    "changed_count": 1,
    "added": ["55101", "55102"],
    "removed": ["17321"],
    "changed": ["22790"],
}


class IngestStateOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [INGEST_STATE_EXAMPLE]})

    state: Literal["running", "abandoned"] = Field(
        ...,
        description="running: a live holder renews its lease; abandoned: a `loading` version was left behind"
        " by an ingest that stopped (the next ingest marks it failed)",
    )
    holder: str | None = Field(None, description="host:pid:tag of the running ingest")
    started_at: datetime | None = None


class ListStatusOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "us_ofac_sdn",
                    "name": "OFAC Specially Designated Nationals (SDN) List",
                    "publisher": "US Treasury, Office of Foreign Assets Control",
                    "kind": "sanctions",
                    "version": 3,
                    "record_count": 18231,
                    "fetched_at": "2026-11-22T06:15:00Z",
                    "checked_at": "2026-11-24T06:15:00Z",
                    "published_at": "2026-11-21T00:00:00Z",
                    "age_seconds": 3600.0,
                    "status": "ok",
                    "last_error": None,
                    "ingest": None,
                }
            ]
        }
    )

    source: str
    name: str
    publisher: str
    kind: str = Field(..., description="sanctions | export_control | aggregated ...")
    version: int | None = Field(None, description="The active version's id; null when none is loaded")
    record_count: int
    fetched_at: datetime | None = Field(None, description="When the active version was downloaded or loaded")
    checked_at: datetime | None = Field(None, description="Latest time the publisher confirmed it unchanged")
    published_at: datetime | None
    age_seconds: float | None = Field(None, description="Seconds since checked_at")
    status: str = Field(..., description="ok | stale | missing | failed")
    last_error: str | None = Field(None, description="Error of the last failed ingest since the active version")
    ingest: IngestStateOut | None = Field(None, description="An ingest running now, or one that stopped midway")


class AliasOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ALIAS_EXAMPLE]})

    name: str
    strength: str
    script: str | None
    kind: str


class BirthDateOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [BIRTH_DATE_EXAMPLE]})

    value: str
    precision: str


class IdentifierOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [IDENTIFIER_EXAMPLE]})

    type: str
    value: str
    country: str | None


class AddressOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ADDRESS_EXAMPLE]})

    text: str
    country: str | None


class EntityOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "us_ofac_sdn",
                    "entity_id": "22790",
                    "version": 3,
                    "type": "person",
                    "name": "MADURO MOROS, Nicolas",
                    "aliases": [ALIAS_EXAMPLE],
                    "programs": ["VENEZUELA", "VENEZUELA-EO13692"],
                    "countries": ["VE"],
                    "birth_dates": [BIRTH_DATE_EXAMPLE],
                    "identifiers": [IDENTIFIER_EXAMPLE],
                    "addresses": [ADDRESS_EXAMPLE],
                    "remarks": "President of the Bolivarian Republic of Venezuela.",
                    "listed_on": "2017-07-31",
                    "source_url": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=22790",
                    "content_hash": "9f2c4e1a7b3d5f60c8e2a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5",
                }
            ]
        }
    )

    source: str
    entity_id: str
    version: int
    type: str
    name: str
    aliases: list[AliasOut]
    programs: list[str]
    countries: list[str]
    birth_dates: list[BirthDateOut]
    identifiers: list[IdentifierOut]
    addresses: list[AddressOut]
    remarks: str | None
    listed_on: date | None
    source_url: str | None
    content_hash: str


def entity_out(row: ListEntry, source: str) -> EntityOut:
    """A stored entry as the API and the workbench show it."""
    document = row.document
    return EntityOut(
        source=source,
        version=row.version_id,
        content_hash=row.content_hash,
        **{key: document.get(key) for key in EntityOut.model_fields if key in document},
    )


class ChangeReportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CHANGE_REPORT_EXAMPLE]})

    source: str
    version: int
    previous_version: int | None
    created_at: datetime
    added_count: int
    removed_count: int
    changed_count: int
    added: list[str]
    removed: list[str]
    changed: list[str]


class ChangesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"source": "us_ofac_sdn", "reports": [CHANGE_REPORT_EXAMPLE]}]}
    )

    source: str
    reports: list[ChangeReportOut] = Field(..., description="Oldest first")


class RefreshAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "us_ofac_sdn",
                    "status": "accepted",
                    "detail": "refresh started; GET /v1/lists shows the outcome",
                }
            ]
        }
    )

    source: str
    status: str = "accepted"
    detail: str
