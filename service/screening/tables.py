"""Stored screenings (the audit trail), clearances, audit events and saved match indexes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from service.timeutil import UTCDateTime, utc_now


class ScreeningRecord(SQLModel, table=True):
    """One screening exactly as the caller saw it. Written once, never updated (a database trigger refuses it)."""

    __tablename__ = "screening_record"
    __table_args__ = (
        Index("ix_screening_record_created", "created_at", "id"),
        Index("ix_screening_record_reference", "reference", "created_at"),
        Index("ix_screening_record_caller", "caller", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    kind: str = Field(max_length=16, description="single | batch | order | rescreen")
    caller: str = Field(max_length=200, description="API key name, or cli:<user>")
    reference: str | None = Field(default=None, max_length=200)
    decision: str = Field(max_length=8, index=True)
    batch_id: str | None = Field(default=None, max_length=36, index=True)
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    response: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    list_versions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))


class Clearance(SQLModel, table=True):
    """A reviewed false positive: this party is not that list entry (as it read when reviewed)."""

    __tablename__ = "clearance"
    __table_args__ = (
        Index("ix_clearance_reference", "reference"),
        Index("ix_clearance_name_key", "name_key", "country"),
    )

    id: str = Field(primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    name: str | None = None
    name_key: str | None = Field(default=None, max_length=1000)
    country: str | None = Field(default=None, max_length=2)
    source: str = Field(max_length=64)
    entity_id: str = Field(max_length=128)
    entry_hash: str = Field(max_length=64, description="content hash of the list entry when it was reviewed")
    reason: str
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=200)


class AuditEvent(SQLModel, table=True):
    """Who changed what: clearances created and revoked, API keys created and revoked."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    object_id: str = Field(max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SavedIndex(SQLModel, table=True):
    """A built match index for one set of active list versions, loaded by replicas instead of rebuilding.

    Written once per key by whichever process built it first; `data` is framed and checksummed
    by `screening/saved_index.py`, which alone reads it.
    """

    __tablename__ = "saved_index"

    key: str = Field(primary_key=True, max_length=64, description="sha256 of code version and active versions")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    entry_count: int
    size: int = Field(description="bytes in data")
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
