"""Response models of the list endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.sources.tables import ListEntry


class IngestStateOut(BaseModel):
    state: Literal["running", "abandoned"] = Field(
        ...,
        description="running: a live holder renews its lease; abandoned: a `loading` version was left behind"
        " by an ingest that stopped (the next ingest marks it failed)",
    )
    holder: str | None = Field(None, description="host:pid:tag of the running ingest")
    started_at: datetime | None = None


class ListStatusOut(BaseModel):
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
    name: str
    strength: str
    script: str | None
    kind: str


class BirthDateOut(BaseModel):
    value: str
    precision: str


class IdentifierOut(BaseModel):
    type: str
    value: str
    country: str | None


class AddressOut(BaseModel):
    text: str
    country: str | None


class EntityOut(BaseModel):
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
    source: str
    reports: list[ChangeReportOut] = Field(..., description="Oldest first")


class RefreshAccepted(BaseModel):
    source: str
    status: str = "accepted"
    detail: str
